// SPDX-License-Identifier: GPL-2.0
/*
 * What replication does with the mapping table (Documentation/pcpd-sync.md,
 * "What the next step wires into pcpd", 4 and 5):
 * - active (MASTER): every change becomes a record: the request handler's
 *   own changes through pcpd_sync_ops (a refresh is a MAP with the new
 *   lifetime), the module's events for what the datapath does (implicit
 *   mappings, expiry); the bulk source restates EPOCH, the SUB_RESETs and
 *   the whole table through map_walk;
 * - standby (BACKUP): each record is installed into its own module with
 *   the same external endpoint (PCPNAT_MAP_F_PREFER_FAILURE), UNMAP by a
 *   forced delete; EPOCH sets the origin its Epoch continues from on
 *   takeover (draft-boucadair-pcp-failure §3.3, RFC 6887 §8.5).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcpd/clock.h"
#include "pcpd/daemon.h"
#include "pcpd/sync_daemon.h"

/*
 * Keys a standby remembers during one bulk (8 bytes each): a table larger
 * than this makes the bulk incomplete, and BULK_END then deletes nothing.
 */
#define PCPD_SYNC_RESTATED_MAX	(1u << 22)

static bool master(const struct pcpd_sync *s)
{
	return s->peer.role == SYNC_ROLE_MASTER;
}

static void enqueue(struct pcpd_sync *s, const struct sync_record *r)
{
	if (sync_peer_enqueue(&s->peer, r, pcpd_sync_now_ms()))
		s->install_errors++;	/* a record the peer would refuse */
	pcpd_sync_kick(s);
}

void pcpd_sync_record_map(struct pcpd_sync *s, const struct pcpd_mapping *m)
{
	struct sync_record r = { .op = SYNC_REC_MAP, .map = *m };

	if (master(s))
		enqueue(s, &r);
}

void pcpd_sync_record_unmap(struct pcpd_sync *s, uint8_t proto,
			    uint32_t int_addr, uint16_t int_port)
{
	struct sync_record r = { .op = SYNC_REC_UNMAP };

	if (!master(s))
		return;
	r.map.proto = proto;
	r.map.int_addr = int_addr;
	r.map.int_port = int_port;
	enqueue(s, &r);
}

/*
 * The module's events were lost (the events socket overran: link.c's
 * resync): the records queued since may miss mappings the datapath made
 * or removed, which the standby would then never learn. The active
 * restates its whole table; a standby has nothing of its own to send.
 */
void pcpd_sync_events_lost(struct pcpd *d)
{
	struct pcpd_sync *s = d->sync;

	if (!s || !master(s))
		return;
	log_info("sync: module events lost: restating the table to the peer");
	sync_peer_restate(&s->peer, pcpd_sync_now_ms());
	pcpd_sync_kick(s);
}

/*
 * A subscriber's epoch restarted on the active (draft-boucadair-pcp-failure
 * §3.2: its mappings were flushed, or lost while events were): sent as it
 * happens, not only in the next bulk, so that a takeover before that bulk
 * answers its clients with the restarted Epoch.
 */
void pcpd_sync_record_sub_reset(struct pcpd_sync *s, uint32_t subscriber)
{
	struct sync_record r = { .op = SYNC_REC_SUB_RESET };

	if (!master(s))
		return;
	r.subscriber = subscriber;
	r.age = 0;
	enqueue(s, &r);
}

/* ---- the active's bulk source ---- */

enum { BULK_EPOCH, BULK_RESETS, BULK_MAPS, BULK_DONE };

void pcpd_sync_bulk_restart(void *arg)
{
	struct pcpd_sync *s = arg;

	s->bulk_stage = BULK_EPOCH;
	s->bulk_reset = 0;
	s->cursor_set = false;
	s->walk_done = false;
	s->walk_failures = 0;
	s->nchunk = s->ichunk = 0;
}

static int collect(void *arg, const struct pcpd_mapping *m)
{
	struct pcpd_sync *s = arg;

	s->chunk[s->nchunk++] = *m;
	return s->nchunk == sizeof(s->chunk) / sizeof(s->chunk[0]);
}

/*
 * The next chunk of the table, after the cursor (the module's order).
 * A dump that fails (-EAGAIN: the table changed under it, -ENOBUFS,
 * -ENOMEM) is not the end of the table: what it collected is dropped and
 * the core calls again later, from the same cursor. Only a dump that
 * ended lets BULK_END follow, which deletes on the standby whatever the
 * bulk did not restate.
 */
