// SPDX-License-Identifier: GPL-2.0
/* Anti-replay window (RFC 4303 §3.4.3); see sync_replay.h. */
#include "sync/sync_replay.h"

void sync_replay_reset(struct sync_replay *w, uint64_t floor)
{
	w->top = floor;
	/* Everything at or below the floor counts as seen. */
	w->bits = ~(uint64_t)0;
}

bool sync_replay_check(const struct sync_replay *w, uint64_t c)
{
	if (c > w->top)
		return true;
	if (w->top - c >= SYNC_REPLAY_WINDOW)
		return false;
	return !(w->bits >> (w->top - c) & 1);
}

void sync_replay_update(struct sync_replay *w, uint64_t c)
{
	uint64_t shift;

	if (c > w->top) {
		shift = c - w->top;
		w->bits = shift >= SYNC_REPLAY_WINDOW ? 0 : w->bits << shift;
		w->bits |= 1;
		w->top = c;
	} else if (w->top - c < SYNC_REPLAY_WINDOW) {
		w->bits |= (uint64_t)1 << (w->top - c);
	}
}
