// SPDX-License-Identifier: GPL-2.0
/*
 * Every flow example of draft-boucadair-pcp-flow-examples-04, sections 2
 * to 9, replayed against pcpd's decision logic with the table (the fake
 * backend) in the state the example assumes. Each test names its section
 * and figures.
 *
 * The policy mirrors the draft's server: requested 36000 s is granted as
 * 20000 s, 5 s as 60 s; long-lifetime errors carry 0 s as in the draft's
 * figures, short ones 300 s (Figure 35). Where the draft is inconsistent
 * with itself or with RFC 6887 the test says so and checks what pcpd does.
 */
#include <netinet/in.h>

/* The harness's signal handler has an unused parameter; tables omit fields. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "kselftest_harness.h"
#include "pcpd/handler.h"
#include "pcp/pcp.h"
#include "pcp/natpmp.h"
#include "fake_backend.c"
#include "pcp_test_util.h"
#include "pcpd_fixture.h"

#define CLIENT	"::ffff:198.51.100.1"
#define EXT1	"::ffff:192.0.2.1"
#define ANY4	"::ffff:0.0.0.0"

FIXTURE(flow) {
	PCPD_FIXTURE_MEMBERS;
};

/* The draft's server policy: see the top of this file. */
FIXTURE_SETUP(flow)
{
	pcpd_fixture_setup(self);
	self->pol.lifetime_min = 60;
	self->pol.lifetime_max = 20000;
	self->pol.err_lifetime_short = 300;
	self->pol.err_lifetime_long = 0;
}

FIXTURE_TEARDOWN(flow)
{
}

/* Existing mapping in the table, as the example's state. */
static struct pcpd_mapping *put(FIXTURE_DATA(flow) *self, uint8_t proto,
				const char *in, uint16_t iport,
				const char *ext, uint16_t eport, uint8_t kind,
				uint32_t nonce, uint32_t lifetime)
{
	struct pcpd_mapping m = {
		.proto = proto, .int_addr = ip4(in), .int_port = iport,
		.ext_addr = ip4(ext), .ext_port = eport, .kind = kind,
		.lifetime = lifetime, .idle = 100000,
	};

	nonce_w(m.nonce, nonce);
	return fake_insert(&self->be, &m);
}

/* An error response copies the request after the header (RFC 6887 8.3). */
#define CHECK_COPY(self, n, rn) do {					\
	EXPECT_EQ((int)(n), (rn));					\
	EXPECT_EQ(0, memcmp((self)->req + 24, (self)->resp + 24,	\
			    (n) - 24));					\
} while (0)

/*
 * draft-boucadair-pcp-flow-examples 2.1, Figures 2-3: the suggested port
 * is free and granted.
 */
TEST_F(flow, s2_1_suggested_port_honored)
{
	size_t n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938,
			  ANY4, 0, NULL);
	int r = run(self, n);
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 17, 3938, 3938, EXT1 };

	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(60, r);
	ASSERT_NE(NULL, fake_find(&self->be, 17, ip4("198.51.100.1"), 3938));
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT,
		  fake_find(&self->be, 17, ip4("198.51.100.1"), 3938)->kind);
}

/*
 * draft-boucadair-pcp-flow-examples 2.2, Figures 4-5: an IPv6 client of a
 * NAT44. pcpnat's module has no IPv6 internal side and pcpd answers on
 * IPv4, so the client's IPv6 address in an IPv4 datagram is a mismatch:
 * deliberately different from the draft.
 */
