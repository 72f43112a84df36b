/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the files of one replication peer (sync_peer.h). */
#ifndef SYNC_INT_H
#define SYNC_INT_H

#include "sync/sync_peer.h"

/* One slot of the send queue: a record or a BULK marker. */
struct sync_entry {
	uint8_t type;		/* SYNC_MSG_BATCH (a record), _BULK_BEGIN, _END */
	uint32_t rid, count;	/* markers */
	int64_t at;		/* when queued: records age from there */
	struct sync_record rec;
};

static inline struct sync_entry *sync_ent(const struct sync_peer *p,
					  uint64_t seq)
{
	return &p->ring[seq % p->cfg.queue];
}

/* Header of our next message to the peer (takes a counter). */
void sync_hdr(struct sync_peer *p, struct sync_hdr *h, uint8_t type);
/* Seal, count, note the time: the datagram's length or -errno. */
int sync_send(struct sync_peer *p, uint8_t *buf, size_t cap, size_t len,
	      int64_t now);

/* Sending side (sync_tx.c). */
void sync_tx_on_ack(struct sync_peer *p, uint64_t cum, int64_t now);
void sync_tx_on_resync(struct sync_peer *p, uint32_t rid);
int sync_tx_output(struct sync_peer *p, uint8_t *buf, size_t cap,
		   int64_t now);
/* Earliest time sync_tx_output has something (INT64_MAX: none). */
int64_t sync_tx_next_event(const struct sync_peer *p, int64_t now);

/* Receiving side (sync_rx.c). */
void sync_rx_want_bulk(struct sync_peer *p, uint32_t reason, int64_t now);
/* A stream message (BATCH, BULK_*, HEARTBEAT) from the datagram buf. */
void sync_rx_stream(struct sync_peer *p, const struct sync_msg *m,
		    const uint8_t *buf, size_t len, int64_t now);

#endif /* SYNC_INT_H */
