// SPDX-License-Identifier: GPL-2.0
/*
 * A replication peer (sync_peer.h): configuration, the session handshake,
 * the checks every received message passes before it changes anything,
 * roles and split brain, and the order in which due messages go out.
 *
 * Handshake: each side's session grows at every start. A HELLO tells the
 * peer our session and echoes the one we hold of it; a side is
 * established once it receives a HELLO echoing its own current session,
 * and from then accepts other messages only if they carry the peer's
 * session and echo ours, with a message counter above the one of that
 * HELLO and not seen before (sync_replay.h). A message recorded before
 * either side restarted therefore never passes: it names a session that
 * is over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync/sync_int.h"

#define DEF(v, d) ((v) ? (v) : (d))

/* c: a copy of the configuration with the defaults filled in. */
static int init_from(struct sync_peer *p, struct sync_peer_cfg *c,
		     const struct sync_peer_ops *ops, int64_t now)
{
	unsigned int i;

	c->mtu = DEF(c->mtu, SYNC_MTU_DEFAULT);
	c->window = DEF(c->window, 1024);
	c->queue = DEF(c->queue, 16384);
	c->rto_min_ms = DEF(c->rto_min_ms, 200);
	c->rto_max_ms = DEF(c->rto_max_ms, 5000);
	c->hello_ms = DEF(c->hello_ms, 1000);
	c->heartbeat_ms = DEF(c->heartbeat_ms, 1000);
	c->dead_ms = DEF(c->dead_ms, 3 * c->heartbeat_ms);
	if (!c->node_id || !c->peer_node_id || c->node_id == c->peer_node_id ||
	    !c->session || c->mtu < SYNC_MTU_MIN || c->mtu > SYNC_MSG_MAX ||
	    c->queue < 4 || c->window > c->queue / 2 || c->rto_min_ms < 1 ||
	    c->rto_max_ms < c->rto_min_ms || c->hello_ms < 4 ||
	    c->heartbeat_ms < 1 || c->dead_ms < c->heartbeat_ms ||
	    !ops->deliver || !ops->bulk_restart || !ops->bulk_next)
		return -EINVAL;
	if (sodium_init() < 0)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	p->ring = calloc(c->queue, sizeof(*p->ring));
	p->held_mem = malloc((size_t)SYNC_RX_HOLD * c->mtu);
	if (!p->ring || !p->held_mem) {
		free(p->ring);
		free(p->held_mem);
		return -ENOMEM;
	}
	for (i = 0; i < SYNC_RX_HOLD; i++)
		p->held[i].data = p->held_mem + (size_t)i * c->mtu;
	p->cfg = *c;
	p->ops = *ops;
	p->prng = c->seed | 1;
	p->una = p->nxt = p->end = p->sent_end = 1;
	p->rto = c->rto_min_ms;
	p->hello_next = now;
	p->last_tx = now;
	/* Nothing received yet: the first bulk is asked for once
	 * established (and not MASTER). */
	sync_rx_want_bulk(p, SYNC_RESYNC_START, now);
	return 0;
}

int sync_peer_init(struct sync_peer *p, const struct sync_peer_cfg *cfg,
		   const struct sync_peer_ops *ops, int64_t now)
{
	struct sync_peer_cfg c = *cfg;
	int rc = init_from(p, &c, ops, now);

	/* The key stays only where it was configured and in p->cfg. */
	sodium_memzero(&c, sizeof(c));
	return rc;
}

void sync_peer_free(struct sync_peer *p)
{
	free(p->ring);
	free(p->held_mem);
	p->ring = NULL;
	p->held_mem = NULL;
	sodium_memzero(p->cfg.key, sizeof(p->cfg.key));
}

static void check_split_brain(struct sync_peer *p)
{
	bool both = p->role == SYNC_ROLE_MASTER &&
		    p->peer_role == SYNC_ROLE_MASTER && p->alive;

	if (both && !p->split_brain)
		p->c.split_brain++;
	p->split_brain = both;
}

void sync_peer_set_role(struct sync_peer *p, enum sync_role role)
{
	/* The old active's module may hold what the new one never had. */
	if (role == SYNC_ROLE_BACKUP && p->role == SYNC_ROLE_MASTER)
		sync_rx_want_bulk(p, SYNC_RESYNC_ASKED, p->last_tx);
	p->role = role;
	check_split_brain(p);
}

