/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two replication peers (sync/sync_peer.h) over an in-memory network
 * that loses, duplicates, delays and so reorders datagrams, driven by a
 * seeded PRNG and a simulated millisecond clock: every run is the same
 * run. Each node has a "table" (what its module holds: the sender's
 * side, the bulk source) and a "store" (what it installed from its peer:
 * the receiver's side), both indexed by internal port, and checks every
 * event it is handed for stream order.
 */
#ifndef SYNC_SIM_H
#define SYNC_SIM_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_peer.h"

#define SIM_PORTS	20001		/* keys: int_port 1..20000 */
#define SIM_PKTS	4096		/* datagrams in flight at most */

struct sim_node {
	struct sync_peer p;
	uint32_t node_id, peer_id;
	uint64_t session;
	/* Table: the state this node restates in a bulk. */
	bool table[SIM_PORTS];
	uint32_t table_lifetime;
	unsigned int cursor;		/* bulk walk: 0 = EPOCH next */
	/* The walk cannot go on at postpone_at, postpone times. */
	unsigned int postpone_at, postpone;
	/* Store: what was installed from the peer. */
	bool store[SIM_PORTS], confirmed[SIM_PORTS];
	struct pcpd_mapping stored[SIM_PORTS];
	bool have_epoch;
	uint32_t epoch_age;
	/* Checks of the stream handed over. */
	uint64_t last_seq;
	unsigned int order_errors, bulk_begins, bulk_ends, restarts;
	unsigned int *log;		/* int ports of non-bulk MAP records */
	unsigned int nlog;
};

struct sim_pkt {
	int to;
	int64_t at;
	uint64_t order;			/* FIFO among equal arrival times */
	size_t len;
	uint8_t data[SYNC_MTU_DEFAULT];
};

struct sim {
	int64_t now;
	uint64_t rng;
	unsigned int loss_pct, dup_pct, delay_ms, jitter_ms;
	bool cut;			/* everything is lost */
	struct sim_pkt *q;
	unsigned int nq;
	unsigned long sent, lost;
	uint64_t order;
	struct sim_node n[2];
	/* Every datagram sent, for the security tests to replay. */
	void (*tap)(struct sim *s, int from, const uint8_t *b, size_t len);
	/* A datagram the test wants lost (true: lost). */
	bool (*drop)(struct sim *s, int from, const uint8_t *b, size_t len);
	unsigned int invariant_errors;	/* acknowledged but not delivered */
};

static uint8_t sim_key[SYNC_KEY_LEN] = "pcpnat replication test key 123";

static uint32_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return (uint32_t)(s->rng >> 11);
}

static struct pcpd_mapping sim_map(unsigned int port, uint32_t lifetime)
{
	struct pcpd_mapping m;

	memset(&m, 0, sizeof(m));
	m.proto = 17;
	m.kind = PCPNAT_KIND_EXPLICIT;
	m.int_addr = htonl(0x0a000002);
	m.int_port = (uint16_t)port;
	m.ext_addr = htonl(0xc0000201);
	m.ext_port = (uint16_t)(port + 20000);
	m.lifetime = lifetime;
	m.subscriber = m.int_addr;
	memcpy(m.nonce, &port, sizeof(port));
	return m;
}

