// SPDX-License-Identifier: GPL-2.0
/*
 * Response encoding (RFC 6887 7.2, 11.1, 12.1; draft-boucadair-pcp-failure
 * App. B).
 * Reserved fields are always written as zero.
 */
#include <string.h>

#include "pcp/pcp.h"
#include "pcp/pcp_wire.h"

static size_t cap_limit(size_t cap)
{
	return cap < PCP_MAX_LEN ? cap : PCP_MAX_LEN;
}

static void put_header(uint8_t *p, uint8_t version, uint8_t opcode,
		       uint8_t result, uint32_t lifetime, uint32_t epoch)
{
	memset(p, 0, PCP_HDR_LEN);
	p[0] = version;
	p[1] = opcode | PCP_R_BIT;
	p[3] = result;
	pcp_put32(p + 4, lifetime);
	pcp_put32(p + 8, epoch);
}

static void put_map(uint8_t *p, uint8_t opcode, const struct pcp_map *m)
{
	memset(p, 0, opcode == PCP_OP_PEER ? PCP_PEER_LEN : PCP_MAP_LEN);
	memcpy(p, m->nonce, PCP_NONCE_LEN);
	p[12] = m->protocol;
	pcp_put16(p + 16, m->int_port);
	pcp_put16(p + 18, m->ext_port);
	memcpy(p + 20, m->ext_addr, 16);
	if (opcode == PCP_OP_PEER) {
		pcp_put16(p + 36, m->peer_port);
		memcpy(p + 40, m->peer_addr, 16);
	}
}

static void put_get(uint8_t *p, const struct pcp_get *g)
{
	memset(p, 0, PCP_GET_LEN);
	p[0] = g->protocol;
	memcpy(p + 4, g->int_addr, 16);
	memcpy(p + 20, g->ext_addr, 16);
	pcp_put16(p + 36, g->int_port);
	pcp_put16(p + 38, g->ext_port);
}

int pcp_build_response(uint8_t *buf, size_t cap, const struct pcp_response *r)
{
	size_t n = PCP_HDR_LEN, plen;
	int w;

	cap = cap_limit(cap);
	switch (r->opcode) {
	case PCP_OP_MAP:
		plen = PCP_MAP_LEN;
		break;
	case PCP_OP_PEER:
		plen = PCP_PEER_LEN;
		break;
	case PCP_OP_GET:
		plen = PCP_GET_LEN;
		break;
	default:
		plen = 0;
		break;
	}
	if (cap < PCP_HDR_LEN + plen)
		return -1;
	put_header(buf, r->version ? r->version : PCP_VERSION, r->opcode,
		   r->result, r->lifetime, r->epoch);
	if (r->opcode == PCP_OP_MAP || r->opcode == PCP_OP_PEER)
		put_map(buf + n, r->opcode, &r->u.map);
	else if (r->opcode == PCP_OP_GET)
		put_get(buf + n, &r->u.get);
	n += plen;
	w = pcp_put_options(buf + n, cap - n, &r->opt);
	if (w < 0)
		return -1;
	return (int)(n + w);
}

int pcp_build_error(uint8_t *buf, size_t cap, const uint8_t *req,
		    size_t req_len, uint8_t result, uint32_t lifetime,
		    uint32_t epoch)
{
	size_t copy = 0;

	cap = cap_limit(cap);
	if (cap < PCP_HDR_LEN)
		return -1;
	/* Version 2 always: for UNSUPP_VERSION it is the one we speak (9). */
	put_header(buf, PCP_VERSION, req_len >= 2 ? req[1] & ~PCP_R_BIT : 0,
		   result, lifetime, epoch);
	if (result != PCP_UNSUPP_VERSION && req_len > PCP_HDR_LEN) {
		copy = req_len - PCP_HDR_LEN;
		if (copy > cap - PCP_HDR_LEN)
			copy = cap - PCP_HDR_LEN;
		copy &= ~(size_t)3;
		memcpy(buf + PCP_HDR_LEN, req + PCP_HDR_LEN, copy);
	}
	return (int)(PCP_HDR_LEN + copy);
}

int pcp_append_next(uint8_t *buf, size_t len, size_t cap,
		    const struct pcp_next *x, const struct pcp_options *emb,
		    size_t *more_end_off)
{
	uint8_t *p = buf + len;
	size_t room;
	int w = 0;

	cap = cap_limit(cap);
	if (len + PCP_OPT_HDR_LEN + PCP_NEXT_LEN > cap)
		return -1;
	room = cap - len - PCP_OPT_HDR_LEN - PCP_NEXT_LEN;
	if (emb) {
		w = pcp_put_options(p + PCP_OPT_HDR_LEN + PCP_NEXT_LEN, room,
				    emb);
		if (w < 0)
			return -1;
	}
	p[0] = PCP_OPT_NEXT;
	p[1] = 0;
	pcp_put16(p + 2, (uint16_t)(PCP_NEXT_LEN + w));
	p += PCP_OPT_HDR_LEN;
	memcpy(p, x->nonce, PCP_NONCE_LEN);
	p[12] = x->protocol;
	p[13] = 0;
	p[14] = 0;
	p[15] = x->more_end;
	memcpy(p + 16, x->int_addr, 16);
	memcpy(p + 32, x->ext_addr, 16);
	pcp_put32(p + 48, x->lifetime);
	pcp_put16(p + 52, x->int_port);
	pcp_put16(p + 54, x->ext_port);
	if (more_end_off)
		*more_end_off = len + PCP_OPT_HDR_LEN + 15;
	/* Embedded options are whole options: already a multiple of 4. */
	return (int)(len + PCP_OPT_HDR_LEN + PCP_NEXT_LEN + w);
}

bool pcp_result_is_short(uint8_t result)
{
	/* RFC 6887 7.4 marks these as short lifetime errors. */
	return result == PCP_NETWORK_FAILURE || result == PCP_NO_RESOURCES ||
	       result == PCP_USER_EX_QUOTA ||
	       result == PCP_CANNOT_PROVIDE_EXTERNAL;
}

const char *pcp_result_name(uint8_t result)
{
	static const char *const names[] = {
		"SUCCESS", "UNSUPP_VERSION", "NOT_AUTHORIZED",
		"MALFORMED_REQUEST", "UNSUPP_OPCODE", "UNSUPP_OPTION",
		"MALFORMED_OPTION", "NETWORK_FAILURE", "NO_RESOURCES",
		"UNSUPP_PROTOCOL", "USER_EX_QUOTA", "CANNOT_PROVIDE_EXTERNAL",
		"ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS", "UNSUPP_FAMILY",
	};

	if (result < sizeof(names) / sizeof(names[0]))
		return names[result];
	if (result == PCP_NONEXIST_MAP)
		return "NONEXIST_MAP";
	if (result == PCP_AMBIGUOUS)
		return "AMBIGUOUS";
	return "UNKNOWN";
}
