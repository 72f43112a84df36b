/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text forms of the things an operator types and reads: addresses,
 * prefixes, endpoints, port ranges, nonces, protocols. Pure functions, no
 * I/O, strict: the whole string must parse, numbers are decimal without
 * sign, spaces or leading junk. Each parser returns 0 or -EINVAL (-ERANGE
 * for a well-formed number out of range) and leaves its output untouched
 * on failure.
 */
#ifndef PCPNL_TEXT_H
#define PCPNL_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "lib/pcpnl_types.h"

/* Dotted quad only ("10.0.0.1"), as inet_pton(AF_INET) takes it. */
int pcpnl_parse_addr(const char *s, struct in_addr *a);

/* Decimal in [min, max]. */
int pcpnl_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* "A/L" with L in 0..32; "A" alone means /32. Host bits are not checked here. */
int pcpnl_parse_prefix(const char *s, struct pcpnl_prefix *p);

/* "A/L[,A/L...]" into at most max entries; "none" is the empty list. */
int pcpnl_parse_prefix_list(const char *s, struct pcpnl_prefix *p,
			     unsigned int max, unsigned int *n);

/*
 * "A:P" (port 0..65535). With port_optional, "A" alone is accepted and
 * *has_port says which form it was (has_port may be NULL otherwise).
 */
int pcpnl_parse_endpoint(const char *s, bool port_optional,
			  struct in_addr *a, uint16_t *port, bool *has_port);

/* on/off, yes/no, true/false, 1/0. */
int pcpnl_parse_bool(const char *s, bool *v);

/* "MIN-MAX" or "P" (= P-P), each 1..65535, MIN <= MAX. */
int pcpnl_parse_port_range(const char *s, uint16_t *min, uint16_t *max);

/* Exactly 2 * PCPNAT_NONCE_LEN hex digits, either case. */
int pcpnl_parse_nonce(const char *s, uint8_t nonce[PCPNAT_NONCE_LEN]);

/* "udp", "tcp", "icmp". */
int pcpnl_parse_proto(const char *s, uint8_t *proto);

/* A remote peer filter: "A/L[:P]" or "A[:P]" (/32); L 1..32. */
int pcpnl_parse_filter(const char *s, struct pcpnl_filter *f);

/* "udp", "tcp", "icmp", or NULL for another number. */
const char *pcpnl_proto_name(uint8_t proto);

#define PCPNL_NONCE_HEX_LEN	(2 * PCPNAT_NONCE_LEN + 1)
void pcpnl_format_nonce(const uint8_t nonce[PCPNAT_NONCE_LEN],
			 char out[PCPNL_NONCE_HEX_LEN]);

#endif /* PCPNL_TEXT_H */
