/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mapping table's three files share: the index (table.c), the
 * packet path's side of a mapping (map_life.c) and the explicit MAP
 * operations (map_ops.c). Writers hold the internal stripe lock of the
 * key's bucket (control.h, struct pcpnat_table) for everything *_locked.
 */
#ifndef _PCPNAT_TABLE_LOCKED_H
#define _PCPNAT_TABLE_LOCKED_H

#include "control.h"

/* Mappings handled per lock hold when many change at once. */
#define PCPNAT_BATCH	32

static inline spinlock_t *pcpnat_int_lock(struct pcpnat_table *t,
					  unsigned int b)
{
	return &t->int_locks[b & ((1 << PCPNAT_LOCK_BITS) - 1)];
}

/* A link of bucket b's internal chain, under b's internal stripe lock. */
#define pcpnat_int_deref(t, b, p) \
	rcu_dereference_protected(p, lockdep_is_held(pcpnat_int_lock(t, b)))

/* Every mapping of bucket b's internal chain, in key order, under its lock. */
#define pcpnat_for_each_int_locked(m, t, b)				\
	for (m = pcpnat_int_deref(t, b, (t)->int_hash[b].first); m;	\
	     m = pcpnat_int_deref(t, b, (m)->int_next))

/* table.c: exact lookups (no all-ports fallback), under RCU. */
struct pcpnat_mapping *pcpnat_lookup_int_exact(struct pcpnat_table *t,
					       u8 proto, __be32 addr,
					       __be16 port);
struct pcpnat_mapping *pcpnat_lookup_ext_exact(struct pcpnat_table *t,
					       u8 proto, __be32 addr,
					       __be16 port);
/* table.c: the mapping with key in bucket b, or NULL. */
struct pcpnat_mapping *pcpnat_find_locked(struct pcpnat_table *t,
					  unsigned int b,
					  const struct pcpnat_key *key);
/* table.c: allocate m's external endpoint and link it (see there). */
int pcpnat_insert_locked(struct pcpnat_net *pn,
			 const struct pcpnat_config *cfg, unsigned int b,
			 struct pcpnat_mapping *m, int aidx, __be16 want,
			 bool exact, bool any_addr, bool all);

/*
 * subscriber.c: the subscriber's index of explicit mappings; the caller
 * holds m's internal stripe, m->subscriber is the one it is counted to.
 */
void pcpnat_sub_explicit_add(struct pcpnat_table *t, struct pcpnat_mapping *m,
			     struct pcpnat_map_extra *x);
void pcpnat_sub_explicit_del(struct pcpnat_table *t, struct pcpnat_mapping *m,
			     struct pcpnat_map_extra *x);
void pcpnat_sub_explicit_replace(struct pcpnat_table *t,
				 struct pcpnat_mapping *m,
				 struct pcpnat_map_extra *ox,
				 struct pcpnat_map_extra *nx);

/*
 * One step of a walk (table.c, subscriber.c): a mapping at or before the
 * cursor was shown by an earlier call and is skipped; any other goes to
 * fn, and the cursor moves onto it once fn took it. Non-zero stops.
 */
static inline int pcpnat_walk_step(struct pcpnat_net *pn,
				   const struct pcpnat_config *cfg,
				   struct pcpnat_cursor *c,
				   const struct pcpnat_mapping *m,
				   int (*fn)(struct pcpnat_net *pn,
					     const struct pcpnat_config *cfg,
					     const struct pcpnat_mapping *m,
					     void *arg),
				   void *arg)
{
	int ret;

	if (c->have_key && pcpnat_key_cmp(&m->key, &c->key) <= 0)
		return 0;
	ret = fn(pn, cfg, m, arg);
	if (!ret) {
		c->key = m->key;
		c->have_key = true;
	}
	return ret;
}

/* map_life.c: outbound traffic within the idle timeout. */
bool pcpnat_map_active(const struct pcpnat_config *cfg,
		       const struct pcpnat_mapping *m, unsigned long now);
/* map_life.c: MAP_NEW for a mapping just made, if anyone listens. */
void pcpnat_event_new(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		      const struct pcpnat_mapping *m, gfp_t gfp);

#endif /* _PCPNAT_TABLE_LOCKED_H */
