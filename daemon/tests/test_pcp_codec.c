// SPDX-License-Identifier: GPL-2.0
/*
 * PCP codec, byte for byte: request decoding, every malformed-input class
 * of RFC 6887 7.3 and 8.3, response encoding
 * (draft-boucadair-pcp-flow-examples Figures 40 and 42 for the unsolicited
 * messages), error copies, NEXT packing.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "kselftest_harness.h"
#include "pcp/pcp.h"
#include "pcp/pcp_addr.h"
#include "pcp_test_util.h"

#define CLIENT	"::ffff:198.51.100.1"
#define ANY4	"::ffff:0.0.0.0"

static uint8_t verdict_of(const uint8_t *b, size_t n, uint8_t *result)
{
	struct pcp_parse_result res;
	struct pcp_request q;

	pcp_parse_request(b, n, &q, &res);
	*result = res.result;
	return res.verdict;
}

#define EXPECT_VERDICT(b, n, v, rc) do {				\
	uint8_t _rc;							\
	EXPECT_EQ((v), verdict_of((b), (n), &_rc));			\
	if ((v) == PCP_V_ERROR)						\
		EXPECT_EQ((rc), _rc);					\
} while (0)

/*
 * Figure 2 of draft-boucadair-pcp-flow-examples (2.1), decoded field by
 * field.
 */
TEST(parse_map_figure2)
{
	uint8_t b[64], a[16];
	struct pcp_parse_result res;
	struct pcp_request q;
	size_t n = rq_map(b, 36000, CLIENT, 15685, 17, 3938, 3938, ANY4, 0,
			  NULL);

	pcp_parse_request(b, n, &q, &res);
	ASSERT_EQ(PCP_V_OK, (int)res.verdict);
	EXPECT_TRUE(res.header_ok);
	EXPECT_EQ(2, q.version);
	EXPECT_EQ(PCP_OP_MAP, q.opcode);
	EXPECT_EQ(36000u, q.lifetime);
	a16(a, CLIENT);
	EXPECT_EQ(0, memcmp(a, q.client_addr, 16));
	EXPECT_EQ(15685u, be32r(q.u.map.nonce + 8));
	EXPECT_EQ(17, q.u.map.protocol);
	EXPECT_EQ(3938, q.u.map.int_port);
	EXPECT_EQ(3938, q.u.map.ext_port);
	EXPECT_TRUE(pcp_addr_is_unspec(q.u.map.ext_addr));
	EXPECT_TRUE(pcp_addr_is_v4(q.u.map.ext_addr));
	EXPECT_FALSE(q.opt.third_party || q.opt.prefer_failure ||
		     q.opt.nfilters || q.opt.description || q.opt.next);
}

TEST(parse_peer_and_options)
{
	uint8_t b[200], a[16];
	struct pcp_parse_result res;
	struct pcp_request q;
	size_t n = rq_map(b, 100, CLIENT, 1, 6, 80, 0, ANY4, 12456,
			  "::ffff:198.51.100.2");

	n = rq_third_party(b, n, "::ffff:198.51.100.9");
	n = rq_opt(b, n, PCP_OPT_DESCRIPTION, "web", 3);
	n = rq_opt(b, n, 250, "ignored!", 8);	/* optional, unknown */
	pcp_parse_request(b, n, &q, &res);
	ASSERT_EQ(PCP_V_OK, (int)res.verdict);
	EXPECT_EQ(PCP_OP_PEER, q.opcode);
	EXPECT_EQ(12456, q.u.map.peer_port);
	a16(a, "::ffff:198.51.100.2");
	EXPECT_EQ(0, memcmp(a, q.u.map.peer_addr, 16));
	EXPECT_TRUE(q.opt.third_party);
	a16(a, "::ffff:198.51.100.9");
	EXPECT_EQ(0, memcmp(a, q.opt.third_party_addr, 16));
	EXPECT_TRUE(q.opt.description);
	EXPECT_EQ(3, q.opt.description_len);
	EXPECT_STREQ("web", q.opt.description_text);
}

