// SPDX-License-Identifier: GPL-2.0
/* See ratelimit.h. */
#include <string.h>

#include "pcpd/ratelimit.h"

void pcpd_rl_init(struct pcpd_ratelimit *rl, uint32_t rate, uint32_t total)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
	rl->total = total;
}

/* Refill at rate/s up to one second's worth; a new bucket starts full. */
static void refill(struct pcpd_rl_bucket *b, uint32_t rate, int64_t now_ms)
{
	uint32_t cap = rate * 1000;
	uint64_t add;

	if (!b->last_ms) {
		b->tokens_milli = cap;
	} else if (now_ms > b->last_ms) {
		add = (uint64_t)(now_ms - b->last_ms) * rate;
		b->tokens_milli = add + b->tokens_milli > cap ? cap :
				  b->tokens_milli + (uint32_t)add;
	}
	b->last_ms = now_ms ? now_ms : 1;
}

static struct pcpd_rl_bucket *client(struct pcpd_ratelimit *rl, uint32_t addr)
{
	struct pcpd_rl_slot *set, *lru;
	uint32_t h = addr * 2654435761u;
	unsigned int i;

	set = rl->slot[(h >> 24) % PCPD_RL_SETS];
	lru = &set[0];
	for (i = 0; i < PCPD_RL_WAYS; i++) {
		if (set[i].b.last_ms && set[i].addr == addr)
			return &set[i].b;
		if (set[i].b.last_ms < lru->b.last_ms)
			lru = &set[i];
	}
	lru->addr = addr;
	lru->b.last_ms = 0;
	return &lru->b;
}

enum pcpd_rl_verdict pcpd_rl_check(struct pcpd_ratelimit *rl, uint32_t addr,
				   int64_t now_ms)
{
	struct pcpd_rl_bucket *c = NULL;

	if (rl->rate) {
		c = client(rl, addr);
		refill(c, rl->rate, now_ms);
		if (c->tokens_milli < 1000)
			return PCPD_RL_CLIENT;
	}
	if (rl->total) {
		refill(&rl->all, rl->total, now_ms);
		if (rl->all.tokens_milli < 1000)
			return PCPD_RL_TOTAL;
		rl->all.tokens_milli -= 1000;
	}
	if (c)
		c->tokens_milli -= 1000;
	return PCPD_RL_ALLOW;
}
