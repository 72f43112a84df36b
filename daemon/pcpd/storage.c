// SPDX-License-Identifier: GPL-2.0
/* pcpd's stable storage policy (see storage.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pcpd/storage.h"

void pcpd_storage_init(struct pcpd_storage *st, const char *path,
		       const struct pcpd_backend_ops *ops, void *be,
		       const struct pcpd_epoch *ep)
{
	memset(st, 0, sizeof(*st));
	st->ops = ops;
	st->be = be;
	st->ep = ep;
	st->jfd = -1;
	pcpd_state_init(&st->mirror);
	/* A path that long: no storage (enabled() is false). */
	if (snprintf(st->path, sizeof(st->path), "%s", path) >=
	    (int)sizeof(st->path) ||
	    snprintf(st->journal_path, sizeof(st->journal_path), "%s.journal",
		     path) >= (int)sizeof(st->journal_path))
		st->path[0] = st->journal_path[0] = '\0';
}

void pcpd_storage_close(struct pcpd_storage *st)
{
	if (st->jfd >= 0)
		close(st->jfd);
	st->jfd = -1;
	pcpd_state_free(&st->mirror);
}

static bool enabled(const struct pcpd_storage *st)
{
	return st->path[0] && st->journal_path[0];
}

int pcpd_storage_load(struct pcpd_storage *st, char *err, size_t errlen,
		      size_t *ignored)
{
	struct pcpd_journal_replay r = { 0 };
	int rc;

	*ignored = 0;
	if (!enabled(st))
		return -ENOENT;
	rc = pcpd_state_load(st->path, &st->mirror, err, errlen);
	if (rc)
		return rc;
	/* None, too big, or another snapshot's: the snapshot alone. */
	if (!pcpd_journal_load(st->journal_path, st->mirror.file_hash,
			       &st->mirror, &r))
		*ignored = r.ignored;
	pcpd_state_times_from_file(&st->mirror);
	return 0;
}

/* One journal record, or a compaction when it cannot be written. */
static void journal(struct pcpd_storage *st, const char *rec, int n)
{
	if (st->jfd < 0)
		return;		/* no snapshot of ours yet: compaction due */
	if (n < 0 || st->jbytes + n > PCPD_JOURNAL_FILE_MAX ||
	    pcpd_journal_append(st->jfd, rec, n)) {
		/* What is not in the journal must be in the next snapshot. */
		close(st->jfd);
		st->jfd = -1;
		st->compact_due = true;
		return;
	}
	st->jbytes += n;
	st->sync_due = true;
	st->stats.records++;
}

void pcpd_storage_put(struct pcpd_storage *st, const struct pcpd_mapping *m)
{
	int64_t expires = pcpd_boot_now() + m->lifetime;
	char rec[PCPD_STATE_LINE_MAX];

	if (!enabled(st))
		return;
	if (pcpd_state_put(&st->mirror, m, expires)) {
		st->compact_due = true;
		return;
	}
	journal(st, rec, pcpd_journal_map(rec, sizeof(rec), &st->chain, m,
					  expires + st->shift));
}

void pcpd_storage_del(struct pcpd_storage *st, uint8_t proto,
		      uint32_t int_addr, uint16_t int_port)
{
	char rec[PCPD_STATE_LINE_MAX];

	if (!enabled(st) ||
	    !pcpd_state_del(&st->mirror, proto, int_addr, int_port))
		return;
	journal(st, rec, pcpd_journal_del(rec, sizeof(rec), &st->chain, proto,
					  int_addr, int_port));
}

/* The same mapping, whatever its remaining lifetime and idle time. */
static bool same(const struct pcpd_mapping *a, const struct pcpd_mapping *b)
{
	return a->ext_addr == b->ext_addr && a->ext_port == b->ext_port &&
	       a->subscriber == b->subscriber &&
	       !memcmp(a->nonce, b->nonce, sizeof(a->nonce)) &&
	       a->nfilters == b->nfilters &&
	       !memcmp(a->filters, b->filters,
		       a->nfilters * sizeof(a->filters[0])) &&
	       !strncmp(a->descr, b->descr, sizeof(a->descr));
}

void pcpd_storage_event_new(struct pcpd_storage *st,
			    const struct pcpd_mapping *m)
{
	const struct pcpd_state_map *sm;
	struct pcpd_mapping cur;

	if (!enabled(st) || m->kind != PCPNAT_KIND_EXPLICIT)
		return;
	sm = pcpd_state_find(&st->mirror, m->proto, m->int_addr, m->int_port);
	if (sm && same(&sm->m, m))
		return;		/* pcpd's own, recorded when it made it */
	/* The event may be older than the table: what is it now? */
	if (!st->ops->map_get(st->be, m->proto, m->int_addr, m->int_port,
			      &cur) && cur.kind == PCPNAT_KIND_EXPLICIT)
		pcpd_storage_put(st, &cur);
	else
		pcpd_storage_del(st, m->proto, m->int_addr, m->int_port);
}

