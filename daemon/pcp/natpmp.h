/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT-PMP (RFC 6886) version 0 codec, for clients that predate PCP and
 * reach the same UDP port 5351. Integers in the structs are host order;
 * the IPv4 address is network order (as in struct in_addr).
 */
#ifndef NATPMP_H
#define NATPMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum natpmp_opcode {
	NATPMP_OP_ADDR	= 0,
	NATPMP_OP_UDP	= 1,
	NATPMP_OP_TCP	= 2,
};
#define NATPMP_OP_REPLY		128	/* added to the opcode in responses */

enum natpmp_result {
	NATPMP_SUCCESS		= 0,
	NATPMP_UNSUPP_VERSION	= 1,
	NATPMP_REFUSED		= 2,	/* not authorized */
	NATPMP_NETWORK_FAILURE	= 3,
	NATPMP_NO_RESOURCES	= 4,
	NATPMP_UNSUPP_OPCODE	= 5,
};

#define NATPMP_ADDR_REQ_LEN	2
#define NATPMP_MAP_REQ_LEN	12
#define NATPMP_ERR_RESP_LEN	8
#define NATPMP_ADDR_RESP_LEN	12
#define NATPMP_MAP_RESP_LEN	16
/* RFC 6886 3.3: the lifetime a client should ask for. */
#define NATPMP_RECOMMENDED_LIFETIME	7200

struct natpmp_request {
	uint8_t version;
	uint8_t opcode;
	uint16_t int_port;
	uint16_t ext_port;	/* suggested */
	uint32_t lifetime;
};

enum natpmp_verdict {
	NATPMP_V_OK,
	NATPMP_V_DROP,		/* too short, or a response */
	NATPMP_V_ERROR,		/* answer with natpmp_build_error() */
};

/* *result is set for NATPMP_V_ERROR. */
enum natpmp_verdict natpmp_parse_request(const uint8_t *buf, size_t len,
					 struct natpmp_request *req,
					 uint8_t *result);

/* 8 octets: version 0, 128 + opcode, result, epoch. */
int natpmp_build_error(uint8_t *buf, size_t cap, uint8_t opcode,
		       uint16_t result, uint32_t epoch);
/* Opcode 0 response (also the unsolicited announcement of 3.2.1). */
int natpmp_build_addr(uint8_t *buf, size_t cap, uint16_t result,
		      uint32_t epoch, uint32_t be_addr);
/* Opcode 1/2 response. */
int natpmp_build_map(uint8_t *buf, size_t cap, uint8_t opcode,
		     uint16_t result, uint32_t epoch, uint16_t int_port,
		     uint16_t ext_port, uint32_t lifetime);

#endif /* NATPMP_H */
