// SPDX-License-Identifier: GPL-2.0
/* See pcpwire.h. */
#include <arpa/inet.h>
#include <string.h>

#include "pcpwire.h"

#define PCP_VERSION	2
#define PCP_OP_MAP	1
#define PCP_OP_GET	98	/* draft-boucadair-pcp-failure App. B */
#define PCP_OPT_NEXT	131
#define PCP_RESPONSE	0x80
#define PCP_HDR_LEN	24
#define MAP_LEN		36
#define GET_LEN		40
#define NEXT_LEN	56
#define NATPMP_VERSION	0

int pcpw_op_parse(const char *s)
{
	static const char *const names[] = {
		[PCPW_MAP] = "map", [PCPW_REFRESH] = "refresh",
		[PCPW_GET] = "get", [PCPW_NATPMP_ADDR] = "natpmp",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

/* An IPv4 address as PCP carries it: the IPv4-mapped IPv6 form. */
static void put_v4mapped(uint8_t *p, struct in_addr a)
{
	memset(p, 0, 10);
	p[10] = 0xff;
	p[11] = 0xff;
	memcpy(p + 12, &a, 4);
}

/* RFC 6887 §7.1: version, opcode, lifetime, client address. */
static void put_header(uint8_t *b, uint8_t opcode, uint32_t lifetime,
		       struct in_addr client)
{
	uint32_t l = htonl(lifetime);

	b[0] = PCP_VERSION;
	b[1] = opcode;
	memcpy(b + 4, &l, 4);
	put_v4mapped(b + 8, client);
}

size_t pcpw_build(enum pcpw_op op, uint8_t *b, struct in_addr client,
		  uint16_t port, uint32_t lifetime)
{
	struct in_addr any = { 0 };
	uint16_t p = htons(port);
	uint8_t *q = b + PCP_HDR_LEN;

	memset(b, 0, PCPW_BUF);
	switch (op) {
	case PCPW_MAP:
	case PCPW_REFRESH:
		put_header(b, PCP_OP_MAP, lifetime, client);
		/* Nonce, protocol, internal port, suggested external port. */
		memcpy(q, &client, 4);
		memcpy(q + 4, &p, 2);
		q[10] = 0x5a;
		q[12] = IPPROTO_UDP;
		memcpy(q + 16, &p, 2);
		memcpy(q + 18, &p, 2);
		put_v4mapped(q + 20, any);
		return PCP_HDR_LEN + MAP_LEN;
	case PCPW_GET:
		/*
		 * Every filter field zero: all of the client's mappings. The
		 * NEXT option with an all-zero Locator asks for the list from
		 * its start (App. B.3), as many as fit in one response.
		 */
		put_header(b, PCP_OP_GET, 0, client);
		q += GET_LEN;
		q[0] = PCP_OPT_NEXT;
		q[3] = NEXT_LEN;
		return PCP_HDR_LEN + GET_LEN + 4 + NEXT_LEN;
	case PCPW_NATPMP_ADDR:
		b[0] = NATPMP_VERSION;
		b[1] = 0;
		return 2;
	}
	return 0;
}

int pcpw_reply(enum pcpw_op op, const uint8_t *b, size_t n, uint16_t *key,
	       int *result)
{
	uint16_t v;

	*key = 0;
	switch (op) {
	case PCPW_MAP:
	case PCPW_REFRESH:
		if (n < PCP_HDR_LEN + MAP_LEN || b[0] != PCP_VERSION ||
		    b[1] != (PCP_RESPONSE | PCP_OP_MAP))
			return -1;
		memcpy(&v, b + PCP_HDR_LEN + 16, 2);
		*key = ntohs(v);
		*result = b[3];
		return 0;
	case PCPW_GET:
		if (n < PCP_HDR_LEN || b[0] != PCP_VERSION ||
		    b[1] != (PCP_RESPONSE | PCP_OP_GET))
			return -1;
		*result = b[3];
		return 0;
	case PCPW_NATPMP_ADDR:
		/* RFC 6886 §3.2: 12 octets, opcode 128, result code. */
		if (n < 12 || b[0] != NATPMP_VERSION || b[1] != 128)
			return -1;
		memcpy(&v, b + 2, 2);
		*result = ntohs(v);
		return 0;
	}
	return -1;
}

unsigned int pcpw_get_listed(const uint8_t *b, size_t n)
{
	size_t off = PCP_HDR_LEN + GET_LEN;
	unsigned int listed = 0;

	/* RFC 6887 §7.3: code, reserved, length, data padded to 4. */
	while (off + 4 <= n) {
		size_t len = (size_t)b[off + 2] << 8 | b[off + 3];

		listed += b[off] == PCP_OPT_NEXT;
		off += 4 + ((len + 3) & ~(size_t)3);
	}
	return listed;
}
