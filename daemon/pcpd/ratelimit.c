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

/* Heard in this window or the one before, and steady then. */
static bool is_steady(const struct pcpd_ratelimit *rl,
		      const struct pcpd_rl_slot *s)
{
	return s->b.last_ms && s->steady && rl->window - s->window <= 1;
}

/*
 * The source's slot: the least recently seen of its set makes room, a
 * steady one only when the set holds nothing else.
 */
static struct pcpd_rl_slot *client(struct pcpd_ratelimit *rl, uint32_t addr)
{
	struct pcpd_rl_slot *set, *victim = NULL;
	uint32_t h = addr * 2654435761u;
	unsigned int i;

	set = rl->slot[(h >> 24) % PCPD_RL_SETS];
	for (i = 0; i < PCPD_RL_WAYS; i++) {
		if (set[i].b.last_ms && set[i].addr == addr)
			return &set[i];
		if (!victim || is_steady(rl, victim) > is_steady(rl, &set[i]) ||
		    (is_steady(rl, victim) == is_steady(rl, &set[i]) &&
		     set[i].b.last_ms < victim->b.last_ms))
			victim = &set[i];
	}
	victim->addr = addr;
	victim->b.last_ms = 0;
	victim->steady = false;
	victim->window = rl->window - 2;	/* not heard lately */
	return victim;
}

/* One-second windows: a source heard in two running is steady. */
static void note_heard(struct pcpd_ratelimit *rl, struct pcpd_rl_slot *s,
		       int64_t now_ms)
{
	int64_t since = now_ms - rl->window_start_ms;

	if (!rl->window_start_ms || since < 0 || since >= 1000) {
		/* A window that is not the one just before counts none. */
		rl->steady_count_before =
			rl->window_start_ms && since < 2000 ?
			rl->steady_count : 0;
		rl->steady_count = 0;
		rl->window++;
		rl->window_start_ms = now_ms ? now_ms : 1;
	}
	if (s->window != rl->window) {
		s->steady = s->window == rl->window - 1;
		s->asked_before = s->steady ? s->asked : 0;
		s->asked = 0;
		s->window = rl->window;
		rl->steady_count += s->steady;
	}
	s->asked++;
}

/*
 * May the total pay for one more request from s? A steady source asking
 * within its share, down to the last token; anything else only from the
 * upper half.
 */
static bool total_admits(struct pcpd_ratelimit *rl,
			 const struct pcpd_rl_slot *s, int64_t now_ms)
{
	uint32_t sources = rl->steady_count > rl->steady_count_before ?
			   rl->steady_count : rl->steady_count_before;
	uint32_t asks = s->asked > s->asked_before ? s->asked : s->asked_before;
	uint64_t share_milli = (uint64_t)rl->total * 1250 /
			       (sources ? sources : 1) + 1000;
	uint64_t floor = (uint64_t)rl->total * 500 + 1000;

	refill(&rl->all, (uint64_t)rl->total * 1000, now_ms);
	if (s->steady && (uint64_t)asks * 1000 <= share_milli)
		floor = 1000;
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
	}
	if (rl->rate)
		s->b.tokens_milli -= 1000;
	return PCPD_RL_ALLOW;
}