TEST_F(flow, s2_2_ipv6_client_differs)
{
	size_t n = rq_map(self->req, 36000, "2001:db8:0:0:1::1", 15685, 17,
			  3938, 3938, ANY4, 0, NULL);
	int r = run(self, n);
	struct exp e = { 1, PCP_ADDRESS_MISMATCH, 0, 1250 };

	CHECK_HDR(self->resp, r, &e);
	EXPECT_EQ(0u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 2.3, Figures 6-7: delete with lifetime
 * 0 and the right nonce.
 */
TEST_F(flow, s2_3_remove_mapping)
{
	size_t n;
	int r;
	struct exp e = { 1, 0, 0, 1250, true, 15685, 17, 3938, 3938, EXT1 };

	put(self, 17, "198.51.100.1", 3938, "192.0.2.1", 3938,
	    PCPNAT_KIND_EXPLICIT, 15685, 20000);
	n = rq_map(self->req, 0, CLIENT, 15685, 17, 3938, 3938, EXT1, 0, NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(0u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 2.4, Figures 8-9: port 11000 is taken;
 * another one (15200) is given.
 */
TEST_F(flow, s2_4_suggested_port_not_honored)
{
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 17, 11000, 15200, EXT1 };

	put(self, 17, "198.51.100.7", 11000, "192.0.2.1", 11000,
	    PCPNAT_KIND_EXPLICIT, 1, 20000);
	self->be.next_port = 15200;
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 11000, 11000, ANY4, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
}

/*
 * draft-boucadair-pcp-flow-examples 2.5, Figures 10-11: the suggested
 * address is honoured, not the port.
 */
TEST_F(flow, s2_5_suggested_address)
{
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 17, 3938, 15200, EXT1 };

	put(self, 17, "198.51.100.7", 5000, "192.0.2.1", 3938,
	    PCPNAT_KIND_IMPLICIT, 0, 100);
	self->be.next_port = 15200;
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938, EXT1, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
}

/*
 * draft-boucadair-pcp-flow-examples 2.6, Figures 13-16: two subscribers,
 * two addresses of 192.0.2/24.
 */
TEST_F(flow, s2_6_distinct_external_addresses)
{
	size_t n;
	int r;
	struct exp e1 = { 1, 0, 20000, 1250, true, 15685, 6, 15333, 12000, EXT1 };
	struct exp e2 = { 1, 0, 20000, 1250, true, 59869, 17, 12000, 6000,
			  "::ffff:192.0.2.2" };

	self->be.pool[1] = ip4("192.0.2.2");
	self->be.npool = 2;
	self->be.pair[0].sub = ip4("198.51.100.2");
	self->be.pair[0].ext = ip4("192.0.2.2");
	self->be.npair = 1;
	put(self, 6, "198.51.100.9", 1, "192.0.2.1", 15333,
	    PCPNAT_KIND_IMPLICIT, 0, 100);
	put(self, 17, "198.51.100.9", 2, "192.0.2.2", 12000,
	    PCPNAT_KIND_IMPLICIT, 0, 100);

	self->be.next_port = 12000;
	n = rq_map(self->req, 36000, CLIENT, 15685, 6, 15333, 15333, ANY4, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e1);

	self->be.next_port = 6000;
	self->src = ip4("198.51.100.2");
	n = rq_map(self->req, 36000, "::ffff:198.51.100.2", 59869, 17, 12000,
		   12000, ANY4, 0, NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e2);
}

/*
 * draft-boucadair-pcp-flow-examples 2.7, Figures 17-18: strict nonce mode,
 * NOT_AUTHORIZED, mapping kept.
 */
TEST_F(flow, s2_7_nonce_mismatch_strict)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, PCP_NOT_AUTHORIZED, 35550, 1300 };

	self->pol.nonce_strict = true;
	self->be.epoch = 1300;
	m = put(self, 17, "198.51.100.1", 3938, "192.0.2.1", 3938,
		PCPNAT_KIND_EXPLICIT, 15685, 35550);
	n = rq_map(self->req, 36000, CLIENT, 45687, 17, 3938, 3938, EXT1, 0,
		   NULL);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(15685u, be32r(m->nonce + 8));
	EXPECT_EQ(35550u, m->lifetime);
	EXPECT_EQ(0, self->be.calls_add);
}

/*
 * draft-boucadair-pcp-flow-examples 2.8, Figures 19-20 (and 3): relaxed
 * mode reports the mapping as is.
 */
TEST_F(flow, s2_8_nonce_mismatch_relaxed)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, 0, 10000, 3500, true, 45687, 17, 3938, 3938, EXT1 };

	self->be.epoch = 3500;
	m = put(self, 17, "198.51.100.1", 3938, "192.0.2.1", 3938,
		PCPNAT_KIND_EXPLICIT, 15685, 10000);
	n = rq_map(self->req, 36000, CLIENT, 45687, 17, 3938, 3938, EXT1, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(60, r);
	EXPECT_EQ(15685u, be32r(m->nonce + 8));
	EXPECT_EQ(10000u, m->lifetime);
	EXPECT_EQ(0, self->be.calls_add);

	/* A delete with the wrong nonce never deletes either. */
	n = rq_map(self->req, 0, CLIENT, 45687, 17, 3938, 3938, EXT1, 0, NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(1u, fake_count(&self->be));
	EXPECT_EQ(0, self->be.calls_del);
}

/*
 * draft-boucadair-pcp-flow-examples 2.9, Figures 21-22: PREFER_FAILURE,
 * port free. The draft grants 36000 s here (unlike its other figures): the
 * policy's maximum is raised to match. The response echoes PREFER_FAILURE,
 * an option pcpd processed (RFC 6887 7.3; Figure 22 lists no option):
 * deliberately different.
 */
TEST_F(flow, s2_9_prefer_failure_honored)
{
	size_t n;
	int r;
	struct exp e = { 1, 0, 36000, 1250, true, 15685, 17, 1234, 12536, EXT1 };

	self->pol.lifetime_max = 36000;
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 1234, 12536, ANY4, 0,
		   NULL);
	n = rq_opt(self->req, n, PCP_OPT_PREFER_FAILURE, NULL, 0);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	ASSERT_EQ(64, r);
	EXPECT_EQ(PCP_OPT_PREFER_FAILURE, self->resp[60]);
	EXPECT_EQ(0, be16r(self->resp + 62));
}