void pcpd_storage_event_del(struct pcpd_storage *st,
			    const struct pcpd_mapping *m)
{
	const struct pcpd_state_map *sm;

	if (!enabled(st))
		return;
	sm = pcpd_state_find(&st->mirror, m->proto, m->int_addr, m->int_port);
	/* Not one made since on the same key (by pcpd: in the mirror). */
	if (sm && sm->m.ext_addr == m->ext_addr &&
	    sm->m.ext_port == m->ext_port &&
	    !memcmp(sm->m.nonce, m->nonce, sizeof(m->nonce)))
		pcpd_storage_del(st, m->proto, m->int_addr, m->int_port);
}

void pcpd_storage_compact_soon(struct pcpd_storage *st)
{
	st->compact_due = true;
}

const struct pcpd_state_map *pcpd_storage_find(const struct pcpd_storage *st,
					       uint8_t proto, uint32_t int_addr,
					       uint16_t int_port)
{
	return pcpd_state_find(&st->mirror, proto, int_addr, int_port);
}

/* Past this the journal is compacted: it outgrew its snapshot. */
static size_t journal_bound(const struct pcpd_storage *st)
{
	return st->snap_bytes > PCPD_JOURNAL_MIN_COMPACT ? st->snap_bytes :
	       PCPD_JOURNAL_MIN_COMPACT;
}

bool pcpd_storage_pending(const struct pcpd_storage *st)
{
	return enabled(st) && (st->sync_due || st->compact_due ||
			       st->jbytes > journal_bound(st));
}

static int snap_one(void *arg, const struct pcpd_mapping *m)
{
	struct pcpd_state *s = arg;

	return pcpd_state_add(s, m, pcpd_boot_now() + m->lifetime) ?
	       -ENOMEM : 0;
}

/* The mirror's mappings still alive at now, into s. */
static int copy_live(struct pcpd_state *s, const struct pcpd_state *mirror,
		     int64_t now)
{
	unsigned int i;

	for (i = 0; i < mirror->nmaps; i++)
		if (mirror->maps[i].expires > now &&
		    pcpd_state_add(s, &mirror->maps[i].m,
				   mirror->maps[i].expires))
			return -ENOMEM;
	return 0;
}

int pcpd_storage_compact(struct pcpd_storage *st)
{
	struct pcpd_walk_filter f = { .kind = PCPNAT_KIND_EXPLICIT };
	struct pcpd_state s;
	int64_t now = pcpd_boot_now(), shift;
	uint64_t hash;
	size_t size;
	int err;

	if (!enabled(st))
		return 0;
	pcpd_state_init(&s);
	/*
	 * Asked for (compact_due: a reconnect, lost events, a flush, an
	 * unwritable journal), the snapshot is what the module's table holds
	 * now. Otherwise the journal merely outgrew its snapshot, and the
	 * mirror, which is snapshot plus journal, is written: a dump of a big
	 * table would hold up the event loop for nothing.
	 */
	if (st->compact_due)
		err = st->ops->map_walk(st->be, &f, NULL, snap_one, &s);
	else
		err = copy_live(&s, &st->mirror, now);
	if (err) {
		pcpd_state_free(&s);
		return err < 0 ? err : -ENOMEM;
	}
	s.state_id = st->mirror.state_id;
	/* The instance-wide epoch's origin, whichever rule gives it. */
	s.origin = now - st->ops->epoch(st->be, 0);
	s.nresets = st->ep->nresets;
	memcpy(s.resets, st->ep->resets, s.nresets * sizeof(s.resets[0]));
	pcpd_state_times_to_file(&s);
	err = pcpd_state_save_hashed(st->path, &s, &hash, &size,
				     &st->dir_err);
	shift = s.clock_wall - s.clock_boot;
	pcpd_state_times_from_file(&s);
	if (err) {
		/* The journal goes on after the old snapshot, in its times. */
		pcpd_state_free(&s);
		return err;
	}
	st->shift = shift;
	st->stats.compactions++;
	pcpd_state_free(&st->mirror);
	st->mirror = s;
	st->mirror.file_hash = hash;
	st->snap_bytes = size;
	st->compact_due = false;
	if (st->jfd >= 0)
		close(st->jfd);
	st->sync_due = false;
	st->chain = hash;
	st->jbytes = PCPD_JOURNAL_HEADER_LEN;
	err = pcpd_journal_create(st->journal_path, hash, &st->jfd);
	if (err)
		/* The snapshot is whole: changes wait for the next one. */
		st->compact_due = true;
	return err;
}

int pcpd_storage_flush(struct pcpd_storage *st, bool can_dump)
{
	int err = 0;

	if (!enabled(st))
		return 0;
	if (st->sync_due && st->jfd >= 0) {
		if (fdatasync(st->jfd))
			err = -errno;
		st->stats.fsyncs++;
		st->sync_due = false;
	}
	if (can_dump && (st->compact_due || st->jbytes > journal_bound(st)))
		err = pcpd_storage_compact(st);
	return err;
}
