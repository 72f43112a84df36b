// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the receive path of pcpd's state replication
 * (daemon/sync). The first octet picks what the rest is:
 * - even: one datagram, and the same octets as a run of records (each
 *   accepted one must re-encode to its octets). Parsed as it comes (the
 *   tag rejects nearly all),
 *   then sealed with the key first so that the strict parser itself is
 *   fuzzed; whatever it accepts must be what the builder makes of the
 *   parsed fields, octet for octet (one encoding per message).
 * - odd: a sequence of datagrams (each a 2-octet length, then its octets,
 *   sealed with the key) fed to a peer with the clock advancing, the
 *   peer's own output drained after each: everything it sends must parse,
 *   and what it delivers must come in stream order.
 */
#include <stdlib.h>
#include <string.h>

#include "pcp/pcp_wire.h"
#include "sync/sync_peer.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const uint8_t key[SYNC_KEY_LEN] = "fuzz key for pcpd replication!!";

static void check_canonical(const uint8_t *buf, size_t len,
			    const struct sync_msg *m)
{
	uint8_t out[SYNC_MSG_MAX];
	struct sync_record r;
	size_t off = 0, n;
	int rc;

	rc = sync_wire_build(out, sizeof(out), m);
	CHECK(rc > 0);
	n = (size_t)rc;
	while (sync_wire_next_record(m, &off, &r))
		CHECK(sync_wire_batch_add(out, sizeof(out), &n, &r) > 0);
	CHECK(sync_wire_seal(out, sizeof(out), n, key) == (int)len);
	CHECK(!memcmp(out, buf, len));
}

/*
 * The input as a run of records, in a heap copy of exactly its size so
 * that AddressSanitizer sees any read past it; each record accepted must
 * encode back to its octets.
 */
static void records(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1), out[SYNC_REC_MAX_LEN];
	struct sync_record r;
	size_t off = 0;
	int n;

	CHECK(copy);
	memcpy(copy, data, size);
	while (off < size) {
		n = sync_rec_decode(copy + off, size - off, &r);
		if (n < 0)
			break;
		CHECK(sync_rec_encode(out, sizeof(out), &r) == n);
		CHECK(!memcmp(out, copy + off, (size_t)n));
		off += (size_t)n;
	}
	free(copy);
}

static void one_datagram(const uint8_t *data, size_t size)
{
	uint8_t buf[SYNC_MSG_MAX];
	struct sync_msg m;

	if (size > SYNC_MSG_MAX)
		return;
	records(data, size);
	/* As it comes (a sealed input from the corpus may pass). */
	if (sync_wire_parse(data, size, key, &m) == 0)
		check_canonical(data, size, &m);
	if (size < SYNC_HDR_LEN || size + SYNC_TAG_LEN > SYNC_MSG_MAX)
		return;
	memcpy(buf, data, size);
	CHECK(sync_wire_seal(buf, sizeof(buf), size, key) ==
	      (int)(size + SYNC_TAG_LEN));
	if (sync_wire_parse(buf, size + SYNC_TAG_LEN, key, &m) == 0)
		check_canonical(buf, size + SYNC_TAG_LEN, &m);
}

struct fuzz_node {
	uint64_t last_seq;
	unsigned int bulk_left;
};

static void deliver(void *arg, const struct sync_event *ev)
{
	struct fuzz_node *n = arg;

	if (ev->type == SYNC_EV_PEER_RESTART) {
		n->last_seq = 0;
		return;
	}
	/* A bulk may jump ahead; nothing ever goes back or repeats. */
	CHECK(ev->seq > n->last_seq);
	CHECK(ev->type == SYNC_EV_BULK_BEGIN || ev->seq == n->last_seq + 1);
	if (ev->type == SYNC_EV_RECORD)
		CHECK(ev->rec && ev->rec->op >= SYNC_REC_MAP &&
		      ev->rec->op <= SYNC_REC_SUB_RESET);
	n->last_seq = ev->seq;
}

static void bulk_restart(void *arg)
{
	((struct fuzz_node *)arg)->bulk_left = 3;
}

static int bulk_next(void *arg, struct sync_record *r)
{
	struct fuzz_node *n = arg;

	if (!n->bulk_left)
		return 0;
	memset(r, 0, sizeof(*r));
	r->op = SYNC_REC_EPOCH;
	r->age = n->bulk_left--;
	return 1;
}

static void drain(struct sync_peer *p, int64_t now)
{
	uint8_t out[SYNC_MSG_MAX];
	struct sync_msg m;
	unsigned int i;
	int n;

	for (i = 0; i < 1000; i++) {
		n = sync_peer_output(p, out, sizeof(out), now);
		CHECK(n >= 0);
		if (!n)
			return;
		CHECK(sync_wire_parse(out, (size_t)n, key, &m) == 0);
		CHECK(m.h.node_id == 2 && m.h.session == 7);
	}
	abort();	/* output never ends */
}

static void sequence(const uint8_t *data, size_t size)
{
	struct sync_peer_cfg cfg = { .node_id = 2, .peer_node_id = 1,
				     .session = 7, .seed = 1, .queue = 64,
				     .window = 16 };
	struct fuzz_node node = { 0 };
	struct sync_peer_ops ops = { deliver, bulk_restart, bulk_next, &node };
	struct sync_record rec = { .op = SYNC_REC_EPOCH };
	uint8_t buf[SYNC_MSG_MAX];
	struct sync_peer p;
	int64_t now = 1000;
	size_t len;

	memcpy(cfg.key, key, sizeof(key));
	CHECK(sync_peer_init(&p, &cfg, &ops, now) == 0);
	sync_peer_set_role(&p, SYNC_ROLE_BACKUP);
	while (size >= 2) {
		len = pcp_get16(data);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		now += 50;
		if (len >= SYNC_HDR_LEN && len + SYNC_TAG_LEN <= sizeof(buf)) {
			memcpy(buf, data, len);
			sync_wire_seal(buf, sizeof(buf), len, key);
			sync_peer_recv(&p, buf, len + SYNC_TAG_LEN, now);
		} else {
			sync_peer_recv(&p, data, len, now);
		}
		data += len;
		size -= len;
		/* The standby also has something to say now and then. */
		if (len & 1)
			CHECK(sync_peer_enqueue(&p, &rec, now) == 0);
		drain(&p, now);
		CHECK(p.una <= p.nxt && p.nxt <= p.sent_end &&
		      p.sent_end <= p.end &&
		      p.end - p.una <= p.cfg.queue);
	}
	sync_peer_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		sequence(data + 1, size - 1);
	else
		one_datagram(data + 1, size - 1);
	return 0;
}