static void sim_deliver(void *arg, const struct sync_event *ev)
{
	struct sim_node *n = arg;
	const struct sync_record *r = ev->rec;
	unsigned int i, port;

	switch (ev->type) {
	case SYNC_EV_PEER_RESTART:
		n->restarts++;
		n->last_seq = 0;
		return;
	case SYNC_EV_BULK_BEGIN:
		/* A stream is adopted here: it may jump, never go back. */
		if (ev->seq <= n->last_seq)
			n->order_errors++;
		n->last_seq = ev->seq;
		n->bulk_begins++;
		memset(n->confirmed, 0, sizeof(n->confirmed));
		return;
	case SYNC_EV_BULK_END:
		if (ev->seq != n->last_seq + 1)
			n->order_errors++;
		n->last_seq = ev->seq;
		n->bulk_ends++;
		for (i = 0; i < SIM_PORTS; i++)
			if (!n->confirmed[i])
				n->store[i] = false;
		return;
	case SYNC_EV_RECORD:
		break;
	}
	if (ev->seq != n->last_seq + 1)
		n->order_errors++;
	n->last_seq = ev->seq;
	switch (r->op) {
	case SYNC_REC_MAP:
		port = r->map.int_port;
		n->store[port] = n->confirmed[port] = true;
		n->stored[port] = r->map;
		if (!(r->flags & SYNC_RECF_BULK) && n->log)
			n->log[n->nlog++] = port;
		break;
	case SYNC_REC_UNMAP:
		n->store[r->map.int_port] = false;
		n->confirmed[r->map.int_port] = true;
		break;
	case SYNC_REC_EPOCH:
		n->have_epoch = true;
		n->epoch_age = r->age;
		break;
	}
}

static void sim_bulk_restart(void *arg)
{
	((struct sim_node *)arg)->cursor = 0;
}

static int sim_bulk_next(void *arg, struct sync_record *r)
{
	struct sim_node *n = arg;

	memset(r, 0, sizeof(*r));
	if (n->cursor == 0) {
		n->cursor = 1;
		r->op = SYNC_REC_EPOCH;
		r->age = 1000;
		return 1;
	}
	while (n->cursor < SIM_PORTS && !n->table[n->cursor])
		n->cursor++;
	if (n->postpone && n->cursor >= n->postpone_at) {
		n->postpone--;
		return -EAGAIN;
	}
	if (n->cursor >= SIM_PORTS)
		return 0;
	r->op = SYNC_REC_MAP;
	r->map = sim_map(n->cursor++, n->table_lifetime);
	return 1;
}

static const struct sync_peer_ops sim_ops = {
	.deliver = sim_deliver,
	.bulk_restart = sim_bulk_restart,
	.bulk_next = sim_bulk_next,
};

/* (Re)start node i's pcpd: a new session, an empty store. */
static int sim_start(struct sim *s, int i, const struct sync_peer_cfg *base)
{
	struct sim_node *n = &s->n[i];
	struct sync_peer_ops ops = sim_ops;
	struct sync_peer_cfg c;

	if (base)
		c = *base;
	else
		memset(&c, 0, sizeof(c));
	c.node_id = n->node_id;
	c.peer_node_id = n->peer_id;
	c.session = ++n->session;
	c.seed = s->rng + (uint64_t)i;
	memcpy(c.key, sim_key, SYNC_KEY_LEN);
	ops.arg = n;
	memset(n->store, 0, sizeof(n->store));
	n->have_epoch = false;
	n->last_seq = 0;
	return sync_peer_init(&n->p, &c, &ops, s->now);
}

static int sim_init(struct sim *s, uint64_t seed,
		    const struct sync_peer_cfg *base)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed;
	s->now = 1000000;
	s->delay_ms = 1;
	s->q = calloc(SIM_PKTS, sizeof(*s->q));
	s->n[0].node_id = s->n[1].peer_id = 1;
	s->n[1].node_id = s->n[0].peer_id = 2;
	s->n[0].session = 1000;
	s->n[1].session = 2000;
	if (!s->q || sim_start(s, 0, base) || sim_start(s, 1, base))
		return -1;
	sync_peer_set_role(&s->n[0].p, SYNC_ROLE_MASTER);
	sync_peer_set_role(&s->n[1].p, SYNC_ROLE_BACKUP);
	return 0;
}

static void sim_free(struct sim *s)
{
	sync_peer_free(&s->n[0].p);
	sync_peer_free(&s->n[1].p);
	free(s->n[0].log);
	free(s->n[1].log);
	free(s->q);
}

