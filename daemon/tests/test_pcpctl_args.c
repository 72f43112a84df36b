// SPDX-License-Identifier: GPL-2.0
/*
 * The text parsers pcpctl (and pcpd's configuration) rely on: each accepts
 * exactly its documented form and refuses everything near it, without
 * touching its output on failure.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
/* The harness's own wrappers leave parameters unused. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "lib/pcpnl_text.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

TEST(addr)
{
	struct in_addr a = { .s_addr = 0x01020304 };

	ASSERT_EQ(0, pcpnl_parse_addr("192.0.2.1", &a));
	EXPECT_EQ(ip("192.0.2.1"), a.s_addr);
	EXPECT_EQ(-EINVAL, pcpnl_parse_addr("192.0.2", &a));
	EXPECT_EQ(-EINVAL, pcpnl_parse_addr("192.0.2.256", &a));
	EXPECT_EQ(-EINVAL, pcpnl_parse_addr("192.0.2.1 ", &a));
	EXPECT_EQ(-EINVAL, pcpnl_parse_addr("", &a));
	EXPECT_EQ(-EINVAL, pcpnl_parse_addr("::1", &a));
	EXPECT_EQ(ip("192.0.2.1"), a.s_addr);
}

TEST(u32)
{
	uint32_t v = 7;

	ASSERT_EQ(0, pcpnl_parse_u32("4294967295", 0, UINT32_MAX, &v));
	EXPECT_EQ(UINT32_MAX, v);
	ASSERT_EQ(0, pcpnl_parse_u32("0", 0, 10, &v));
	EXPECT_EQ(0U, v);
	EXPECT_EQ(-ERANGE, pcpnl_parse_u32("4294967296", 0, UINT32_MAX, &v));
	EXPECT_EQ(-ERANGE, pcpnl_parse_u32("99999999999999", 0, UINT32_MAX, &v));
	EXPECT_EQ(-ERANGE, pcpnl_parse_u32("11", 0, 10, &v));
	EXPECT_EQ(-ERANGE, pcpnl_parse_u32("1", 2, 10, &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_u32("-1", 0, 10, &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_u32("+1", 0, 10, &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_u32(" 1", 0, 10, &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_u32("1s", 0, 10, &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_u32("0x10", 0, 100, &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_u32("", 0, 10, &v));
	EXPECT_EQ(0U, v);
}

TEST(prefix)
{
	struct pcpnl_prefix p = { 0 };

	ASSERT_EQ(0, pcpnl_parse_prefix("198.51.100.0/24", &p));
	EXPECT_EQ(ip("198.51.100.0"), p.addr.s_addr);
	EXPECT_EQ(24, p.len);
	ASSERT_EQ(0, pcpnl_parse_prefix("198.51.100.7", &p));
	EXPECT_EQ(32, p.len);
	ASSERT_EQ(0, pcpnl_parse_prefix("0.0.0.0/0", &p));
	EXPECT_EQ(0, p.len);
	/* Host bits are the module's to refuse, with a message. */
	ASSERT_EQ(0, pcpnl_parse_prefix("10.0.0.1/8", &p));
	EXPECT_EQ(8, p.len);
	EXPECT_EQ(-ERANGE, pcpnl_parse_prefix("10.0.0.0/33", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix("10.0.0.0/", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix("10.0.0.0/2x", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix("10.0.0/8", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix("/8", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix("10.0.0.0/-1", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix("10.0.0.0/8/8", &p));
	EXPECT_EQ(ip("10.0.0.1"), p.addr.s_addr);
}

TEST(prefix_list)
{
	struct pcpnl_prefix p[3];
	unsigned int n = 99;

	ASSERT_EQ(0, pcpnl_parse_prefix_list("198.51.100.0/30,203.0.113.8/29", p, 3, &n));
	ASSERT_EQ(2U, n);
	EXPECT_EQ(ip("203.0.113.8"), p[1].addr.s_addr);
	EXPECT_EQ(29, p[1].len);
	ASSERT_EQ(0, pcpnl_parse_prefix_list("none", p, 3, &n));
	EXPECT_EQ(0U, n);
	n = 99;
	EXPECT_EQ(-ERANGE, pcpnl_parse_prefix_list("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8",
						    p, 3, &n));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix_list("1.0.0.0/8,", p, 3, &n));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix_list(",1.0.0.0/8", p, 3, &n));
	EXPECT_EQ(-EINVAL, pcpnl_parse_prefix_list("", p, 3, &n));
	EXPECT_EQ(-ERANGE, pcpnl_parse_prefix_list("1.0.0.0/8,2.0.0.0/40", p, 3, &n));
	EXPECT_EQ(99U, n);
}

TEST(endpoint)
{
	struct in_addr a = { 0 };
	uint16_t port = 1;
	bool has = false;

	ASSERT_EQ(0, pcpnl_parse_endpoint("10.0.0.2:5000", false, &a, &port, NULL));
	EXPECT_EQ(ip("10.0.0.2"), a.s_addr);
	EXPECT_EQ(5000, port);
	ASSERT_EQ(0, pcpnl_parse_endpoint("10.0.0.2:0", false, &a, &port, NULL));
	EXPECT_EQ(0, port);
	ASSERT_EQ(0, pcpnl_parse_endpoint("10.0.0.3", true, &a, &port, &has));
	EXPECT_FALSE(has);
	EXPECT_EQ(ip("10.0.0.3"), a.s_addr);
	ASSERT_EQ(0, pcpnl_parse_endpoint("10.0.0.3:65535", true, &a, &port, &has));
	EXPECT_TRUE(has);
	EXPECT_EQ(65535, port);
	EXPECT_EQ(-EINVAL, pcpnl_parse_endpoint("10.0.0.2", false, &a, &port, NULL));
	EXPECT_EQ(-ERANGE, pcpnl_parse_endpoint("10.0.0.2:65536", false, &a, &port, NULL));
	EXPECT_EQ(-EINVAL, pcpnl_parse_endpoint("10.0.0.2:", false, &a, &port, NULL));
	EXPECT_EQ(-EINVAL, pcpnl_parse_endpoint("10.0.0.2:5x", false, &a, &port, NULL));
	EXPECT_EQ(-EINVAL, pcpnl_parse_endpoint("10.0.0:5", false, &a, &port, NULL));
	EXPECT_EQ(-EINVAL, pcpnl_parse_endpoint(":5", false, &a, &port, NULL));
	EXPECT_EQ(-EINVAL, pcpnl_parse_endpoint("10.0.0.2:1:2", false, &a, &port, NULL));
	EXPECT_EQ(65535, port);
}

TEST(boolean)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	bool v;
	size_t i;

	for (i = 0; i < 4; i++) {
		v = false;
		EXPECT_EQ(0, pcpnl_parse_bool(yes[i], &v));
		EXPECT_TRUE(v);
		EXPECT_EQ(0, pcpnl_parse_bool(no[i], &v));
		EXPECT_FALSE(v);
	}
	v = true;
	EXPECT_EQ(-EINVAL, pcpnl_parse_bool("On", &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_bool("2", &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_bool("", &v));
	EXPECT_EQ(-EINVAL, pcpnl_parse_bool("onn", &v));
	EXPECT_TRUE(v);
}

TEST(port_range)
{
	uint16_t lo = 0, hi = 0;

	ASSERT_EQ(0, pcpnl_parse_port_range("1024-65535", &lo, &hi));
	EXPECT_EQ(1024, lo);
	EXPECT_EQ(65535, hi);
	ASSERT_EQ(0, pcpnl_parse_port_range("5000", &lo, &hi));
	EXPECT_EQ(5000, lo);
	EXPECT_EQ(5000, hi);
	EXPECT_EQ(-ERANGE, pcpnl_parse_port_range("2000-1000", &lo, &hi));
	EXPECT_EQ(-ERANGE, pcpnl_parse_port_range("0-100", &lo, &hi));
	EXPECT_EQ(-ERANGE, pcpnl_parse_port_range("1-65536", &lo, &hi));
	EXPECT_EQ(-EINVAL, pcpnl_parse_port_range("1-", &lo, &hi));
	EXPECT_EQ(-EINVAL, pcpnl_parse_port_range("-1", &lo, &hi));
	EXPECT_EQ(-EINVAL, pcpnl_parse_port_range("1--2", &lo, &hi));
	EXPECT_EQ(-EINVAL, pcpnl_parse_port_range("1-2-3", &lo, &hi));
	EXPECT_EQ(5000, lo);
}

TEST(nonce)
{
	static const uint8_t want[PCPNAT_NONCE_LEN] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0xff, 0x10, 0x9a,
	};
	uint8_t n[PCPNAT_NONCE_LEN] = { 0 };
	char out[PCPNL_NONCE_HEX_LEN];

	ASSERT_EQ(0, pcpnl_parse_nonce("0123456789ABCDEF00ff109a", n));
	EXPECT_EQ(0, memcmp(want, n, sizeof(n)));
	pcpnl_format_nonce(n, out);
	EXPECT_STREQ("0123456789abcdef00ff109a", out);
	EXPECT_EQ(-EINVAL, pcpnl_parse_nonce("0123456789abcdef00ff109", n));
	EXPECT_EQ(-EINVAL, pcpnl_parse_nonce("0123456789abcdef00ff109a0", n));
	EXPECT_EQ(-EINVAL, pcpnl_parse_nonce("0123456789abcdef00ff109g", n));
	EXPECT_EQ(-EINVAL, pcpnl_parse_nonce("0x23456789abcdef00ff109a", n));
	EXPECT_EQ(0, memcmp(want, n, sizeof(n)));
}

TEST(proto)
{
	uint8_t p = 0;

	ASSERT_EQ(0, pcpnl_parse_proto("udp", &p));
	EXPECT_EQ(IPPROTO_UDP, p);
	ASSERT_EQ(0, pcpnl_parse_proto("tcp", &p));
	EXPECT_EQ(IPPROTO_TCP, p);
	ASSERT_EQ(0, pcpnl_parse_proto("icmp", &p));
	EXPECT_EQ(IPPROTO_ICMP, p);
	EXPECT_EQ(-EINVAL, pcpnl_parse_proto("sctp", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_proto("UDPX", &p));
	EXPECT_EQ(-EINVAL, pcpnl_parse_proto("17", &p));
	EXPECT_STREQ("icmp", pcpnl_proto_name(IPPROTO_ICMP));
	EXPECT_EQ(NULL, pcpnl_proto_name(132));
}

TEST(filter)
{
	struct pcpnl_filter f = { 0 };

	ASSERT_EQ(0, pcpnl_parse_filter("203.0.113.0/24:443", &f));
	EXPECT_EQ(ip("203.0.113.0"), f.addr.s_addr);
	EXPECT_EQ(24, f.plen);
	EXPECT_EQ(443, f.port);
	ASSERT_EQ(0, pcpnl_parse_filter("203.0.113.9", &f));
	EXPECT_EQ(32, f.plen);
	EXPECT_EQ(0, f.port);
	ASSERT_EQ(0, pcpnl_parse_filter("203.0.113.9:53", &f));
	EXPECT_EQ(32, f.plen);
	EXPECT_EQ(53, f.port);
	/* /0 would mean "clear the list", which is said otherwise. */
	EXPECT_EQ(-ERANGE, pcpnl_parse_filter("0.0.0.0/0", &f));
	EXPECT_EQ(-ERANGE, pcpnl_parse_filter("203.0.113.0/24:65536", &f));
	EXPECT_EQ(-EINVAL, pcpnl_parse_filter("203.0.113.0/24:", &f));
	EXPECT_EQ(-EINVAL, pcpnl_parse_filter("203.0.113/24", &f));
	EXPECT_EQ(53, f.port);
}

TEST_HARNESS_MAIN