/*
 * draft-boucadair-pcp-flow-examples 2.10, Figures 23-24: PREFER_FAILURE,
 * port taken. CANNOT_PROVIDE_EXTERNAL is a short-lifetime error (RFC 6887
 * 7.4): pcpd says the configured short lifetime (300 s here), the draft's
 * 1560 s is an arbitrary value.
 */
TEST_F(flow, s2_10_prefer_failure_not_honored)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_CANNOT_PROVIDE_EXTERNAL, 300, 1300 };

	self->be.epoch = 1300;
	put(self, 17, "198.51.100.7", 1, "192.0.2.1", 1234,
	    PCPNAT_KIND_IMPLICIT, 0, 100);
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 1234, 1234, ANY4, 0,
		   NULL);
	n = rq_opt(self->req, n, PCP_OPT_PREFER_FAILURE, NULL, 0);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(1u, fake_count(&self->be));	/* no half-made mapping */
}

/*
 * draft-boucadair-pcp-flow-examples 2.11, Figure 25: PREFER_FAILURE
 * retries fail; without it, one trip.
 */
TEST_F(flow, s2_11_prefer_failure_round_trips)
{
	static const uint16_t tries[] = { 8080, 5485, 6591 };
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 6, 8080, 6598, EXT1 };
	unsigned int i;
	size_t n;
	int r;

	for (i = 0; i < 3; i++)
		put(self, 6, "198.51.100.7", (uint16_t)(i + 1), "192.0.2.1",
		    tries[i], PCPNAT_KIND_IMPLICIT, 0, 100);
	for (i = 0; i < 3; i++) {
		n = rq_map(self->req, 36000, CLIENT, 15685, 6, 8080, tries[i],
			   ANY4, 0, NULL);
		n = rq_opt(self->req, n, PCP_OPT_PREFER_FAILURE, NULL, 0);
		r = run(self, n);
		ASSERT_GE(r, 24);
		EXPECT_EQ(PCP_CANNOT_PROVIDE_EXTERNAL, self->resp[3]);
	}
	self->be.next_port = 6598;
	n = rq_map(self->req, 36000, CLIENT, 15685, 6, 8080, 8080, ANY4, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
}

/*
 * draft-boucadair-pcp-flow-examples 2.12, Figures 26-28: an implicit
 * mapping becomes explicit, same port.
 */
TEST_F(flow, s2_12_existing_implicit_mapping)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 6, 1234, 10000, EXT1 };

	m = put(self, 6, "198.51.100.1", 1234, "192.0.2.1", 10000,
		PCPNAT_KIND_IMPLICIT, 0, 7000);
	n = rq_map(self->req, 36000, CLIENT, 15685, 6, 1234, 3938, ANY4, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m->kind);
	EXPECT_EQ(10000, m->ext_port);
}

/*
 * draft-boucadair-pcp-flow-examples 2.13, Figure 29: delete while traffic
 * flows: remaining idle lifetime.
 */
