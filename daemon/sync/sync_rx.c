// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving side of a replication peer: in-order, exactly-once delivery
 * of the sender's stream. What lies past a gap is held (up to
 * SYNC_RX_HOLD messages, else dropped: the sender's timer sends it again)
 * and acknowledged again at once, so that duplicate acknowledgements make
 * the sender repair the gap before its timer would; once it is repaired
 * the held messages are delivered. A receiver that has no stream at all
 * asks for a bulk and adopts the stream at that bulk's BULK_BEGIN; one
 * whose next record the sender no longer keeps (tx_base above it: the
 * sender's queue overflowed) adopts the stream at the BULK_BEGIN at that
 * tx base, waiting for it if later messages come first.
 */
#include <string.h>

#include "sync/sync_int.h"

static void deliver(struct sync_peer *p, enum sync_event_type type,
		    const struct sync_record *r, uint64_t seq)
{
	struct sync_event ev = { .type = type, .rec = r, .seq = seq };

	p->ops.deliver(p->ops.arg, &ev);
}

static void hold(struct sync_peer *p, const struct sync_msg *m,
		 const uint8_t *buf, size_t len)
{
	struct sync_held *h = NULL;
	unsigned int i;

	if (!buf || len > p->cfg.mtu)
		return;
	for (i = 0; i < SYNC_RX_HOLD; i++) {
		if (!p->held[i].used)
			h = h ? h : &p->held[i];
		else if (p->held[i].m.seq == m->seq)
			return;		/* held already */
	}
	if (!h)
		return;
	memcpy(h->data, buf, len);
	h->m = *m;
	if (m->records)
		h->m.records = h->data + (m->records - buf);
	h->used = true;
}

void sync_rx_want_bulk(struct sync_peer *p, uint32_t reason, int64_t now)
{
	unsigned int i;

	for (i = 0; i < SYNC_RX_HOLD; i++)
		p->held[i].used = false;
	p->rx_synced = false;
	p->rx_in_bulk = false;
	p->rx_rid++;
	p->rx_reason = reason;
	p->resync_next = now;
	p->ack_due = false;
	p->c.resyncs_requested++;
}

/*
 * Where m stands against the next seq we deliver: true when in order.
 * A tx base above rx_next needs no bulk of ours: within a session only a
 * bulk moves the sender's tx base past what we acknowledged, so the
 * BULK_BEGIN at that tx base is what we miss; m is held like anything
 * past a gap, and our repeated acknowledgement has the BULK_BEGIN sent
 * again at once (it is the oldest unacknowledged message), which
 * rx_bulk_begin() adopts. Only if the message at the tx base itself is
 * no BULK_BEGIN is the stream beyond repair: then we ask for a bulk.
 */
static bool in_order(struct sync_peer *p, const struct sync_msg *m,
		     uint64_t last, const uint8_t *buf, size_t len, int64_t now)
{
	if (m->tx_base > p->rx_next && m->seq == m->tx_base &&
	    m->h.type != SYNC_MSG_BULK_BEGIN) {
		sync_rx_want_bulk(p, SYNC_RESYNC_BEHIND, now);
		return false;
	}
	p->ack_due = true;
	if (m->seq > p->rx_next) {
		p->c.rx_out_of_order++;
		hold(p, m, buf, len);
		return false;
	}
	if (last < p->rx_next) {
		p->c.rx_duplicate++;
		return false;
	}
	return true;
}

static void rx_batch(struct sync_peer *p, const struct sync_msg *m,
		     const uint8_t *buf, size_t len, int64_t now)
{
	struct sync_record r;
	uint64_t seq = m->seq;
	size_t off = 0;

	if (!in_order(p, m, m->seq + m->count - 1, buf, len, now))
		return;
	while (sync_wire_next_record(m, &off, &r)) {
		if (seq++ < p->rx_next)
			continue;	/* the part delivered before */
		if (p->rx_in_bulk && r.flags & SYNC_RECF_BULK)
			p->rx_bulk_count++;
		p->rx_next = seq;
		p->c.rx_records++;
		deliver(p, SYNC_EV_RECORD, &r, seq - 1);
	}
}

static void rx_bulk_begin(struct sync_peer *p, const struct sync_msg *m,
			  const uint8_t *buf, size_t len, int64_t now)
{
	/*
	 * Adopt the stream here when waiting for the bulk we asked for
	 * (an older one could be gone from the sender already), or when
	 * the sender dropped what came before it (tx_base == seq).
	 */
	if ((!p->rx_synced && m->rid == p->rx_rid) ||
	    (p->rx_synced && m->seq > p->rx_next && m->tx_base == m->seq)) {
		p->rx_synced = true;
		p->rx_next = m->seq;
	}
	if (!p->rx_synced) {
		p->c.rx_out_of_order++;	/* a bulk we no longer wait for */
		return;
	}
	if (!in_order(p, m, m->seq, buf, len, now))
		return;
	p->rx_next++;
	p->rx_in_bulk = true;
	p->rx_bulk_count = 0;
	deliver(p, SYNC_EV_BULK_BEGIN, NULL, m->seq);
}

static void rx_bulk_end(struct sync_peer *p, const struct sync_msg *m,
			const uint8_t *buf, size_t len, int64_t now)
{
	if (!p->rx_synced || !in_order(p, m, m->seq, buf, len, now))
		return;
	if (!p->rx_in_bulk || m->value != p->rx_bulk_count) {
		/* Something was lost that the stream did not show: never
		 * drop state on an incomplete restatement. */
		p->c.bulk_mismatch++;
		sync_rx_want_bulk(p, SYNC_RESYNC_MISMATCH, now);
		return;
	}
	p->rx_next++;
	p->rx_in_bulk = false;
	deliver(p, SYNC_EV_BULK_END, NULL, m->seq);
}

/* One message; buf NULL: one held before, never held again. */
static void stream_one(struct sync_peer *p, const struct sync_msg *m,
		       const uint8_t *buf, size_t len, int64_t now)
{
	switch (m->h.type) {
	case SYNC_MSG_BATCH:
		if (p->rx_synced)
			rx_batch(p, m, buf, len, now);
		else
			p->c.rx_out_of_order++;
		break;
	case SYNC_MSG_BULK_BEGIN:
		rx_bulk_begin(p, m, buf, len, now);
		break;
	case SYNC_MSG_BULK_END:
		rx_bulk_end(p, m, buf, len, now);
		break;
	case SYNC_MSG_HEARTBEAT:
		/* Its tail, or the BULK_BEGIN at its tx base, was lost:
		 * acknowledging again has it sent again. */
		if (p->rx_synced && m->seq > p->rx_next)
			p->ack_due = true;
		break;
	}
}

void sync_rx_stream(struct sync_peer *p, const struct sync_msg *m,
		    const uint8_t *buf, size_t len, int64_t now)
{
	bool progress = true;
	unsigned int i;

	stream_one(p, m, buf, len, now);
	/* Whatever the gap held back that now follows in order. */
	while (progress && p->rx_synced) {
		progress = false;
		for (i = 0; i < SYNC_RX_HOLD; i++) {
			struct sync_held *h = &p->held[i];

			if (!h->used || h->m.seq > p->rx_next)
				continue;
			h->used = false;
			stream_one(p, &h->m, NULL, 0, now);
			progress = true;
		}
	}
}
