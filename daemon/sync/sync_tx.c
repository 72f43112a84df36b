// SPDX-License-Identifier: GPL-2.0
/*
 * Sending side of a replication peer: the queue of records not yet
 * acknowledged, the send window, cumulative acknowledgements, the
 * retransmission timer (go-back-N, doubling up to rto_max, reset by
 * progress), fast retransmission of the one message at the gap after
 * three duplicate acknowledgements and at each partial acknowledgement
 * (RFC 5681 §3.2, RFC 6582 §3.2),
 * batching into MTU-sized messages, and bulk resynchronisation pulled
 * from the embedder's state as the queue drains.
 */
#include <errno.h>
#include <stdint.h>

#include "sync/sync_int.h"

static int64_t jittered(struct sync_peer *p, int64_t rto)
{
	/* xorshift64*: enough to keep two routers' timers apart. */
	uint64_t x = p->prng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->prng = x;
	x *= 0x2545f4914f6cdd1dull;
	/* rto - 1/8 .. rto + 1/8 */
	return rto - rto / 8 + (int64_t)((x >> 33) % (uint64_t)(rto / 4 + 1));
}

static struct sync_entry *append(struct sync_peer *p, uint8_t type,
				 int64_t now)
{
	struct sync_entry *e = sync_ent(p, p->end++);

	e->type = type;
	e->rid = 0;
	e->count = 0;
	e->at = now;
	return e;
}

/* The answer to a restatement request served last, or 0. */
static uint32_t current_rid(const struct sync_peer *p)
{
	return p->served_any && p->served_session == p->peer_session ?
	       p->served_rid : 0;
}

/* A BULK_BEGIN at the end of the stream: the walk starts over. */
static void begin_bulk(struct sync_peer *p, uint32_t rid, int64_t now)
{
	p->bulk_active = true;
	p->bulk_again = false;
	p->bulk_rid = rid;
	p->bulk_count = 0;
	p->bulk_retry_at = 0;
	p->bulk_retries = 0;
	p->c.resyncs_served++;
	p->ops.bulk_restart(p->ops.arg);
	append(p, SYNC_MSG_BULK_BEGIN, now)->rid = rid;
}

/*
 * Drop everything kept and restate the whole state. The receiver learns
 * from tx_base that the records it misses are gone, and adopts the
 * stream at the BULK_BEGIN.
 */
static void start_bulk(struct sync_peer *p, uint32_t rid, int64_t now)
{
	p->una = p->nxt = p->sent_end = p->end;
	p->rto = p->cfg.rto_min_ms;
	p->rto_deadline = 0;
	p->dupacks = 0;
	p->retx_una = false;
	p->recover = 0;
	begin_bulk(p, rid, now);
}

/*
 * The state changed in ways the stream will not carry. Without a bulk
 * under way, one starts now over a dropped queue. With one under way,
 * starting over would drop what is in flight and, under a load that
 * keeps the queue full, restart the walk at every overflow: a bulk that
 * never ends. Its walk still restates what lies ahead of its cursor;
 * what changed behind it is restated by one more bulk, begun right
 * after this one's BULK_END without dropping anything. Once the changes
 * stop, at most these two bulks restate the whole state.
 */
static void restate(struct sync_peer *p, int64_t now)
{
	if (p->bulk_active)
		p->bulk_again = true;
	else
		start_bulk(p, current_rid(p), now);
}

int sync_peer_enqueue(struct sync_peer *p, const struct sync_record *r,
		      int64_t now)
{
	uint8_t scratch[SYNC_REC_MAX_LEN];

	if (sync_rec_encode(scratch, sizeof(scratch), r) < 0)
		return -EINVAL;
	/* A full queue: a bulk restates this record's effect. */
	if (p->end - p->una >= p->cfg.queue - 1) {
		p->c.overflows++;
		restate(p, now);
		if (p->end - p->una >= p->cfg.queue - 1)
			return 0;	/* dropped: the next bulk has it */
	}
	append(p, SYNC_MSG_BATCH, now)->rec = *r;
	return 0;
}

void sync_peer_restate(struct sync_peer *p, int64_t now)
{
	p->c.restates++;
	restate(p, now);
}

/*
 * The next retry of a bulk source that could not go on: from rto_min,
 * doubled at each consecutive failure, at most rto_max apart.
 */
static void bulk_postpone(struct sync_peer *p, int64_t now)
{
	int64_t d = p->cfg.rto_min_ms;
	unsigned int i;

	for (i = 0; i < p->bulk_retries && d < p->cfg.rto_max_ms; i++)
		d *= 2;
	if (d > p->cfg.rto_max_ms)
		d = p->cfg.rto_max_ms;
	if (p->bulk_retries < 32)
		p->bulk_retries++;
	p->bulk_retry_at = now + d;
	p->c.bulk_postponed++;
}

/* Pull bulk records while at most half the queue is used. */
static void pump_bulk(struct sync_peer *p, int64_t now)
{
	struct sync_record r;
	int rc;

	if (now < p->bulk_retry_at)
		return;
	while (p->bulk_active && p->end - p->una < p->cfg.queue / 2) {
		rc = p->ops.bulk_next(p->ops.arg, &r);
		if (rc < 0) {
			/* Not the end: the source cannot go on yet. */
			bulk_postpone(p, now);
			break;
		}
		p->bulk_retries = 0;
		if (rc == 0) {
			struct sync_entry *e = append(p, SYNC_MSG_BULK_END, now);

			e->rid = p->bulk_rid;
			e->count = p->bulk_count;
			p->bulk_active = false;
			if (!p->bulk_again)
				break;
			/* Changes its walk may have passed: once more. */
			begin_bulk(p, current_rid(p), now);
			continue;
		}
		r.flags |= SYNC_RECF_BULK;
		if (sync_peer_enqueue(p, &r, now) == 0)
			p->bulk_count++;
	}
}