TEST_F(flow, s2_13_delete_with_traffic)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, 0, 290, 1250, true, 15685, 17, 3938, 3938, EXT1 };

	m = put(self, 17, "198.51.100.1", 3938, "192.0.2.1", 3938,
		PCPNAT_KIND_EXPLICIT, 15685, 20000);
	m->idle = 10;	/* a packet 10 s ago; idle timeout 300 s */
	n = rq_map(self->req, 0, CLIENT, 15685, 17, 3938, 3938, EXT1, 0, NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(1u, fake_count(&self->be));
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, m->kind);
}

/*
 * draft-boucadair-pcp-flow-examples 2.14, Figure 30: all ports of UDP:
 * refused, or granted if configured.
 */
TEST_F(flow, s2_14_all_ports_of_protocol)
{
	size_t n = rq_map(self->req, 36000, CLIENT, 15685, 17, 0, 0, ANY4, 0,
			  NULL);
	int r = run(self, n);
	struct exp e = { 1, PCP_UNSUPP_PROTOCOL, 0, 1250 };
	struct exp ok = { 1, 0, 20000, 1250, true, 15685, 17, 0, 20000, EXT1 };

	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(0u, fake_count(&self->be));

	self->be.allow_all_ports = true;
	r = run(self, n);
	CHECK_MAP(self->resp, r, &ok);
}

/*
 * draft-boucadair-pcp-flow-examples 2.15, Figure 31: all protocols:
 * UNSUPP_PROTOCOL (NAT44 of UDP/TCP/ICMP).
 */
TEST_F(flow, s2_15_all_protocols)
{
	size_t n = rq_map(self->req, 36000, CLIENT, 15685, 0, 0, 0, ANY4, 0,
			  NULL);
	int r = run(self, n);
	struct exp e = { 1, PCP_UNSUPP_PROTOCOL, 0, 1250 };

	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
}

/*
 * draft-boucadair-pcp-flow-examples 2.16, Figures 32-33: protocol 0 with a
 * port (the draft's 0x02 is a typo).
 */
TEST_F(flow, s2_16_malformed_request)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_MALFORMED_REQUEST, 0, 1300 };

	self->be.epoch = 1300;
	n = rq_map(self->req, 36000, CLIENT, 45698, 0, 5698, 3938, ANY4, 0,
		   NULL);
	n = rq_opt(self->req, n, PCP_OPT_PREFER_FAILURE, NULL, 0);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
}

/*
 * draft-boucadair-pcp-flow-examples 2.17, Figures 34-35: quota reached:
 * USER_EX_QUOTA, short lifetime.
 */
TEST_F(flow, s2_17_exceeded_port_quota)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_USER_EX_QUOTA, 300, 1300 };

	self->be.epoch = 1300;
	self->be.quota = 1;
	put(self, 17, "198.51.100.1", 1111, "192.0.2.1", 1111,
	    PCPNAT_KIND_EXPLICIT, 7, 100);
	n = rq_map(self->req, 36000, CLIENT, 45698, 17, 8695, 3938, ANY4, 0,
		   NULL);
	n = rq_opt(self->req, n, PCP_OPT_PREFER_FAILURE, NULL, 0);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(1u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 2.18, Figures 36-37: "::" asks for
 * IPv6 outside: UNSUPP_FAMILY.
 */
TEST_F(flow, s2_18_unsupported_family)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_UNSUPP_FAMILY, 0, 1300 };

	self->be.epoch = 1300;
	n = rq_map(self->req, 36000, CLIENT, 45698, 17, 8695, 3938, "::", 0,
		   NULL);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
}

/*
 * draft-boucadair-pcp-flow-examples 2.19, Figures 38-39: SCTP:
 * UNSUPP_PROTOCOL.
 */
TEST_F(flow, s2_19_unsupported_protocol)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_UNSUPP_PROTOCOL, 0, 1300 };

	self->be.epoch = 1300;
	n = rq_map(self->req, 36000, CLIENT, 45698, 132, 8695, 3938, ANY4, 0,
		   NULL);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(0, self->be.calls_add);
}

/*
 * draft-boucadair-pcp-flow-examples 2.21, Figures 43-44: after a state
 * loss (epoch restarted, table empty) the client repairs its mapping; the
 * former port is free again. The unsolicited ANNOUNCE (Figure 42) is a
 * codec test (test_pcp_codec.c).
 */
TEST_F(flow, s2_21_mapping_repair)
{
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 10, true, 15685, 17, 11000, 15200, EXT1 };

	self->be.epoch = 10;
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 11000, 15200, EXT1, 0,
		   NULL);
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
}

