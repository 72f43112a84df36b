/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stable storage (draft-boucadair-pcp-failure App. A): the explicit
 * mappings pcpd made, with everything needed to make them again (nonce,
 * filters, description, owner, absolute expiry), the epoch origin and the
 * per-subscriber epoch restarts.
 *
 * The file is text, one record a line, and ends with a line holding the
 * record count and a 64-bit FNV-1a hash of everything before it: a
 * truncated or altered file fails that check and is never trusted.
 * Format and parse are pure; the file side writes a temporary file,
 * fsyncs it, renames it over the old one and fsyncs the directory, so a
 * crash leaves either the old or the new file, never a mix.
 */
#ifndef PCPD_STATE_H
#define PCPD_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "pcpd/backend.h"
#include "pcpd/backend_nl.h"
#include "pcpd/clock.h"
#include "pcpd/state_table.h"

/*
 * The longest record the writer produces, newline included: a map line
 * with every field at its widest is "map " + proto (3) + three addresses
 * (3 x 15) + two ports (2 x 5) + expiry (20, INT64_MIN) + nonce (24 hex)
 * + filter count (3) + PCPNAT_FILTERS_MAX filters (8 x " A/32:65535",
 * 25 each) + " -" + description (127 octets, 254 hex) + separators: 574.
 */
#define PCPD_STATE_LINE_MAX	640
/*
 * The largest file the writer can produce, and so the largest the loader
 * takes: the header, every reset and every mapping at their longest.
 */
#define PCPD_STATE_FILE_MAX	((size_t)PCPD_STATE_LINE_MAX *		\
				 (4 + PCPD_SUB_RESETS_MAX + PCPD_STATE_MAPS_MAX))

/*
 * Text of s into a malloc'd buffer (*len bytes). 0, -ENOMEM, or -E2BIG for
 * a record longer than the loader takes (PCPD_STATE_LINE_MAX).
 */
int pcpd_state_format(const struct pcpd_state *s, char **buf, size_t *len);
/* The hash the file's last line carries, of every octet before it. */
uint64_t pcpd_state_hash(const void *buf, size_t n);
/* The same hash continued from h (the journal chains its records so). */
uint64_t pcpd_state_hash_more(uint64_t h, const void *buf, size_t n);
/*
 * One mapping as the file's "map" record (no newline) into buf; its length,
 * or -E2BIG when it would not fit cap or PCPD_STATE_LINE_MAX.
 */
int pcpd_state_format_map(char *buf, size_t cap, const struct pcpd_mapping *m,
			  int64_t expires);
/* The fields after "map " of such a record; 0 or -1. line is cut up. */
int pcpd_state_parse_map(char *line, struct pcpd_mapping *m, int64_t *exp);
/* Strict parse; 0, or -EBADMSG with the reason in err. s is reset first. */
int pcpd_state_parse(const char *buf, size_t len, struct pcpd_state *s,
		     char *err, size_t errlen);

/* Boot times into file times, noting the clocks now (pcpd_clock). */
void pcpd_state_times_to_file(struct pcpd_state *s);
/*
 * File times into boot times: through the clock record when the file was
 * written in this boot, through the wall clock otherwise (a reboot, or a
 * file without the record).
 */
void pcpd_state_times_from_file(struct pcpd_state *s);

/* Atomic replacement of path. 0 or -errno (the directory sync's too). */
int pcpd_state_save(const char *path, const struct pcpd_state *s);
/*
 * The same, telling the hash of its end record and the file's size.
 * -errno when path was not replaced: the old file stands. Once renamed,
 * the new file is the one there, read by whoever opens path: 0, and
 * *dir_err is the directory's fsync, 0 or -errno (when it failed, a
 * crash may still bring the old file back).
 */
int pcpd_state_save_hashed(const char *path, const struct pcpd_state *s,
			   uint64_t *hash, size_t *size, int *dir_err);
/* fsync of the directory that holds path. 0 or -errno. */
int pcpd_state_fsync_dir(const char *path);
/*
 * Read path into s (s->file_hash: its end record's hash). -ENOENT when there is none. A corrupt file is renamed
 * to PATH.corrupt (replacing an older one), reported in err, and
 * -EBADMSG returned: the caller starts without it.
 */
int pcpd_state_load(const char *path, struct pcpd_state *s, char *err,
		    size_t errlen);

#endif /* PCPD_STATE_H */
