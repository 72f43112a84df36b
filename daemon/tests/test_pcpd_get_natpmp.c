// SPDX-License-Identifier: GPL-2.0
/*
 * pcpd logic beyond the flow examples: GET/NEXT over the table of
 * draft-boucadair-pcp-failure Table 1 (App. B.7), and NAT-PMP on the same
 * table.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <netinet/in.h>

#include "kselftest_harness.h"
#include "pcpd/handler.h"
#include "pcp/pcp.h"
#include "pcp/natpmp.h"
#include "fake_backend.c"
#include "pcp_test_util.h"

FIXTURE(srv) {
	struct fake_be be;
	struct pcpd_policy pol;
	struct pcpd_server srv;
	uint8_t req[1100], resp[1100];
};

static void add(FIXTURE_DATA(srv) *self, uint8_t proto, const char *in,
		uint16_t ip, uint16_t ep, uint32_t lifetime, uint32_t nonce)
{
	struct pcpd_mapping m = {
		.proto = proto, .int_addr = ip4(in), .int_port = ip,
		.ext_addr = ip4("192.0.2.1"), .ext_port = ep,
		.kind = PCPNAT_KIND_EXPLICIT, .lifetime = lifetime,
		.idle = 100000,
	};

	nonce_w(m.nonce, nonce);
	fake_insert(&self->be, &m);
}

FIXTURE_SETUP(srv)
{
	fake_init(&self->be);
	pcpd_policy_defaults(&self->pol);
	self->srv.pol = &self->pol;
	self->srv.ops = &fake_ops;
	self->srv.be = &self->be;
	self->be.epoch = 500;
	/* Table 1 of draft-boucadair-pcp-failure (App. B.7). */
	add(self, 17, "198.51.100.1", 25655, 15659, 1659, 1);
	add(self, 6, "198.51.100.2", 12354, 32654, 3600, 2);
	add(self, 6, "198.51.100.2", 8596, 25659, 6000, 3);
	add(self, 17, "198.51.100.1", 19856, 42654, 7200, 4);
	add(self, 6, "198.51.100.1", 15775, 32652, 9000, 5);
}

FIXTURE_TEARDOWN(srv)
{
}

/* GET request with a filter and, if more_end >= 0, a NEXT locator. */
static size_t get_req(uint8_t *b, const char *client, uint8_t proto,
		      const char *in, uint16_t iport, int more_end,
		      const struct pcp_next *loc)
{
	size_t n = rq_hdr(b, 2, PCP_OP_GET, 0, client);
	uint8_t d[60] = { 0 };

	memset(b + n, 0, 40);
	b[n] = proto;
	a16(b + n + 4, in);
	a16(b + n + 20, "::ffff:0.0.0.0");
	be16w(b + n + 36, iport);
	n += 40;
	if (more_end < 0)
		return n;
	if (loc) {
		d[12] = loc->protocol;
		memcpy(d + 16, loc->int_addr, 16);
		memcpy(d + 32, loc->ext_addr, 16);
		be16w(d + 52, loc->int_port);
		be16w(d + 54, loc->ext_port);
	}
	d[15] = (uint8_t)more_end;
	d[56] = PCP_OPT_FILTER;
	return rq_opt(b, n, PCP_OPT_NEXT, d, 57);
}

static int handle(FIXTURE_DATA(srv) *self, size_t n, const char *src)
{
	return pcpd_handle(&self->srv, self->req, n, ip4(src), self->resp,
			   sizeof(self->resp), NULL);
}

/* The NEXT options of a GET response, in order. */
static unsigned int nexts(const uint8_t *r, int len, struct pcp_next *out,
			  unsigned int max)
{
	unsigned int k = 0;
	int off = 64;

	while (off + 4 <= len && k < max) {
		uint16_t olen = be16r(r + off + 2);

		if (r[off] == PCP_OPT_NEXT)
			pcp_decode_next(r + off + 4, olen, true, &out[k++]);
		off += 4 + ((olen + 3) & ~3);
	}
	return k;
}

