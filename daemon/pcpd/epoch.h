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

#include <stdbool.h>
#include <stdint.h>

#define PCPD_SUB_RESETS_MAX	1024

struct pcpd_sub_reset {
	uint32_t subscriber;	/* network order */
	int64_t at;		/* boot clock of the flush */
};

struct pcpd_epoch {
	/*
	 * The module's epoch, cached so that a reply costs no CONFIG_GET:
	 * it counts on the same boot clock from the start of the module's
	 * state, so its origin there is fixed while the state id is.
	 */
	bool mod_known;
	uint64_t mod_state_id;
	int64_t mod_origin;	/* boot clock at which the module's epoch was 0 */
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

/*
 * The module said its epoch was mod_epoch with state state_id, read at
 * about now (pcpd reads whenever it asks the module's configuration
 * anyway: the link's tick, a reconnect, a state reset).
 */
void pcpd_epoch_module_seen(struct pcpd_epoch *ep, uint32_t mod_epoch,
			    uint64_t state_id, int64_t now);
/* The module is gone: its epoch is unknown until read again. */
void pcpd_epoch_module_forget(struct pcpd_epoch *ep);
/*
 * The epoch of subscriber now, from the cached module epoch and the rules
 * above; 0 while the module's is unknown.
 */
uint32_t pcpd_epoch_now(const struct pcpd_epoch *ep, uint32_t subscriber,
			int64_t now);

#endif /* PCPD_EPOCH_H */
