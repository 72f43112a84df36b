/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real backend (backend.h) over the pcpnat client library, plus the
 * epoch bookkeeping pcpd adds on top of the module's:
 * - a subscriber whose mappings were flushed (`pcpctl flush SUBSCRIBER`,
 *   seen as MAP_DEL events with reason FLUSHED) sees its epoch restart
 *   at zero while the others keep counting (draft-boucadair-pcp-failure
 *   3.2);
 * - after pcpd restored the explicit mappings from stable storage into a
 *   fresh module instance, the epoch continues from the stored origin
 *   (draft-boucadair-pcp-failure App. A), for as long as that instance
 *   lives.
 * Times are CLOCK_BOOTTIME seconds (pcpd/clock.h): a step of the wall
 * clock moves no epoch. Stable storage converts them (pcpd/state.h).
 */
#ifndef PCPD_BACKEND_NL_H
#define PCPD_BACKEND_NL_H

#include <stdint.h>
#include <time.h>

#include "lib/pcpnat_client.h"
#include "pcpd/backend.h"

#define PCPD_SUB_RESETS_MAX	1024

struct pcpd_sub_reset {
	uint32_t subscriber;	/* network order */
	int64_t at;		/* boot clock of the flush */
};

struct pcpd_nl {
	struct pcpnat_client *c;
	/* Restored origin: applies while the module's state_id is this. */
	uint64_t origin_state_id;
	int64_t origin;		/* 0 = none, use the module's epoch */
	unsigned int nresets;
	struct pcpd_sub_reset resets[PCPD_SUB_RESETS_MAX];
};

extern const struct pcpd_backend_ops pcpd_nl_ops;

/* Conversions between the lib's view and backend.h's. */
void pcpd_nl_from_lib(const struct pcpnat_map *m, struct pcpd_mapping *out);
void pcpd_nl_to_lib(const struct pcpd_mapping *m, struct pcpnat_map *out);

/* Restart one subscriber's epoch now (it lost its mappings). */
void pcpd_nl_subscriber_reset(struct pcpd_nl *nl, uint32_t subscriber,
			      int64_t now);
/* The whole state is gone: forget per-subscriber and restored origins. */
void pcpd_nl_state_reset(struct pcpd_nl *nl);
/*
 * Epoch for subscriber given the module's epoch and state_id: pure, so
 * the rules are unit-tested without a module.
 */
uint32_t pcpd_nl_epoch_rule(const struct pcpd_nl *nl, uint32_t subscriber,
			    uint32_t mod_epoch, uint64_t state_id,
			    int64_t now);

#endif /* PCPD_BACKEND_NL_H */
