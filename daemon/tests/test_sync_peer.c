// SPDX-License-Identifier: GPL-2.0
/*
 * The replication peer (sync/sync_peer.c, sync_tx.c, sync_rx.c) between
 * an active (node 0, MASTER) and a standby (node 1, BACKUP) over the
 * simulated network of sync_sim.h: the handshake and first bulk, 10,000
 * records exactly once and in order without and with loss, duplication
 * and reordering (throughput and message count printed), restarts of
 * either side converging through a bulk, a partition that overflows the
 * queue, lifetimes that run down while queued, split brain, and forged,
 * tampered, replayed, stale, reflected and foreign messages refused and
 * counted.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "kselftest_harness.h"
#include "sync/sync_status_json.h"
#include "sync_sim.h"

static struct sim sim;

static bool synced(struct sim *s)
{
	/* Each holds the other's current session: no restart unseen. */
	return s->n[0].p.established && s->n[1].p.established &&
	       s->n[1].p.peer_session == s->n[0].p.cfg.session &&
	       s->n[0].p.peer_session == s->n[1].p.cfg.session &&
	       s->n[1].p.rx_synced && !s->n[0].p.bulk_active &&
	       s->n[0].p.una == s->n[0].p.end && s->n[1].bulk_ends > 0;
}

/* Everything node 0 queued is acknowledged and node 1 delivered it. */
static bool drained(struct sim *s)
{
	return synced(s) && s->n[0].p.acked + 1 == s->n[0].p.end;
}

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(handshake_and_first_bulk)
{
	unsigned int k;

	ASSERT_EQ(0, sim_init(&sim, 1, NULL));
	for (k = 1; k <= 100; k++)
		sim.n[0].table[k] = true;
	sim.n[0].table_lifetime = 3600;
	sim_run(&sim, sim.now + 3000, NULL);
	EXPECT_TRUE(sim.n[0].p.established);
	EXPECT_TRUE(sim.n[1].p.established);
	EXPECT_TRUE(sim.n[1].p.rx_synced);
	EXPECT_EQ(1u, sim.n[1].bulk_begins);
	EXPECT_EQ(1u, sim.n[1].bulk_ends);
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_TRUE(sim.n[1].have_epoch);
	EXPECT_EQ(1000u, sim.n[1].epoch_age);
	EXPECT_EQ(42 + 20000, sim.n[1].stored[42].ext_port);
	EXPECT_EQ(0, memcmp(sim_map(42, 0).nonce, sim.n[1].stored[42].nonce,
			    PCPNAT_NONCE_LEN));
	EXPECT_GE(3600u, sim.n[1].stored[42].lifetime);
	EXPECT_LE(3597u, sim.n[1].stored[42].lifetime);
	/* The active asks for nothing: it is MASTER. */
	EXPECT_EQ(1u, sim.n[0].p.c.resyncs_served);
	EXPECT_EQ(0u, sim.n[1].p.c.resyncs_served);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	EXPECT_EQ(0u, sim.invariant_errors);
	EXPECT_FALSE(sim.n[0].p.split_brain);
	EXPECT_EQ((int)SYNC_ROLE_BACKUP, (int)sim.n[0].p.peer_role);
	sim_free(&sim);
}

/*
 * 10,000 new flows at once on the active: replicated exactly once, in
 * order, in batches. loss/dup in percent, jitter in ms (reordering).
 */
