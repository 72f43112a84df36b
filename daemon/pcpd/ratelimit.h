/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-client rate limit (pcpd.conf rate_limit), so that one client
 * flooding the server cannot starve the others of answers: a token bucket
 * per source address in a fixed table, so memory does not grow with the
 * number of clients; a new client takes the least recently seen slot of
 * its set.
 */
#ifndef PCPD_RATELIMIT_H
#define PCPD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define PCPD_RL_SETS	256
#define PCPD_RL_WAYS	4

struct pcpd_rl_slot {
	uint32_t addr;
	uint32_t tokens_milli;	/* thousandths of a request */
	int64_t last_ms;
};

struct pcpd_ratelimit {
	uint32_t rate;		/* requests per second, 0 = unlimited */
	struct pcpd_rl_slot slot[PCPD_RL_SETS][PCPD_RL_WAYS];
};

void pcpd_rl_init(struct pcpd_ratelimit *rl, uint32_t rate);
/* May a request from addr be answered at now_ms? Takes a token if so. */
bool pcpd_rl_allow(struct pcpd_ratelimit *rl, uint32_t addr, int64_t now_ms);

#endif /* PCPD_RATELIMIT_H */
