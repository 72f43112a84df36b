/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay window over the message counters of one peer session, as
 * IPsec ESP keeps it (RFC 4303 §3.4.3): the highest counter accepted and
 * a bitmap of the SYNC_REPLAY_WINDOW counters below it. A counter seen
 * before, or older than the window, is refused; reordering within the
 * window is allowed.
 */
#ifndef SYNC_REPLAY_H
#define SYNC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define SYNC_REPLAY_WINDOW	64

struct sync_replay {
	uint64_t top;		/* highest counter accepted; 0 = none */
	uint64_t bits;		/* bit i: top - i was accepted */
};

/*
 * Start accepting only counters above floor (the counter of the message
 * that established the session: everything before it may be a replay of
 * an older exchange).
 */
void sync_replay_reset(struct sync_replay *w, uint64_t floor);
/* Would counter c be accepted? (Nothing changes.) */
bool sync_replay_check(const struct sync_replay *w, uint64_t c);
/* Record c as seen; call only after the message was authenticated. */
void sync_replay_update(struct sync_replay *w, uint64_t c);

#endif /* SYNC_REPLAY_H */
