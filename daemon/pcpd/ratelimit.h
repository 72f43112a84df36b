/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Request rate limits (pcpd.conf rate_limit, rate_limit_total), so that
 * neither one client flooding the server nor many sources at once can
 * take pcpd's time and the module's from everybody else.
 *
 * Per client: a token bucket per source address in a fixed table, so
 * memory does not grow with the number of clients; a new client takes the
 * least recently seen slot of its set, with a full bucket (a client that
 * has not been heard from must be answered at once).
 *
 * In all: a second bucket that every answered request draws from. Sources
 * that rotate (spoofed, or many hosts) each start with a full bucket of
 * their own, so without this the first limit bounds nothing; with it, pcpd
 * answers at most rate_limit_total requests a second whoever sends them.
 *
 * The total is shared fairly when it runs short. A source is steady when
 * it was heard in the last one-second window and in this one; its share
 * is the total divided by the steady sources. A steady source that asks
 * no more than its share (with a quarter's slack: shares are measured,
 * not known) may take the total's last tokens; a source that asks more,
 * or a new one, only the total's upper half. So neither sources flooding
 * beyond their shares nor sources that never repeat (spoofed, rotating)
 * take the lower half from a host that asks no more than its share, and
 * a new source evicts a steady one from the table only when its set holds
 * no other (RFC 6887 §17.2: a flood must not deny service to the hosts
 * the server is there for).
 *
 * Both buckets hold one second's worth of requests.
 */
#ifndef PCPD_RATELIMIT_H
#define PCPD_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define PCPD_RL_SETS	256
#define PCPD_RL_WAYS	4
/* Defaults: ample for a client walking a large table with GET/NEXT. */
#define PCPD_RATE_LIMIT_DEFAULT		100
#define PCPD_RATE_LIMIT_TOTAL_DEFAULT	2000

struct pcpd_rl_bucket {
	uint32_t tokens_milli;	/* thousandths of a request */
	int64_t last_ms;	/* 0: never used */
};

struct pcpd_rl_slot {
	uint32_t addr;
	struct pcpd_rl_bucket b;
	uint32_t window;	/* the last window it was heard in */
	bool steady;		/* heard in the window before that one too */
	uint32_t asked;		/* requests in that window */
	uint32_t asked_before;	/* in the window before, if heard */
};

enum pcpd_rl_verdict {
	PCPD_RL_ALLOW,
	PCPD_RL_CLIENT,		/* this client is over rate_limit */
	PCPD_RL_TOTAL,		/* all clients together are over rate_limit_total */
};

struct pcpd_ratelimit {
	uint32_t rate;		/* per client, requests/s, 0 = unlimited */
	uint32_t total;		/* all clients, requests/s, 0 = unlimited */
	struct pcpd_rl_bucket all;
	/* Fair shares: one-second windows and the steady sources in them. */
	int64_t window_start_ms;
	uint32_t window;
	uint32_t steady_count, steady_count_before;
	struct pcpd_rl_slot slot[PCPD_RL_SETS][PCPD_RL_WAYS];
};

void pcpd_rl_init(struct pcpd_ratelimit *rl, uint32_t rate, uint32_t total);
/* May a request from addr be answered at now_ms? Takes the tokens if so. */
enum pcpd_rl_verdict pcpd_rl_check(struct pcpd_ratelimit *rl, uint32_t addr,
				   int64_t now_ms);

#endif /* PCPD_RATELIMIT_H */