static int walk_chunk(struct pcpd_sync *s)
{
	const struct pcpd_mapping *last;
	int rc;

	s->nchunk = s->ichunk = 0;
	rc = s->ops->map_walk(s->be, NULL, s->cursor_set ? &s->cursor : NULL,
			      collect, s);
	if (rc < 0) {
		s->nchunk = 0;
		s->walk_failures++;
		if (log_limit_pass(&s->warn_log, pcpd_sync_now_ms()))
			log_warnx("sync: table dump failed (%s), retried",
				  strerror(-rc));
		return rc;
	}
	s->walk_failures = 0;
	if (!rc)
		s->walk_done = true;	/* the dump ended */
	if (!s->nchunk)
		return 0;
	last = &s->chunk[s->nchunk - 1];
	s->cursor = (struct pcpd_key){ last->proto, last->int_addr,
				       last->int_port };
	s->cursor_set = true;
	return 0;
}

int pcpd_sync_bulk_next(void *arg, struct sync_record *r)
{
	struct pcpd_sync *s = arg;
	const struct pcpd_epoch *ep = &s->d->nl.ep;
	int64_t now = pcpd_boot_now();
	int rc;

	/* No module to read: the bulk waits for the link (the core asks
	 * again later) rather than end or touch a closed client. */
	if (!s->d->connected)
		return -EAGAIN;
	memset(r, 0, sizeof(*r));
	switch (s->bulk_stage) {
	case BULK_EPOCH:
		s->bulk_stage = BULK_RESETS;
		r->op = SYNC_REC_EPOCH;
		r->age = s->ops->epoch(s->be, 0);
		return 1;
	case BULK_RESETS:
		if (s->bulk_reset < ep->nresets) {
			const struct pcpd_sub_reset *sr =
				&ep->resets[s->bulk_reset++];

			r->op = SYNC_REC_SUB_RESET;
			r->subscriber = sr->subscriber;
			r->age = now > sr->at ? (uint32_t)(now - sr->at) : 0;
			return 1;
		}
		s->bulk_stage = BULK_MAPS;
		/* fall through */
	case BULK_MAPS:
		if (s->ichunk == s->nchunk && !s->walk_done) {
			rc = walk_chunk(s);
			if (rc < 0)
				return rc;
		}
		if (s->ichunk < s->nchunk) {
			r->op = SYNC_REC_MAP;
			r->map = s->chunk[s->ichunk++];
			return 1;
		}
		s->bulk_stage = BULK_DONE;
		/* fall through */
	default:
		return 0;
	}
}

/* ---- the standby's side ---- */

static int key_cmp(const void *a, const void *b)
{
	const struct pcpd_key *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->int_addr != y->int_addr)
		return x->int_addr < y->int_addr ? -1 : 1;
	if (x->int_port != y->int_port)
		return x->int_port < y->int_port ? -1 : 1;
	return 0;
}

/*
 * A key this bulk restated. A key that cannot be remembered (past the
 * bound, or no memory) makes the bulk incomplete: BULK_END could not tell
 * it from a stale one, so it then deletes nothing at all.
 */
static void restated_add(struct pcpd_sync *s, const struct pcpd_mapping *m)
{
	struct pcpd_sync_keys *k = &s->restated;
	size_t max = s->restated_max ? s->restated_max : PCPD_SYNC_RESTATED_MAX;
	size_t cap;
	struct pcpd_key *nk;

	if (k->n >= max) {
		s->bulk_incomplete = true;
		return;
	}
	if (k->n == k->cap) {
		cap = k->cap ? k->cap * 2 : 256;
		if (cap > max)
			cap = max;
		nk = realloc(k->k, cap * sizeof(*nk));
		if (!nk) {
			s->bulk_incomplete = true;
			return;
		}
		k->k = nk;
		k->cap = cap;
	}
	k->k[k->n++] = (struct pcpd_key){ m->proto, m->int_addr, m->int_port };
}

