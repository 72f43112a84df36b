// SPDX-License-Identifier: GPL-2.0
/*
 * Option rules of RFC 6887 section 13 that the flow examples do not
 * cover: FILTER in a deleting MAP (13.3) and the order of THIRD_PARTY
 * checks (13.1, 7.3).
 */
#include <netinet/in.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "kselftest_harness.h"
#include "pcpd/handler.h"
#include "pcp/pcp.h"
#include "fake_backend.c"
#include "pcp_test_util.h"
#include "pcpd_fixture.h"

#define CLIENT	"::ffff:198.51.100.1"
#define ANY4	"::ffff:0.0.0.0"

FIXTURE(opt) {
	PCPD_FIXTURE_MEMBERS;
};

FIXTURE_SETUP(opt)
{
	pcpd_fixture_setup(self);
}

FIXTURE_TEARDOWN(opt)
{
}

static struct pcpd_mapping *put_explicit(FIXTURE_DATA(opt) *self,
					 uint16_t iport, uint32_t nonce)
{
	struct pcpd_mapping m = {
		.proto = IPPROTO_UDP, .int_addr = self->src, .int_port = iport,
		.ext_addr = ip4("192.0.2.1"), .ext_port = iport,
		.kind = PCPNAT_KIND_EXPLICIT, .lifetime = 100, .idle = 100000,
	};

	nonce_w(m.nonce, nonce);
	return fake_insert(&self->be, &m);
}

/*
 * RFC 6887 13.3: a FILTER option in a MAP request with lifetime 0 is
 * MALFORMED_OPTION, and the mapping stays as it was.
 */
TEST_F(opt, delete_with_filter_is_malformed_option)
{
	struct pcpd_mapping *m = put_explicit(self, 3938, 15685);
	size_t n;
	int r;

	m->nfilters = 1;
	m->filters[0] = (struct pcpd_filter){ ip4("192.0.2.200"), 32, 5968 };
	n = rq_map(self->req, 0, CLIENT, 15685, 17, 3938, 3938, ANY4, 0, NULL);
	n = rq_filter(self->req, n, 128, 5968, "::ffff:192.0.2.200");
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_MALFORMED_OPTION, self->resp[3]);
	EXPECT_EQ(0, self->be.calls_del);
	m = fake_find(&self->be, 17, self->src, 3938);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(PCPNAT_KIND_EXPLICIT, m->kind);
	EXPECT_EQ(1, m->nfilters);

	/* Delete-all (protocol 0) with a FILTER: the same, nothing goes. */
	n = rq_map(self->req, 0, CLIENT, 15685, 0, 0, 0, ANY4, 0, NULL);
	n = rq_filter(self->req, n, 0, 0, "::ffff:0:0");
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_MALFORMED_OPTION, self->resp[3]);
	EXPECT_EQ(0, self->be.calls_del);
	EXPECT_NE(NULL, fake_find(&self->be, 17, self->src, 3938));

	/* Without the FILTER the same deletion works. */
	n = rq_map(self->req, 0, CLIENT, 15685, 17, 3938, 3938, ANY4, 0, NULL);
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_SUCCESS, self->resp[3]);
	EXPECT_EQ(NULL, fake_find(&self->be, 17, self->src, 3938));
}

/*
 * RFC 6887 13.1: THIRD_PARTY names an internal host of the client's
 * family; an IPv6 address from an IPv4 client is a malformed option, not
 * a malformed request, and nothing is created.
 */
TEST_F(opt, third_party_ipv6_is_malformed_option)
{
	size_t n;
	int r;

	self->pol.third_party[0].addr = ip4("198.51.100.0");
	self->pol.third_party[0].plen = 24;
	self->pol.n_third_party = 1;
	n = rq_map(self->req, 3600, CLIENT, 1, 17, 8080, 8080, ANY4, 0, NULL);
	n = rq_third_party(self->req, n, "2001:db8::2");
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_MALFORMED_OPTION, self->resp[3]);
	EXPECT_EQ(0u, fake_count(&self->be));
}

/*
 * RFC 6887 13.1: only authorised clients may use THIRD_PARTY; one that is
 * not learns NOT_AUTHORIZED whatever the address it named, even its own
 * (which, from an authorised client, is MALFORMED_REQUEST).
 */
TEST_F(opt, third_party_unauthorised_first)
{
	size_t n;
	int r;

	self->pol.third_party[0].addr = ip4("10.0.0.0");
	self->pol.third_party[0].plen = 8;
	self->pol.n_third_party = 1;
	n = rq_map(self->req, 3600, CLIENT, 1, 17, 8080, 8080, ANY4, 0, NULL);
	n = rq_third_party(self->req, n, CLIENT);
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_NOT_AUTHORIZED, self->resp[3]);

	n = rq_map(self->req, 3600, CLIENT, 1, 17, 8080, 8080, ANY4, 0, NULL);
	n = rq_third_party(self->req, n, "::ffff:198.51.100.2");
	r = run(self, n);
	ASSERT_GE(r, 24);
	EXPECT_EQ(PCP_NOT_AUTHORIZED, self->resp[3]);
	EXPECT_EQ(0u, fake_count(&self->be));
}

TEST_HARNESS_MAIN
