// SPDX-License-Identifier: GPL-2.0
/*
 * Request (and, for clients and tests, response) decoding with the order
 * of checks of RFC 6887 8.3: length < 2 and R bit -> drop; unsupported
 * version -> UNSUPP_VERSION; shorter than the header -> drop; longer than
 * 1100 or not a multiple of 4 -> MALFORMED_REQUEST; unknown opcode ->
 * UNSUPP_OPCODE; payload too short -> MALFORMED_REQUEST; then options.
 */
#include <string.h>

#include "pcp/pcp.h"
#include "pcp/pcp_addr.h"
#include "pcp/pcp_wire.h"

static size_t opcode_payload_len(uint8_t opcode)
{
	switch (opcode) {
	case PCP_OP_ANNOUNCE:
		return 0;
	case PCP_OP_MAP:
		return PCP_MAP_LEN;
	case PCP_OP_PEER:
		return PCP_PEER_LEN;
	case PCP_OP_GET:
		return PCP_GET_LEN;
	}
	return SIZE_MAX;
}

static void decode_map(const uint8_t *p, uint8_t opcode, struct pcp_map *m)
{
	memcpy(m->nonce, p, PCP_NONCE_LEN);
	m->protocol = p[12];
	m->int_port = pcp_get16(p + 16);
	m->ext_port = pcp_get16(p + 18);
	memcpy(m->ext_addr, p + 20, 16);
	if (opcode == PCP_OP_PEER) {
		m->peer_port = pcp_get16(p + 36);
		memcpy(m->peer_addr, p + 40, 16);
	}
}

static void decode_get(const uint8_t *p, struct pcp_get *g)
{
	g->protocol = p[0];
	memcpy(g->int_addr, p + 4, 16);
	memcpy(g->ext_addr, p + 20, 16);
	g->int_port = pcp_get16(p + 36);
	g->ext_port = pcp_get16(p + 38);
}

static void set_error(struct pcp_parse_result *res, uint8_t result)
{
	res->verdict = PCP_V_ERROR;
	res->result = result;
}

/*
 * Checks on field values that make a request meaningless whatever the
 * server's policy (as opposed to what it may merely decline).
 */
static uint8_t check_semantics(const struct pcp_request *req)
{
	const struct pcp_map *m = &req->u.map;

	switch (req->opcode) {
	case PCP_OP_MAP:
		/*
		 * "All protocols" has no ports (RFC 6887 11.1;
		 * draft-boucadair-pcp-flow-examples 2.16).
		 */
		if (m->protocol == 0 && m->int_port != 0)
			return PCP_MALFORMED_REQUEST;
		break;
	case PCP_OP_PEER:
		/* A PEER names one flow: no wildcard (RFC 6887 12.1). */
		if (m->protocol == 0 || m->int_port == 0 || m->peer_port == 0)
			return PCP_MALFORMED_REQUEST;
		break;
	case PCP_OP_GET:
		/* "No defined port with protocol set to any" (App. B.1). */
		if (req->u.get.protocol == 0 &&
		    (req->u.get.int_port || req->u.get.ext_port))
			return PCP_MALFORMED_REQUEST;
		break;
	}
	return PCP_SUCCESS;
}

void pcp_parse_request(const uint8_t *buf, size_t len,
		       struct pcp_request *req, struct pcp_parse_result *res)
{
	size_t plen;
	uint8_t rc;

	memset(req, 0, sizeof(*req));
	memset(res, 0, sizeof(*res));
	res->verdict = PCP_V_DROP;
	if (len < 2)
		return;
	req->version = buf[0];
	req->opcode = buf[1] & ~PCP_R_BIT;
	if (req->version == NATPMP_VERSION) {
		res->verdict = PCP_V_NATPMP;
		return;
	}
	if (buf[1] & PCP_R_BIT)
		return;		/* a response: never answer one */
	if (req->version != PCP_VERSION) {
		set_error(res, PCP_UNSUPP_VERSION);
		return;
	}
	if (len < PCP_HDR_LEN)
		return;
	req->lifetime = pcp_get32(buf + 4);
	memcpy(req->client_addr, buf + 8, 16);
	if (len > PCP_MAX_LEN || len % 4) {
		set_error(res, PCP_MALFORMED_REQUEST);
		return;
	}
	res->header_ok = true;

	plen = opcode_payload_len(req->opcode);
	if (plen == SIZE_MAX) {
		set_error(res, PCP_UNSUPP_OPCODE);
		return;
	}
	if (len - PCP_HDR_LEN < plen) {
		set_error(res, PCP_MALFORMED_REQUEST);
		return;
	}
	if (req->opcode == PCP_OP_MAP || req->opcode == PCP_OP_PEER)
		decode_map(buf + PCP_HDR_LEN, req->opcode, &req->u.map);
	else if (req->opcode == PCP_OP_GET)
		decode_get(buf + PCP_HDR_LEN, &req->u.get);

	rc = pcp_parse_options(req->opcode, buf, PCP_HDR_LEN + plen, len,
			       false, &req->opt, NULL, &res->bad_offset);
	if (rc == PCP_SUCCESS)
		rc = check_semantics(req);
	if (rc != PCP_SUCCESS) {
		set_error(res, rc);
		return;
	}
	res->verdict = PCP_V_OK;
}

int pcp_parse_response(const uint8_t *buf, size_t len,
		       struct pcp_response *r, unsigned int *nnext)
{
	size_t plen;
	uint16_t bad;

	memset(r, 0, sizeof(*r));
	if (nnext)
		*nnext = 0;
	if (len < PCP_HDR_LEN || len > PCP_MAX_LEN || len % 4)
		return -1;
	if (!(buf[1] & PCP_R_BIT))
		return -1;
	r->version = buf[0];
	r->opcode = buf[1] & ~PCP_R_BIT;
	r->result = buf[3];
	r->lifetime = pcp_get32(buf + 4);
	r->epoch = pcp_get32(buf + 8);
	plen = opcode_payload_len(r->opcode);
	if (plen == SIZE_MAX || len - PCP_HDR_LEN < plen) {
		/* Only errors may come without a payload (UNSUPP_*). */
		return r->result != PCP_SUCCESS ? 0 : -1;
	}
	if (r->opcode == PCP_OP_MAP || r->opcode == PCP_OP_PEER)
		decode_map(buf + PCP_HDR_LEN, r->opcode, &r->u.map);
	else if (r->opcode == PCP_OP_GET)
		decode_get(buf + PCP_HDR_LEN, &r->u.get);
	if (pcp_parse_options(r->opcode, buf, PCP_HDR_LEN + plen, len, true,
			      &r->opt, nnext, &bad) != PCP_SUCCESS) {
		/* An error may echo the very option that caused it. */
		if (r->result == PCP_SUCCESS)
			return -1;
		memset(&r->opt, 0, sizeof(r->opt));
	}
	return 0;
}
