// SPDX-License-Identifier: GPL-2.0
/*
 * pcpd's replication wiring (pcpd/sync_install.c) over the in-memory
 * backend: nothing touches the module while its link is down (the standby
 * asks for a resync once back, the active postpones its bulk), a failed
 * table walk is retried from its cursor and never ends the bulk, a change
 * of the peer's role abandons the open bulk, and an incomplete bulk (too
 * many keys, a failed install) deletes nothing at BULK_END
 * (draft-boucadair-pcp-failure §3.3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "fake_backend.c"
#include "pcpd/daemon.h"
#include "pcpd/sync_daemon.h"

int64_t pcpd_now_ms(void)
{
	return 0;
}

static struct fake_be fb;
static struct pcpd d;
static struct pcpd_sync s;
static int walk_calls, walk_fail_at = -1;

/* The fake's walk, whose walk_fail_at-th call fails as a dump can. */
static int failing_walk(void *be, const struct pcpd_walk_filter *f,
			const struct pcpd_key *after, pcpd_walk_cb cb,
			void *arg)
{
	static const struct pcpd_walk_filter all;

	if (walk_calls++ == walk_fail_at)
		return -EAGAIN;
	return fake_ops.map_walk(be, f ? f : &all, after, cb, arg);
}

static struct pcpd_backend_ops ops;

static void noop_deliver(void *arg, const struct sync_event *ev) { }
static void noop_restart(void *arg) { }
static int noop_next(void *arg, struct sync_record *r) { return 0; }

static void setup_sync(enum sync_role role, enum sync_role peer_role)
{
	struct sync_peer_cfg cfg = {
		.node_id = 1, .peer_node_id = 2, .session = 1, .mtu = 1400,
		.window = 64, .queue = 256, .rto_min_ms = 200,
		.rto_max_ms = 5000, .hello_ms = 1000, .heartbeat_ms = 1000,
		.dead_ms = 3000,
	};
	struct sync_peer_ops pops = {
		.deliver = noop_deliver, .bulk_restart = noop_restart,
		.bulk_next = noop_next,
	};

	fake_init(&fb);
	memset(&d, 0, sizeof(d));
	memset(&s, 0, sizeof(s));
	ops = fake_ops;
	ops.map_walk = failing_walk;
	walk_calls = 0;
	walk_fail_at = -1;
	d.connected = true;
	s.d = &d;
	s.ops = &ops;
	s.be = &fb;
	if (sync_peer_init(&s.peer, &cfg, &pops, 0))
		abort();
	s.peer.role = role;
	s.peer.peer_role = peer_role;
	s.peer_role_seen = peer_role;
}

static void deliver(enum sync_event_type t, const struct sync_record *r)
{
	struct sync_event ev = { .type = t, .rec = r };

	pcpd_sync_deliver(&s, &ev);
}

static struct pcpd_mapping map(uint16_t port)
{
	return (struct pcpd_mapping){
		.proto = 17, .int_addr = ip4("10.0.0.1"), .int_port = port,
		.ext_addr = ip4("192.0.2.1"), .ext_port = port,
		.kind = PCPNAT_KIND_EXPLICIT, .lifetime = 100,
		.idle = 10000,	/* no traffic: a delete removes it */
	};
}

static void deliver_map(uint16_t port)
{
	struct sync_record r = { .op = SYNC_REC_MAP, .map = map(port) };

	deliver(SYNC_EV_RECORD, &r);
}

/* The active's table: ports 1..n. */
static void fill(unsigned int n)
{
	struct pcpd_mapping m;
	unsigned int i;

	for (i = 1; i <= n; i++) {
		m = map((uint16_t)i);
		fake_insert(&fb, &m);
	}
}

/* Records a standby cannot install while unconnected are dropped, not
 * sent to a module that is not there, and a resync follows reconnection. */
TEST(standby_unconnected_drops_then_resyncs)
{
	uint64_t asked;

	setup_sync(SYNC_ROLE_BACKUP, SYNC_ROLE_MASTER);
	d.connected = false;
	deliver(SYNC_EV_BULK_BEGIN, NULL);
	deliver_map(80);
	deliver(SYNC_EV_BULK_END, NULL);
	ASSERT_EQ(0, fb.calls_add);
	ASSERT_EQ(0u, fake_count(&fb));
	asked = s.peer.c.resyncs_requested;
	pcpd_sync_link_check(&s, 0);
	ASSERT_EQ(asked, s.peer.c.resyncs_requested);	/* not yet */
	d.connected = true;
	pcpd_sync_link_check(&s, 0);
	ASSERT_EQ(asked + 1, s.peer.c.resyncs_requested);
	pcpd_sync_link_check(&s, 0);
	ASSERT_EQ(asked + 1, s.peer.c.resyncs_requested);	/* once */
	sync_peer_free(&s.peer);
}