/*
 * draft-boucadair-pcp-flow-examples 3, Figures 45-46: a NAT on the path:
 * ADDRESS_MISMATCH.
 */
TEST_F(flow, s3_nat_detect)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_ADDRESS_MISMATCH, 0, 36000 };

	self->be.epoch = 36000;
	self->src = ip4("198.51.100.200");
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 11000, 15200, ANY4, 0,
		   NULL);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(0u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 4, Figures 47-48: a 5 s MAP to learn
 * the external address.
 */
TEST_F(flow, s4_retrieve_external_address)
{
	size_t n = rq_map(self->req, 5, CLIENT, 15685, 17, 9, 9, ANY4, 0, NULL);
	int r = run(self, n);
	struct exp e = { 1, 0, 60, 1250, true, 15685, 17, 9, 9, EXT1 };

	CHECK_MAP(self->resp, r, &e);
}

/*
 * draft-boucadair-pcp-flow-examples 5.1, Figures 49-50: THIRD_PARTY from
 * an allowed source, echoed.
 */
TEST_F(flow, s5_1_third_party_enabled)
{
	uint8_t tp[16];
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 16584, 17, 8080, 15000,
			 "::ffff:161.105.194.14" };

	self->pol.third_party[0].addr = ip4("198.51.100.1");
	self->pol.third_party[0].plen = 32;
	self->pol.n_third_party = 1;
	self->be.pool[0] = ip4("161.105.194.14");
	put(self, 17, "198.51.100.9", 1, "161.105.194.14", 8080,
	    PCPNAT_KIND_IMPLICIT, 0, 100);
	self->be.next_port = 15000;
	n = rq_map(self->req, 36000, CLIENT, 16584, 17, 8080, 8080, ANY4, 0,
		   NULL);
	n = rq_third_party(self->req, n, "::ffff:198.51.100.2");
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	ASSERT_EQ(80, r);
	EXPECT_EQ(PCP_OPT_THIRD_PARTY, self->resp[60]);
	EXPECT_EQ(16, be16r(self->resp + 62));
	a16(tp, "::ffff:198.51.100.2");
	EXPECT_EQ(0, memcmp(tp, self->resp + 64, 16));
	ASSERT_NE(NULL, fake_find(&self->be, 17, ip4("198.51.100.2"), 8080));
	EXPECT_EQ(NULL, fake_find(&self->be, 17, ip4("198.51.100.1"), 8080));

	/* The same request from a source not on the list. */
	self->src = ip4("198.51.100.3");
	a16(self->req + 8, "::ffff:198.51.100.3");
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_NOT_AUTHORIZED, self->resp[3]);
}

/*
 * draft-boucadair-pcp-flow-examples 5.2, Figures 51-52: THIRD_PARTY
 * disabled: UNSUPP_OPTION.
 */
TEST_F(flow, s5_2_third_party_disabled)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_UNSUPP_OPTION, 0, 1562 };

	self->be.epoch = 1562;
	n = rq_map(self->req, 36000, CLIENT, 16584, 17, 8080, 8080, ANY4, 0,
		   NULL);
	n = rq_third_party(self->req, n, "::ffff:198.51.100.2");
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(0u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 5.3, Figures 53-54: THIRD_PARTY naming
 * the client: MALFORMED_REQUEST.
 */
TEST_F(flow, s5_3_third_party_self)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_MALFORMED_REQUEST, 0, 1562 };

	self->be.epoch = 1562;
	self->pol.third_party[0].addr = ip4("198.51.100.0");
	self->pol.third_party[0].plen = 24;
	self->pol.n_third_party = 1;
	n = rq_map(self->req, 36000, CLIENT, 16584, 17, 8080, 8080, ANY4, 0,
		   NULL);
	n = rq_third_party(self->req, n, CLIENT);
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
}

static void check_filter_opt(struct __test_metadata *_metadata,
			     const uint8_t *p, uint8_t plen, uint16_t port,
			     const char *addr)
{
	uint8_t a[16];

	EXPECT_EQ(PCP_OPT_FILTER, p[0]);
	EXPECT_EQ(0, p[1]);
	EXPECT_EQ(20, be16r(p + 2));
	EXPECT_EQ(0, p[4]);
	EXPECT_EQ(plen, p[5]);
	EXPECT_EQ(port, be16r(p + 6));
	a16(a, addr);
	EXPECT_EQ(0, memcmp(a, p + 8, 16));
}

