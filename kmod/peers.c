// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat address-dependent filtering (RFC 4787 REQ-8): an implicit
 * mapping admits inbound packets only from addresses its internal endpoint
 * sent to, each for as long as the mapping's idle timeout since it last
 * did.
 *
 * The set is exact: two peers inline (most mappings have one), and when a
 * third comes, an array of PCPNAT_PEERS_MORE more, allocated once and freed
 * with the mapping. The bound keeps a mapping's memory fixed whatever its
 * host does; once every slot holds a peer, a new one takes the slot of the
 * peer longest unused, whose packets are then filtered until the host
 * sends to it again.
 *
 * No lock: a spinlock in the mapping would not fit its 80 bytes on a
 * lockdep kernel, and outbound packets of one mapping may run on several
 * cpus at once. Readers (inbound packets) read a slot's address, then its
 * time. A writer claims a slot with cmpxchg on its address, so of two
 * writers taking the same slot one wins and the other looks again; two
 * writers adding the same new peer may each claim a slot, and the
 * duplicate is harmless (lookups find the first, the other ages out and is
 * reused as the oldest). The out-of-line array is installed by cmpxchg on
 * the pointer too; the loser frees its own.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include "pcpnat.h"

/*
 * A peer time older than this many jiffies is pinned at this age by the
 * reaper. It exceeds every timeout (a week at HZ=1000 is 604,800,000) and
 * stays far below 2^31, where a u32 time would start to look recent.
 */
#define PEER_AGE_MAX	(1U << 30)

/* How many times a writer looks again after losing a slot to another. */
#define PEER_ADD_TRIES	4

struct pcpnat_peer_set {
	struct pcpnat_peer e[PCPNAT_PEERS_MORE];
};

/* The mapping is unreachable: no reader or writer is left. */
void pcpnat_peers_free(struct pcpnat_mapping *m)
{
	kfree(rcu_dereference_protected(m->more, 1));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_peers_free);

/* Under rcu_read_lock(): the array lives as long as the mapping. */
static struct pcpnat_peer *peer_find(const struct pcpnat_mapping *m,
				     __be32 addr)
{
	struct pcpnat_peer_set *ps;
	int i;

	for (i = 0; i < PCPNAT_PEERS_INLINE; i++)
		if (READ_ONCE(m->peers[i].addr) == addr)
			return (struct pcpnat_peer *)&m->peers[i];
	ps = rcu_dereference(m->more);
	if (!ps)
		return NULL;
	for (i = 0; i < PCPNAT_PEERS_MORE; i++)
		if (READ_ONCE(ps->e[i].addr) == addr)
			return &ps->e[i];
	return NULL;
}

/* The out-of-line array, allocated by the first writer that needs it. */
static struct pcpnat_peer_set *peer_more(struct pcpnat_mapping *m)
{
	struct pcpnat_peer_set *ps = rcu_dereference(m->more), *old;

	if (ps)
		return ps;
	ps = kzalloc(sizeof(*ps), GFP_ATOMIC);
	if (!ps)
		return NULL;
	/* Full barrier on success: the zeroed array is visible first. */
	old = unrcu_pointer(cmpxchg(&m->more, NULL, RCU_INITIALIZER(ps)));
	if (old) {
		/* Another cpu installed one meanwhile: use that. */
		kfree(ps);
		return old;
	}
	return ps;
}

/*
 * A slot for a new peer: a free one, else the one longest unused (of the
 * inline ones alone if the array cannot be allocated).
 */
static struct pcpnat_peer *peer_slot(struct pcpnat_mapping *m)
{
	struct pcpnat_peer *p, *oldest = NULL;
	struct pcpnat_peer_set *ps = NULL;
	int i;

	for (i = 0; i < PCPNAT_PEERS_INLINE + PCPNAT_PEERS_MORE; i++) {
		if (i < PCPNAT_PEERS_INLINE) {
			p = &m->peers[i];
		} else {
			if (!ps) {
				ps = peer_more(m);
				if (!ps)
					break;
			}
			p = &ps->e[i - PCPNAT_PEERS_INLINE];
		}
		if (!READ_ONCE(p->addr))
			return p;
		if (!oldest || time_before32(READ_ONCE(p->seen),
					     READ_ONCE(oldest->seen)))
			oldest = p;
	}
	return oldest;
}

