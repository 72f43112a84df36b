// SPDX-License-Identifier: GPL-2.0
/*
 * pcpd's rate limits (pcpd/ratelimit.c), on a simulated clock: one
 * client's bucket, sources that rotate to get a fresh bucket each, and a
 * client within its limit beside a flood within the total and beside one
 * twice the total (the total's fair shares).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "pcpd/log.h"
#include "pcpd/ratelimit.h"

static struct pcpd_ratelimit rl;

#define ADDR(i) ((uint32_t)(0x0a000000u + (i)))	/* any distinct values */

TEST(one_client)
{
	unsigned int i, ok = 0;

	pcpd_rl_init(&rl, 10, 0);
	for (i = 0; i < 20; i++)
		ok += pcpd_rl_check(&rl, ADDR(1), 1000) == PCPD_RL_ALLOW;
	EXPECT_EQ(10u, ok);		/* one second's worth at once */
	EXPECT_EQ((int)PCPD_RL_CLIENT, (int)pcpd_rl_check(&rl, ADDR(1), 1050));
	EXPECT_EQ((int)PCPD_RL_ALLOW, (int)pcpd_rl_check(&rl, ADDR(1), 1100));
	/* Another client has a bucket of its own. */
	EXPECT_EQ((int)PCPD_RL_ALLOW, (int)pcpd_rl_check(&rl, ADDR(2), 1100));
	/* 0 = no limit. */
	pcpd_rl_init(&rl, 0, 0);
	for (i = 0, ok = 0; i < 1000; i++)
		ok += pcpd_rl_check(&rl, ADDR(1), 1000) == PCPD_RL_ALLOW;
	EXPECT_EQ(1000u, ok);
}

/*
 * 100,000 requests in 10 s from 5,000 rotating sources at a per-client
 * limit of 10/s: each new source takes a slot with a full bucket, so the
 * per-client limit alone let every one of them through here (and 92,320
 * of 100,000 in a run against a real pcpd). The total caps them
 * at 200/s plus one second's burst.
 */
TEST(rotating_sources_meet_the_total)
{
	unsigned int i, ok = 0, by_total = 0;
	enum pcpd_rl_verdict v;

	pcpd_rl_init(&rl, 10, 200);
	for (i = 0; i < 100000; i++) {
		v = pcpd_rl_check(&rl, ADDR(i % 5000), 1000 + i / 10);
		ok += v == PCPD_RL_ALLOW;
		by_total += v == PCPD_RL_TOTAL;
	}
	EXPECT_LE(ok, 200u * 10 + 200);
	EXPECT_GE(ok, 200u * 10);
	EXPECT_GT(by_total, 90000u);
}

/*
 * A client at 10 MAP/s beside 200 sources at 4/s each (800/s), with the
 * defaults: every one of the client's 300 requests in 30 s is answered,
 * since the flood stays within the total.
 */
TEST(client_within_limits_beside_a_flood)
{
	unsigned int t, s, legit = 0, flood = 0;

	pcpd_rl_init(&rl, PCPD_RATE_LIMIT_DEFAULT, PCPD_RATE_LIMIT_TOTAL_DEFAULT);
	for (t = 0; t < 30000; t += 5) {
		/* Every 5 ms, 4 flood sources in turn (800/s in all). */
		for (s = 0; s < 4; s++)
			flood += pcpd_rl_check(&rl, ADDR(100 + (t / 5 * 4 + s) % 200),
					       1000 + t) == PCPD_RL_ALLOW;
		if (t % 100 == 0)
			legit += pcpd_rl_check(&rl, ADDR(1), 1000 + t) ==
				 PCPD_RL_ALLOW;
	}
	EXPECT_EQ(300u, legit);
	EXPECT_EQ(24000u, flood);
}

/*
 * The same client beside 200 sources at 20/s each (4,000/s, twice the
 * default total): the total is shared out fairly, so a client asking for
 * no more than its share (2,000/s over 201 sources) keeps at least 95 % of
 * its answers; first come, first served gave it about half (the flood's
 * share of the arrivals). pcpd still answers no more than the total.
 */
TEST(client_within_its_share_beside_a_flood_over_the_total)
{
	unsigned int t, s, legit = 0, flood = 0;

	pcpd_rl_init(&rl, PCPD_RATE_LIMIT_DEFAULT, PCPD_RATE_LIMIT_TOTAL_DEFAULT);
	for (t = 0; t < 30000; t += 5) {
		/* Every 5 ms, 20 flood sources in turn (4,000/s in all). */
		for (s = 0; s < 20; s++)
			flood += pcpd_rl_check(&rl, ADDR(100 + (t / 5 * 20 + s) % 200),
					       1000 + t) == PCPD_RL_ALLOW;
		if (t % 100 == 0)
			legit += pcpd_rl_check(&rl, ADDR(1), 1000 + t) ==
				 PCPD_RL_ALLOW;
	}
	EXPECT_GE(legit, 285u);
	EXPECT_LE(legit + flood, 2000u * 30 + 2000);
	/* The flood is held to its share, not shut out. */
	EXPECT_GE(flood, 1900u * 29);
}

/*
 * The same client beside a flood from sources that never repeat (spoofed:
 * 3,000/s, each address once), with the client's requests at an odd phase
 * (every 100 ms plus 37 µs steps, not on the simulated millisecond). New
 * sources get no share until they are heard two windows running, and do
 * not push a steady client out of its slot: the client keeps its share.
 * A share for every newcomer gave it 38 of 300 in a review's run, the
 * total alone (first come, first served) about 200.
 */
TEST(client_within_its_share_beside_spoofed_sources)
{
	unsigned int t, legit = 0, flood = 0, next = 0, us = 0;
	uint32_t spoofed = 0x40000000u;

	pcpd_rl_init(&rl, PCPD_RATE_LIMIT_DEFAULT, PCPD_RATE_LIMIT_TOTAL_DEFAULT);
	for (t = 0; t < 30000; t++) {
		/* 3 new sources a millisecond. */
		for (unsigned int s = 0; s < 3; s++)
			flood += pcpd_rl_check(&rl, spoofed++, 1000 + t) ==
				 PCPD_RL_ALLOW;
		if (t == next) {
			legit += pcpd_rl_check(&rl, ADDR(1), 1000 + t) ==
				 PCPD_RL_ALLOW;
			us += 37;
			next = t + 100 + us / 1000;
			us %= 1000;
		}
	}
	EXPECT_GE(legit, 285u);
	EXPECT_LE(legit + flood, 2000u * 30 + 2000);
}

/* What a flood makes pcpd log: 10 refusals a second, then a count. */
TEST(log_lines_limited)
{
	struct log_limit l = LOG_LIMIT("refusals", 10, 1000);
	unsigned int i, passed = 0;

	for (i = 0; i < 100; i++)
		passed += log_limit_pass(&l, 1000 + i);
	EXPECT_EQ(10u, passed);
	EXPECT_EQ(90ul, l.held);
	/* The next second's first line passes, after "90 more ...". */
	EXPECT_TRUE(log_limit_pass(&l, 2000));
	EXPECT_EQ(0ul, l.held);
}

TEST_HARNESS_MAIN