static void install_map(struct pcpd_sync *s, const struct pcpd_mapping *m)
{
	struct pcpd_mapping req = *m, out;
	uint32_t flags = PCPNAT_MAP_F_PREFER_FAILURE;
	int err;

	if (!req.lifetime)
		req.lifetime = 1;
	if (m->kind == PCPNAT_KIND_IMPLICIT) {
		err = s->ops->map_peer(s->be, &req, flags, &out);
	} else {
		flags |= PCPNAT_MAP_F_SET_FILTERS;
		err = s->ops->map_add(s->be, &req, flags, &out);
		if (err == -EEXIST) {
			/* Another nonce here: the active's mapping wins. */
			s->ops->map_del(s->be, &req, PCPNAT_MAP_F_FORCE, &out);
			err = s->ops->map_add(s->be, &req, flags, &out);
		}
	}
	if (!err && (out.ext_addr != m->ext_addr || out.ext_port != m->ext_port))
		err = -EADDRINUSE;
	if (err == -EADDRINUSE)
		s->lost_endpoints++;
	else if (err)
		s->install_errors++;
	if (err && log_limit_pass(&s->warn_log, pcpd_sync_now_ms())) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &m->int_addr, a, sizeof(a));
		log_warnx("sync: cannot install %s:%u (%s)", a, m->int_port,
			  strerror(-err));
	}
	/* What the active holds and we do not: the bulk cannot tell us
	 * what else is stale. */
	if (err && s->in_bulk)
		s->bulk_incomplete = true;
	if (s->in_bulk)
		restated_add(s, m);
}

static void uninstall(struct pcpd_sync *s, const struct pcpd_mapping *key)
{
	struct pcpd_mapping out;

	s->ops->map_del(s->be, key, PCPNAT_MAP_F_FORCE, &out);
}

struct stale_ctx {
	const struct pcpd_sync_keys *restated;
	struct pcpd_sync_keys drop;
};

static int collect_stale(void *arg, const struct pcpd_mapping *m)
{
	struct stale_ctx *x = arg;
	struct pcpd_sync_keys *drop = &x->drop;
	struct pcpd_key k = { m->proto, m->int_addr, m->int_port };
	struct pcpd_key *nk;

	if (x->restated->n &&
	    bsearch(&k, x->restated->k, x->restated->n, sizeof(k), key_cmp))
		return 0;
	if (drop->n == drop->cap) {
		nk = realloc(drop->k, (drop->cap ? drop->cap * 2 : 64) *
			     sizeof(*nk));
		if (!nk)
			return 1;
		drop->k = nk;
		drop->cap = drop->cap ? drop->cap * 2 : 64;
	}
	drop->k[drop->n++] = k;
	return 0;
}

/* BULK_END: what the bulk did not restate is no longer the active's. */
static void bulk_end(struct pcpd_sync *s)
{
	struct stale_ctx x = { .restated = &s->restated };
	struct pcpd_mapping key = { 0 };
	size_t i;

	s->in_bulk = false;
	if (s->bulk_incomplete) {
		log_warnx("sync: bulk incomplete (%zu keys restated): nothing "
			  "removed", s->restated.n);
		s->restated.n = 0;
		return;
	}
	qsort(s->restated.k, s->restated.n, sizeof(*s->restated.k), key_cmp);
	/* Collected first: the table is not changed under its own dump. */
	s->ops->map_walk(s->be, NULL, NULL, collect_stale, &x);
	for (i = 0; i < x.drop.n; i++) {
		key.proto = x.drop.k[i].proto;
		key.int_addr = x.drop.k[i].int_addr;
		key.int_port = x.drop.k[i].int_port;
		uninstall(s, &key);
	}
	if (x.drop.n)
		log_info("sync: bulk done, %zu restated, %zu removed",
			 s->restated.n, x.drop.n);
	free(x.drop.k);
	s->restated.n = 0;
}

/* The active's Epoch, continued here from its age (RFC 6887 §8.5). */
static void set_epoch(struct pcpd_sync *s, uint32_t age)
{
	struct pcpd *d = s->d;

	d->nl.ep.origin = pcpd_boot_now() - (int64_t)age;
	d->nl.ep.origin_state_id = d->state_id;
	pcpd_storage_compact_soon(&d->storage);
	pcpd_store_dirty(d);
}

/* The open bulk is dropped; what it installed stays, nothing deleted. */
static void abandon_bulk(struct pcpd_sync *s)
{
	s->in_bulk = false;
	s->bulk_incomplete = false;
	s->restated.n = 0;
}

void pcpd_sync_peer_role_seen(struct pcpd_sync *s)
{
	if (s->peer.peer_role == s->deliver_role_seen)
		return;
	/*
	 * A bulk spanning a change of the peer's role mixes records taken
	 * (MASTER) with records skipped (not MASTER): BULK_END would delete
	 * what was skipped. The new MASTER is asked for a bulk of its own
	 * (peer_role_check in sync_daemon.c).
	 */
	if (s->in_bulk)
		log_info("sync: the peer's role changed during a bulk: "
			 "abandoned");
	s->deliver_role_seen = s->peer.peer_role;
	abandon_bulk(s);
}

/*
 * The module link is down (d->nl.c NULL): nothing can be installed or
 * deleted. The records are dropped, and the state asked for again once
 * the link is back (pcpd_sync_link_check).
 */