/*
 * draft-boucadair-pcp-flow-examples 6.1, Figures 55-56: one FILTER,
 * installed and echoed.
 */
TEST_F(flow, s6_1_basic_filter)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 17, 3938, 3938, EXT1 };

	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938, ANY4, 0,
		   NULL);
	n = rq_filter(self->req, n, 128, 5968, "::ffff:192.0.2.200");
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	ASSERT_EQ(84, r);
	check_filter_opt(_metadata, self->resp + 60, 128, 5968,
			 "::ffff:192.0.2.200");
	m = fake_find(&self->be, 17, ip4("198.51.100.1"), 3938);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(1, m->nfilters);
	EXPECT_EQ(ip4("192.0.2.200"), m->filters[0].addr);
	EXPECT_EQ(32, m->filters[0].plen);
	EXPECT_EQ(5968, m->filters[0].port);
}

/*
 * draft-boucadair-pcp-flow-examples 6.2, Figures 57-58: prefix length 0
 * removes all filters, echoed.
 */
TEST_F(flow, s6_2_remove_all_filters)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 17, 3938, 3938, EXT1 };

	m = put(self, 17, "198.51.100.1", 3938, "192.0.2.1", 3938,
		PCPNAT_KIND_EXPLICIT, 15685, 100);
	m->nfilters = 2;
	m->filters[0] = (struct pcpd_filter){ ip4("192.0.2.200"), 32, 5968 };
	m->filters[1] = (struct pcpd_filter){ ip4("203.0.113.0"), 24, 0 };
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938, ANY4, 0,
		   NULL);
	n = rq_filter(self->req, n, 0, 0, "::ffff:0:0");
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	ASSERT_EQ(84, r);
	check_filter_opt(_metadata, self->resp + 60, 0, 0, "::ffff:0:0");
	EXPECT_EQ(0, m->nfilters);
}

/*
 * draft-boucadair-pcp-flow-examples 6.3, Figure 59: clear, then a new
 * filter: the list is replaced.
 */
TEST_F(flow, s6_3_change_filter)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 1, 0, 20000, 1250, true, 15685, 17, 3938, 3938, EXT1 };

	m = put(self, 17, "198.51.100.1", 3938, "192.0.2.1", 3938,
		PCPNAT_KIND_EXPLICIT, 15685, 100);
	m->nfilters = 1;
	m->filters[0] = (struct pcpd_filter){ ip4("192.0.2.200"), 32, 5968 };
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938, ANY4, 0,
		   NULL);
	n = rq_filter(self->req, n, 0, 0, "::ffff:0:0");
	n = rq_filter(self->req, n, 128, 5968, "::ffff:192.0.2.201");
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	ASSERT_EQ(108, r);
	check_filter_opt(_metadata, self->resp + 60, 0, 0, "::ffff:0:0");
	check_filter_opt(_metadata, self->resp + 84, 128, 5968,
			 "::ffff:192.0.2.201");
	ASSERT_EQ(1, m->nfilters);
	EXPECT_EQ(ip4("192.0.2.201"), m->filters[0].addr);

	/* Without a clear, filters add up; past the limit: refused. */
	self->pol.max_filters = 2;
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938, ANY4, 0,
		   NULL);
	n = rq_filter(self->req, n, 120, 0, "::ffff:203.0.113.0");
	n = rq_filter(self->req, n, 128, 0, "::ffff:198.18.0.1");
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_EXCESSIVE_REMOTE_PEERS, self->resp[3]);
	EXPECT_EQ(1, m->nfilters);
}

/*
 * draft-boucadair-pcp-flow-examples 7, Figures 61-62: ANNOUNCE answers the
 * epoch.
 */
TEST_F(flow, s7_announce)
{
	size_t n = rq_hdr(self->req, 2, 0, 0, CLIENT);
	int r;
	struct exp e = { 0, 0, 0, 3600 };

	self->be.epoch = 3600;
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	EXPECT_EQ(24, r);
}

/*
 * draft-boucadair-pcp-flow-examples 8.1, Figures 64-65: PEER, no mapping
 * yet: made with the suggestion.
 */