/* Under rcu_read_lock(). */
static void peer_add(struct pcpnat_mapping *m, __be32 addr, u32 now)
{
	struct pcpnat_peer *p;
	__be32 old;
	int i;

	for (i = 0; i < PEER_ADD_TRIES; i++) {
		p = peer_find(m, addr);
		if (p) {
			/* Another cpu added it meanwhile. */
			WRITE_ONCE(p->seen, now);
			return;
		}
		p = peer_slot(m);
		if (!p)
			return;
		old = READ_ONCE(p->addr);
		/*
		 * Time first, then the address by cmpxchg, a full barrier:
		 * a reader that sees the address sees a time at least this
		 * recent. If the cmpxchg fails, the time went to whichever
		 * peer holds the slot now, which another writer just
		 * stamped with about the same time: harmless.
		 */
		WRITE_ONCE(p->seen, now);
		if (cmpxchg(&p->addr, old, addr) == old)
			return;
	}
	/* Lost every race: the next packet to addr tries again. */
}

/* Outbound to addr: remember it, or note that it is still in use. */
void pcpnat_peer_note(struct pcpnat_mapping *m, __be32 addr)
{
	u32 now = (u32)jiffies;
	struct pcpnat_peer *p;

	if (!addr)
		return;
	rcu_read_lock();
	p = peer_find(m, addr);
	if (!p)
		peer_add(m, addr, now);
	/* At most one write a second per peer: no line bouncing per packet. */
	else if ((s32)(now - READ_ONCE(p->seen)) >= HZ)
		WRITE_ONCE(p->seen, now);
	rcu_read_unlock();
}

/* Did the internal endpoint send to addr within the last timeout jiffies? */
bool pcpnat_peer_known(const struct pcpnat_mapping *m, __be32 addr,
		       unsigned long timeout)
{
	const struct pcpnat_peer *p;
	bool known = false;
	u32 seen;

	if (!addr)
		return false;
	timeout = min_t(unsigned long, timeout, PEER_AGE_MAX);
	rcu_read_lock();
	p = peer_find(m, addr);
	if (p) {
		/* Pairs with the cmpxchg in peer_add(). */
		smp_rmb();
		seen = READ_ONCE(p->seen);
		known = time_before32((u32)jiffies, seen + (u32)timeout);
	}
	rcu_read_unlock();
	return known;
}

static void peer_age(struct pcpnat_peer *p, u32 now)
{
	u32 seen = READ_ONCE(p->seen);

	/*
	 * cmpxchg, not a store: a packet that just stamped the slot keeps
	 * its time. Unused slots (address 0) are aged too; it is harmless.
	 */
	if ((s32)(now - seen) > (s32)PEER_AGE_MAX)
		cmpxchg(&p->seen, seen, now - PEER_AGE_MAX);
}

static void peer_restart(struct pcpnat_peer *p, u32 now)
{
	if (READ_ONCE(p->addr))
		WRITE_ONCE(p->seen, now);
}

/* fn on every slot of m, inline and out of line, at time now. */
static void peers_each(struct pcpnat_mapping *m,
		       void (*fn)(struct pcpnat_peer *p, u32 now), u32 now)
{
	struct pcpnat_peer_set *ps;
	int i;

	for (i = 0; i < PCPNAT_PEERS_INLINE; i++)
		fn(&m->peers[i], now);
	rcu_read_lock();
	ps = rcu_dereference(m->more);
	for (i = 0; ps && i < PCPNAT_PEERS_MORE; i++)
		fn(&ps->e[i], now);
	rcu_read_unlock();
}

/*
 * The reaper, once a second for each mapping: a time older than every
 * timeout is pinned at PEER_AGE_MAX, so that, 2^32 jiffies on, it does not
 * read as recent again.
 */
void pcpnat_peers_age(struct pcpnat_mapping *m, unsigned long now)
{
	peers_each(m, peer_age, (u32)now);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_peers_age);

/*
 * Leaving standby (map_life.c): every peer the mapping knows is admitted
 * for a whole idle timeout again, as its idle time starts again, so that
 * a flow's inbound half survives a takeover that came after the standby
 * held it longer than that.
 */
void pcpnat_peers_restart(struct pcpnat_mapping *m, unsigned long now)
{
	peers_each(m, peer_restart, (u32)now);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_peers_restart);