static bool link_down(struct pcpd_sync *s)
{
	if (s->d->connected)
		return false;
	if (!s->missed)
		log_warnx("sync: module link down: records dropped until a "
			  "resync");
	s->missed = true;
	abandon_bulk(s);
	return true;
}

void pcpd_sync_link_check(struct pcpd_sync *s, int64_t now)
{
	if (!s->missed || !s->d->connected)
		return;
	s->missed = false;
	if (master(s))
		return;
	log_info("sync: module link back: asking for the peer's state");
	sync_peer_request_resync(&s->peer, now);
}

void pcpd_sync_deliver(void *arg, const struct sync_event *ev)
{
	struct pcpd_sync *s = arg;
	const struct sync_record *r = ev->rec;

	pcpd_sync_peer_role_seen(s);

	/*
	 * Only the active's state is installed: a standby never takes
	 * records, and a peer that is not MASTER (both BACKUP at start, each
	 * answering the other's RESYNC) would restate a table that is not
	 * the active's, its Epoch with it. pcpd_sync_readable() asks for a
	 * bulk once the peer becomes MASTER.
	 */
	if (master(s) || s->peer.peer_role != SYNC_ROLE_MASTER)
		return;
	switch (ev->type) {
	case SYNC_EV_BULK_BEGIN:
		abandon_bulk(s);
		s->in_bulk = !link_down(s);
		return;
	case SYNC_EV_BULK_END:
		if (s->in_bulk && !link_down(s))
			bulk_end(s);
		return;
	case SYNC_EV_PEER_RESTART:
		abandon_bulk(s);
		return;
	case SYNC_EV_RECORD:
		break;
	}
	if ((r->op == SYNC_REC_MAP || r->op == SYNC_REC_UNMAP) && link_down(s))
		return;
	switch (r->op) {
	case SYNC_REC_MAP:
		install_map(s, &r->map);
		break;
	case SYNC_REC_UNMAP:
		uninstall(s, &r->map);
		break;
	case SYNC_REC_EPOCH:
		set_epoch(s, r->age);
		break;
	case SYNC_REC_SUB_RESET:
		pcpd_epoch_subscriber_reset(&s->d->nl.ep, r->subscriber,
					    pcpd_boot_now() - (int64_t)r->age);
		pcpd_store_dirty(s->d);
		break;
	}
}

/* ---- the handler's backend: storage's, each change queued ---- */

static int sy_map_add(void *be, const struct pcpd_mapping *req,
		      uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_sync *s = be;
	int err = s->ops->map_add(s->be, req, flags, out);

	if (!err)
		pcpd_sync_record_map(s, out);
	return err;
}

static int sy_map_peer(void *be, const struct pcpd_mapping *req,
		       uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_sync *s = be;
	int err = s->ops->map_peer(s->be, req, flags, out);

	if (!err)
		pcpd_sync_record_map(s, out);
	return err;
}

static int sy_map_del(void *be, const struct pcpd_mapping *key,
		      uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_sync *s = be;
	int err = s->ops->map_del(s->be, key, flags, out);

	/* Still used by traffic, it stays as an implicit one (RFC 6887 15). */
	if (!err && out->lifetime)
		pcpd_sync_record_map(s, out);
	else if (!err)
		pcpd_sync_record_unmap(s, key->proto, key->int_addr,
				       key->int_port);
	return err;
}

static int sy_map_get(void *be, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port, struct pcpd_mapping *out)
{
	struct pcpd_sync *s = be;

	return s->ops->map_get(s->be, proto, int_addr, int_port, out);
}

static int sy_map_walk(void *be, const struct pcpd_walk_filter *f,
		       const struct pcpd_key *after, pcpd_walk_cb cb,
		       void *arg)
{
	struct pcpd_sync *s = be;

	return s->ops->map_walk(s->be, f, after, cb, arg);
}

static uint32_t sy_epoch(void *be, uint32_t subscriber)
{
	struct pcpd_sync *s = be;

	return s->ops->epoch(s->be, subscriber);
}

static uint32_t sy_ext_addr(void *be, uint32_t subscriber)
{
	struct pcpd_sync *s = be;

	return s->ops->ext_addr(s->be, subscriber);
}

const struct pcpd_backend_ops pcpd_sync_ops = {
	.map_add = sy_map_add,
	.map_peer = sy_map_peer,
	.map_del = sy_map_del,
	.map_get = sy_map_get,
	.map_walk = sy_map_walk,
	.epoch = sy_epoch,
	.ext_addr = sy_ext_addr,
};