TEST_F(flow, s8_1_peer_no_mapping)
{
	struct pcpd_mapping *m;
	size_t n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938,
			  ANY4, 12456, "::ffff:198.51.100.2");
	int r = run(self, n);
	struct exp e = { 2, 0, 20000, 1250, true, 15685, 17, 3938, 3938, EXT1,
			 12456, "::ffff:198.51.100.2" };

	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(80, r);
	m = fake_find(&self->be, 17, ip4("198.51.100.1"), 3938);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, m->kind);
}

/*
 * draft-boucadair-pcp-flow-examples 8.2, Figures 66-67: the suggested
 * external port is held by another mapping: CANNOT_PROVIDE_EXTERNAL, a
 * short-lifetime error (the draft's 0 s and epoch 36000: we send the
 * configured short lifetime).
 */
TEST_F(flow, s8_2_peer_external_port_taken)
{
	size_t n;
	int r;
	struct exp e = { 2, PCP_CANNOT_PROVIDE_EXTERNAL, 300, 36000 };

	self->be.epoch = 36000;
	put(self, 17, "198.51.100.7", 4000, "192.0.2.1", 3938,
	    PCPNAT_KIND_EXPLICIT, 1, 100);
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938, ANY4,
		   12456, "::ffff:198.51.100.2");
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(1u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 8.3, Figures 68-69: suggested address
 * not ours: CANNOT_PROVIDE_EXTERNAL.
 */
TEST_F(flow, s8_3_peer_external_address)
{
	size_t n;
	int r;
	struct exp e = { 2, PCP_CANNOT_PROVIDE_EXTERNAL, 300, 36000 };

	self->be.epoch = 36000;
	n = rq_map(self->req, 36000, CLIENT, 15685, 17, 3938, 3938,
		   "::ffff:192.0.2.5", 12456, "::ffff:198.51.100.2");
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	CHECK_COPY(self, n, r);
	EXPECT_EQ(0u, fake_count(&self->be));
}

/*
 * draft-boucadair-pcp-flow-examples 8.4, Figures 70-72: PEER extends a TCP
 * flow's implicit mapping.
 */
TEST_F(flow, s8_4_peer_extend_lifetime)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 2, 0, 20000, 1250, true, 15685, 6, 3938, 11000, EXT1,
			 12456, "::ffff:198.51.100.2" };

	m = put(self, 6, "198.51.100.1", 3938, "192.0.2.1", 11000,
		PCPNAT_KIND_IMPLICIT, 0, 240);
	n = rq_map(self->req, 36000, CLIENT, 15685, 6, 3938, 0, ANY4, 12456,
		   "::ffff:198.51.100.2");
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(20000u, m->lifetime);
	EXPECT_EQ(PCPNAT_KIND_IMPLICIT, m->kind);
}

/*
 * draft-boucadair-pcp-flow-examples 8.5, Figures 73-74: a short PEER
 * learns, never shortens, the lifetime.
 */
TEST_F(flow, s8_5_peer_learn_lifetime)
{
	struct pcpd_mapping *m;
	size_t n;
	int r;
	struct exp e = { 2, 0, 20000, 1250, true, 15685, 6, 3938, 11000, EXT1,
			 12456, "::ffff:198.51.100.2" };

	m = put(self, 6, "198.51.100.1", 3938, "192.0.2.1", 11000,
		PCPNAT_KIND_IMPLICIT, 0, 20000);
	n = rq_map(self->req, 5, CLIENT, 15685, 6, 3938, 0, ANY4, 12456,
		   "::ffff:198.51.100.2");
	r = run(self, n);
	CHECK_MAP(self->resp, r, &e);
	EXPECT_EQ(20000u, m->lifetime);
}

/*
 * draft-boucadair-pcp-flow-examples 9, Figures 75-76: version 1:
 * UNSUPP_VERSION saying version 2.
 */
TEST_F(flow, s9_version_negotiation)
{
	size_t n;
	int r;
	struct exp e = { 1, PCP_UNSUPP_VERSION, 0, 3600 };

	self->be.epoch = 3600;
	n = rq_map(self->req, 36000, CLIENT, 0, 17, 3938, 3938, ANY4, 0, NULL);
	self->req[0] = 1;
	r = run(self, n);
	CHECK_HDR(self->resp, r, &e);
	EXPECT_EQ(24, r);
}

TEST_HARNESS_MAIN