TEST_F(srv, get_more_walks_own_mappings)
{
	struct pcp_next got[8];
	size_t n = get_req(self->req, "::ffff:198.51.100.1", 0, "::ffff:0.0.0.0",
			   0, PCP_NEXT_MORE, NULL);
	int r = handle(self, n, "198.51.100.1");
	unsigned int k, i;

	ASSERT_GT(r, 64);
	EXPECT_EQ(PCP_SUCCESS, self->resp[3]);
	EXPECT_EQ(0x80 | PCP_OP_GET, self->resp[1]);
	EXPECT_EQ(0, memcmp(self->req + 24, self->resp + 24, 40));
	k = nexts(self->resp, r, got, 8);
	/* Only 198.51.100.1's three mappings, in the backend's order. */
	ASSERT_EQ(3u, k);
	EXPECT_EQ(6, got[0].protocol);
	EXPECT_EQ(15775, got[0].int_port);
	EXPECT_EQ(17, got[1].protocol);
	EXPECT_EQ(19856, got[1].int_port);
	EXPECT_EQ(25655, got[2].int_port);
	EXPECT_EQ(15659, got[2].ext_port);
	EXPECT_EQ(1659u, got[2].lifetime);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(PCP_NEXT_MORE, got[i].more_end);
	}
	EXPECT_EQ(PCP_NEXT_END, got[2].more_end);
	/* Relaxed nonce mode: the owner gets its nonces back (2.3). */
	EXPECT_EQ(5u, be32r(got[0].nonce + 8));
}

TEST_F(srv, get_end_and_locator)
{
	struct pcp_next got[8], loc = { 0 };
	size_t n;
	int r;

	/* END, undefined locator, filter on port 25655: as Figure 6. */
	n = get_req(self->req, "::ffff:198.51.100.1", 0, "::ffff:198.51.100.1",
		    0, PCP_NEXT_END, NULL);
	r = handle(self, n, "198.51.100.1");
	ASSERT_EQ(1u, nexts(self->resp, r, got, 8));
	EXPECT_EQ(PCP_NEXT_MORE, got[0].more_end);	/* more exist */
	EXPECT_EQ(15775, got[0].int_port);

	/* Defined locator = the second mapping: it heads the rest. */
	loc.protocol = 17;
	a16(loc.int_addr, "::ffff:198.51.100.1");
	a16(loc.ext_addr, "::ffff:192.0.2.1");
	loc.int_port = 19856;
	loc.ext_port = 42654;
	n = get_req(self->req, "::ffff:198.51.100.1", 0, "::ffff:0.0.0.0", 0,
		    PCP_NEXT_MORE, &loc);
	r = handle(self, n, "198.51.100.1");
	ASSERT_EQ(2u, nexts(self->resp, r, got, 8));
	EXPECT_EQ(19856, got[0].int_port);
	EXPECT_EQ(25655, got[1].int_port);
	EXPECT_EQ(PCP_NEXT_END, got[1].more_end);
}

TEST_F(srv, get_nonexist_and_isolation)
{
	static const uint8_t zero[12];
	struct pcp_next got[4];
	size_t n;
	int r;

	/* 198.51.100.1 asking for .2's mappings sees nothing. */
	n = get_req(self->req, "::ffff:198.51.100.1", 6, "::ffff:198.51.100.2",
		    0, PCP_NEXT_MORE, NULL);
	r = handle(self, n, "198.51.100.1");
	ASSERT_EQ(64, r);	/* no NEXT at all */
	EXPECT_EQ(PCP_NONEXIST_MAP, self->resp[3]);

	/* Strict mode: nonces are withheld from the owner too. */
	self->pol.nonce_strict = true;
	n = get_req(self->req, "::ffff:198.51.100.2", 0, "::ffff:0.0.0.0",
		    0, PCP_NEXT_MORE, NULL);
	r = handle(self, n, "198.51.100.2");
	ASSERT_GT(r, 64);
	ASSERT_EQ(2u, nexts(self->resp, r, got, 4));
	EXPECT_EQ(0, memcmp(zero, got[0].nonce, 12));
}

TEST_F(srv, get_noc_sees_all)
{
	struct pcp_next got[8];
	size_t n;
	int r;

	self->pol.third_party[0].addr = ip4("203.0.113.10");
	self->pol.third_party[0].plen = 32;
	self->pol.n_third_party = 1;
	n = get_req(self->req, "::ffff:203.0.113.10", 0, "::ffff:0.0.0.0", 0,
		    PCP_NEXT_MORE, NULL);
	r = handle(self, n, "203.0.113.10");
	EXPECT_EQ(5u, nexts(self->resp, r, got, 8));
}