/* The real backend with its link closed (d->nl.c NULL): no crash. */
TEST(standby_unconnected_real_backend)
{
	setup_sync(SYNC_ROLE_BACKUP, SYNC_ROLE_MASTER);
	d.connected = false;
	d.nl.c = NULL;
	s.ops = &pcpd_nl_ops;
	s.be = &d.nl;
	deliver(SYNC_EV_BULK_BEGIN, NULL);
	deliver_map(80);
	deliver(SYNC_EV_RECORD, &(struct sync_record){ .op = SYNC_REC_UNMAP,
						      .map = map(81) });
	deliver(SYNC_EV_BULK_END, NULL);
	sync_peer_free(&s.peer);
}

/* The active postpones its bulk while unconnected, then restates all. */
TEST(active_unconnected_postpones_bulk)
{
	struct sync_record r;
	unsigned int maps = 0;

	setup_sync(SYNC_ROLE_MASTER, SYNC_ROLE_BACKUP);
	fill(10);
	d.nl.c = NULL;
	s.ops = &pcpd_nl_ops;
	s.be = &d.nl;
	d.connected = false;
	pcpd_sync_bulk_restart(&s);
	ASSERT_GT(0, pcpd_sync_bulk_next(&s, &r));
	ASSERT_GT(0, pcpd_sync_bulk_next(&s, &r));
	s.ops = &ops;
	s.be = &fb;
	d.connected = true;
	while (pcpd_sync_bulk_next(&s, &r) == 1)
		maps += r.op == SYNC_REC_MAP;
	ASSERT_EQ(10u, maps);
	sync_peer_free(&s.peer);
}

/* A failed dump (-EAGAIN, -ENOBUFS) is retried from the cursor: the bulk
 * restates every mapping before it ends. */
TEST(active_walk_failure_retried)
{
	struct sync_record r;
	unsigned int maps = 0, fails = 0;
	int rc;

	setup_sync(SYNC_ROLE_MASTER, SYNC_ROLE_BACKUP);
	fill(200);
	walk_fail_at = 1;
	pcpd_sync_bulk_restart(&s);
	while ((rc = pcpd_sync_bulk_next(&s, &r)) != 0) {
		if (rc < 0) {
			ASSERT_LT(++fails, 10u);
			continue;
		}
		maps += r.op == SYNC_REC_MAP;
	}
	ASSERT_EQ(1u, fails);
	ASSERT_EQ(200u, maps);
	sync_peer_free(&s.peer);
}

/* The peer said BACKUP mid-bulk and MASTER again: the records skipped
 * meanwhile must not be deleted at BULK_END. */
TEST(peer_role_flap_abandons_bulk)
{
	struct pcpd_mapping m = map(2);

	setup_sync(SYNC_ROLE_BACKUP, SYNC_ROLE_MASTER);
	fake_insert(&fb, &m);
	deliver(SYNC_EV_BULK_BEGIN, NULL);
	deliver_map(1);
	s.peer.peer_role = SYNC_ROLE_BACKUP;
	deliver_map(2);			/* skipped: not the active's */
	s.peer.peer_role = SYNC_ROLE_MASTER;
	deliver_map(3);
	deliver(SYNC_EV_BULK_END, NULL);
	ASSERT_NE(NULL, fake_find(&fb, 17, m.int_addr, 2));
	ASSERT_EQ(3u, fake_count(&fb));
	sync_peer_free(&s.peer);
}

/* Past the bound on restated keys the bulk is incomplete: kept all. */
TEST(restated_bound_skips_deletion)
{
	struct pcpd_mapping old = map(100);
	unsigned int i;

	setup_sync(SYNC_ROLE_BACKUP, SYNC_ROLE_MASTER);
	s.restated_max = 4;
	fake_insert(&fb, &old);
	deliver(SYNC_EV_BULK_BEGIN, NULL);
	for (i = 1; i <= 8; i++)
		deliver_map((uint16_t)i);
	ASSERT_GE(4u, s.restated.n);
	deliver(SYNC_EV_BULK_END, NULL);
	ASSERT_NE(NULL, fake_find(&fb, 17, old.int_addr, 100));
	ASSERT_EQ(9u, fake_count(&fb));
	sync_peer_free(&s.peer);
}

/* A failed install leaves the bulk incomplete: nothing deleted. */
TEST(failed_install_skips_deletion)
{
	struct pcpd_mapping old = map(100), bad = map(5);

	setup_sync(SYNC_ROLE_BACKUP, SYNC_ROLE_MASTER);
	fake_insert(&fb, &old);
	fb.quota = 1;			/* the second mapping is refused */
	deliver(SYNC_EV_BULK_BEGIN, NULL);
	deliver(SYNC_EV_RECORD, &(struct sync_record){ .op = SYNC_REC_MAP,
						      .map = bad });
	ASSERT_EQ(1u, s.install_errors + s.lost_endpoints);
	deliver(SYNC_EV_BULK_END, NULL);
	ASSERT_NE(NULL, fake_find(&fb, 17, old.int_addr, 100));
	sync_peer_free(&s.peer);
}

TEST_HARNESS_MAIN
