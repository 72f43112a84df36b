/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire codec of pcpd's state replication between the two routers of an
 * active/standby pair (draft-boucadair-pcp-failure §3.3: with state
 * redundancy the state survives a failover and the Epoch is not reset).
 * Documentation/pcpd-sync.md has the tables; this header is the contract.
 *
 * Pure functions, no I/O. Every message is authenticated with
 * HMAC-SHA-512-256 (libsodium crypto_auth) under a pre-shared 32-octet
 * key; the tag covers every octet before it. Parsing is strict: the length
 * field must equal the datagram's, every reserved field and padding octet
 * must be zero, every record must be exactly as long as its content.
 *
 * All integers on the wire are big-endian (network order). IPv4 addresses
 * are copied octet for octet: struct pcpd_mapping already holds them in
 * network order (daemon/pcpd/backend.h), ports and lifetimes in host order.
 *
 * Common header, 40 octets:
 *   0  u32 magic 'PCSY'         4  u8 version (1)   5  u8 type
 *   6  u16 length (whole message, tag included)
 *   8  u32 node id of the sender
 *  12  u8 role of the sender (enum sync_role)      13  u8 flags (0)
 *  14  u16 reserved (0)
 *  16  u64 session of the sender (grows at every start of its pcpd)
 *  24  u64 session of the receiver as the sender knows it (0: none yet)
 *  32  u64 message counter (per sender session, from 1, never reused)
 * then the body of the type, then the 32-octet tag.
 */
#ifndef SYNC_WIRE_H
#define SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcpd/backend.h"

#define SYNC_MAGIC		0x50435359u	/* "PCSY" */
#define SYNC_VERSION		1
#define SYNC_HDR_LEN		40
#define SYNC_TAG_LEN		32	/* crypto_auth_BYTES */
#define SYNC_KEY_LEN		32	/* crypto_auth_KEYBYTES */
/* Largest datagram either side sends or accepts. */
#define SYNC_MSG_MAX		8192
/*
 * Smallest MTU a peer may be configured with: a batch holding one record
 * at its longest (header, batch body, MAP record, tag).
 */
#define SYNC_REC_MAX_LEN	(48 + 8 * PCPNAT_FILTERS_MAX + PCPNAT_DESCR_MAX)
#define SYNC_BATCH_BODY_LEN	24
#define SYNC_MTU_MIN		(SYNC_HDR_LEN + SYNC_BATCH_BODY_LEN + \
				 SYNC_REC_MAX_LEN + SYNC_TAG_LEN)
/* Default: fits one IPv6 minimum-MTU packet with IP and UDP headers. */
#define SYNC_MTU_DEFAULT	1200

enum sync_msg_type {
	SYNC_MSG_HELLO		= 1,	/* u32 mtu, u32 flags */
	SYNC_MSG_BATCH		= 2,	/* u64 first seq, u64 tx base,
					 * u16 count, u16 0, u32 0, records */
	SYNC_MSG_ACK		= 3,	/* u64 cumulative seq */
	SYNC_MSG_RESYNC		= 4,	/* u32 request id, u32 reason */
	SYNC_MSG_BULK_BEGIN	= 5,	/* u64 seq, u64 tx base, u32 request
					 * id, u32 0 */
	SYNC_MSG_BULK_END	= 6,	/* u64 seq, u64 tx base, u32 request
					 * id, u32 bulk record count */
	SYNC_MSG_HEARTBEAT	= 7,	/* u64 tx next, u64 tx base */
};

/* The keepalived states a peer is in (its notify script's argument). */
enum sync_role {
	SYNC_ROLE_UNKNOWN	= 0,
	SYNC_ROLE_BACKUP	= 1,
	SYNC_ROLE_MASTER	= 2,
	SYNC_ROLE_FAULT		= 3,
};

enum sync_resync_reason {
	SYNC_RESYNC_START	= 1,	/* the receiver has no stream yet */
	SYNC_RESYNC_BEHIND	= 2,	/* what it misses is no longer kept */
	SYNC_RESYNC_ASKED	= 3,	/* the embedder asked (role change) */
	SYNC_RESYNC_MISMATCH	= 4,	/* a bulk ended with a wrong count */
};

