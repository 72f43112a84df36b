/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCP (RFC 6887) wire constants and the decoded forms of its messages.
 *
 * Byte order: every multi-octet integer on the wire is big-endian (network
 * order). In the structs below, integers (lifetimes, ports, epoch) are in
 * HOST order: the codec converts at the edge. Addresses stay as the 16
 * octets of the wire (network order, IPv4 as ::ffff:a.b.c.d), nonces as
 * their 12 octets. Nothing here points into the datagram, so a decoded
 * request may outlive its buffer.
 */
#ifndef PCP_TYPES_H
#define PCP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCP_VERSION		2
#define NATPMP_VERSION		0
#define PCP_SERVER_PORT		5351
#define PCP_CLIENT_PORT		5350

#define PCP_MAX_LEN		1100
#define PCP_HDR_LEN		24
#define PCP_MAP_LEN		36
#define PCP_PEER_LEN		56
#define PCP_GET_LEN		40
#define PCP_OPT_HDR_LEN		4
#define PCP_NONCE_LEN		12
#define PCP_R_BIT		0x80

enum pcp_opcode {
	PCP_OP_ANNOUNCE	= 0,
	PCP_OP_MAP	= 1,
	PCP_OP_PEER	= 2,
	/* Private-use range, draft-boucadair-pcp-failure-06 App. B.1. */
	PCP_OP_GET	= 98,
};

enum pcp_option_code {
	PCP_OPT_THIRD_PARTY	= 1,
	PCP_OPT_PREFER_FAILURE	= 2,
	PCP_OPT_FILTER		= 3,
	PCP_OPT_DESCRIPTION	= 128,	/* RFC 7220 */
	/* draft-boucadair-pcp-failure App. B.4 */
	PCP_OPT_NEXT		= 131,
};

/* Codes below this must be understood by the server (RFC 6887 7.3). */
#define PCP_OPT_OPTIONAL_MIN	128

#define PCP_THIRD_PARTY_LEN	16
#define PCP_FILTER_LEN		20
/* NEXT v2: nonce, proto/rsvd/more, 2 addresses, lifetime, 2 ports. */
#define PCP_NEXT_LEN		56

enum pcp_result {
	PCP_SUCCESS			= 0,
	PCP_UNSUPP_VERSION		= 1,
	PCP_NOT_AUTHORIZED		= 2,
	PCP_MALFORMED_REQUEST		= 3,
	PCP_UNSUPP_OPCODE		= 4,
	PCP_UNSUPP_OPTION		= 5,
	PCP_MALFORMED_OPTION		= 6,
	PCP_NETWORK_FAILURE		= 7,
	PCP_NO_RESOURCES		= 8,
	PCP_UNSUPP_PROTOCOL		= 9,
	PCP_USER_EX_QUOTA		= 10,
	PCP_CANNOT_PROVIDE_EXTERNAL	= 11,
	PCP_ADDRESS_MISMATCH		= 12,
	PCP_EXCESSIVE_REMOTE_PEERS	= 13,
	PCP_UNSUPP_FAMILY		= 14,	/* draft-cheshire-pcp-unsupp-family */
	/* GET: draft-boucadair-pcp-failure App. B.2 */
	PCP_NONEXIST_MAP		= 130,
	PCP_AMBIGUOUS			= 131,
};

/* NEXT option MORE/END octet. Any non-zero value reads as END. */
#define PCP_NEXT_MORE		0
#define PCP_NEXT_END		1

/*
 * FILTER entries a request may carry: as many as fit in 1100 octets with
 * the largest payload (PEER cannot carry FILTER; MAP is 36 octets).
 */
#define PCP_FILTERS_MAX_WIRE	((PCP_MAX_LEN - PCP_HDR_LEN - PCP_MAP_LEN) / \
				 (PCP_OPT_HDR_LEN + PCP_FILTER_LEN))
/* DESCRIPTION kept up to this many octets (the module's limit minus NUL). */
#define PCP_DESCR_MAX		127
/* Option codes a NEXT locator may ask to have embedded. */
#define PCP_NEXT_CODES_MAX	8

struct pcp_filter {
	/* 0 = "remove all filters" (draft-boucadair-pcp-flow-examples 6.2) */
	uint8_t prefix_len;
	uint16_t port;		/* remote peer port, 0 = any */
	uint8_t addr[16];
};

/* NEXT option body: a Locator in requests, a mapping in responses. */
struct pcp_next {
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;
	uint8_t more_end;	/* PCP_NEXT_MORE / PCP_NEXT_END (raw octet) */
	uint8_t int_addr[16];
	uint8_t ext_addr[16];
	uint32_t lifetime;
	uint16_t int_port;
	uint16_t ext_port;
	/* Requests: the option codes the client wants embedded. */
	uint8_t ncodes;
	uint8_t codes[PCP_NEXT_CODES_MAX];
};

/* Options as the server understood them. */
struct pcp_options {
	bool third_party;
	uint8_t third_party_addr[16];
	bool prefer_failure;
	uint8_t nfilters;
	struct pcp_filter filters[PCP_FILTERS_MAX_WIRE];
	bool description;
	uint16_t description_len;	/* octets kept, <= PCP_DESCR_MAX */
	char description_text[PCP_DESCR_MAX + 1];	/* NUL-terminated */
	bool next;
	struct pcp_next next_locator;
};

/* MAP and PEER share their first 36 octets. */
struct pcp_map {
	uint8_t nonce[PCP_NONCE_LEN];
	uint8_t protocol;
	uint16_t int_port;
	uint16_t ext_port;	/* suggested in requests, assigned in responses */
	uint8_t ext_addr[16];
	/* PEER only. */
	uint16_t peer_port;
	uint8_t peer_addr[16];
};

struct pcp_get {
	uint8_t protocol;
	uint8_t int_addr[16];
	uint8_t ext_addr[16];
	uint16_t int_port;
	uint16_t ext_port;
};

struct pcp_request {
	uint8_t version;
	uint8_t opcode;
	uint32_t lifetime;
	uint8_t client_addr[16];
	union {
		struct pcp_map map;	/* MAP, PEER */
		struct pcp_get get;	/* GET */
	} u;
	struct pcp_options opt;
};

/* What the server must do with a datagram (pcp_parse_request()). */
enum pcp_verdict {
	PCP_V_OK,	/* a valid PCP v2 request, decoded in full */
	PCP_V_DROP,	/* say nothing (RFC 6887 8.3: short, R bit) */
	PCP_V_ERROR,	/* answer pcp_parse_result.result with an error */
	PCP_V_NATPMP,	/* version 0: hand to the NAT-PMP codec */
};

struct pcp_parse_result {
	enum pcp_verdict verdict;
	uint8_t result;		/* PCP_V_ERROR: the result code to answer */
	/*
	 * The common header decoded and the length rules passed, so the
	 * client address is known: the server checks ADDRESS_MISMATCH
	 * before reporting a later error (RFC 6887 8.3 order).
	 */
	bool header_ok;
	/* Offset of the offending option (for logs), 0 if none. */
	uint16_t bad_offset;
};

/*
 * A response to build. Integers in host order; the codec writes them
 * big-endian. For errors, pcp_build_error() copies the request instead.
 */
struct pcp_response {
	uint8_t version;
	uint8_t opcode;
	uint8_t result;
	uint32_t lifetime;
	uint32_t epoch;
	union {
		struct pcp_map map;
		struct pcp_get get;
	} u;
	struct pcp_options opt;	/* which options to carry; NEXT not used */
};

#endif /* PCP_TYPES_H */