static void sim_put(struct sim *s, int to, const uint8_t *b, size_t len)
{
	struct sim_pkt *k;

	if (s->nq == SIM_PKTS || len > sizeof(k->data)) {
		s->lost++;
		return;
	}
	k = &s->q[s->nq++];
	k->to = to;
	k->at = s->now + s->delay_ms +
		(s->jitter_ms ? sim_rand(s) % s->jitter_ms : 0);
	k->len = len;
	k->order = s->order++;
	memcpy(k->data, b, len);
}

static void sim_send(struct sim *s, int from, const uint8_t *b, size_t len)
{
	s->sent++;
	if (s->tap)
		s->tap(s, from, b, len);
	if (s->cut || sim_rand(s) % 100 < s->loss_pct ||
	    (s->drop && s->drop(s, from, b, len))) {
		s->lost++;
		return;
	}
	sim_put(s, !from, b, len);
	if (sim_rand(s) % 100 < s->dup_pct)
		sim_put(s, !from, b, len);
}

/* Node i's changes to its table, replicated as the active would. */
static int sim_set(struct sim *s, int i, unsigned int port, bool present)
{
	struct sim_node *n = &s->n[i];
	struct sync_record r;

	memset(&r, 0, sizeof(r));
	n->table[port] = present;
	r.op = present ? SYNC_REC_MAP : SYNC_REC_UNMAP;
	r.map = sim_map(port, n->table_lifetime);
	return sync_peer_enqueue(&n->p, &r, s->now);
}

static void sim_step(struct sim *s)
{
	uint8_t buf[SYNC_MTU_DEFAULT];
	unsigned int k, guard;
	int i, len;

	/* Every datagram due, in arrival order. */
	for (;;) {
		unsigned int best = s->nq;
		struct sim_pkt pkt;

		for (k = 0; k < s->nq; k++)
			if (s->q[k].at <= s->now &&
			    (best == s->nq || s->q[k].at < s->q[best].at ||
			     (s->q[k].at == s->q[best].at &&
			      s->q[k].order < s->q[best].order)))
				best = k;
		if (best == s->nq)
			break;
		pkt = s->q[best];
		s->q[best] = s->q[--s->nq];
		sync_peer_recv(&s->n[pkt.to].p, pkt.data, pkt.len, s->now);
	}
	for (i = 0; i < 2; i++)
		for (guard = 0; guard < 100000; guard++) {
			len = sync_peer_output(&s->n[i].p, buf, sizeof(buf),
					       s->now);
			if (len <= 0)
				break;
			sim_send(s, i, buf, (size_t)len);
		}
	/* What the sender holds as acknowledged, the receiver delivered
	 * (same sessions: a restart starts a new stream). */
	for (i = 0; i < 2; i++) {
		const struct sync_peer *tx = &s->n[i].p;
		const struct sync_peer *rx = &s->n[!i].p;

		if (tx->peer_session == rx->cfg.session &&
		    rx->peer_session == tx->cfg.session &&
		    tx->acked > s->n[!i].last_seq)
			s->invariant_errors++;
	}
}

/* Run until `until` (ms of simulated time) or until done(s) holds. */
static void sim_run(struct sim *s, int64_t until, bool (*done)(struct sim *))
{
	int64_t next;
	unsigned int k;

	while (s->now < until) {
		sim_step(s);
		if (done && done(s))
			return;
		next = sync_peer_next_event(&s->n[0].p, s->now);
		if (sync_peer_next_event(&s->n[1].p, s->now) < next)
			next = sync_peer_next_event(&s->n[1].p, s->now);
		for (k = 0; k < s->nq; k++)
			if (s->q[k].at < next)
				next = s->q[k].at;
		s->now = next > s->now ? next : s->now + 1;
	}
}

/* Node i's store equals its peer's table. */
static unsigned int sim_diff(const struct sim *s, int i)
{
	unsigned int k, d = 0;

	for (k = 1; k < SIM_PORTS; k++)
		d += s->n[i].store[k] != s->n[!i].table[k];
	return d;
}

#endif /* SYNC_SIM_H */
