/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What stable storage holds, in memory (draft-boucadair-pcp-failure
 * App. A): the explicit mappings with their absolute expiry, the epoch
 * origin, the per-subscriber epoch restarts and the module instance they
 * belong to. The mappings are indexed by their internal key (protocol,
 * internal address and port: the module's own key), so that a change or
 * a look-up costs the same whatever the number of mappings: a journal
 * replay and the handling of a pool address's removal are linear, not
 * quadratic. The file formats are state_file.h and state_journal.h.
 */
#ifndef PCPD_STATE_TABLE_H
#define PCPD_STATE_TABLE_H

#include <stdint.h>

#include "pcpd/backend.h"
#include "pcpd/clock.h"
#include "pcpd/epoch.h"

/* The module's default table limit, rounded up: a bigger file is refused. */
#define PCPD_STATE_MAPS_MAX	(1 << 20)

/*
 * Times (expires, origin, resets[].at) are CLOCK_BOOTTIME seconds in
 * memory and wall-clock seconds in the files; the clock record says when,
 * on both clocks and in which boot, the snapshot was written, so that
 * reading it back in the same boot gives the boot times exactly whatever
 * the wall clock did meanwhile (pcpd_state_times_to_file/from_file).
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
	uint64_t file_hash;	/* the snapshot's end record, once loaded */
	unsigned int nresets;
	struct pcpd_sub_reset resets[PCPD_SUB_RESETS_MAX];
	unsigned int nmaps, cap;
	struct pcpd_state_map *maps;
	/* Open addressing by internal key: slot holds map index + 1. */
	uint32_t *slot;
	unsigned int nslots;	/* a power of two > 2 * cap, or 0 */
};

void pcpd_state_init(struct pcpd_state *s);
void pcpd_state_free(struct pcpd_state *s);
/*
 * Append one mapping; -ENOMEM, -E2BIG past PCPD_STATE_MAPS_MAX, -EEXIST
 * when its internal key is already there (a file never holds one twice).
 */
int pcpd_state_add(struct pcpd_state *s, const struct pcpd_mapping *m,
		   int64_t expires);
/* Insert or replace by internal key; errors as pcpd_state_add. */
int pcpd_state_put(struct pcpd_state *s, const struct pcpd_mapping *m,
		   int64_t expires);
/* Remove by internal key; false when there was none. */
bool pcpd_state_del(struct pcpd_state *s, uint8_t proto, uint32_t int_addr,
		    uint16_t int_port);
/* The stored mapping with this internal key, or NULL. */
struct pcpd_state_map *pcpd_state_find(const struct pcpd_state *s,
				       uint8_t proto, uint32_t int_addr,
				       uint16_t int_port);
/* Drop every mapping (the instance's state is gone). */
void pcpd_state_clear_maps(struct pcpd_state *s);

#endif /* PCPD_STATE_TABLE_H */