static void ten_thousand(struct __test_metadata *_metadata, uint64_t seed,
			 unsigned int loss, unsigned int dup,
			 unsigned int jitter)
{
	struct sync_status st;
	unsigned int k, n = 10000;
	unsigned long msgs0;
	double t0, dt;

	ASSERT_EQ(0, sim_init(&sim, seed, NULL));
	sim.n[1].log = calloc(n, sizeof(*sim.n[1].log));
	ASSERT_NE(NULL, sim.n[1].log);
	sim.n[0].table_lifetime = 3600;
	sim_run(&sim, sim.now + 5000, synced);
	ASSERT_TRUE(synced(&sim));
	sim.loss_pct = loss;
	sim.dup_pct = dup;
	sim.jitter_ms = jitter;
	msgs0 = sim.n[0].p.c.tx_msgs;
	t0 = wall();
	for (k = 1; k <= n; k++)
		sim_set(&sim, 0, k, true);
	sim_run(&sim, sim.now + 600000, drained);
	dt = wall() - t0;
	ASSERT_TRUE(drained(&sim));
	ASSERT_EQ(n, sim.n[1].nlog);
	for (k = 0; k < n; k++)
		if (sim.n[1].log[k] != k + 1)
			break;
	EXPECT_EQ(n, k);		/* each once, in order */
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	EXPECT_EQ(0u, sim.invariant_errors);
	sync_peer_status(&sim.n[0].p, &st);
	EXPECT_EQ(0u, st.backlog);
	EXPECT_EQ(sim.n[0].p.end - 1, st.last_acked);
	printf("# %u records, loss %u%% dup %u%% jitter %u ms: %lu messages "
	       "from the active (%.1f records each), %lu retransmissions, "
	       "%lu fast, %lu out of order, %lu duplicates at the standby, "
	       "%.0f ms simulated, %.3f s on the host: %.0f records/s\n",
	       n, loss, dup, jitter, (unsigned long)(st.c.tx_msgs - msgs0),
	       (double)n / (st.c.tx_msgs - msgs0),
	       (unsigned long)st.c.retransmits,
	       (unsigned long)st.c.fast_retransmits,
	       (unsigned long)sim.n[1].p.c.rx_out_of_order,
	       (unsigned long)sim.n[1].p.c.rx_duplicate,
	       (double)(sim.now - 1000000), dt, n / dt);
	if (!loss) {
		/* Batching: 23 of these 48-octet records per 1,200 octets. */
		EXPECT_LE(st.c.tx_msgs - msgs0, n / 20);
		EXPECT_EQ(0u, st.c.retransmits);
	} else {
		EXPECT_LE(st.c.tx_msgs - msgs0, n / 5);
		EXPECT_LT(0u, st.c.retransmits + st.c.fast_retransmits);
		EXPECT_LT(0u, sim.n[1].p.c.rx_out_of_order);
		EXPECT_LT(0u, sim.n[1].p.c.rx_duplicate);
	}
	sim_free(&sim);
}

TEST(ten_thousand_records)
{
	ten_thousand(_metadata, 2, 0, 0, 0);
}

TEST(ten_thousand_records_lossy_reordering_duplicating)
{
	ten_thousand(_metadata, 3, 10, 5, 30);
}

TEST(ten_thousand_records_heavy_loss)
{
	ten_thousand(_metadata, 4, 30, 10, 80);
}

/* A message from node `from` as its peer would send it next, sealed. */
static int forge(struct sim *s, int from, struct sync_msg *m, uint8_t *buf,
		 size_t cap)
{
	struct sync_peer *p = &s->n[from].p;
	int n;

	m->h.role = p->role;
	m->h.node_id = p->cfg.node_id;
	m->h.session = p->cfg.session;
	m->h.dst_session = p->peer_session;
	m->h.counter = ++p->tx_counter;
	n = sync_wire_build(buf, cap, m);
	return n < 0 ? n : sync_wire_seal(buf, cap, (size_t)n, sim_key);
}

/* A pair over a lossy network, the standby holding the active's n
 * mappings. */
static int replicated_pair(uint64_t seed, unsigned int n)
{
	unsigned int k;

	if (sim_init(&sim, seed, NULL))
		return -1;
	sim.loss_pct = 5;
	sim.dup_pct = 5;
	sim.jitter_ms = 20;
	sim.n[0].table_lifetime = 600;
	for (k = 1; k <= n; k++)
		sim.n[0].table[k] = true;
	sim_run(&sim, sim.now + 20000, drained);
	return drained(&sim) && !sim_diff(&sim, 1) ? 0 : -1;
}

/* The standby restarts: it asks for a bulk and converges, even while
 * the active changes its table during the bulk. */
/* A bulk source that cannot go on yet (-EAGAIN: a failed table dump, no
 * module link) postpones the bulk, it does not end it: BULK_END follows
 * only the whole table. */
TEST(bulk_source_postponed_not_ended)
{
	unsigned int k;

	ASSERT_EQ(0, sim_init(&sim, 1, NULL));
	for (k = 1; k <= 100; k++)
		sim.n[0].table[k] = true;
	sim.n[0].table_lifetime = 3600;
	sim.n[0].postpone_at = 50;
	sim.n[0].postpone = 3;
	sim_run(&sim, sim.now + 10000, NULL);
	EXPECT_TRUE(sim.n[1].p.rx_synced);
	EXPECT_EQ(1u, sim.n[1].bulk_ends);
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(3u, sim.n[0].p.c.bulk_postponed);
	EXPECT_EQ(0u, sim.invariant_errors);
	sim_free(&sim);
}

