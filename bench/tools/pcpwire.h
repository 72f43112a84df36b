/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The requests the bench's load tools send, written out from the RFCs on
 * purpose: a generator must share no code with the server it measures.
 *   MAP and its refresh: RFC 6887 §7.1 (header) and §11.1 (MAP payload);
 *   GET with a NEXT option: draft-boucadair-pcp-failure App. B;
 *   NAT-PMP external address request (opcode 0): RFC 6886 §3.2.
 */
#ifndef BENCH_PCPWIRE_H
#define BENCH_PCPWIRE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define PCP_PORT	5351
#define PCPW_BUF	1100	/* RFC 6887 §7: the largest PCP message */

enum pcpw_op {
	PCPW_MAP,		/* a new mapping per request */
	PCPW_REFRESH,		/* MAP again for the same ports and nonces */
	PCPW_GET,		/* list the client's explicit mappings */
	PCPW_NATPMP_ADDR,	/* NAT-PMP opcode 0 */
};

/* "map", "refresh", "get" or "natpmp"; -1 if none of them. */
int pcpw_op_parse(const char *s);

/*
 * Writes the request into b (PCPW_BUF bytes) and returns its length.
 * port is the internal port of a MAP (its nonce is derived from client
 * and port, so the same port is a refresh of the same mapping).
 */
size_t pcpw_build(enum pcpw_op op, uint8_t *b, struct in_addr client,
		  uint16_t port, uint32_t lifetime);

/*
 * Decodes a reply to op: 0 and *key (the internal port of a MAP reply,
 * 0 for the others) and *result (0 is success), or -1 if it is no reply
 * to such a request.
 */
int pcpw_reply(enum pcpw_op op, const uint8_t *b, size_t n, uint16_t *key,
	       int *result);

/* NEXT options in a GET response: the mappings it lists. */
unsigned int pcpw_get_listed(const uint8_t *b, size_t n);

#endif /* BENCH_PCPWIRE_H */
