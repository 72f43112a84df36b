/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd's stable storage policy (draft-boucadair-pcp-failure App. A):
 * what is written when, over any backend (backend.h), so that the unit
 * tests drive it over the fake one.
 *
 * In memory, `mirror` holds what the files say: the snapshot
 * (state_file.h) with the journal (state_journal.h) replayed. A change
 * (a mapping made, refreshed or deleted by a request pcpd answered, or
 * a MAP_NEW/MAP_DEL event of an explicit mapping someone else made)
 * updates the mirror and appends one record to the journal; the journal
 * is fsynced when the daemon's save timer fires (pcpd_storage_flush),
 * once for a burst of changes. When something else than a mapping
 * changed (the instance, the epoch origin, a subscriber's reset, events
 * lost), the next flush compacts from the table, which is the truth: it
 * is dumped and written as a new snapshot (temporary file, fsync, rename,
 * directory fsync), followed by a new empty journal. When the journal
 * merely outgrew its snapshot, the mirror is written instead, with no
 * dump of the module's table.
 * A change thus costs O(1) bytes, the compaction's O(N) shared among the
 * O(N) changes that made the journal grow that far.
 */
#ifndef PCPD_STORAGE_H
#define PCPD_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcpd/backend.h"
#include "pcpd/epoch.h"
#include "pcpd/state_journal.h"

struct pcpd_storage_stats {
	uint64_t records;	/* journal records written */
	uint64_t fsyncs;	/* of the journal */
	uint64_t compactions;	/* snapshots written */
};

struct pcpd_storage {
	/*
	 * The snapshot ("" = no storage) and its journal, copied at init:
	 * the pair is only ever written together, whatever becomes of the
	 * configuration the path came from (a reload rewrites it).
	 */
	char path[512];
	char journal_path[520];		/* PATH.journal */
	const struct pcpd_backend_ops *ops;	/* the table, for dumps */
	void *be;
	const struct pcpd_epoch *ep;	/* the origin and resets saved */
	struct pcpd_state mirror;	/* boot times */
	int jfd;		/* -1 until this process wrote a snapshot */
	uint64_t chain;		/* the journal's last record's hash */
	size_t jbytes, snap_bytes;
	int64_t shift;		/* file time - boot time of the snapshot */
	bool compact_due, sync_due;
	/*
	 * The last snapshot's directory fsync, 0 or -errno: the snapshot
	 * is in place and its journal follows it, but a crash may bring
	 * back the one before (pcpd_state_save_hashed).
	 */
	int dir_err;
	struct pcpd_storage_stats stats;
};

void pcpd_storage_init(struct pcpd_storage *st, const char *path,
		       const struct pcpd_backend_ops *ops, void *be,
		       const struct pcpd_epoch *ep);
void pcpd_storage_close(struct pcpd_storage *st);

/*
 * The snapshot and its journal into the mirror. As pcpd_state_load:
 * -ENOENT, or -EBADMSG for a snapshot set aside as PATH.corrupt (err
 * says why). *ignored: bytes of a torn journal tail that were dropped.
 */
int pcpd_storage_load(struct pcpd_storage *st, char *err, size_t errlen,
		      size_t *ignored);

/* A mapping is now explicit as m says (lifetime: seconds left). */
void pcpd_storage_put(struct pcpd_storage *st, const struct pcpd_mapping *m);
/* The explicit mapping of this internal key is gone. */
void pcpd_storage_del(struct pcpd_storage *st, uint8_t proto,
		      uint32_t int_addr, uint16_t int_port);
/*
 * MAP_NEW / MAP_DEL events of explicit mappings. Those of pcpd's own
 * changes are in the mirror already and cost nothing; for another's, the
 * table is asked for the key (one look-up) and its answer recorded.
 */
void pcpd_storage_event_new(struct pcpd_storage *st,
			    const struct pcpd_mapping *m);
void pcpd_storage_event_del(struct pcpd_storage *st,
			    const struct pcpd_mapping *m);
/* Something else than a mapping changed: the next flush compacts. */
void pcpd_storage_compact_soon(struct pcpd_storage *st);

const struct pcpd_state_map *pcpd_storage_find(const struct pcpd_storage *st,
					       uint8_t proto, uint32_t int_addr,
					       uint16_t int_port);
/* Whether a flush has work: a journal to fsync or a compaction. */
bool pcpd_storage_pending(const struct pcpd_storage *st);
/*
 * The save timer: fsync the journal, and compact when due and the table
 * can be dumped (can_dump: the module is reachable; nothing is written
 * from an empty table pcpd has not restored into yet). 0 or -errno.
 */
int pcpd_storage_flush(struct pcpd_storage *st, bool can_dump);
/*
 * A new snapshot, from the table when compact_due, from the mirror
 * otherwise, and its journal started. -errno when
 * no snapshot was written (the journal goes on after the old one); a
 * snapshot written whose directory could not be synced is one written:
 * its journal starts, and st->dir_err tells.
 */
int pcpd_storage_compact(struct pcpd_storage *st);

/*
 * backend.h over st->ops: every change of an explicit mapping that
 * succeeds is recorded (be = the struct pcpd_storage).
 */
extern const struct pcpd_backend_ops pcpd_storage_ops;

#endif /* PCPD_STORAGE_H */