TEST(restarted_standby_converges)
{
	unsigned int k;

	ASSERT_EQ(0, replicated_pair(5, 3000));

	sync_peer_free(&sim.n[1].p);
	ASSERT_EQ(0, sim_start(&sim, 1, NULL));
	sync_peer_set_role(&sim.n[1].p, SYNC_ROLE_BACKUP);
	EXPECT_EQ(3000u, sim_diff(&sim, 1));
	sim_run(&sim, sim.now + 300, NULL);
	for (k = 1; k <= 200; k++)
		sim_set(&sim, 0, k, false);
	for (k = 5001; k <= 5200; k++)
		sim_set(&sim, 0, k, true);
	sim_run(&sim, sim.now + 60000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(1u, sim.n[0].p.c.peer_restarts);
	EXPECT_LE(2u, sim.n[0].p.c.resyncs_served);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	EXPECT_EQ(0u, sim.invariant_errors);
	sim_free(&sim);
}

/* The active restarts with a table that lost entries meanwhile: the
 * standby drops what the new bulk does not restate. */
TEST(restarted_active_converges)
{
	unsigned int k;

	ASSERT_EQ(0, replicated_pair(6, 2000));

	sync_peer_free(&sim.n[0].p);
	for (k = 1; k <= 2000; k += 2)
		sim.n[0].table[k] = false;
	ASSERT_EQ(0, sim_start(&sim, 0, NULL));
	sync_peer_set_role(&sim.n[0].p, SYNC_ROLE_MASTER);
	sim_run(&sim, sim.now + 60000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(1u, sim.n[1].restarts);
	EXPECT_EQ(1u, sim.n[1].p.c.peer_restarts);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	sim_free(&sim);
}

/* The peer unreachable: the active's queue overflows, nothing blocks,
 * HELLOs and heartbeats stay few, and a bulk restates it all. */
TEST(partition_overflows_then_converges)
{
	struct sync_peer_cfg cfg = { .queue = 256, .window = 64 };
	unsigned long sent0;
	unsigned int k;

	ASSERT_EQ(0, sim_init(&sim, 7, &cfg));
	sim.n[0].table_lifetime = 600;
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	sim.cut = true;
	sent0 = sim.sent;
	for (k = 1; k <= 1000; k++)
		EXPECT_EQ(0, sim_set(&sim, 0, k, true));
	EXPECT_LT(0u, sim.n[0].p.c.overflows);
	EXPECT_LE(sim.n[0].p.end - sim.n[0].p.una, 256u);
	sim_run(&sim, sim.now + 10000, NULL);
	EXPECT_FALSE(sim.n[0].p.alive);
	EXPECT_EQ(1u, sim.n[0].p.c.peer_down);
	/* Retransmissions back off to 5 s, heartbeats once a second. */
	EXPECT_GT(60u, sim.sent - sent0);
	sim.cut = false;
	sim_run(&sim, sim.now + 30000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_TRUE(sim.n[0].p.alive);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	sim_free(&sim);
}

/*
 * The active's table changed without records (its events socket overran):
 * the standby cannot notice. sync_peer_restate() restates it all, and
 * the standby ends with the active's table, extra keys removed and
 * missing ones added, even when it comes during a bulk already under way.
 */
TEST(lost_changes_restated)
{
	unsigned int k;

	ASSERT_EQ(0, replicated_pair(12, 3000));
	for (k = 1; k <= 3000; k += 3)
		sim.n[0].table[k] = false;
	for (k = 4001; k <= 4500; k++)
		sim.n[0].table[k] = true;
	sim_run(&sim, sim.now + 5000, drained);
	EXPECT_EQ(1500u, sim_diff(&sim, 1));	/* unnoticed, as in pcpd before */
	sync_peer_restate(&sim.n[0].p, sim.now);
	sim_run(&sim, sim.now + 5, NULL);
	/* Again during that bulk: it starts over. */
	sim.n[0].table[2] = false;
	sync_peer_restate(&sim.n[0].p, sim.now);
	sim_run(&sim, sim.now + 60000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(2u, sim.n[0].p.c.restates);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	EXPECT_EQ(0u, sim.invariant_errors);
	sim_free(&sim);
}

/*
 * A load of changes far faster than the path carries, for seconds: 50,000
 * changes through a queue of 256. The queue overflows all along; a bulk
 * under way is not started over by each overflow (it would never end,
 * and drop what is in flight each time). Once the load stops, the bulk
 * under way and at most one more bring the standby to exactly the
 * active's table, within seconds.
 */
TEST(sustained_overload_converges_in_two_bulks)
{
	struct sync_peer_cfg cfg = { .queue = 256, .window = 64 };
	unsigned long served_load, served_stop;
	unsigned int k, ms;
	int64_t stop;

	ASSERT_EQ(0, sim_init(&sim, 16, &cfg));
	sim.delay_ms = 10;		/* 64 records a 20 ms round trip */
	sim.n[0].table_lifetime = 600;
	for (k = 1; k <= 2000; k++)
		sim.n[0].table[k] = true;
	sim_run(&sim, sim.now + 5000, drained);
	ASSERT_TRUE(drained(&sim));
	served_load = sim.n[0].p.c.resyncs_served;
	for (ms = 0; ms < 5000; ms++) {
		for (k = 0; k < 10; k++) {
			unsigned int port = 1 + sim_rand(&sim) % 5000;

			EXPECT_EQ(0, sim_set(&sim, 0, port,
					     !sim.n[0].table[port]));
		}
		sim_step(&sim);		/* every ms: not sim_run's next event */
		sim.now++;
	}
	stop = sim.now;
	served_stop = sim.n[0].p.c.resyncs_served;
	EXPECT_LT(100u, sim.n[0].p.c.overflows);
	sim_run(&sim, stop + 10000, drained);
	TH_LOG("%lu overflows, bulks: %lu during the load, %lu after it; "
	       "converged %lld ms after it, %u keys differ",
	       (unsigned long)sim.n[0].p.c.overflows,
	       served_stop - served_load,
	       (unsigned long)sim.n[0].p.c.resyncs_served - served_stop,
	       (long long)(sim.now - stop), sim_diff(&sim, 1));
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_GE(2u, served_stop - served_load);
	EXPECT_GE(1u, sim.n[0].p.c.resyncs_served - served_stop);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	EXPECT_EQ(0u, sim.invariant_errors);
	sim_free(&sim);
}

/* Loses the first BULK_BEGIN from node 0 and the 40th BATCH. */
static unsigned int begins_lost, batches_seen;

static bool lose_first_begin(struct sim *s, int from, const uint8_t *b,
			     size_t len)
{
	return from == 0 && b[5] == SYNC_MSG_BULK_BEGIN && !begins_lost++;
}

static bool lose_one_batch(struct sim *s, int from, const uint8_t *b,
			   size_t len)
{
	return from == 0 && b[5] == SYNC_MSG_BATCH && ++batches_seen == 40;
}

/*
 * The BULK_BEGIN that restates an overflowed queue is lost once the path
 * is back, and heartbeats and batches whose tx base is that BULK_BEGIN
 * arrive first: the standby waits for it (the sender's timer sends it
 * again) and adopts it; it asks for no bulk of its own, so the overflow
 * costs two bulks and no more: the one the first overflow started over
 * a dropped queue, and the one after it for the records dropped while
 * it was under way.
 */
TEST(overflow_bulk_adopted_though_its_begin_is_lost)
{
	struct sync_peer_cfg cfg = { .queue = 256, .window = 64 };
	unsigned long served0, requested0, begins0;
	unsigned int k;

	ASSERT_EQ(0, sim_init(&sim, 13, &cfg));
	sim.n[0].table_lifetime = 600;
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	served0 = sim.n[0].p.c.resyncs_served;
	requested0 = sim.n[1].p.c.resyncs_requested;
	begins0 = sim.n[1].bulk_begins;
	sim.cut = true;
	for (k = 1; k <= 1000; k++)
		EXPECT_EQ(0, sim_set(&sim, 0, k, true));
	sim_run(&sim, sim.now + 10000, NULL);
	sim.cut = false;
	begins_lost = 0;
	sim.drop = lose_first_begin;
	sim_run(&sim, sim.now + 30000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_LT(0u, begins_lost);
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(requested0, sim.n[1].p.c.resyncs_requested);
	EXPECT_LT(1u, sim.n[0].p.c.overflows);
	EXPECT_EQ(served0 + 2, sim.n[0].p.c.resyncs_served);
	EXPECT_EQ(begins0 + 2, sim.n[1].bulk_begins);
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	EXPECT_EQ(0u, sim.invariant_errors);
	sim_free(&sim);
}

/*
 * One batch lost in the middle of a long stream on a network that
 * loses nothing else (it reorders a little): the duplicate
 * acknowledgements of the messages after it make the sender repair it
 * before its timer expires.
 */
TEST(single_loss_repaired_by_fast_retransmit)
{
	unsigned int k;

	ASSERT_EQ(0, sim_init(&sim, 14, NULL));
	sim.n[0].table_lifetime = 600;
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	batches_seen = 0;
	sim.drop = lose_one_batch;
	/* Arrivals spread over a few ms: acknowledgements go out apart. */
	sim.jitter_ms = 4;
	for (k = 1; k <= 3000; k++)
		sim_set(&sim, 0, k, true);
	sim_run(&sim, sim.now + 60000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_LT(40u, batches_seen);
	EXPECT_EQ(1u, sim.lost);
	TH_LOG("%lu fast retransmissions, %lu by the timer",
	       (unsigned long)sim.n[0].p.c.fast_retransmits,
	       (unsigned long)sim.n[0].p.c.retransmits);
	EXPECT_LE(1u, sim.n[0].p.c.fast_retransmits);
	EXPECT_EQ(0u, sim.n[0].p.c.retransmits);
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	sim_free(&sim);
}

/*
 * A bulk whose BULK_END counts other records than the receiver got
 * (something lost that the stream did not show): refused and counted,
 * nothing removed, a new bulk asked for and the pair converges.
 */
TEST(bulk_end_count_mismatch_refused)
{
	struct sync_peer *b = &sim.n[1].p;
	struct sync_msg m = { .h.type = SYNC_MSG_BULK_BEGIN };
	uint8_t buf[SYNC_MTU_DEFAULT];
	unsigned long requested0, ends0;
	unsigned int k;
	int n;

	ASSERT_EQ(0, sim_init(&sim, 15, NULL));
	sim.n[0].table_lifetime = 600;
	for (k = 1; k <= 50; k++)
		sim.n[0].table[k] = true;
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	requested0 = b->c.resyncs_requested;
	ends0 = sim.n[1].bulk_ends;
	/* A bulk of no records that claims 5, in order after the stream. */
	m.seq = m.tx_base = b->rx_next;
	n = forge(&sim, 0, &m, buf, sizeof(buf));
	ASSERT_LT(0, n);
	EXPECT_EQ(0, sync_peer_recv(b, buf, (size_t)n, sim.now));
	ASSERT_TRUE(b->rx_in_bulk);
	m.h.type = SYNC_MSG_BULK_END;
	m.seq++;
	m.value = 5;
	n = forge(&sim, 0, &m, buf, sizeof(buf));
	EXPECT_EQ(0, sync_peer_recv(b, buf, (size_t)n, sim.now));
	EXPECT_EQ(1u, b->c.bulk_mismatch);
	EXPECT_EQ(requested0 + 1, b->c.resyncs_requested);
	EXPECT_EQ(ends0, sim.n[1].bulk_ends);
	EXPECT_FALSE(b->rx_synced);
	EXPECT_EQ(0u, sim_diff(&sim, 1));	/* nothing removed */
	sim_run(&sim, sim.now + 10000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	sim_free(&sim);
}

/* A record waits 5 s in the queue: it arrives with 5 s less to live. */
TEST(lifetime_runs_down_while_queued)
{
	ASSERT_EQ(0, sim_init(&sim, 8, NULL));
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	sim.cut = true;
	sim.n[0].table_lifetime = 100;
	sim_set(&sim, 0, 77, true);
	sim_run(&sim, sim.now + 5000, NULL);
	sim.cut = false;
	sim_run(&sim, sim.now + 20000, drained);
	ASSERT_TRUE(sim.n[1].store[77]);
	EXPECT_GE(95u, sim.n[1].stored[77].lifetime);
	EXPECT_LE(85u, sim.n[1].stored[77].lifetime);
	sim_free(&sim);
}

TEST(split_brain_detected)
{
	ASSERT_EQ(0, sim_init(&sim, 9, NULL));
	sim_run(&sim, sim.now + 3000, drained);
	sync_peer_set_role(&sim.n[1].p, SYNC_ROLE_MASTER);
	sim_run(&sim, sim.now + 3000, NULL);
	EXPECT_TRUE(sim.n[0].p.split_brain);
	EXPECT_TRUE(sim.n[1].p.split_brain);
	EXPECT_EQ(1u, sim.n[0].p.c.split_brain);
	sync_peer_set_role(&sim.n[1].p, SYNC_ROLE_BACKUP);
	sim_run(&sim, sim.now + 3000, NULL);
	EXPECT_FALSE(sim.n[0].p.split_brain);
	EXPECT_FALSE(sim.n[1].p.split_brain);
	EXPECT_EQ(1u, sim.n[0].p.c.split_brain);
	/* The old MASTER asked for a bulk on becoming BACKUP again. */
	EXPECT_EQ(2u, sim.n[1].bulk_ends);
	sim_free(&sim);
}

/* Security: the tap keeps the last BATCH from 0 and anything from 1. */
static uint8_t cap_batch[SYNC_MTU_DEFAULT], cap_from1[SYNC_MTU_DEFAULT];
static size_t cap_batch_len, cap_from1_len;

static void tap(struct sim *s, int from, const uint8_t *b, size_t len)
{
	if (from == 0 && b[5] == SYNC_MSG_BATCH) {
		memcpy(cap_batch, b, len);
		cap_batch_len = len;
	} else if (from == 1) {
		memcpy(cap_from1, b, len);
		cap_from1_len = len;
	}
}

TEST(refused_messages_are_counted)
{
	uint8_t buf[SYNC_MTU_DEFAULT], old[SYNC_MTU_DEFAULT], other[SYNC_KEY_LEN];
	struct sync_peer *b = &sim.n[1].p;
	uint64_t delivered;
	size_t len;

	ASSERT_EQ(0, sim_init(&sim, 10, NULL));
	sim.tap = tap;
	sim_run(&sim, sim.now + 3000, drained);
	sim_set(&sim, 0, 9, true);
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	ASSERT_LT(0u, cap_batch_len);
	delivered = b->c.rx_records;
	len = cap_batch_len;

	/* Replayed: refused, nothing delivered twice. */
	EXPECT_EQ(-EALREADY, sync_peer_recv(b, cap_batch, len, sim.now));
	EXPECT_EQ(1u, b->c.rx_replay);
	EXPECT_EQ(delivered, b->c.rx_records);

	/* Tampered: one octet of the body. */
	memcpy(buf, cap_batch, len);
	buf[60] ^= 0x40;
	EXPECT_EQ(-EPERM, sync_peer_recv(b, buf, len, sim.now));
	/* Forged: a fresh counter, sealed under another key. */
	memcpy(other, sim_key, sizeof(other));
	other[0] ^= 1;
	memcpy(buf, cap_batch, len);
	buf[39] += 100;
	sync_wire_seal(buf, sizeof(buf), len - SYNC_TAG_LEN, other);
	EXPECT_EQ(-EPERM, sync_peer_recv(b, buf, len, sim.now));
	EXPECT_EQ(2u, b->c.rx_auth_fail);
	/* Malformed: a length that is not the datagram's. */
	EXPECT_EQ(-EBADMSG, sync_peer_recv(b, cap_batch, len - 1, sim.now));
	EXPECT_EQ(1u, b->c.rx_malformed);
	/* Foreign node id, validly sealed (a third router with the key). */
	memcpy(buf, cap_batch, len);
	buf[11] = 9;
	sync_wire_seal(buf, sizeof(buf), len - SYNC_TAG_LEN, sim_key);
	EXPECT_EQ(-ESRCH, sync_peer_recv(b, buf, len, sim.now));
	EXPECT_EQ(1u, b->c.rx_foreign);
	/* Reflected: the standby's own message sent back to it. */
	EXPECT_EQ(-ELOOP, sync_peer_recv(b, cap_from1, cap_from1_len, sim.now));
	EXPECT_EQ(1u, b->c.rx_looped);
	EXPECT_EQ(delivered, b->c.rx_records);

	/* Stale: the active restarts; its old session's batch is refused
	 * after the new handshake. */
	memcpy(old, cap_batch, len);
	sync_peer_free(&sim.n[0].p);
	sim.n[0].table[9] = true;
	ASSERT_EQ(0, sim_start(&sim, 0, NULL));
	sync_peer_set_role(&sim.n[0].p, SYNC_ROLE_MASTER);
	sim_run(&sim, sim.now + 5000, drained);
	ASSERT_TRUE(drained(&sim));
	delivered = b->c.rx_records;
	EXPECT_EQ(-ESTALE, sync_peer_recv(b, old, len, sim.now));
	EXPECT_EQ(1u, b->c.rx_stale);
	EXPECT_EQ(delivered, b->c.rx_records);
	/* A batch of the new session, addressed to the standby's old
	 * session once the standby restarted: stale too. */
	memcpy(buf, cap_batch, cap_batch_len);
	len = cap_batch_len;
	sync_peer_free(&sim.n[1].p);
	ASSERT_EQ(0, sim_start(&sim, 1, NULL));
	sync_peer_set_role(&sim.n[1].p, SYNC_ROLE_BACKUP);
	sim_run(&sim, sim.now + 5000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(-ESTALE, sync_peer_recv(&sim.n[1].p, buf, len, sim.now));
	EXPECT_EQ(1u, sim.n[1].p.c.rx_stale);
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	sim_free(&sim);
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ?
	       json_object_get_string(v) : "(none)";
}

/* The status in JSON: what an operator reads of each side. */
TEST(status_json)
{
	struct json_object *o, *c;
	struct sync_status st;
	uint8_t bad[SYNC_MTU_DEFAULT] = { 0 };

	ASSERT_EQ(0, sim_init(&sim, 11, NULL));
	sim_run(&sim, sim.now + 3000, drained);
	sim_set(&sim, 0, 5, true);
	sim_set(&sim, 0, 6, true);
	sim.cut = true;
	sim_run(&sim, sim.now + 100, NULL);
	sync_peer_recv(&sim.n[0].p, bad, 100, sim.now);
	sync_peer_status(&sim.n[0].p, &st);
	o = sync_status_json(&st);
	ASSERT_NE(NULL, o);
	EXPECT_STREQ("master", jstr(o, "role"));
	EXPECT_STREQ("backup", jstr(o, "peer_role"));
	EXPECT_STREQ("2", jstr(o, "peer_node_id"));
	EXPECT_STREQ("true", jstr(o, "established"));
	EXPECT_STREQ("false", jstr(o, "split_brain"));
	EXPECT_STREQ("2001", jstr(o, "peer_session"));
	EXPECT_STREQ("2", jstr(o, "backlog"));	/* the two, unacknowledged */
	EXPECT_EQ(st.last_acked + 3, sim.n[0].p.end);
	ASSERT_TRUE(json_object_object_get_ex(o, "counters", &c));
	EXPECT_STREQ("1", jstr(c, "rx_malformed"));
	EXPECT_STREQ("1", jstr(c, "resyncs_served"));
	EXPECT_STREQ("0", jstr(c, "rx_auth_fail"));
	EXPECT_EQ(26, json_object_object_length(c));
	json_object_put(o);
	sim_free(&sim);
}

TEST(bad_configuration_refused)
{
	struct sync_peer_cfg c = { .node_id = 1, .peer_node_id = 2,
				   .session = 1 };
	struct sync_peer_ops ops = sim_ops;
	struct sync_peer p;

	EXPECT_EQ(0, sync_peer_init(&p, &c, &ops, 0));
	sync_peer_free(&p);
	c.peer_node_id = 1;
	EXPECT_EQ(-EINVAL, sync_peer_init(&p, &c, &ops, 0));
	c.peer_node_id = 2;
	c.session = 0;
	EXPECT_EQ(-EINVAL, sync_peer_init(&p, &c, &ops, 0));
	c.session = 1;
	c.mtu = SYNC_MTU_MIN - 1;
	EXPECT_EQ(-EINVAL, sync_peer_init(&p, &c, &ops, 0));
	c.mtu = 0;
	c.window = 9000;
	EXPECT_EQ(-EINVAL, sync_peer_init(&p, &c, &ops, 0));
	c.window = 0;
	ops.bulk_next = NULL;
	EXPECT_EQ(-EINVAL, sync_peer_init(&p, &c, &ops, 0));
}

/*
 * An acknowledgement of records queued but never sent (the window held
 * them back) is bogus: it must not move what the sender holds as
 * delivered past what it sent.
 */
TEST(ack_beyond_what_was_sent_is_refused)
{
	struct sync_peer_cfg cfg = { .window = 4 };
	struct sync_msg m = { .h.type = SYNC_MSG_ACK };
	struct sync_peer *a = &sim.n[0].p;
	uint8_t buf[SYNC_MTU_DEFAULT];
	uint64_t una, end;
	unsigned int k;
	int n;

	ASSERT_EQ(0, sim_init(&sim, 12, &cfg));
	sim_run(&sim, sim.now + 3000, drained);
	ASSERT_TRUE(drained(&sim));
	sim.cut = true;
	for (k = 1; k <= 10; k++)
		sim_set(&sim, 0, k, true);
	sim_run(&sim, sim.now + 50, NULL);
	una = a->una;
	end = a->end;
	ASSERT_EQ(una + 4, a->nxt);	/* four sent, six held back */
	ASSERT_EQ(una + 10, end);
	/* The first one not sent, and the last one queued. */
	m.seq = una + 4;
	n = forge(&sim, 1, &m, buf, sizeof(buf));
	ASSERT_LT(0, n);
	EXPECT_EQ(0, sync_peer_recv(a, buf, (size_t)n, sim.now));
	m.seq = end - 1;
	n = forge(&sim, 1, &m, buf, sizeof(buf));
	EXPECT_EQ(0, sync_peer_recv(a, buf, (size_t)n, sim.now));
	EXPECT_EQ(2u, a->c.rx_bogus_ack);
	EXPECT_EQ(una, a->una);
	EXPECT_GT(una, a->acked);
	/* The last one sent: acknowledged. */
	m.seq = una + 3;
	n = forge(&sim, 1, &m, buf, sizeof(buf));
	EXPECT_EQ(0, sync_peer_recv(a, buf, (size_t)n, sim.now));
	EXPECT_EQ(una + 4, a->una);
	EXPECT_EQ(2u, a->c.rx_bogus_ack);
	/* Nothing was skipped: all ten arrive once the path is back. */
	sim.cut = false;
	sim_run(&sim, sim.now + 10000, drained);
	ASSERT_TRUE(drained(&sim));
	EXPECT_EQ(0u, sim_diff(&sim, 1));
	EXPECT_EQ(0u, sim.n[0].order_errors + sim.n[1].order_errors);
	sim_free(&sim);
}

/* What the stack of sync_peer_init() held: the key must not be there. */
static __attribute__((noinline)) bool key_left_on_stack(const uint8_t *key)
{
	volatile uint8_t probe[16384];
	size_t i, j;

	/* What the frame holds is read as it is, not as uninitialised. */
	__asm__ volatile("" : : "r"(probe) : "memory");
	for (i = 0; i + SYNC_KEY_LEN <= sizeof(probe); i++) {
		for (j = 0; j < SYNC_KEY_LEN && probe[i + j] == key[j]; j++)
			;
		if (j == SYNC_KEY_LEN)
			return true;
	}
	return false;
}

static __attribute__((noinline)) int init_once(struct sync_peer *p,
					       const struct sync_peer_cfg *c)
{
	return sync_peer_init(p, c, &sim_ops, 0);
}

/* The key stays in the memory it was configured into and the peer's. */
TEST(key_not_left_on_the_stack)
{
	struct sync_peer_cfg *c = calloc(1, sizeof(*c));
	struct sync_peer *p = calloc(1, sizeof(*p));
	unsigned int i;

	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, p);
	c->node_id = 1;
	c->peer_node_id = 2;
	c->session = 1;
	for (i = 0; i < SYNC_KEY_LEN; i++)
		c->key[i] = (uint8_t)(0xa5 ^ (i * 37));
	EXPECT_FALSE(key_left_on_stack(c->key));
	ASSERT_EQ(0, init_once(p, c));
	EXPECT_FALSE(key_left_on_stack(c->key));
	sync_peer_free(p);
	/* Refused configurations wipe it too. */
	c->peer_node_id = 1;
	ASSERT_EQ(-EINVAL, init_once(p, c));
	EXPECT_FALSE(key_left_on_stack(c->key));
	free(p);
	free(c);
}

TEST_HARNESS_MAIN