TEST(length_and_header_classes)
{
	uint8_t b[1200] = { 0 };
	size_t n = rq_map(b, 100, CLIENT, 1, 17, 1, 1, ANY4, 0, NULL);

	EXPECT_VERDICT(b, 0, PCP_V_DROP, 0);
	EXPECT_VERDICT(b, 1, PCP_V_DROP, 0);
	EXPECT_VERDICT(b, 23, PCP_V_DROP, 0);	/* v2, shorter than header */
	b[1] |= 0x80;
	EXPECT_VERDICT(b, n, PCP_V_DROP, 0);	/* R bit: a response */
	b[1] &= 0x7f;
	b[0] = 1;
	EXPECT_VERDICT(b, 2, PCP_V_ERROR, PCP_UNSUPP_VERSION);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_VERSION);
	b[0] = 3;
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_VERSION);
	b[0] = 0;
	EXPECT_VERDICT(b, n, PCP_V_NATPMP, 0);
	b[0] = 2;
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	EXPECT_VERDICT(b, n + 2, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	EXPECT_VERDICT(b, 1104, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	EXPECT_VERDICT(b, 28, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	b[1] = 5;
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPCODE);
	b[1] = 99;
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPCODE);
	b[1] = PCP_OP_ANNOUNCE;
	EXPECT_VERDICT(b, 24, PCP_V_OK, 0);
	b[1] = PCP_OP_GET;
	EXPECT_VERDICT(b, 60, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	EXPECT_VERDICT(b, 64, PCP_V_OK, 0);
}

TEST(option_classes)
{
	uint8_t b[1100], d[64] = { 0 };
	size_t base = rq_map(b, 100, CLIENT, 1, 17, 1, 1, ANY4, 0, NULL), n;

	/* Unknown mandatory, and code 0 (reserved): UNSUPP_OPTION. */
	n = rq_opt(b, base, 77, d, 4);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPTION);
	n = rq_opt(b, base, 0, d, 0);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPTION);
	/* Unknown optional: ignored. */
	n = rq_opt(b, base, 200, d, 5);
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	/* NEXT is GET-only but optional: ignored on MAP. */
	n = rq_opt(b, base, PCP_OPT_NEXT, d, 56);
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	/* Length beyond the message. */
	n = rq_opt(b, base, PCP_OPT_THIRD_PARTY, d, 16);
	be16w(b + base + 2, 20);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	/* Length 1 with no room for its padding. */
	n = rq_opt(b, base, 200, d, 0);
	be16w(b + base + 2, 1);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	/* Wrong fixed lengths. */
	n = rq_opt(b, base, PCP_OPT_THIRD_PARTY, d, 4);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	n = rq_opt(b, base, PCP_OPT_PREFER_FAILURE, d, 4);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	n = rq_opt(b, base, PCP_OPT_FILTER, d, 16);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	/* Too many occurrences. */
	n = rq_third_party(b, base, "::ffff:10.0.0.1");
	n = rq_third_party(b, n, "::ffff:10.0.0.2");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	n = rq_opt(b, base, PCP_OPT_PREFER_FAILURE, d, 0);
	n = rq_opt(b, n, PCP_OPT_PREFER_FAILURE, d, 0);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	n = rq_opt(b, base, PCP_OPT_DESCRIPTION, "a", 1);
	n = rq_opt(b, n, PCP_OPT_DESCRIPTION, "b", 1);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	/* FILTER prefix lengths: 96..128 for IPv4, 0 = clear. */
	n = rq_filter(b, base, 64, 0, "::ffff:192.0.2.0");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	n = rq_filter(b, base, 129, 0, "2001:db8::");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
	n = rq_filter(b, base, 120, 0, "::ffff:192.0.2.0");
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	n = rq_filter(b, base, 0, 0, "::ffff:0:0");
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	/* Long DESCRIPTION: kept cut, not refused. */
	{
		char big[300];

		memset(big, 'x', sizeof(big));
		n = rq_opt(b, base, PCP_OPT_DESCRIPTION, big, sizeof(big));
		EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	}
}

