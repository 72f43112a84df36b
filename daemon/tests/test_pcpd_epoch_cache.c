// SPDX-License-Identifier: GPL-2.0
/*
 * The epoch a reply carries (RFC 6887 8.5, RFC 6886 3.2) comes from
 * pcpd's cache of the module's epoch (pcpd/epoch.h), not from a
 * CONFIG_GET per request: the real backend (backend_nl.c) runs here over
 * a client library whose calls are counted, so a request shows what it
 * costs in netlink round trips.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "pcpd/backend_nl.h"
#include "pcpd/clock.h"
#include "pcpd/handler.h"
#include "pcpd/handler_int.h"

/* --- the client library, counted --- */

static unsigned int config_gets, other_calls;
static uint32_t mod_epoch = 1000;
static uint64_t mod_state_id = 7;
static int64_t boot_s = 5000;

int pcpnl_config_get(struct pcpnl_client *c, struct pcpnl_config *cfg)
{
	(void)c;
	config_gets++;
	memset(cfg, 0, sizeof(*cfg));
	cfg->fields = PCPNL_CF_EPOCH | PCPNL_CF_STATE_ID;
	cfg->epoch = mod_epoch;
	cfg->state_id = mod_state_id;
	return 0;
}

int pcpnl_config_addr_of(struct pcpnl_client *c, struct in_addr host,
			  struct in_addr *addr)
{
	(void)c;
	(void)host;
	other_calls++;
	addr->s_addr = inet_addr("192.0.2.1");
	return 0;
}

int pcpnl_map_add(struct pcpnl_client *c, const struct pcpnl_map *req,
		   struct pcpnl_map *out)
{
	(void)c;
	other_calls++;
	*out = *req;
	out->ext_addr.s_addr = inet_addr("192.0.2.1");
	out->ext_port = req->int_port;
	return 0;
}

int pcpnl_map_del(struct pcpnl_client *c, const struct pcpnl_map *req,
		   struct pcpnl_map *out)
{
	(void)c;
	(void)req;
	(void)out;
	other_calls++;
	return -ENOENT;
}

int pcpnl_map_get(struct pcpnl_client *c, const struct pcpnl_map *key,
		   struct pcpnl_map *out)
{
	(void)c;
	(void)key;
	(void)out;
	other_calls++;
	return -ENOENT;
}

int pcpnl_map_dump(struct pcpnl_client *c, const struct pcpnl_map_filter *f,
		    const struct pcpnl_key *after, pcpnl_map_cb cb, void *arg)
{
	(void)c;
	(void)f;
	(void)after;
	(void)cb;
	(void)arg;
	other_calls++;
	return 0;
}

static int64_t t_boot(void) { return boot_s; }
static int64_t t_wall(void) { return 1700000000 + boot_s; }
static void t_boot_id(char out[PCPD_BOOT_ID_LEN]) { strcpy(out, "test"); }

static const struct pcpd_clock test_clock = {
	.boot = t_boot, .wall = t_wall, .boot_id = t_boot_id,
};

FIXTURE(nl) {
	struct pcpd_nl nl;
	struct pcpd_policy pol;
	struct pcpd_server srv;
	uint8_t resp[1100];
	struct pcpd_outcome out;
};

FIXTURE_SETUP(nl)
{
	pcpd_clock = &test_clock;
	memset(&self->nl, 0, sizeof(self->nl));
	/* Never dereferenced: the library above is the test's. */
	self->nl.c = (struct pcpnl_client *)&self->nl;
	pcpd_policy_defaults(&self->pol);
	self->srv.pol = &self->pol;
	self->srv.ops = &pcpd_nl_ops;
	self->srv.be = &self->nl;
	config_gets = other_calls = 0;
	mod_epoch = 1000;
	mod_state_id = 7;
	boot_s = 5000;
}

FIXTURE_TEARDOWN(nl)
{
}

/* NAT-PMP's opcode 0 from src; returns the epoch of its answer. */
static uint32_t opcode0(FIXTURE_DATA(nl) *self, const char *src)
{
	static const uint8_t req[2] = { 0, 0 };
	const uint8_t *r = self->resp;

	memset(&self->out, 0, sizeof(self->out));
	if (pcpd_handle_natpmp(&self->srv, req, sizeof(req), inet_addr(src),
			       self->resp, sizeof(self->resp), &self->out) < 12)
		return UINT32_MAX;
	return (uint32_t)r[4] << 24 | r[5] << 16 | r[6] << 8 | r[7];
}

/*
 * A hundred requests: at most the one CONFIG_GET that first learns the
 * module's epoch, and the one operation each asks for (the address).
 */
TEST_F(nl, opcode0_costs_no_config_get)
{
	int i;

	for (i = 0; i < 100; i++) {
		boot_s = 5000 + i / 10;
		mod_epoch = 1000 + i / 10;
		ASSERT_EQ(1000u + i / 10, opcode0(self, "10.0.0.2"));
	}
	EXPECT_GE(1u, config_gets);
	EXPECT_EQ(100u, other_calls);
}

/* The epoch moves with the boot clock between refreshes. */
TEST_F(nl, epoch_counts_between_refreshes)
{
	pcpd_nl_config_seen(&self->nl, &(struct pcpnl_config){
		.fields = PCPNL_CF_EPOCH | PCPNL_CF_STATE_ID,
		.epoch = 1000, .state_id = 7 });
	boot_s = 5030;
	EXPECT_EQ(1030u, opcode0(self, "10.0.0.2"));
	EXPECT_EQ(0u, config_gets);
}

/*
 * A read that straddled a second's boundary makes the origin a second
 * late; the earliest origin of a state stays, so the epoch never steps
 * back between replies (RFC 6887 8.5: a client takes an epoch that goes
 * back for state loss).
 */
TEST_F(nl, epoch_never_steps_back)
{
	struct pcpd_epoch *ep = &self->nl.ep;

	pcpd_epoch_module_seen(ep, 999, 7, 5000);	/* late: origin 4001 */
	EXPECT_EQ(999u, pcpd_epoch_now(ep, 0, 5000));
	pcpd_epoch_module_seen(ep, 1001, 7, 5001);	/* origin 4000 */
	EXPECT_EQ(1001u, pcpd_epoch_now(ep, 0, 5001));
	pcpd_epoch_module_seen(ep, 1001, 7, 5002);	/* late again: kept */
	EXPECT_EQ(1002u, pcpd_epoch_now(ep, 0, 5002));
}

/* A new state (flush, new instance) replaces the cache: epoch from 0. */
TEST_F(nl, new_state_restarts)
{
	struct pcpd_epoch *ep = &self->nl.ep;

	pcpd_epoch_module_seen(ep, 1000, 7, 5000);
	pcpd_epoch_module_seen(ep, 0, 8, 5010);
	EXPECT_EQ(0u, pcpd_epoch_now(ep, 0, 5010));
	EXPECT_EQ(5u, pcpd_epoch_now(ep, 0, 5015));
	/* The subscriber and restore rules apply on top (epoch.h). */
	pcpd_epoch_subscriber_reset(ep, inet_addr("10.0.0.3"), 5013);
	EXPECT_EQ(2u, pcpd_epoch_now(ep, inet_addr("10.0.0.3"), 5015));
	/* Module gone: unknown, 0, and read again on the next request. */
	pcpd_epoch_module_forget(ep);
	EXPECT_EQ(0u, pcpd_epoch_now(ep, 0, 5015));
	EXPECT_EQ(1000u, opcode0(self, "10.0.0.2"));
	EXPECT_EQ(1u, config_gets);
}

TEST_HARNESS_MAIN
