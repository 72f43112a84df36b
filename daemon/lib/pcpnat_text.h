/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text forms of the things an operator types and reads: addresses,
 * prefixes, endpoints, port ranges, nonces, protocols. Pure functions, no
 * I/O, strict: the whole string must parse, numbers are decimal without
 * sign, spaces or leading junk. Each parser returns 0 or -EINVAL (-ERANGE
 * for a well-formed number out of range) and leaves its output untouched
 * on failure.
 */
#ifndef PCPNAT_TEXT_H
#define PCPNAT_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "lib/pcpnat_types.h"

/* Dotted quad only ("10.0.0.1"), as inet_pton(AF_INET) takes it. */
int pcpnat_parse_addr(const char *s, struct in_addr *a);

/* Decimal in [min, max]. */
int pcpnat_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* "A/L" with L in 0..32; "A" alone means /32. Host bits are not checked here. */
int pcpnat_parse_prefix(const char *s, struct pcpnat_prefix *p);

/* "A/L[,A/L...]" into at most max entries; "none" is the empty list. */
int pcpnat_parse_prefix_list(const char *s, struct pcpnat_prefix *p,
			     unsigned int max, unsigned int *n);

/*
 * "A:P" (port 0..65535). With port_optional, "A" alone is accepted and
 * *has_port says which form it was (has_port may be NULL otherwise).
 */
int pcpnat_parse_endpoint(const char *s, bool port_optional,
			  struct in_addr *a, uint16_t *port, bool *has_port);

/* on/off, yes/no, true/false, 1/0. */
int pcpnat_parse_bool(const char *s, bool *v);

/* "MIN-MAX" or "P" (= P-P), each 1..65535, MIN <= MAX. */
int pcpnat_parse_port_range(const char *s, uint16_t *min, uint16_t *max);

/* Exactly 2 * PCPNAT_NONCE_LEN hex digits, either case. */
int pcpnat_parse_nonce(const char *s, uint8_t nonce[PCPNAT_NONCE_LEN]);

/* "udp", "tcp", "icmp". */
int pcpnat_parse_proto(const char *s, uint8_t *proto);

/* A remote peer filter: "A/L[:P]" or "A[:P]" (/32); L 1..32. */
int pcpnat_parse_filter(const char *s, struct pcpnat_filter *f);

/* "udp", "tcp", "icmp", or NULL for another number. */
const char *pcpnat_proto_name(uint8_t proto);

#define PCPNAT_NONCE_HEX_LEN	(2 * PCPNAT_NONCE_LEN + 1)
void pcpnat_format_nonce(const uint8_t nonce[PCPNAT_NONCE_LEN],
			 char out[PCPNAT_NONCE_HEX_LEN]);

#endif /* PCPNAT_TEXT_H */