void sync_peer_request_resync(struct sync_peer *p, int64_t now)
{
	sync_rx_want_bulk(p, SYNC_RESYNC_ASKED, now);
}

void sync_hdr(struct sync_peer *p, struct sync_hdr *h, uint8_t type)
{
	h->type = type;
	h->role = p->role;
	h->node_id = p->cfg.node_id;
	h->session = p->cfg.session;
	h->dst_session = p->peer_session;
	h->counter = ++p->tx_counter;
}

int sync_send(struct sync_peer *p, uint8_t *buf, size_t cap, size_t len,
	      int64_t now)
{
	int n = sync_wire_seal(buf, cap, len, p->cfg.key);

	if (n > 0) {
		p->c.tx_msgs++;
		p->last_tx = now;
	}
	return n;
}

/* A message passed every check: the peer is there. */
static void heard(struct sync_peer *p, const struct sync_msg *m, int64_t now)
{
	p->c.rx_msgs++;
	p->last_rx = now;
	p->alive = true;
	p->peer_role = m->h.role;
	check_split_brain(p);
}

static void new_peer_session(struct sync_peer *p, uint64_t session,
			     int64_t now)
{
	struct sync_event ev = { .type = SYNC_EV_PEER_RESTART };

	if (p->peer_session) {
		p->c.peer_restarts++;
		p->ops.deliver(p->ops.arg, &ev);
	}
	p->peer_session = session;
	p->acked = 0;
	p->established = false;
	p->peer_mtu = 0;
	/* Its stream starts anew: ours to it is restated on its request. */
	sync_rx_want_bulk(p, SYNC_RESYNC_START, now);
}

static void answer_hello(struct sync_peer *p)
{
	int64_t soonest = p->last_hello + p->cfg.hello_ms / 4;

	p->hello_reply = true;
	if (p->hello_next > soonest)
		p->hello_next = soonest;
}

static int rx_hello(struct sync_peer *p, const struct sync_msg *m,
		    int64_t now)
{
	if (m->h.session > p->peer_session)
		new_peer_session(p, m->h.session, now);
	if (m->h.dst_session != p->cfg.session) {
		/* It does not hold our session yet: tell it. */
		answer_hello(p);
		if (p->established) {
			p->c.rx_stale++;
			return -ESTALE;
		}
		return 0;
	}
	if (!p->established) {
		p->established = true;
		sync_replay_reset(&p->replay, m->h.counter);
	} else if (!sync_replay_check(&p->replay, m->h.counter)) {
		p->c.rx_replay++;
		return -EALREADY;
	} else {
		sync_replay_update(&p->replay, m->h.counter);
	}
	p->peer_mtu = m->value;
	if (!(m->flags & SYNC_HELLO_F_ESTABLISHED))
		answer_hello(p);
	heard(p, m, now);
	return 0;
}

int sync_peer_recv(struct sync_peer *p, const uint8_t *buf, size_t len,
		   int64_t now)
{
	struct sync_msg m;
	int rc = sync_wire_parse(buf, len, p->cfg.key, &m);

	if (rc == -EPERM) {
		p->c.rx_auth_fail++;
		return rc;
	}
	if (rc) {
		p->c.rx_malformed++;
		return -EBADMSG;
	}
	if (m.h.node_id == p->cfg.node_id) {
		p->c.rx_looped++;
		return -ELOOP;
	}
	if (m.h.node_id != p->cfg.peer_node_id) {
		p->c.rx_foreign++;
		return -ESRCH;
	}
	if (m.h.session < p->peer_session) {
		p->c.rx_stale++;
		return -ESTALE;
	}
	if (m.h.type == SYNC_MSG_HELLO)
		return rx_hello(p, &m, now);
	if (m.h.session > p->peer_session || !p->established) {
		/* A session we have no HELLO of yet, or no handshake. */
		p->c.rx_unestablished++;
		return -ENOTCONN;
	}
	if (m.h.dst_session != p->cfg.session) {
		p->c.rx_stale++;
		return -ESTALE;
	}
	if (!sync_replay_check(&p->replay, m.h.counter)) {
		p->c.rx_replay++;
		return -EALREADY;
	}
	sync_replay_update(&p->replay, m.h.counter);
	heard(p, &m, now);
	switch (m.h.type) {
	case SYNC_MSG_ACK:
		sync_tx_on_ack(p, m.seq, now);
		break;
	case SYNC_MSG_RESYNC:
		sync_tx_on_resync(p, m.rid);
		break;
	default:
		sync_rx_stream(p, &m, buf, len, now);
		break;
	}
	return 0;
}

