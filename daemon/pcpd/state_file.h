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

/* The module's default table limit, rounded up: a bigger file is refused. */
#define PCPD_STATE_MAPS_MAX	(1 << 20)
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
 * Times (expires, origin, resets[].at) are CLOCK_BOOTTIME seconds in
 * memory and wall-clock seconds in the file; the clock record says when,
 * on both clocks and in which boot, the file was written, so that reading
 * it back in the same boot gives the boot times exactly whatever the wall
 * clock did meanwhile (pcpd_state_times_to_file/from_file).
 */
struct pcpd_state_map {
	struct pcpd_mapping m;	/* kind EXPLICIT; lifetime unused */
	int64_t expires;
};

struct pcpd_state {
	uint64_t state_id;	/* module instance the mappings lived in */
	int64_t origin;		/* when the epoch counts from */
	/* The clock record: empty boot_id when the file had none. */
	char boot_id[PCPD_BOOT_ID_LEN];
	int64_t clock_boot, clock_wall;
	unsigned int nresets;
	struct pcpd_sub_reset resets[PCPD_SUB_RESETS_MAX];
	unsigned int nmaps, cap;
	struct pcpd_state_map *maps;
};

void pcpd_state_init(struct pcpd_state *s);
void pcpd_state_free(struct pcpd_state *s);
/* Append one mapping; -ENOMEM, -E2BIG past PCPD_STATE_MAPS_MAX. */
int pcpd_state_add(struct pcpd_state *s, const struct pcpd_mapping *m,
		   int64_t expires);

/*
 * Text of s into a malloc'd buffer (*len bytes). 0, -ENOMEM, or -E2BIG for
 * a record longer than the loader takes (PCPD_STATE_LINE_MAX).
 */
int pcpd_state_format(const struct pcpd_state *s, char **buf, size_t *len);
/* The hash the file's last line carries, of every octet before it. */
uint64_t pcpd_state_hash(const void *buf, size_t n);
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

/* Atomic replacement of path. 0 or -errno. */
int pcpd_state_save(const char *path, const struct pcpd_state *s);
/*
 * Read path into s. -ENOENT when there is none. A corrupt file is renamed
 * to PATH.corrupt (replacing an older one), reported in err, and
 * -EBADMSG returned: the caller starts without it.
 */
int pcpd_state_load(const char *path, struct pcpd_state *s, char *err,
		    size_t errlen);

#endif /* PCPD_STATE_H */
