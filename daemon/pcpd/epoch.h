/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The epoch bookkeeping pcpd adds on top of the module's epoch (RFC 6887
 * 8.5):
 * - a subscriber whose mappings were flushed (`pcpctl flush SUBSCRIBER`,
 *   seen as MAP_DEL events with reason FLUSHED) sees its epoch restart
 *   at zero while the others keep counting (draft-boucadair-pcp-failure
 *   3.2);
 * - after pcpd restored the explicit mappings from stable storage into a
 *   fresh module instance, the epoch continues from the stored origin
 *   (draft-boucadair-pcp-failure App. A), for as long as that instance
 *   lives.
 * Times are CLOCK_BOOTTIME seconds (pcpd/clock.h): a step of the wall
 * clock moves no epoch. Stable storage converts them (pcpd/state_file.h).
 */
#ifndef PCPD_EPOCH_H
#define PCPD_EPOCH_H

#include <stdint.h>

#define PCPD_SUB_RESETS_MAX	1024

struct pcpd_sub_reset {
	uint32_t subscriber;	/* network order */
	int64_t at;		/* boot clock of the flush */
};

struct pcpd_epoch {
	/* Restored origin: applies while the module's state_id is this. */
	uint64_t origin_state_id;
	int64_t origin;		/* 0 = none, use the module's epoch */
	unsigned int nresets;
	struct pcpd_sub_reset resets[PCPD_SUB_RESETS_MAX];
};

/* Restart one subscriber's epoch now (it lost its mappings). */
void pcpd_epoch_subscriber_reset(struct pcpd_epoch *ep, uint32_t subscriber,
				 int64_t now);
/* The whole state is gone: forget per-subscriber and restored origins. */
void pcpd_epoch_state_reset(struct pcpd_epoch *ep);
/* The epoch of subscriber, given the module's epoch and state_id. */
uint32_t pcpd_epoch_rule(const struct pcpd_epoch *ep, uint32_t subscriber,
			 uint32_t mod_epoch, uint64_t state_id, int64_t now);

#endif /* PCPD_EPOCH_H */