TEST_F(srv, natpmp_address_map_delete)
{
	uint8_t b[12] = { 0, 0 };
	struct pcpd_mapping *m;
	int r;

	r = pcpd_handle(&self->srv, b, 2, ip4("10.0.0.2"), self->resp,
			sizeof(self->resp), NULL);
	ASSERT_EQ(12, r);
	EXPECT_EQ(128, self->resp[1]);
	EXPECT_EQ(0, be16r(self->resp + 2));
	EXPECT_EQ(500u, be32r(self->resp + 4));
	EXPECT_EQ(ip4("192.0.2.1"), *(uint32_t *)(void *)(self->resp + 8));

	b[1] = NATPMP_OP_UDP;
	be16w(b + 4, 5000);
	be16w(b + 6, 6000);
	be32w(b + 8, 7200);
	r = pcpd_handle(&self->srv, b, 12, ip4("10.0.0.2"), self->resp,
			sizeof(self->resp), NULL);
	ASSERT_EQ(16, r);
	EXPECT_EQ(129, self->resp[1]);
	EXPECT_EQ(0, be16r(self->resp + 2));
	EXPECT_EQ(5000, be16r(self->resp + 8));
	EXPECT_EQ(6000, be16r(self->resp + 10));
	EXPECT_EQ(7200u, be32r(self->resp + 12));
	m = fake_find(&self->be, IPPROTO_UDP, ip4("10.0.0.2"), 5000);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m->kind);

	/* Delete all UDP mappings of the client (3.4). */
	be16w(b + 4, 0);
	be16w(b + 6, 0);
	be32w(b + 8, 0);
	r = pcpd_handle(&self->srv, b, 12, ip4("10.0.0.2"), self->resp,
			sizeof(self->resp), NULL);
	ASSERT_EQ(16, r);
	EXPECT_EQ(0, be16r(self->resp + 2));
	EXPECT_EQ(NULL, fake_find(&self->be, IPPROTO_UDP, ip4("10.0.0.2"),
				  5000));
	EXPECT_EQ(5u, fake_count(&self->be));

	/* A PCP mapping (other nonce) is not NAT-PMP's to delete. */
	b[1] = NATPMP_OP_TCP;
	be16w(b + 4, 15775);
	r = pcpd_handle(&self->srv, b, 12, ip4("198.51.100.1"), self->resp,
			sizeof(self->resp), NULL);
	ASSERT_EQ(16, r);
	EXPECT_EQ(NATPMP_REFUSED, be16r(self->resp + 2));
	EXPECT_EQ(5u, fake_count(&self->be));

	/* Unsupported opcode, and a reply: answered / dropped. */
	b[1] = 7;
	r = pcpd_handle(&self->srv, b, 12, ip4("10.0.0.2"), self->resp,
			sizeof(self->resp), NULL);
	ASSERT_EQ(8, r);
	EXPECT_EQ(NATPMP_UNSUPP_OPCODE, be16r(self->resp + 2));
	b[1] = 129;
	EXPECT_EQ(0, pcpd_handle(&self->srv, b, 12, ip4("10.0.0.2"),
				 self->resp, sizeof(self->resp), NULL));
}

TEST_F(srv, pcp_drops_and_garbage)
{
	uint8_t b[1100];
	unsigned int i, seed = 1;

	/* A response sent to us, and random datagrams: never a crash. */
	memset(b, 0, sizeof(b));
	b[0] = 2;
	b[1] = 0x81;
	EXPECT_EQ(0, pcpd_handle(&self->srv, b, 60, ip4("10.0.0.2"),
				 self->resp, sizeof(self->resp), NULL));
	for (i = 0; i < 20000; i++) {
		size_t n, k;
		int r;

		seed = seed * 1103515245 + 12345;
		n = (seed >> 8) % sizeof(b);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			b[k] = seed >> 16;
		}
		if (n > 1 && (seed & 1))
			b[0] = 2;
		r = pcpd_handle(&self->srv, b, n, ip4("10.0.0.2"), self->resp,
				sizeof(self->resp), NULL);
		ASSERT_LE(r, 1100);
		ASSERT_EQ(0, r % 4 && b[0] == 2);
	}
	EXPECT_EQ(5u, fake_count(&self->be));
}

TEST_HARNESS_MAIN
