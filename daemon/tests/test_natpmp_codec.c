// SPDX-License-Identifier: GPL-2.0
/* NAT-PMP v0 codec (RFC 6886 3), byte for byte. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "pcp/natpmp.h"

TEST(parse_requests)
{
	static const uint8_t addr[2] = { 0, 0 };
	static const uint8_t udp[12] = { 0, 1, 0, 0, 0x13, 0x88, 0x17, 0x70,
					 0, 0, 0x1c, 0x20 };
	struct natpmp_request q;
	uint8_t rc, b[12];

	EXPECT_EQ((int)NATPMP_V_OK, (int)natpmp_parse_request(addr, 2, &q, &rc));
	EXPECT_EQ(NATPMP_OP_ADDR, q.opcode);
	EXPECT_EQ((int)NATPMP_V_OK, (int)natpmp_parse_request(udp, 12, &q, &rc));
	EXPECT_EQ(NATPMP_OP_UDP, q.opcode);
	EXPECT_EQ(5000, q.int_port);
	EXPECT_EQ(6000, q.ext_port);
	EXPECT_EQ(7200u, q.lifetime);
	EXPECT_EQ((int)NATPMP_V_DROP, (int)natpmp_parse_request(udp, 11, &q, &rc));
	EXPECT_EQ((int)NATPMP_V_DROP, (int)natpmp_parse_request(udp, 1, &q, &rc));
	memcpy(b, udp, 12);
	b[1] = 129;	/* a reply */
	EXPECT_EQ((int)NATPMP_V_DROP, (int)natpmp_parse_request(b, 12, &q, &rc));
	b[1] = 3;
	EXPECT_EQ((int)NATPMP_V_ERROR, (int)natpmp_parse_request(b, 12, &q, &rc));
	EXPECT_EQ(NATPMP_UNSUPP_OPCODE, rc);
	b[0] = 1;
	b[1] = 1;
	EXPECT_EQ((int)NATPMP_V_ERROR, (int)natpmp_parse_request(b, 12, &q, &rc));
	EXPECT_EQ(NATPMP_UNSUPP_VERSION, rc);
}

TEST(build_responses)
{
	static const uint8_t want_addr[12] = { 0, 128, 0, 0, 0, 0, 0x04, 0xe2,
					       192, 0, 2, 1 };
	static const uint8_t want_map[16] = { 0, 130, 0, 0, 0, 0, 0, 10,
					      0x13, 0x88, 0x17, 0x70,
					      0, 0, 0x0e, 0x10 };
	static const uint8_t want_err[8] = { 0, 133, 0, 5, 0, 0, 0, 1 };
	const uint8_t ext[4] = { 192, 0, 2, 1 };
	uint32_t be;
	uint8_t out[16];

	memcpy(&be, ext, 4);
	ASSERT_EQ(12, natpmp_build_addr(out, sizeof(out), 0, 1250, be));
	EXPECT_EQ(0, memcmp(want_addr, out, 12));
	ASSERT_EQ(16, natpmp_build_map(out, sizeof(out), NATPMP_OP_TCP, 0, 10,
				       5000, 6000, 3600));
	EXPECT_EQ(0, memcmp(want_map, out, 16));
	ASSERT_EQ(8, natpmp_build_error(out, sizeof(out), 5,
					NATPMP_UNSUPP_OPCODE, 1));
	EXPECT_EQ(0, memcmp(want_err, out, 8));
	EXPECT_EQ(-1, natpmp_build_map(out, 15, 1, 0, 0, 0, 0, 0));
}

TEST_HARNESS_MAIN
