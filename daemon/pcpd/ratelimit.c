// SPDX-License-Identifier: GPL-2.0
/* See ratelimit.h. Burst: one second's worth of requests. */
#include <string.h>

#include "pcpd/ratelimit.h"

void pcpd_rl_init(struct pcpd_ratelimit *rl, uint32_t rate)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
}

bool pcpd_rl_allow(struct pcpd_ratelimit *rl, uint32_t addr, int64_t now_ms)
{
	struct pcpd_rl_slot *set, *s = NULL, *lru;
	uint32_t h = addr * 2654435761u, cap;
	uint64_t add;
	unsigned int i;

	if (!rl->rate)
		return true;
	cap = rl->rate * 1000;
	set = rl->slot[(h >> 24) % PCPD_RL_SETS];
	lru = &set[0];
	for (i = 0; i < PCPD_RL_WAYS; i++) {
		if (set[i].last_ms && set[i].addr == addr) {
			s = &set[i];
			break;
		}
		if (set[i].last_ms < lru->last_ms)
			lru = &set[i];
	}
	if (!s) {
		s = lru;
		s->addr = addr;
		s->tokens_milli = cap;
		s->last_ms = now_ms;
	}
	if (now_ms > s->last_ms) {
		add = (uint64_t)(now_ms - s->last_ms) * rl->rate;
		s->tokens_milli = add + s->tokens_milli > cap ? cap :
				  s->tokens_milli + (uint32_t)add;
	}
	s->last_ms = now_ms ? now_ms : 1;
	if (s->tokens_milli < 1000)
		return false;
	s->tokens_milli -= 1000;
	return true;
}
