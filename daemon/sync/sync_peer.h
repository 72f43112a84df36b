/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One replication peer: the reliable, authenticated stream of mapping
 * records from the active router's pcpd to the standby's
 * (draft-boucadair-pcp-failure §3.3), as a state machine without I/O.
 * The embedder feeds it datagrams (sync_peer_recv), asks it for the
 * datagrams to send (sync_peer_output) and for when to ask again
 * (sync_peer_next_event); the current time (milliseconds of a monotonic
 * clock) and the PRNG seed come in as arguments, so a test can run two
 * peers over a simulated network. Documentation/pcpd-sync.md has the
 * design.
 *
 * Both directions are symmetric; in practice the active enqueues records
 * and the standby receives and acknowledges them.
 *
 * Stream: every record and every BULK marker has a sequence number (u64,
 * from 1, per sender session). The receiver delivers in order, exactly
 * once, and acknowledges cumulatively; the sender keeps what is not yet
 * acknowledged and sends it again: all of it (go-back-N) when its
 * retransmission timer expires (doubling up to rto_max); the one message
 * at the gap after three duplicate acknowledgements, and again at each
 * partial acknowledgement until the loss is repaired (fast retransmit and
 * NewReno's recovery, RFC 5681 §3.2, RFC 6582 §3.2). The receiver holds
 * up to SYNC_RX_HOLD messages past a gap and delivers them once it fills. A receiver without a stream (just started, peer
 * restarted, fell behind what the sender still keeps) asks for a bulk
 * resynchronisation: the sender then drops its queue and restates its
 * whole state, pulled from a source the embedder supplies, between a
 * BULK_BEGIN and a BULK_END; the receiver forgets, at BULK_END, whatever
 * the bulk did not restate.
 */
#ifndef SYNC_PEER_H
#define SYNC_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync/sync_replay.h"
#include "sync/sync_wire.h"

/* What the receiving side hands the embedder, in stream order. */
enum sync_event_type {
	SYNC_EV_RECORD		= 1,	/* rec: install or remove */
	SYNC_EV_BULK_BEGIN	= 2,	/* a restatement of everything starts */
	SYNC_EV_BULK_END	= 3,	/* drop what the bulk did not restate */
	SYNC_EV_PEER_RESTART	= 4,	/* new peer session: stream lost */
};

struct sync_event {
	enum sync_event_type type;
	const struct sync_record *rec;	/* SYNC_EV_RECORD */
	uint64_t seq;			/* stream position (0: none) */
};

struct sync_peer_ops {
	/* Receiving side: one event, in stream order, exactly once. */
	void (*deliver)(void *arg, const struct sync_event *ev);
	/*
	 * Sending side, bulk source: restart the walk of the whole state
	 * (EPOCH first, then SUB_RESETs, then every mapping), then return 1
	 * with the next record, 0 at the end, or -errno when it cannot go
	 * on yet (its table cannot be read now): called again later, from
	 * rto_min_ms doubled up to rto_max_ms apart, and the bulk does not
	 * end. Called as the send window opens, never more than half the
	 * queue ahead.
	 */
	void (*bulk_restart)(void *arg);
	int (*bulk_next)(void *arg, struct sync_record *r);
	void *arg;
};

struct sync_peer_cfg {
	uint32_t node_id, peer_node_id;	/* distinct, non-zero */
	/* Ours: must grow at every start of pcpd (boot counter kept in the
	 * state directory, or clock nanoseconds): a peer refuses a session
	 * lower than one it accepted as stale. */
	uint64_t session;
	uint8_t key[SYNC_KEY_LEN];
	uint64_t seed;			/* retransmission-timer jitter */
	unsigned int mtu;		/* largest datagram sent; 0: default */
	unsigned int window;		/* records in flight, <= queue / 2; 0: 1024 */
	unsigned int queue;		/* records kept; 0: 16384 */
	int64_t rto_min_ms, rto_max_ms;	/* 0: 200, 5000 */
	int64_t hello_ms;		/* HELLO/RESYNC repetition; 0: 1000 */
	int64_t heartbeat_ms;		/* 0: 1000 */
	int64_t dead_ms;		/* peer down after; 0: 3 x heartbeat */
};

struct sync_counters {
	uint64_t tx_msgs, tx_batches, tx_records;
	uint64_t rx_msgs, rx_records;
	uint64_t rx_malformed;		/* strict parse refused it */
	uint64_t rx_auth_fail;		/* forged or tampered: bad tag */
	uint64_t rx_replay;		/* counter seen or left of window */
	uint64_t rx_stale;		/* older session, or for our older one */
	uint64_t rx_foreign;		/* node id is neither the peer's... */
	uint64_t rx_looped;		/* ...or is ours (reflected) */
	uint64_t rx_unestablished;	/* data before the handshake */
	uint64_t rx_out_of_order;	/* past a gap: held or dropped */
	uint64_t rx_duplicate;		/* already delivered */
	uint64_t rx_bogus_ack;		/* acknowledges what was never sent */
	uint64_t retransmits;		/* timer expiries */
	uint64_t fast_retransmits;	/* duplicate acknowledgements */
	uint64_t resyncs_requested;	/* we asked for a bulk */
	uint64_t resyncs_served;	/* we started a bulk */
	uint64_t bulk_mismatch;		/* BULK_END count differed */
	uint64_t bulk_postponed;	/* the bulk source could not go on yet */
	uint64_t overflows;		/* queue full: restated by a bulk */
	uint64_t restates;		/* the embedder lost changes: a bulk */
	uint64_t peer_restarts;
	uint64_t peer_down;		/* alive -> down transitions */
	uint64_t split_brain;		/* both MASTER: transitions */
};

struct sync_entry;

/* Messages a receiver holds past a gap (reordering, a loss). */
#define SYNC_RX_HOLD	64

struct sync_held {
	bool used;
	struct sync_msg m;	/* records point into data */
	uint8_t *data;		/* the datagram, mtu octets */
};

struct sync_peer {
	struct sync_peer_cfg cfg;
	struct sync_peer_ops ops;
	enum sync_role role, peer_role;
	uint64_t prng;

	/* Session with the peer. */
	uint64_t peer_session;		/* 0: none yet */
	bool established;		/* the peer echoed our session */
	bool alive;
	bool split_brain;
	unsigned int peer_mtu;
	struct sync_replay replay;
	uint64_t tx_counter;
	int64_t last_rx, last_tx, hello_next, last_hello;
	bool hello_reply;		/* the peer lacks our session: answer */

	/* Sending side: entries [una, end) are kept, [una, nxt) sent. */
	struct sync_entry *ring;
	uint64_t una, nxt, end;
	/* One past the highest seq ever sent (nxt goes back on a timeout):
	 * an ack at or past it acknowledges what the peer never had. */
	uint64_t sent_end;
	uint64_t acked;			/* highest cumulative ack received */
	int64_t rto, rto_deadline;	/* deadline 0: timer off */
	unsigned int dupacks;
	bool retx_una;			/* send the message at una again */
	uint64_t recover;		/* nxt when fast recovery began */
	bool bulk_active;
	/* Changes this bulk's walk may have passed were not queued (the
	 * queue was full, the embedder lost them): another bulk follows. */
	bool bulk_again;
	uint32_t bulk_rid, bulk_count;
	int64_t bulk_retry_at;		/* the bulk source said: not yet */
	unsigned int bulk_retries;
	uint64_t served_session;	/* last RESYNC served: (session, rid) */
	uint32_t served_rid;
	bool served_any;

	/* Receiving side. */
	bool rx_synced;			/* false: waiting for a BULK_BEGIN */
	uint64_t rx_next;		/* next seq to deliver */
	uint32_t rx_rid;		/* our resync request id */
	uint32_t rx_reason;
	int64_t resync_next;
	bool ack_due;
	bool rx_in_bulk;
	uint32_t rx_bulk_count;
	struct sync_held held[SYNC_RX_HOLD];
	uint8_t *held_mem;

	struct sync_counters c;
};

/* 0, -EINVAL for a bad configuration, -ENOMEM. */
int sync_peer_init(struct sync_peer *p, const struct sync_peer_cfg *cfg,
		   const struct sync_peer_ops *ops, int64_t now);
void sync_peer_free(struct sync_peer *p);

/* From keepalived's notify: carried in every message we send. */
void sync_peer_set_role(struct sync_peer *p, enum sync_role role);

/*
 * Sending side: queue one record (stream order is enqueue order). 0, or
 * -EINVAL for a record the peer would refuse (sync_rec_encode). A full
 * queue never blocks: without a bulk under way it is dropped and the
 * state restated by a bulk; with one under way only the record that does
 * not fit is dropped, and one more bulk follows that one's BULK_END.
 */
int sync_peer_enqueue(struct sync_peer *p, const struct sync_record *r,
		      int64_t now);
/*
 * Sending side: the embedder's source of changes lost some (the module's
 * events socket overran), so what was queued may not be the state any
 * more: restate everything, as a full queue does. A bulk under way is not
 * started over (a source that keeps losing changes would keep it from
 * ending): its walk may have passed what changed, so one more bulk
 * follows its BULK_END.
 */
void sync_peer_restate(struct sync_peer *p, int64_t now);
/* Receiving side: ask for a bulk (e.g. on becoming BACKUP). */
void sync_peer_request_resync(struct sync_peer *p, int64_t now);

/*
 * One received datagram. 0 when it was accepted, else the reason it was
 * refused (also counted): -EBADMSG malformed, -EPERM bad tag, -ESRCH
 * foreign node, -ELOOP our own, -ESTALE old session, -EALREADY replayed,
 * -ENOTCONN before the handshake. Events are delivered from inside.
 */
int sync_peer_recv(struct sync_peer *p, const uint8_t *buf, size_t len,
		   int64_t now);
/*
 * The next datagram to send now, into buf (cap >= the MTU): its length,
 * or 0 when nothing is due. Call until it returns 0.
 */
int sync_peer_output(struct sync_peer *p, uint8_t *buf, size_t cap,
		     int64_t now);
/* When sync_peer_output may next have something (a time <= now: now). */
int64_t sync_peer_next_event(const struct sync_peer *p, int64_t now);

/* Observability. */
struct sync_status {
	enum sync_role role, peer_role;
	bool established, alive, split_brain, rx_synced, bulk_active;
	uint32_t peer_node_id;
	uint64_t session, peer_session;
	uint64_t last_acked;		/* highest seq the peer acknowledged */
	uint64_t backlog;		/* records queued, not acknowledged */
	uint64_t rx_delivered;		/* highest seq delivered */
	struct sync_counters c;
};

void sync_peer_status(const struct sync_peer *p, struct sync_status *st);

#endif /* SYNC_PEER_H */