static int out_hello(struct sync_peer *p, uint8_t *buf, size_t cap,
		     int64_t now)
{
	struct sync_msg m = { .value = p->cfg.mtu };

	sync_hdr(p, &m.h, SYNC_MSG_HELLO);
	if (p->established)
		m.flags = SYNC_HELLO_F_ESTABLISHED;
	p->hello_reply = false;
	p->last_hello = now;
	p->hello_next = now + p->cfg.hello_ms;
	return sync_wire_build(buf, cap, &m);
}

static bool wants_bulk(const struct sync_peer *p)
{
	return !p->rx_synced && p->role != SYNC_ROLE_MASTER;
}

static void check_alive(struct sync_peer *p, int64_t now)
{
	if (p->alive && now - p->last_rx >= p->cfg.dead_ms) {
		p->alive = false;
		p->c.peer_down++;
		check_split_brain(p);
	}
}

int sync_peer_output(struct sync_peer *p, uint8_t *buf, size_t cap,
		     int64_t now)
{
	struct sync_msg m = { 0 };
	int n;

	check_alive(p, now);
	if (cap > p->cfg.mtu)
		cap = p->cfg.mtu;
	if ((!p->established || p->hello_reply) && now >= p->hello_next)
		n = out_hello(p, buf, cap, now);
	else if (!p->established)
		return 0;
	else if (wants_bulk(p) && now >= p->resync_next) {
		m.rid = p->rx_rid;
		m.value = p->rx_reason;
		sync_hdr(p, &m.h, SYNC_MSG_RESYNC);
		p->resync_next = now + p->cfg.hello_ms;
		n = sync_wire_build(buf, cap, &m);
	} else if (p->ack_due && p->rx_synced) {
		m.seq = p->rx_next - 1;
		sync_hdr(p, &m.h, SYNC_MSG_ACK);
		p->ack_due = false;
		n = sync_wire_build(buf, cap, &m);
	} else if ((n = sync_tx_output(p, buf, cap, now)) != 0) {
		return n;	/* sealed already */
	} else if (now - p->last_tx >= p->cfg.heartbeat_ms) {
		m.seq = p->end;
		m.tx_base = p->una;
		sync_hdr(p, &m.h, SYNC_MSG_HEARTBEAT);
		n = sync_wire_build(buf, cap, &m);
	} else {
		return 0;
	}
	return n < 0 ? n : sync_send(p, buf, cap, (size_t)n, now);
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t sync_peer_next_event(const struct sync_peer *p, int64_t now)
{
	int64_t t = INT64_MAX;

	if (!p->established || p->hello_reply)
		t = p->hello_next;
	if (p->alive)
		t = min64(t, p->last_rx + p->cfg.dead_ms);
	if (p->established) {
		if (wants_bulk(p))
			t = min64(t, p->resync_next);
		if (p->ack_due && p->rx_synced)
			t = now;
		t = min64(t, sync_tx_next_event(p, now));
		t = min64(t, p->last_tx + p->cfg.heartbeat_ms);
	}
	return t < now ? now : t;
}

void sync_peer_status(const struct sync_peer *p, struct sync_status *st)
{
	memset(st, 0, sizeof(*st));
	st->role = p->role;
	st->peer_role = p->peer_role;
	st->established = p->established;
	st->alive = p->alive;
	st->split_brain = p->split_brain;
	st->rx_synced = p->rx_synced;
	st->bulk_active = p->bulk_active;
	st->peer_node_id = p->cfg.peer_node_id;
	st->session = p->cfg.session;
	st->peer_session = p->peer_session;
	st->last_acked = p->acked;
	st->backlog = p->end - p->una;
	st->rx_delivered = p->rx_synced ? p->rx_next - 1 : 0;
	st->c = p->c;
}