TEST(option_placement)
{
	uint8_t b[1100], d[64] = { 0 };
	size_t n;

	/* MAP-only options on PEER; anything mandatory on ANNOUNCE. */
	n = rq_map(b, 100, CLIENT, 1, 17, 1, 1, ANY4, 2, "::ffff:10.0.0.1");
	n = rq_opt(b, n, PCP_OPT_PREFER_FAILURE, d, 0);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPTION);
	n = rq_map(b, 100, CLIENT, 1, 17, 1, 1, ANY4, 2, "::ffff:10.0.0.1");
	n = rq_filter(b, n, 128, 0, "::ffff:10.0.0.1");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPTION);
	n = rq_hdr(b, 2, 0, 0, CLIENT);
	n = rq_third_party(b, n, "::ffff:10.0.0.1");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_UNSUPP_OPTION);
	n = rq_hdr(b, 2, 0, 0, CLIENT);
	n = rq_opt(b, n, PCP_OPT_DESCRIPTION, "x", 1);
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	/* GET: one NEXT, at least 56 octets. */
	n = rq_hdr(b, 2, PCP_OP_GET, 0, CLIENT);
	memset(b + n, 0, 40);
	n += 40;
	{
		size_t g = n;

		n = rq_opt(b, g, PCP_OPT_NEXT, d, 56);
		EXPECT_VERDICT(b, n, PCP_V_OK, 0);
		n = rq_opt(b, n, PCP_OPT_NEXT, d, 56);
		EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
		n = rq_opt(b, g, PCP_OPT_NEXT, d, 40);
		EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_OPTION);
		/* GET filter: no port with protocol "any". */
		be16w(b + 24 + 36, 80);
		EXPECT_VERDICT(b, g, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	}
}

TEST(semantic_classes)
{
	uint8_t b[200];
	size_t n;

	n = rq_map(b, 100, CLIENT, 1, 0, 5698, 0, ANY4, 0, NULL);
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	n = rq_map(b, 100, CLIENT, 1, 0, 0, 0, ANY4, 0, NULL);
	EXPECT_VERDICT(b, n, PCP_V_OK, 0);
	n = rq_map(b, 100, CLIENT, 1, 17, 0, 0, ANY4, 5, "::ffff:10.0.0.1");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
	n = rq_map(b, 100, CLIENT, 1, 17, 5, 0, ANY4, 0, "::ffff:10.0.0.1");
	EXPECT_VERDICT(b, n, PCP_V_ERROR, PCP_MALFORMED_REQUEST);
}

/* Figure 40: the unsolicited MAP response, octet by octet. */
TEST(build_figure40_unsolicited_map)
{
	static const uint8_t want[60] = {
		2, 0x81, 0, 0, 0, 0, 0x4e, 0x20, 0, 0, 0x04, 0xe2,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3d, 0x45,	/* nonce */
		6, 0, 0, 0, 0x04, 0xd2, 0x27, 0x10,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 2,
	};
	struct pcp_response r = { .opcode = PCP_OP_MAP, .lifetime = 20000,
				  .epoch = 1250 };
	uint8_t out[1100];

	nonce_w(r.u.map.nonce, 15685);
	r.u.map.protocol = 6;
	r.u.map.int_port = 1234;
	r.u.map.ext_port = 10000;
	a16(r.u.map.ext_addr, "::ffff:192.0.2.2");
	ASSERT_EQ(60, pcp_build_response(out, sizeof(out), &r));
	EXPECT_EQ(0, memcmp(want, out, 60));
}

/* Figure 42: the unsolicited ANNOUNCE after a state loss. */
TEST(build_figure42_announce)
{
	static const uint8_t want[24] = { 2, 0x80 };
	struct pcp_response r = { .opcode = PCP_OP_ANNOUNCE };
	uint8_t out[1100];

	ASSERT_EQ(24, pcp_build_response(out, sizeof(out), &r));
	EXPECT_EQ(0, memcmp(want, out, 24));
}

TEST(build_options_round_trip)
{
	uint8_t b[1100], out[1100];
	struct pcp_parse_result res;
	struct pcp_request q;
	struct pcp_response r, back;
	size_t n = rq_map(b, 100, CLIENT, 9, 17, 7, 7, ANY4, 0, NULL);
	int len;

	n = rq_third_party(b, n, "::ffff:10.1.2.3");
	n = rq_opt(b, n, PCP_OPT_PREFER_FAILURE, NULL, 0);
	n = rq_filter(b, n, 128, 5968, "::ffff:192.0.2.200");
	n = rq_opt(b, n, PCP_OPT_DESCRIPTION, "hello", 5);
	pcp_parse_request(b, n, &q, &res);
	ASSERT_EQ(PCP_V_OK, (int)res.verdict);
	memset(&r, 0, sizeof(r));
	r.opcode = PCP_OP_MAP;
	r.lifetime = 100;
	r.u.map = q.u.map;
	r.opt = q.opt;
	len = pcp_build_response(out, sizeof(out), &r);
	/* Same options in the same order: the options part is identical. */
	ASSERT_EQ((int)n, len);
	EXPECT_EQ(0, memcmp(b + 24, out + 24, n - 24));
	ASSERT_EQ(0, pcp_parse_response(out, len, &back, NULL));
	EXPECT_EQ(1, back.opt.nfilters);
	EXPECT_STREQ("hello", back.opt.description_text);
	EXPECT_TRUE(back.opt.third_party && back.opt.prefer_failure);
}

