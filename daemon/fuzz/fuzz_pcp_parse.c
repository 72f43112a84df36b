// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the PCP and NAT-PMP request parsers. For every
 * input: parse; if the verdict asks for an answer, build it and check the
 * invariants every response must keep (length a multiple of 4, at most
 * 1100 octets, R bit, decodes back to what was built).
 */
#include <stdlib.h>
#include <string.h>

#include "pcp/natpmp.h"
#include "pcp/pcp.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_success(const struct pcp_request *q)
{
	static const struct pcp_next loc = { .protocol = 17, .lifetime = 7,
					     .int_port = 1, .ext_port = 2 };
	struct pcp_response r, back;
	uint8_t out[PCP_MAX_LEN];
	unsigned int nnext, appended;
	int n, prev;

	memset(&r, 0, sizeof(r));
	r.opcode = q->opcode;
	r.lifetime = q->lifetime;
	r.epoch = 1234;
	if (q->opcode == PCP_OP_GET)
		r.u.get = q->u.get;
	else
		r.u.map = q->u.map;
	r.opt = q->opt;
	r.opt.next = false;
	n = pcp_build_response(out, sizeof(out), &r);
	if (n < 0)
		return;	/* echoing everything may not fit: legal */
	CHECK(n >= PCP_HDR_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
	CHECK(pcp_parse_response(out, (size_t)n, &back, &nnext) == 0);
	CHECK(back.opcode == q->opcode && back.result == PCP_SUCCESS);
	CHECK(back.lifetime == q->lifetime && back.epoch == 1234);
	CHECK(back.opt.third_party == q->opt.third_party);
	CHECK(back.opt.prefer_failure == q->opt.prefer_failure);
	CHECK(back.opt.nfilters == q->opt.nfilters);
	CHECK(!memcmp(back.opt.filters, q->opt.filters,
		      q->opt.nfilters * sizeof(q->opt.filters[0])));
	CHECK(back.opt.description == q->opt.description);
	CHECK(back.opt.description_len == q->opt.description_len);
	if (q->opcode == PCP_OP_MAP || q->opcode == PCP_OP_PEER)
		CHECK(!memcmp(back.u.map.nonce, q->u.map.nonce, 12) &&
		      back.u.map.int_port == q->u.map.int_port &&
		      back.u.map.ext_port == q->u.map.ext_port &&
		      back.u.map.peer_port == q->u.map.peer_port);
	if (q->opcode != PCP_OP_GET)
		return;
	/* GET: fill with NEXT options until full; every step stays valid. */
	prev = n;
	appended = 0;
	while (1) {
		size_t off;
		int m = pcp_append_next(out, (size_t)prev, sizeof(out), &loc,
					&q->opt, &off);

		if (m < 0)
			break;
		CHECK(m > prev && m <= PCP_MAX_LEN && m % 4 == 0);
		CHECK(out[off] == PCP_NEXT_MORE);
		prev = m;
		appended++;
	}
	CHECK(pcp_parse_response(out, (size_t)prev, &back, &nnext) == 0);
	CHECK(nnext == appended);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcp_parse_result res;
	struct natpmp_request nq;
	struct pcp_request q;
	struct pcp_response back;
	uint8_t out[PCP_MAX_LEN], rc;
	int n;

	pcp_parse_request(data, size, &q, &res);
	switch (res.verdict) {
	case PCP_V_DROP:
		CHECK(size < PCP_HDR_LEN || (data[1] & PCP_R_BIT));
		break;
	case PCP_V_OK:
		CHECK(size >= PCP_HDR_LEN && size <= PCP_MAX_LEN &&
		      size % 4 == 0 && data[0] == PCP_VERSION);
		check_success(&q);
		break;
	case PCP_V_ERROR:
		CHECK(res.result != PCP_SUCCESS);
		n = pcp_build_error(out, sizeof(out), data, size, res.result,
				    30, 99);
		CHECK(n >= PCP_HDR_LEN && n <= PCP_MAX_LEN && n % 4 == 0);
		CHECK(out[0] == PCP_VERSION && (out[1] & PCP_R_BIT));
		CHECK(pcp_parse_response(out, (size_t)n, &back, NULL) == 0);
		CHECK(back.result == res.result && back.lifetime == 30 &&
		      back.epoch == 99);
		break;
	case PCP_V_NATPMP:
		switch (natpmp_parse_request(data, size, &nq, &rc)) {
		case NATPMP_V_ERROR:
			CHECK(natpmp_build_error(out, sizeof(out), nq.opcode,
						 rc, 1) == NATPMP_ERR_RESP_LEN);
			break;
		case NATPMP_V_OK:
			CHECK(nq.opcode <= NATPMP_OP_TCP);
			break;
		case NATPMP_V_DROP:
			break;
		}
		break;
	}
	return 0;
}
