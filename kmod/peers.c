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
 * Readers (inbound packets) take no lock. Adding a peer, rare next to the
 * packets that find theirs, takes the mapping's peer_lock, so concurrent
 * writers cannot lose each other's peers. A slot is filled time first,
 * address last, so a reader that sees the address sees its time.
 */
#include <linux/slab.h>
#include <linux/jiffies.h>
#include "pcpnat.h"

struct pcpnat_peer_set {
	struct pcpnat_peer e[PCPNAT_PEERS_MORE];
};

void pcpnat_peers_init(struct pcpnat_mapping *m)
{
	spin_lock_init(&m->peer_lock);
}

/* The mapping is unreachable: no reader or writer is left. */
void pcpnat_peers_free(struct pcpnat_mapping *m)
{
	kfree(rcu_dereference_protected(m->more, 1));
}

static struct pcpnat_peer *peer_find(const struct pcpnat_mapping *m,
				     __be32 addr)
{
	struct pcpnat_peer_set *ps;
	int i;

	for (i = 0; i < PCPNAT_PEERS_INLINE; i++)
		if (READ_ONCE(m->peers[i].addr) == addr)
			return (struct pcpnat_peer *)&m->peers[i];
	ps = rcu_dereference_check(m->more, lockdep_is_held(&m->peer_lock));
	if (!ps)
		return NULL;
	for (i = 0; i < PCPNAT_PEERS_MORE; i++)
		if (READ_ONCE(ps->e[i].addr) == addr)
			return &ps->e[i];
	return NULL;
}

/* A slot for a new peer: a free one, else the one longest unused. */
static struct pcpnat_peer *peer_slot(struct pcpnat_mapping *m)
{
	struct pcpnat_peer *p, *oldest = NULL;
	struct pcpnat_peer_set *ps;
	int i;

	ps = rcu_dereference_protected(m->more, lockdep_is_held(&m->peer_lock));
	for (i = 0; i < PCPNAT_PEERS_INLINE + PCPNAT_PEERS_MORE; i++) {
		if (i < PCPNAT_PEERS_INLINE) {
			p = &m->peers[i];
		} else {
			if (!ps) {
				ps = kzalloc(sizeof(*ps), GFP_ATOMIC);
				if (!ps)
					break;
				rcu_assign_pointer(m->more, ps);
			}
			p = &ps->e[i - PCPNAT_PEERS_INLINE];
		}
		if (!p->addr)
			return p;
		if (!oldest || time_before(p->seen, oldest->seen))
			oldest = p;
	}
	/* Every inline slot holds a peer, so there is an oldest. */
	return oldest;
}

static void peer_add(struct pcpnat_mapping *m, __be32 addr, unsigned long now)
{
	struct pcpnat_peer *p;

	spin_lock_bh(&m->peer_lock);
	p = peer_find(m, addr);
	if (!p) {
		p = peer_slot(m);
		WRITE_ONCE(p->seen, now);
		/* Time before address: see above. */
		smp_wmb();
		WRITE_ONCE(p->addr, addr);
	} else {
		WRITE_ONCE(p->seen, now);
	}
	spin_unlock_bh(&m->peer_lock);
}

/* Outbound to addr: remember it, or note that it is still in use. */
void pcpnat_peer_note(struct pcpnat_mapping *m, __be32 addr)
{
	unsigned long now = jiffies;
	struct pcpnat_peer *p;

	rcu_read_lock();
	p = peer_find(m, addr);
	rcu_read_unlock();
	if (!p) {
		peer_add(m, addr, now);
		return;
	}
	/* At most one write a second per peer: no line bouncing per packet. */
	if (time_after_eq(now, READ_ONCE(p->seen) + HZ))
		WRITE_ONCE(p->seen, now);
}

/* Did the internal endpoint send to addr within the last timeout jiffies? */
bool pcpnat_peer_known(const struct pcpnat_mapping *m, __be32 addr,
		       unsigned long timeout)
{
	const struct pcpnat_peer *p;
	unsigned long seen;

	if (!addr)
		return false;
	p = peer_find(m, addr);
	if (!p)
		return false;
	/* Pairs with the smp_wmb() in peer_add(). */
	smp_rmb();
	seen = READ_ONCE(p->seen);
	return time_before(jiffies, seen + timeout);
}