TEST(error_copies_request)
{
	uint8_t b[1200], out[1100];
	size_t n = rq_map(b, 100, CLIENT, 1, 132, 7, 7, ANY4, 0, NULL);
	int len;

	len = pcp_build_error(out, sizeof(out), b, n, PCP_UNSUPP_PROTOCOL,
			      1800, 77);
	ASSERT_EQ((int)n, len);
	EXPECT_EQ(2, out[0]);
	EXPECT_EQ(0x81, out[1]);
	EXPECT_EQ(PCP_UNSUPP_PROTOCOL, out[3]);
	EXPECT_EQ(1800u, be32r(out + 4));
	EXPECT_EQ(77u, be32r(out + 8));
	EXPECT_EQ(0, memcmp(b + 24, out + 24, n - 24));
	/* Too long: cut at 1100. */
	memset(b + n, 0xab, sizeof(b) - n);
	len = pcp_build_error(out, sizeof(out), b, 1200, PCP_MALFORMED_REQUEST,
			      1, 1);
	EXPECT_EQ(1100, len);
	/* Not a multiple of 4: rounded down. */
	len = pcp_build_error(out, sizeof(out), b, 27, PCP_MALFORMED_REQUEST,
			      1, 1);
	EXPECT_EQ(24, len);
	/* UNSUPP_VERSION: header only, version 2. */
	b[0] = 1;
	len = pcp_build_error(out, sizeof(out), b, n, PCP_UNSUPP_VERSION, 0, 5);
	EXPECT_EQ(24, len);
	EXPECT_EQ(2, out[0]);
	EXPECT_EQ(0x81, out[1]);
}

TEST(next_packing)
{
	struct pcp_response r = { .opcode = PCP_OP_GET };
	struct pcp_options emb = { .description = true, .description_len = 3,
				   .description_text = "abc" };
	struct pcp_next x = { .protocol = 17, .lifetime = 1659,
			      .int_port = 25655, .ext_port = 15659 };
	struct pcp_response back;
	uint8_t out[1100];
	unsigned int k = 0, nnext;
	size_t off = 0;
	int len = pcp_build_response(out, sizeof(out), &r), m;

	ASSERT_EQ(64, len);
	a16(x.int_addr, "::ffff:198.51.100.1");
	a16(x.ext_addr, "::ffff:192.0.2.1");
	while ((m = pcp_append_next(out, len, sizeof(out), &x, &emb,
				    &off)) > 0) {
		EXPECT_EQ(len + 4 + 56 + 8, m);
		len = m;
		k++;
	}
	/* (1100 - 64) / 68 = 15 mappings fit in one response. */
	EXPECT_EQ(15u, k);
	out[off] = PCP_NEXT_END;
	ASSERT_EQ(0, pcp_parse_response(out, len, &back, &nnext));
	EXPECT_EQ(15u, nnext);
	EXPECT_EQ(25655, back.opt.next_locator.int_port);
	EXPECT_EQ(1659u, back.opt.next_locator.lifetime);
	EXPECT_EQ(PCP_OP_GET, back.opcode);
}

TEST(result_classes)
{
	EXPECT_TRUE(pcp_result_is_short(PCP_NO_RESOURCES));
	EXPECT_TRUE(pcp_result_is_short(PCP_USER_EX_QUOTA));
	EXPECT_TRUE(pcp_result_is_short(PCP_NETWORK_FAILURE));
	EXPECT_TRUE(pcp_result_is_short(PCP_CANNOT_PROVIDE_EXTERNAL));
	EXPECT_FALSE(pcp_result_is_short(PCP_NOT_AUTHORIZED));
	EXPECT_FALSE(pcp_result_is_short(PCP_UNSUPP_PROTOCOL));
	EXPECT_STREQ("UNSUPP_FAMILY", pcp_result_name(PCP_UNSUPP_FAMILY));
	EXPECT_STREQ("NONEXIST_MAP", pcp_result_name(PCP_NONEXIST_MAP));
}

TEST_HARNESS_MAIN
