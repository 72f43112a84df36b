/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The journal of stable storage: the changes made since the snapshot
 * (state_file.h) was written, one small record a change, appended, so
 * that a change costs the same whatever the number of stored mappings
 * (draft-boucadair-pcp-failure App. A asks for the state, not for how
 * it is written). Loading is the snapshot, then the journal replayed.
 *
 * Text, one record a line:
 *   pcpd-journal 1 SNAPSHOT-HASH       the snapshot it follows
 *   map FIELDS... HASH                 made or refreshed (the snapshot's
 *                                      map record, expiry in file time)
 *   del PROTO INT-ADDR INT-PORT HASH   gone
 * Each HASH is FNV-1a over the record's text before it, continued from
 * the previous record's (the first from the snapshot's): records belong
 * to that snapshot, in that order. A journal of another snapshot (a crash
 * between writing a new snapshot and starting its journal) is not
 * replayed. Replay stops at the first record that is incomplete or fails
 * its hash: a crash in the middle of an append leaves a torn last record,
 * which is dropped, never fatal; everything before it counts.
 */
#ifndef PCPD_STATE_JOURNAL_H
#define PCPD_STATE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pcpd/state_file.h"

#define PCPD_JOURNAL_MAGIC	"pcpd-journal 1"
/* The header's length: the magic, a space, 16 hex digits, a newline. */
#define PCPD_JOURNAL_HEADER_LEN	(sizeof(PCPD_JOURNAL_MAGIC) + 17)
/*
 * The largest journal written and read: as big as the largest snapshot.
 * pcpd compacts long before (when the journal outgrows its snapshot);
 * a writer that cannot compact stops appending here.
 */
#define PCPD_JOURNAL_FILE_MAX	PCPD_STATE_FILE_MAX
/* A journal this small is never worth compacting. */
#define PCPD_JOURNAL_MIN_COMPACT	(64 * 1024)

/* The header for a snapshot whose end record carries snap_hash. */
int pcpd_journal_header(char *buf, size_t cap, uint64_t snap_hash);
/*
 * One record (newline included) into buf, chained from *chain, which is
 * updated; its length, or -E2BIG when it would be longer than a record
 * the loader takes (PCPD_STATE_LINE_MAX).
 */
int pcpd_journal_map(char *buf, size_t cap, uint64_t *chain,
		     const struct pcpd_mapping *m, int64_t expires);
int pcpd_journal_del(char *buf, size_t cap, uint64_t *chain, uint8_t proto,
		     uint32_t int_addr, uint16_t int_port);

struct pcpd_journal_replay {
	unsigned int records;	/* applied */
	size_t used;		/* bytes of the valid records, header included */
	size_t ignored;		/* bytes after them: a torn or bad tail */
	uint64_t chain;		/* the last valid record's hash */
};

/*
 * Apply buf[0..len) to s (times as in the files). -ESTALE when the header
 * is not that of snap_hash's journal (then nothing is applied); otherwise
 * 0, with what was applied and ignored in *r.
 */
int pcpd_journal_replay(const char *buf, size_t len, uint64_t snap_hash,
			struct pcpd_state *s, struct pcpd_journal_replay *r);

/*
 * A new journal at path for snap_hash: the old one unlinked, a fresh file
 * of our own (O_EXCL, O_NOFOLLOW) with the header, fsynced, its directory
 * too. *fd stays open for appends. 0 or -errno.
 */
int pcpd_journal_create(const char *path, uint64_t snap_hash, int *fd);
/* write(2) of all of buf. 0 or -errno. */
int pcpd_journal_append(int fd, const char *buf, size_t len);
/*
 * Read path and replay it onto s as pcpd_journal_replay does. -ENOENT
 * when there is none, -EFBIG past PCPD_JOURNAL_FILE_MAX (not replayed),
 * -ESTALE for another snapshot's.
 */
int pcpd_journal_load(const char *path, uint64_t snap_hash,
		      struct pcpd_state *s, struct pcpd_journal_replay *r);

#endif /* PCPD_STATE_JOURNAL_H */