void sync_tx_on_ack(struct sync_peer *p, uint64_t cum, int64_t now)
{
	if (cum >= p->sent_end) {
		p->c.rx_bogus_ack++;
		return;
	}
	if (cum > p->acked)
		p->acked = cum;
	if (cum + 1 > p->una) {
		p->una = cum + 1;
		if (p->nxt < p->una)
			p->nxt = p->una;
		p->rto = p->cfg.rto_min_ms;
		p->dupacks = 0;
		p->rto_deadline = p->nxt > p->una ? now + jittered(p, p->rto) : 0;
		/* Partial: another loss inside what was in flight. */
		if (p->una < p->recover) {
			p->retx_una = true;
			p->c.fast_retransmits++;
		} else {
			p->recover = 0;
		}
		return;
	}
	/* The same acknowledgement again while more is in flight: the
	 * receiver holds what came after a loss. */
	if (cum + 1 == p->una && p->nxt > p->una && ++p->dupacks >= 3 &&
	    !p->recover) {
		p->recover = p->nxt;
		p->retx_una = true;
		p->dupacks = 0;
		p->c.fast_retransmits++;
	}
}

void sync_tx_on_resync(struct sync_peer *p, uint32_t rid)
{
	/* A request repeated while its bulk is under way restarts nothing. */
	if (p->served_any && p->served_session == p->peer_session &&
	    p->served_rid == rid)
		return;
	p->served_any = true;
	p->served_session = p->peer_session;
	p->served_rid = rid;
	start_bulk(p, rid, p->last_rx);
}

static unsigned int mtu(const struct sync_peer *p, size_t cap)
{
	unsigned int m = p->cfg.mtu;

	if (p->peer_mtu && p->peer_mtu < m)
		m = p->peer_mtu;
	return cap < m ? (unsigned int)cap : m;
}

static bool window_open(const struct sync_peer *p)
{
	return p->nxt < p->end && p->nxt - p->una < p->cfg.window;
}

/* A record as it stands now: lifetimes run down, ages grow. */
static void aged(const struct sync_entry *e, int64_t now,
		 struct sync_record *r)
{
	uint32_t s = now > e->at ? (uint32_t)((now - e->at) / 1000) : 0;

	*r = e->rec;
	switch (r->op) {
	case SYNC_REC_MAP:
		r->map.lifetime = r->map.lifetime > s ? r->map.lifetime - s : 0;
		r->map.idle = r->map.idle > UINT32_MAX - s ? UINT32_MAX :
			      r->map.idle + s;
		break;
	case SYNC_REC_EPOCH:
	case SYNC_REC_SUB_RESET:
		r->age = r->age > UINT32_MAX - s ? UINT32_MAX : r->age + s;
		break;
	}
}

/* The message starting at *pos: a marker, or records up to the MTU. */
static int build_at(struct sync_peer *p, uint64_t *pos, uint8_t *buf,
		    size_t cap, int64_t now)
{
	const struct sync_entry *e = sync_ent(p, *pos);
	struct sync_msg m = { .seq = *pos, .tx_base = p->una,
			      .rid = e->rid, .value = e->count };
	struct sync_record r;
	size_t len;
	int n;

	sync_hdr(p, &m.h, e->type);
	n = sync_wire_build(buf, cap, &m);
	if (n < 0 || e->type != SYNC_MSG_BATCH) {
		(*pos)++;
		return n;
	}
	len = (size_t)n;
	while (*pos < p->end && *pos - p->una < p->cfg.window &&
	       sync_ent(p, *pos)->type == SYNC_MSG_BATCH) {
		aged(sync_ent(p, *pos), now, &r);
		if (sync_wire_batch_add(buf, cap, &len, &r) < 0)
			break;
		(*pos)++;
		p->c.tx_records++;
	}
	p->c.tx_batches++;
	return (int)len;
}

int sync_tx_output(struct sync_peer *p, uint8_t *buf, size_t cap,
		   int64_t now)
{
	uint64_t pos;
	int n;

	if (p->rto_deadline && now >= p->rto_deadline) {
		p->rto_deadline = 0;
		p->retx_una = false;
		p->recover = 0;
		if (p->nxt > p->una) {
			p->nxt = p->una;
			p->rto = p->rto * 2 < p->cfg.rto_max_ms ? p->rto * 2 :
				 p->cfg.rto_max_ms;
			p->c.retransmits++;
		}
	}
	pump_bulk(p, now);
	cap = mtu(p, cap);
	if (p->retx_una && p->una < p->nxt) {
		pos = p->una;
		p->retx_una = false;
		n = build_at(p, &pos, buf, cap, now);
	} else if (window_open(p)) {
		p->retx_una = false;
		n = build_at(p, &p->nxt, buf, cap, now);
		pos = p->nxt;
	} else {
		return 0;
	}
	if (n < 0)
		return n;
	if (pos > p->sent_end)
		p->sent_end = pos;
	if (!p->rto_deadline)
		p->rto_deadline = now + jittered(p, p->rto);
	return sync_send(p, buf, cap, (size_t)n, now);
}

int64_t sync_tx_next_event(const struct sync_peer *p, int64_t now)
{
	int64_t t = p->rto_deadline ? p->rto_deadline : INT64_MAX;

	if (window_open(p) || (p->retx_una && p->una < p->nxt))
		return now;
	if (p->bulk_active && p->end - p->una < p->cfg.queue / 2)
		return p->bulk_retry_at > now ?
		       (p->bulk_retry_at < t ? p->bulk_retry_at : t) : now;
	return t;
}
