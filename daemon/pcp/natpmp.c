// SPDX-License-Identifier: GPL-2.0
/* NAT-PMP v0 encoding and decoding (RFC 6886 3). Wire order: big-endian. */
#include <string.h>

#include "pcp/natpmp.h"
#include "pcp/pcp_wire.h"

enum natpmp_verdict natpmp_parse_request(const uint8_t *buf, size_t len,
					 struct natpmp_request *req,
					 uint8_t *result)
{
	memset(req, 0, sizeof(*req));
	*result = NATPMP_SUCCESS;
	if (len < NATPMP_ADDR_REQ_LEN)
		return NATPMP_V_DROP;
	req->version = buf[0];
	req->opcode = buf[1];
	/* 3.5: a server never answers something that is itself a reply. */
	if (req->opcode >= NATPMP_OP_REPLY)
		return NATPMP_V_DROP;
	if (req->version != 0) {
		*result = NATPMP_UNSUPP_VERSION;
		return NATPMP_V_ERROR;
	}
	switch (req->opcode) {
	case NATPMP_OP_ADDR:
		/* Extra octets are tolerated: old clients pad. */
		return NATPMP_V_OK;
	case NATPMP_OP_UDP:
	case NATPMP_OP_TCP:
		/* A truncated mapping request has no meaning to answer. */
		if (len < NATPMP_MAP_REQ_LEN)
			return NATPMP_V_DROP;
		req->int_port = pcp_get16(buf + 4);
		req->ext_port = pcp_get16(buf + 6);
		req->lifetime = pcp_get32(buf + 8);
		return NATPMP_V_OK;
	}
	*result = NATPMP_UNSUPP_OPCODE;
	return NATPMP_V_ERROR;
}

static void put_head(uint8_t *p, uint8_t opcode, uint16_t result,
		     uint32_t epoch)
{
	p[0] = 0;
	p[1] = NATPMP_OP_REPLY | (opcode & 0x7f);
	pcp_put16(p + 2, result);
	pcp_put32(p + 4, epoch);
}

int natpmp_build_error(uint8_t *buf, size_t cap, uint8_t opcode,
		       uint16_t result, uint32_t epoch)
{
	if (cap < NATPMP_ERR_RESP_LEN)
		return -1;
	put_head(buf, opcode, result, epoch);
	return NATPMP_ERR_RESP_LEN;
}

int natpmp_build_addr(uint8_t *buf, size_t cap, uint16_t result,
		      uint32_t epoch, uint32_t be_addr)
{
	if (cap < NATPMP_ADDR_RESP_LEN)
		return -1;
	put_head(buf, NATPMP_OP_ADDR, result, epoch);
	memcpy(buf + 8, &be_addr, 4);	/* already network order */
	return NATPMP_ADDR_RESP_LEN;
}

int natpmp_build_map(uint8_t *buf, size_t cap, uint8_t opcode,
		     uint16_t result, uint32_t epoch, uint16_t int_port,
		     uint16_t ext_port, uint32_t lifetime)
{
	if (cap < NATPMP_MAP_RESP_LEN)
		return -1;
	put_head(buf, opcode, result, epoch);
	pcp_put16(buf + 8, int_port);
	pcp_put16(buf + 10, ext_port);
	pcp_put32(buf + 12, lifetime);
	return NATPMP_MAP_RESP_LEN;
}
