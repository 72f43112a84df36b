// SPDX-License-Identifier: GPL-2.0
/* See ratelimit.h. */
#include <stdbool.h>
#include <string.h>

#include "pcpd/ratelimit.h"

void pcpd_rl_init(struct pcpd_ratelimit *rl, uint32_t rate, uint32_t total)
{
	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
	rl->total = total;
}

/*
 * Refill at rate_milli thousandths of a request a second, up to one
 * second's worth (one request at least); a new bucket starts full.
 */
static void refill(struct pcpd_rl_bucket *b, uint64_t rate_milli,
		   int64_t now_ms)
{
	uint64_t cap = rate_milli < 1000 ? 1000 : rate_milli, add;

	if (!b->last_ms) {
		b->tokens_milli = (uint32_t)cap;
	} else if (now_ms > b->last_ms) {
		add = (uint64_t)(now_ms - b->last_ms) * rate_milli / 1000;
		b->tokens_milli = add + b->tokens_milli > cap ? (uint32_t)cap :
				  b->tokens_milli + (uint32_t)add;
	}
	b->last_ms = now_ms ? now_ms : 1;
}

static struct pcpd_rl_slot *client(struct pcpd_ratelimit *rl, uint32_t addr)
{
	struct pcpd_rl_slot *set, *lru;
	uint32_t h = addr * 2654435761u;
	unsigned int i;

	set = rl->slot[(h >> 24) % PCPD_RL_SETS];
	lru = &set[0];
	for (i = 0; i < PCPD_RL_WAYS; i++) {
		if (set[i].b.last_ms && set[i].addr == addr)
			return &set[i];
		if (set[i].b.last_ms < lru->b.last_ms)
			lru = &set[i];
	}
	lru->addr = addr;
	lru->b.last_ms = 0;
	lru->share.last_ms = 0;
	lru->window = rl->window - 1;	/* not yet heard in this window */
	return lru;
}

/* Count sources in one-second windows: the shares divide by that. */
static void note_heard(struct pcpd_ratelimit *rl, struct pcpd_rl_slot *s,
		       int64_t now_ms)
{
	int64_t since = now_ms - rl->window_start_ms;

	if (!rl->window_start_ms || since < 0 || since >= 1000) {
		/* A window that is not the one just before counts none. */
		rl->heard_before = rl->window_start_ms && since < 2000 ?
				   rl->heard : 0;
		rl->heard = 0;
		rl->window++;
		rl->window_start_ms = now_ms ? now_ms : 1;
	}
	if (s->window != rl->window) {
		s->window = rl->window;
		rl->heard++;
	}
}

/*
 * May the total pay for one more request from s? Within its share, down
 * to the last token; beyond it, only from the upper half.
 */
static bool total_admits(struct pcpd_ratelimit *rl, struct pcpd_rl_slot *s,
			 int64_t now_ms)
{
	uint32_t sources = rl->heard > rl->heard_before ? rl->heard :
			   rl->heard_before;
	uint64_t floor;

	refill(&rl->all, (uint64_t)rl->total * 1000, now_ms);
	refill(&s->share, (uint64_t)rl->total * 1000 / sources, now_ms);
	floor = s->share.tokens_milli >= 1000 ? 1000 :
		(uint64_t)rl->total * 500 + 1000;
	return rl->all.tokens_milli >= floor;
}

enum pcpd_rl_verdict pcpd_rl_check(struct pcpd_ratelimit *rl, uint32_t addr,
				   int64_t now_ms)
{
	struct pcpd_rl_slot *s;

	if (!rl->rate && !rl->total)
		return PCPD_RL_ALLOW;
	s = client(rl, addr);
	note_heard(rl, s, now_ms);
	if (rl->rate) {
		refill(&s->b, (uint64_t)rl->rate * 1000, now_ms);
		if (s->b.tokens_milli < 1000)
			return PCPD_RL_CLIENT;
	} else {
		s->b.last_ms = now_ms ? now_ms : 1;	/* the slot's LRU age */
	}
	if (rl->total) {
		if (!total_admits(rl, s, now_ms))
			return PCPD_RL_TOTAL;
		rl->all.tokens_milli -= 1000;
		if (s->share.tokens_milli >= 1000)
			s->share.tokens_milli -= 1000;
	}
	if (rl->rate)
		s->b.tokens_milli -= 1000;
	return PCPD_RL_ALLOW;
}