/*
 * One replicated item. Records have a 4-octet header: u8 op, u8 flags,
 * u16 length (the whole record).
 *   MAP (48 + 8 x nfilters + description padded to 4 octets):
 *     4 u8 proto, 5 u8 kind, 6 u16 int_port, 8 int_addr, 12 ext_addr,
 *    16 u16 ext_port, 18 u8 nfilters, 19 u8 description length,
 *    20 u32 lifetime (s remaining), 24 u32 idle (s), 28 subscriber,
 *    32 peer, 36 nonce (12), 48 filters (addr, u8 plen, u8 0, u16 port),
 *    then the description without NUL, zero-padded.
 *   UNMAP (12): 4 u8 proto, 5 u8 0, 6 u16 int_port, 8 int_addr.
 *   EPOCH (8): 4 u32 age: seconds the active's state has existed (its
 *     Epoch, RFC 6887 §8.5), so the standby continues it on takeover.
 *   SUB_RESET (12): 4 subscriber, 8 u32 age: seconds since that
 *     subscriber's epoch restarted (draft-boucadair-pcp-failure §3.2).
 * Ages and lifetimes are relative, never clock readings: the two
 * routers' clocks are not compared.
 */
enum sync_rec_op {
	SYNC_REC_MAP		= 1,
	SYNC_REC_UNMAP		= 2,
	SYNC_REC_EPOCH		= 3,
	SYNC_REC_SUB_RESET	= 4,
};

/* HELLO flag: the sender holds our current session (is established). */
#define SYNC_HELLO_F_ESTABLISHED	0x1

/* Record flag: the record belongs to a bulk resynchronisation. */
#define SYNC_RECF_BULK		0x01

struct sync_record {
	uint8_t op;		/* enum sync_rec_op */
	uint8_t flags;		/* SYNC_RECF_* */
	struct pcpd_mapping map;	/* MAP: every field but flags-only
					 * ones; UNMAP: proto, int_addr,
					 * int_port */
	uint32_t subscriber;	/* SUB_RESET, network order */
	uint32_t age;		/* EPOCH, SUB_RESET: seconds */
};

struct sync_hdr {
	uint8_t type;		/* enum sync_msg_type */
	uint8_t role;		/* enum sync_role */
	uint32_t node_id;
	uint64_t session;
	uint64_t dst_session;
	uint64_t counter;
};

/* A parsed, authenticated message. Records stay in the buffer. */
struct sync_msg {
	struct sync_hdr h;
	uint64_t seq;		/* BATCH: first seq; BULK_*: its seq;
				 * ACK: cumulative; HEARTBEAT: tx next */
	uint64_t tx_base;	/* BATCH, BULK_*, HEARTBEAT: the sender's
				 * oldest seq it can still send */
	uint32_t rid;		/* RESYNC, BULK_*: request id */
	uint32_t value;		/* HELLO: mtu; RESYNC: reason;
				 * BULK_END: record count */
	uint32_t flags;		/* HELLO: SYNC_HELLO_F_* */
	unsigned int count;	/* BATCH: records */
	const uint8_t *records;	/* BATCH: first record */
	size_t records_len;
};

/*
 * Record codec. Returns the record's length; -EINVAL for a record the
 * decoder would refuse (unknown op or flag, protocol or kind, more than
 * PCPNAT_FILTERS_MAX filters, a FILTER prefix with host bits or a length
 * outside 1..32, a description longer than PCPNAT_DESCR_LEN), so that
 * nothing a peer refuses is ever queued; -ENOSPC when it does not fit.
 */
int sync_rec_encode(uint8_t *p, size_t cap, const struct sync_record *r);
/* Strict decode of the record at p; returns its length or -EBADMSG. */
int sync_rec_decode(const uint8_t *p, size_t len, struct sync_record *r);

/*
 * Builders: each writes header and body, leaving room for the tag, and
 * returns the length so far; sync_wire_seal() then writes length and tag.
 * -ENOSPC when cap is too small.
 */
int sync_wire_put_hdr(uint8_t *buf, size_t cap, const struct sync_hdr *h);
int sync_wire_build(uint8_t *buf, size_t cap, const struct sync_msg *m);
/*
 * A batch grows one record at a time: sync_wire_build() of a BATCH with
 * count 0, then sync_wire_batch_add() while it returns >= 0 (-ENOSPC: the
 * record would make the sealed message longer than cap).
 */
int sync_wire_batch_add(uint8_t *buf, size_t cap, size_t *len,
			const struct sync_record *r);
/* Length and tag: returns the final length, or -ENOSPC. */
int sync_wire_seal(uint8_t *buf, size_t cap, size_t len,
		   const uint8_t key[SYNC_KEY_LEN]);

/*
 * Receive path: authenticates, then parses strictly, every record of a
 * batch included. 0, -EBADMSG (malformed), or -EPERM (bad tag: forged or
 * tampered). Nothing of an unauthenticated message is trusted.
 */
int sync_wire_parse(const uint8_t *buf, size_t len,
		    const uint8_t key[SYNC_KEY_LEN], struct sync_msg *m);
/*
 * Walks the records of a parsed batch: *off starts at 0; returns 1 with
 * *r filled, 0 at the end.
 */
int sync_wire_next_record(const struct sync_msg *m, size_t *off,
			  struct sync_record *r);

#endif /* SYNC_WIRE_H */
