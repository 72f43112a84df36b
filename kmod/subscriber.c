// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat subscribers: the record a subscriber (the owner of mappings, its
 * internal address unless THIRD_PARTY named another) has while it owns
 * any, for two things:
 * - the quota: how many mappings it holds, implicit ones included;
 * - the index of its explicit mappings, the ones PCP and NAT-PMP make and
 *   PCP GET lists, so that a MAP_GET dump filtered on a subscriber and
 *   kind EXPLICIT walks that subscriber's own mappings, not the table.
 *
 * The index is a list per subscriber, sorted by internal key, of the
 * mappings' out-of-line part (struct pcpnat_map_extra): every explicit
 * mapping has one and implicit ones never do, so the index adds nothing
 * to the mapping that each flow makes. A subscriber holds few explicit
 * mappings (the quota bounds them), so a sorted list's O(own) insertion
 * is cheap; it is what a walk costs anyway.
 *
 * Writers hold the mapping's internal stripe lock (its kind and subscriber
 * change only there) and take the subscriber's stripe inside it. Readers
 * find the record and walk the list under RCU: records are freed after a
 * grace period, list updates are RCU ones, and a mapping leaves the list
 * before it is unlinked, so its own grace period covers the walk.
 */
#include "table_locked.h"

/* Explicit mappings pay for the index here, in the smallest bucket still. */
static_assert(sizeof(struct pcpnat_map_extra) <= 256);

/* Keyed like the indexes; the tweak keeps it apart from addr_pick's hash. */
static unsigned int sub_bucket(const struct pcpnat_table *t, __be32 sub)
{
	return (u32)siphash_2u32((__force u32)sub, 0x53554253, &t->secret) &
	       ((1U << t->sub_bits) - 1);
}

static spinlock_t *sub_lock(struct pcpnat_table *t, unsigned int b)
{
	return &t->sub_locks[b & ((1U << PCPNAT_SUB_LOCK_BITS) - 1)];
}

static struct pcpnat_sub *sub_find(struct pcpnat_table *t, unsigned int b,
				   __be32 sub)
{
	struct pcpnat_sub *s;

	lockdep_assert_held(sub_lock(t, b));
	hlist_for_each_entry(s, &t->subs[b], node)
		if (s->addr == sub)
			return s;
	return NULL;
}

static void sub_free(struct pcpnat_sub *s)
{
	WARN_ON_ONCE(!list_empty(&s->explicit));
	hlist_del_rcu(&s->node);
	kfree_rcu(s, rcu);
}

/*
 * Count one more mapping for sub; cfg NULL means "do not enforce the quota"
 * (a mapping moving back to its host must not fail). Every mapping counts,
 * implicit ones included: the quota bounds what one subscriber takes from
 * the shared ports.
 */
int pcpnat_sub_charge(struct pcpnat_table *t, const struct pcpnat_config *cfg,
		      __be32 sub)
{
	unsigned int b = sub_bucket(t, sub);
	struct pcpnat_sub *s;
	int err = 0;

	spin_lock_bh(sub_lock(t, b));
	s = sub_find(t, b, sub);
	if (!s) {
		s = kzalloc(sizeof(*s), GFP_ATOMIC);
		if (!s) {
			err = -ENOBUFS;
			goto out;
		}
		s->addr = sub;
		INIT_LIST_HEAD(&s->explicit);
		hlist_add_head_rcu(&s->node, &t->subs[b]);
	}
	if (cfg && cfg->subscriber_quota && s->count >= cfg->subscriber_quota) {
		err = -EDQUOT;
		if (!s->count)
			sub_free(s);
		goto out;
	}
	s->count++;
out:
	spin_unlock_bh(sub_lock(t, b));
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_sub_charge);

