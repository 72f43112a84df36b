// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window (sync/sync_replay.c) as RFC 4303 §3.4.3 keeps
 * it, step by step from a table: the floor set at the establishing HELLO
 * and everything below it refused, in-window reordering accepted once,
 * duplicates refused, counters older than the window refused, jumps of
 * less than, exactly and more than the window, a floor below the window's
 * width, and counters at the top of the u64 range (they never wrap: a
 * session sends fewer than 2^64 messages, and a new session starts anew).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "sync/sync_replay.h"

enum { RESET, TRY };

struct step {
	int op;
	uint64_t c;	/* RESET: the floor; TRY: the counter */
	bool accept;	/* TRY: whether it passes (and is then recorded) */
	const char *why;
};

static const struct step steps[] = {
	{ RESET, 1000, 0, "established at counter 1000" },
	{ TRY, 1000, false, "the establishing HELLO itself, replayed" },
	{ TRY, 999, false, "below the floor, just" },
	{ TRY, 1000 - 63, false, "below the floor, at the window's edge" },
	{ TRY, 1000 - 64, false, "below the floor, past the window" },
	{ TRY, 0, false, "counter 0" },
	{ TRY, 1001, true, "the next" },
	{ TRY, 1001, false, "the next again" },
	{ TRY, 1005, true, "ahead by 4" },
	{ TRY, 1003, true, "late within the window" },
	{ TRY, 1003, false, "late, again" },
	{ TRY, 1002, true, "late, the other one" },
	{ TRY, 1004, true, "late, the last one missing" },
	{ TRY, 1005, false, "the top again" },
	{ TRY, 1100, true, "a jump of 95 (more than the window)" },
	{ TRY, 1100 - 63, true, "the oldest the window holds, unseen" },
	{ TRY, 1100 - 63, false, "that one again" },
	{ TRY, 1100 - 64, false, "one older than the window, unseen" },
	{ TRY, 1005, false, "far older, seen before the jump" },
	{ TRY, 1099, true, "just below the top" },
	{ TRY, 1100 + 63, true, "a jump of 63: the old top stays inside" },
	{ TRY, 1100, false, "the old top, now bit 63" },
	{ TRY, 1099, false, "bit 64: older than the window" },
	{ TRY, 1163 + 64, true, "a jump of exactly 64: nothing stays" },
	{ TRY, 1163, false, "the old top, now just outside" },
	{ TRY, 1164, true, "the oldest in the window, unseen" },
	{ TRY, 1226, true, "bit 1, unseen" },
	{ TRY, 1227, false, "the top again" },

	{ RESET, 5, 0, "a floor below the window's width" },
	{ TRY, 5, false, "the floor" },
	{ TRY, 1, false, "below it" },
	{ TRY, 0, false, "counter 0" },
	{ TRY, 6, true, "above it" },

	{ RESET, UINT64_MAX - 2, 0, "a floor near the top of the range" },
	{ TRY, UINT64_MAX - 2, false, "the floor" },
	{ TRY, UINT64_MAX, true, "the highest counter" },
	{ TRY, UINT64_MAX - 1, true, "late, within the window" },
	{ TRY, UINT64_MAX, false, "the highest again" },
	{ TRY, UINT64_MAX - 64, false, "older than the window" },
};

TEST(replay_window_steps)
{
	struct sync_replay w = { 0, 0 };
	unsigned int i;
	bool ok;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *s = &steps[i];

		if (s->op == RESET) {
			sync_replay_reset(&w, s->c);
			continue;
		}
		ok = sync_replay_check(&w, s->c);
		if (ok != s->accept)
			TH_LOG("step %u, counter %llu (%s): %s", i,
			       (unsigned long long)s->c, s->why,
			       ok ? "accepted" : "refused");
		EXPECT_EQ(s->accept, ok);
		if (ok)
			sync_replay_update(&w, s->c);
	}
}

/* Checking changes nothing: only update records a counter as seen. */
TEST(check_alone_records_nothing)
{
	struct sync_replay w;

	sync_replay_reset(&w, 10);
	EXPECT_TRUE(sync_replay_check(&w, 12));
	EXPECT_TRUE(sync_replay_check(&w, 12));
	EXPECT_TRUE(sync_replay_check(&w, 11));
	sync_replay_update(&w, 12);
	EXPECT_FALSE(sync_replay_check(&w, 12));
	EXPECT_TRUE(sync_replay_check(&w, 11));
}

TEST_HARNESS_MAIN