/* Only for a subscriber that a successful charge counted this mapping to. */
void pcpnat_sub_uncharge(struct pcpnat_table *t, __be32 sub)
{
	unsigned int b = sub_bucket(t, sub);
	struct pcpnat_sub *s;

	spin_lock_bh(sub_lock(t, b));
	s = sub_find(t, b, sub);
	if (!WARN_ON_ONCE(!s || !s->count) && !--s->count)
		sub_free(s);
	spin_unlock_bh(sub_lock(t, b));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_sub_uncharge);

static void assert_mapping_locked(struct pcpnat_table *t,
				  const struct pcpnat_mapping *m)
{
	lockdep_assert_held(pcpnat_int_lock(t, pcpnat_int_bucket(t, &m->key)));
}

/*
 * m has just become explicit with x as its extra: list it under its
 * subscriber, in key order. Its subscriber's record exists: m is counted
 * there.
 */
void pcpnat_sub_explicit_add(struct pcpnat_table *t, struct pcpnat_mapping *m,
			     struct pcpnat_map_extra *x)
{
	unsigned int b = sub_bucket(t, m->subscriber);
	struct list_head *prev;
	struct pcpnat_map_extra *pos;
	struct pcpnat_sub *s;

	assert_mapping_locked(t, m);
	x->m = m;
	spin_lock_bh(sub_lock(t, b));
	s = sub_find(t, b, m->subscriber);
	if (!WARN_ON_ONCE(!s)) {
		prev = &s->explicit;
		list_for_each_entry(pos, &s->explicit, sub_node) {
			if (pcpnat_key_cmp(&pos->m->key, &m->key) > 0)
				break;
			prev = &pos->sub_node;
		}
		list_add_rcu(&x->sub_node, prev);
	} else {
		INIT_LIST_HEAD(&x->sub_node);
	}
	spin_unlock_bh(sub_lock(t, b));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_sub_explicit_add);

/*
 * m stops being explicit (deleted, demoted, reaped, flushed): off its
 * subscriber's list, before its subscriber or its extra changes.
 */
void pcpnat_sub_explicit_del(struct pcpnat_table *t, struct pcpnat_mapping *m,
			     struct pcpnat_map_extra *x)
{
	unsigned int b = sub_bucket(t, m->subscriber);

	assert_mapping_locked(t, m);
	spin_lock_bh(sub_lock(t, b));
	list_del_rcu(&x->sub_node);
	spin_unlock_bh(sub_lock(t, b));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_sub_explicit_del);

/* A refresh gave m a new extra nx for ox: same place in the list. */
void pcpnat_sub_explicit_replace(struct pcpnat_table *t,
				 struct pcpnat_mapping *m,
				 struct pcpnat_map_extra *ox,
				 struct pcpnat_map_extra *nx)
{
	unsigned int b = sub_bucket(t, m->subscriber);

	assert_mapping_locked(t, m);
	nx->m = m;
	spin_lock_bh(sub_lock(t, b));
	list_replace_rcu(&ox->sub_node, &nx->sub_node);
	spin_unlock_bh(sub_lock(t, b));
}

int pcpnat_walk_subscriber(struct pcpnat_net *pn, __be32 sub,
			   struct pcpnat_cursor *c,
			   int (*fn)(struct pcpnat_net *pn,
				     const struct pcpnat_config *cfg,
				     const struct pcpnat_mapping *m, void *arg),
			   void *arg)
{
	struct pcpnat_table *t = pn->table;
	const struct pcpnat_config *cfg;
	const struct pcpnat_map_extra *x;
	struct pcpnat_sub *s;
	int ret = 0;

	rcu_read_lock();
	cfg = rcu_dereference(pn->cfg);
	hlist_for_each_entry_rcu(s, &t->subs[sub_bucket(t, sub)], node) {
		if (s->addr != sub)
			continue;
		/*
		 * Nodes never move: one that stays listed throughout is met
		 * once, in key order, and the cursor skips what an earlier
		 * call showed.
		 */
		list_for_each_entry_rcu(x, &s->explicit, sub_node) {
			ret = pcpnat_walk_step(pn, cfg, c, x->m, fn, arg);
			if (ret)
				break;
		}
		break;
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_walk_subscriber);
