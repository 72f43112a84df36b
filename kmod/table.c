// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat mapping table: the index. What a mapping does on the packet path
 * is map_life.c's, the explicit MAP operations are map_ops.c's.
 *
 * Two hash indexes over the same entries: by internal endpoint (proto,
 * address, port) and by external endpoint, hashed with siphash under a
 * per-instance random key, so a remote party cannot aim collisions at one
 * chain. Chains are singly linked (pcpnat.h).
 *
 * Bucket arrays are sized once, when the instance is created, from the
 * max-mappings it is created with (pcpnat_table_bits()): half as many
 * buckets as max-mappings rounded up to a power of two, so a full table's
 * chains are 1 to 2 long. Twice as many would halve that and cost 8 more
 * bytes a mapping (16 instead of 8 at 1M), which is what the mapping
 * itself lost to get its 80 bytes. A later CONFIG_SET that raises
 * max-mappings lengthens chains, and one that lowers it wastes buckets: the
 * arrays are not resized. A resize would rehash every mapping, and the
 * walk order of dumps and PCP GET/NEXT is (internal bucket, key)
 * (uapi/linux/pcpnat.h): a walk under way, or a cursor a client kept,
 * would see mappings move behind or ahead of it and show some twice or
 * never, breaking the exactly-once promise below; keeping that promise
 * across a resize needs both tables walked as one (rhashtable does not
 * promise it either). The hash_bits module parameter fixes the size for
 * every instance instead.
 *
 * Readers (the packet path, dumps, GET) walk chains under RCU without any
 * lock or atomic operation. Writers take striped spinlocks: one array of
 * stripes for the internal index and one for the external index, always the
 * internal stripe first. Allocator and quota locks nest inside the internal
 * stripe. Everything is taken with _bh: implicit mappings are made in
 * softirq, and LOCAL_OUT can run the packet path in process context.
 *
 * Each internal chain is kept sorted by key: the walk order of dumps and
 * PCP GET/NEXT (see uapi/linux/pcpnat.h) is (internal bucket, key), so a
 * walk resumes after its last key in O(chain) and, since RCU list updates
 * never hide a node that stays, shows each mapping present throughout the
 * walk exactly once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/vmalloc.h>
#include <linux/net.h>
#include "table_locked.h"

static inline spinlock_t *ext_lock(struct pcpnat_table *t, unsigned int b)
{
	return &t->ext_locks[b & ((1 << PCPNAT_LOCK_BITS) - 1)];
}

/*
 * log2 of the buckets per index for a table created at max-mappings max
 * (see above), between PCPNAT_HASH_BITS_MIN and _MAX: at the cap, 2^22
 * buckets (32 MiB per index), chains grow past 8M mappings.
 */
unsigned int pcpnat_table_bits(u32 max)
{
	if (pcpnat_hash_bits)
		return pcpnat_hash_bits;
	/* Signed: max-mappings 1 has order 0. */
	return clamp_t(int, (int)order_base_2(max) - 1,
		       PCPNAT_HASH_BITS_MIN, PCPNAT_HASH_BITS_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_table_bits);

u32 pcpnat_table_count(struct pcpnat_table *t)
{
	return percpu_counter_sum_positive(&t->count);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_table_count);

unsigned int pcpnat_int_bucket(const struct pcpnat_table *t,
			       const struct pcpnat_key *key)
{
	u64 h = siphash_2u32((__force u32)key->addr,
			     (__force u32)key->port << 8 | key->proto, &t->secret);

	return (u32)h & ((1U << t->bits) - 1);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_int_bucket);

VISIBLE_IF_KUNIT unsigned int ext_bucket(const struct pcpnat_table *t, u8 proto,
					 __be32 addr, __be16 port)
{
	/* The extra bit keeps the two indexes' hashes unrelated. */
	u64 h = siphash_3u32((__force u32)addr, (__force u32)port,
			     proto | 0x100, &t->secret);

	return (u32)h & ((1U << t->bits) - 1);
}
EXPORT_SYMBOL_IF_KUNIT(ext_bucket);

/* Walk order: (address, protocol, port), host byte order. */
int pcpnat_key_cmp(const struct pcpnat_key *a, const struct pcpnat_key *b)
{
	u32 x = ntohl(a->addr), y = ntohl(b->addr);

	if (x != y)
		return x < y ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->port != b->port)
		return ntohs(a->port) < ntohs(b->port) ? -1 : 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_key_cmp);

static inline bool key_eq(const struct pcpnat_key *k, u8 proto, __be32 addr,
			  __be16 port)
{
	return k->addr == addr && k->port == port && k->proto == proto;
}

struct pcpnat_mapping *pcpnat_lookup_int_exact(struct pcpnat_table *t,
					       u8 proto, __be32 addr,
					       __be16 port)
{
	struct pcpnat_key key = { .addr = addr, .port = port, .proto = proto };
	struct pcpnat_mapping *m;

	for (m = rcu_dereference(t->int_hash[pcpnat_int_bucket(t, &key)].first);
	     m; m = rcu_dereference(m->int_next))
		if (key_eq(&m->key, proto, addr, port))
			return m;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_lookup_int_exact);

struct pcpnat_mapping *pcpnat_lookup_ext_exact(struct pcpnat_table *t,
					       u8 proto, __be32 addr,
					       __be16 port)
{
	struct pcpnat_mapping *m;

	for (m = rcu_dereference(t->ext_hash[ext_bucket(t, proto, addr, port)].first);
	     m; m = rcu_dereference(m->ext_next))
		if (m->ext_addr == addr && m->ext_port == port &&
		    m->key.proto == proto)
			return m;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_lookup_ext_exact);

/*
 * The packet path's lookups: the exact endpoint, else the all-ports mapping
 * of (proto, addr), which has port 0 on both sides. The second walk happens
 * only on a miss and only while the table holds an all-ports mapping at all
 * (nall, a plain read), so the usual case costs what an exact lookup does.
 * No other mapping can share an all-ports mapping's external address and
 * protocol (alloc.c), so the two never disagree inbound. Internal port 0
 * alone is not "all ports": an implicit mapping made by an echo with
 * identifier 0 has that key too, and an allocated external port.
 */
static inline bool try_all_ports(const struct pcpnat_table *t,
				 const struct pcpnat_mapping *m, __be16 port)
{
	return !m && port && atomic_read(&t->nall);
}

struct pcpnat_mapping *pcpnat_lookup_int(struct pcpnat_net *pn, u8 proto,
					 __be32 addr, __be16 port)
{
	struct pcpnat_mapping *m;

	m = pcpnat_lookup_int_exact(pn->table, proto, addr, port);
	if (!try_all_ports(pn->table, m, port))
		return m;
	m = pcpnat_lookup_int_exact(pn->table, proto, addr, 0);
	return m && !m->ext_port ? m : NULL;
}

struct pcpnat_mapping *pcpnat_lookup_ext(struct pcpnat_net *pn, u8 proto,
					 __be32 addr, __be16 port)
{
	struct pcpnat_mapping *m;

	m = pcpnat_lookup_ext_exact(pn->table, proto, addr, port);
	return try_all_ports(pn->table, m, port) ?
	       pcpnat_lookup_ext_exact(pn->table, proto, addr, 0) : m;
}

struct pcpnat_mapping *pcpnat_find_locked(struct pcpnat_table *t,
					  unsigned int b,
					  const struct pcpnat_key *key)
{
	struct pcpnat_mapping *m;

	pcpnat_for_each_int_locked(m, t, b)
		if (key_eq(&m->key, key->proto, key->addr, key->port))
			return m;
	return NULL;
}



/* Link m in both indexes; its internal chain stays sorted. */
static void link_locked(struct pcpnat_table *t, unsigned int b,
			struct pcpnat_mapping *m)
{
	struct pcpnat_mapping __rcu **pp = &t->int_hash[b].first;
	struct pcpnat_mapping *pos;
	unsigned int eb;

	/* m is filled in before rcu_assign_pointer() publishes it. */
	while ((pos = pcpnat_int_deref(t, b, *pp)) &&
	       pcpnat_key_cmp(&pos->key, &m->key) < 0)
		pp = &pos->int_next;
	RCU_INIT_POINTER(m->int_next, pos);
	rcu_assign_pointer(*pp, m);

	eb = ext_bucket(t, m->key.proto, m->ext_addr, m->ext_port);
	spin_lock(ext_lock(t, eb));
	RCU_INIT_POINTER(m->ext_next,
			 rcu_dereference_protected(t->ext_hash[eb].first,
						   lockdep_is_held(ext_lock(t, eb))));
	rcu_assign_pointer(t->ext_hash[eb].first, m);
	spin_unlock(ext_lock(t, eb));
	percpu_counter_add_batch(&t->count, 1, PCPNAT_COUNT_BATCH);
	if (!m->ext_port)
		atomic_inc(&t->nall);
}

/*
 * Take m off the chain at *pp whose links are at offset link in each
 * mapping (int_next or ext_next), under lock. m's own link stays as it
 * is: a reader standing on m walks on to the rest of the chain, as with
 * hlist_del_rcu(). The predecessor is found by walking the chain, about
 * one long.
 */
static void chain_del(struct pcpnat_mapping __rcu **pp,
		      struct pcpnat_mapping *m, size_t link, spinlock_t *lock)
{
	struct pcpnat_mapping __rcu **next;
	struct pcpnat_mapping *pos;

	while ((pos = rcu_dereference_protected(*pp, lockdep_is_held(lock))) != m) {
		if (WARN_ON_ONCE(!pos))
			return;
		pp = (struct pcpnat_mapping __rcu **)((char *)pos + link);
	}
	next = (struct pcpnat_mapping __rcu **)((char *)m + link);
	/* What follows m was published already: no barrier needed. */
	RCU_INIT_POINTER(*pp, rcu_dereference_protected(*next,
							lockdep_is_held(lock)));
}

/*
 * Take m out of both indexes and give back its port and quota share. The
 * caller holds the internal stripe and frees m with pcpnat_mappings_free().
 */
void pcpnat_unlink_locked(struct pcpnat_table *t, struct pcpnat_mapping *m)
{
	unsigned int b = pcpnat_int_bucket(t, &m->key);
	spinlock_t *lock = pcpnat_int_lock(t, b);
	unsigned int eb = ext_bucket(t, m->key.proto, m->ext_addr, m->ext_port);
	struct pcpnat_map_extra *x;

	lockdep_assert_held(lock);
	/* Off its subscriber's index while the subscriber still counts it. */
	x = rcu_dereference_protected(m->extra, lockdep_is_held(lock));
	if (m->kind == PCPNAT_KIND_EXPLICIT && x)
		pcpnat_sub_explicit_del(t, m, x);
	chain_del(&t->int_hash[b].first, m,
		  offsetof(struct pcpnat_mapping, int_next), lock);
	spin_lock(ext_lock(t, eb));
	chain_del(&t->ext_hash[eb].first, m,
		  offsetof(struct pcpnat_mapping, ext_next), ext_lock(t, eb));
	spin_unlock(ext_lock(t, eb));
	rcu_read_lock();
	pcpnat_port_release(rcu_dereference(t->pn->cfg), m->key.proto,
			    m->ext_addr, m->ext_port);
	rcu_read_unlock();
	pcpnat_sub_uncharge(t, m->subscriber);
	percpu_counter_add_batch(&t->count, -1, PCPNAT_COUNT_BATCH);
	if (!m->ext_port)
		atomic_dec(&t->nall);
}

/* No reader can hold m any more. */
static void mapping_destroy(struct pcpnat_mapping *m)
{
	kfree(rcu_dereference_protected(m->extra, 1));
	pcpnat_peers_free(m);
	kmem_cache_free(pcpnat_map_cache, m);
}

/*
 * Mappings waiting for a grace period: one rcu_head for a batch instead
 * of 16 bytes in every mapping.
 */
struct map_free_batch {
	struct rcu_head rcu;
	unsigned int n;
	struct pcpnat_mapping *m[];
};

static void map_free_batch_rcu(struct rcu_head *head)
{
	struct map_free_batch *fb = container_of(head, struct map_free_batch, rcu);
	unsigned int i;

	for (i = 0; i < fb->n; i++)
		mapping_destroy(fb->m[i]);
	kfree(fb);
}

/*
 * Free n unlinked mappings once no reader can hold them. Process context
 * only (every unlink happens there: the packet path only creates); the
 * rare failure to allocate the batch waits for the grace period instead.
 */
void pcpnat_mappings_free(struct pcpnat_mapping **ms, unsigned int n)
{
	struct map_free_batch *fb;
	unsigned int i;

	might_sleep();
	if (!n)
		return;
	fb = kmalloc(struct_size(fb, m, n), GFP_KERNEL);
	if (!fb) {
		synchronize_rcu();
		for (i = 0; i < n; i++)
			mapping_destroy(ms[i]);
		return;
	}
	fb->n = n;
	memcpy(fb->m, ms, n * sizeof(*ms));
	call_rcu(&fb->rcu, map_free_batch_rcu);
}

/*
 * Allocate the external endpoint and link a new mapping. aidx is the
 * preferred pool address; when it has no free port and the caller did not
 * insist, the other addresses are tried (explicit mappings only: implicit
 * ones keep paired pooling).
 */
int pcpnat_insert_locked(struct pcpnat_net *pn,
			 const struct pcpnat_config *cfg, unsigned int b,
			 struct pcpnat_mapping *m, int aidx, __be16 want,
			 bool exact, bool any_addr, bool all)
{
	struct pcpnat_table *t = pn->table;
	int err, i;

	/*
	 * The count is per-cpu: far below the limit its approximate value
	 * decides, within PCPNAT_COUNT_BATCH per cpu of it the exact sum
	 * does. As before, creators under other stripes may pass the check
	 * together: the table can exceed max-mappings by one mapping per
	 * cpu creating at that moment, never more.
	 *
	 * Operators of nf_nat expect the kernel log to say when a NAT runs
	 * out; rate-limited, as a flood of refusals must not flood the log.
	 */
	if (__percpu_counter_compare(&t->count, cfg->max_mappings,
				     PCPNAT_COUNT_BATCH) >= 0) {
		pcpnat_stat_inc(pn, PCPNAT_STATS_A_TABLE_FULL);
		net_warn_ratelimited("mapping table full (max-mappings %u), refusing a new mapping\n",
				     cfg->max_mappings);
		return -ENOBUFS;
	}
	err = pcpnat_sub_charge(t, cfg, m->subscriber);
	if (err) {
		pcpnat_stat_inc(pn, PCPNAT_STATS_A_ALLOC_QUOTA);
		net_warn_ratelimited("subscriber %pI4 over its quota of %u mappings\n",
				     &m->subscriber, cfg->subscriber_quota);
		return err;
	}
	err = pcpnat_port_alloc(pn, cfg, aidx, &m->key, want, exact, all,
				&m->ext_port);
	for (i = 0; err == -ENOSPC && any_addr && i < cfg->naddrs; i++)
		if (i != aidx) {
			err = pcpnat_port_alloc(pn, cfg, i, &m->key, want, false,
						all, &m->ext_port);
			if (!err)
				aidx = i;
		}
	if (err) {
		pcpnat_sub_uncharge(t, m->subscriber);
		if (err == -ENOSPC) {
			pcpnat_stat_inc(pn, PCPNAT_STATS_A_ALLOC_NO_PORT);
			net_warn_ratelimited("no free external port for %pI4 (proto %u)\n",
					     &m->key.addr, m->key.proto);
		}
		return err;
	}
	m->ext_addr = cfg->addrs[aidx];
	link_locked(t, b, m);
	pcpnat_stat_inc(pn, PCPNAT_STATS_A_MAP_CREATED);
	return 0;
}

/*
 * Remove matching mappings from buckets [from, to). Process context only:
 * events are built between batches, outside the locks.
 */
u32 pcpnat_table_remove_range(struct pcpnat_net *pn, unsigned int from,
			      unsigned int to,
			      bool (*match)(const struct pcpnat_mapping *m,
					    const void *arg),
			      const void *arg, u8 reason, bool events)
{
	struct pcpnat_table *t = pn->table;
	struct pcpnat_mapping *batch[PCPNAT_BATCH], *m, *next;
	struct pcpnat_map_view *v = NULL;
	unsigned int b, n, i;
	u32 total = 0;

	if (events)
		v = kmalloc(sizeof(*v), GFP_KERNEL);
	for (b = from; b < to; b++) {
		do {
			n = 0;
			if (!rcu_access_pointer(t->int_hash[b].first))
				break;
			spin_lock_bh(pcpnat_int_lock(t, b));
			for (m = pcpnat_int_deref(t, b, t->int_hash[b].first); m;
			     m = next) {
				/* Unlinking keeps m's link: read it anyway first. */
				next = pcpnat_int_deref(t, b, m->int_next);
				if (!match(m, arg))
					continue;
				pcpnat_unlink_locked(t, m);
				batch[n++] = m;
				if (n == PCPNAT_BATCH)
					break;
			}
			spin_unlock_bh(pcpnat_int_lock(t, b));
			for (i = 0; i < n; i++) {
				m = batch[i];
				if (v && pcpnat_map_events_wanted(pn, m->kind, reason)) {
					rcu_read_lock();
					pcpnat_map_view(pn, rcu_dereference(pn->cfg), m, v);
					rcu_read_unlock();
					v->lifetime = 0;
					pcpnat_event_map(pn, PCPNAT_CMD_EVENT_MAP_DEL, v,
							 reason, GFP_KERNEL);
				}
			}
			pcpnat_mappings_free(batch, n);
			total += n;
		} while (n == PCPNAT_BATCH);
		if (!(b & 255))
			cond_resched();
	}
	kfree(v);
	return total;
}

u32 pcpnat_table_remove(struct pcpnat_net *pn,
			bool (*match)(const struct pcpnat_mapping *m, const void *arg),
			const void *arg, u8 reason, bool events)
{
	return pcpnat_table_remove_range(pn, 0, 1U << pn->table->bits, match, arg,
					 reason, events);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_table_remove);

/* Buckets a walk looks at in one RCU read-side section. */
#define PCPNAT_WALK_SPAN	256

/*
 * Walk in the ABI's order from the cursor; fn returns non-zero to stop
 * (the cursor then stays on the last mapping fn accepted). A table sized
 * for max-mappings is mostly empty buckets until it fills: one read-side
 * section covers PCPNAT_WALK_SPAN of them, not one each, so an empty
 * bucket costs a load and a dump of a small table stays cheap (lockdep
 * makes every rcu_read_lock() costly on a debug kernel).
 */
int pcpnat_walk(struct pcpnat_net *pn, struct pcpnat_cursor *c,
		int (*fn)(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
			  const struct pcpnat_mapping *m, void *arg),
		void *arg)
{
	struct pcpnat_table *t = pn->table;
	unsigned int n = 1U << t->bits, end;
	const struct pcpnat_config *cfg;
	struct pcpnat_mapping *m;
	int ret = 0;

	while (c->bucket < n && !ret) {
		end = min(c->bucket + PCPNAT_WALK_SPAN, n);
		rcu_read_lock();
		cfg = rcu_dereference(pn->cfg);
		for (; c->bucket < end; c->bucket++, c->have_key = false) {
			for (m = rcu_dereference(t->int_hash[c->bucket].first); m;
			     m = rcu_dereference(m->int_next)) {
				ret = pcpnat_walk_step(pn, cfg, c, m, fn, arg);
				if (ret)
					break;
			}
			if (ret)
				break;
		}
		rcu_read_unlock();
	}
	return ret;
}

struct pcpnat_table *pcpnat_table_create(struct pcpnat_net *pn, u32 max_mappings)
{
	struct pcpnat_table *t;
	unsigned int i, n;

	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	if (percpu_counter_init(&t->count, 0, GFP_KERNEL)) {
		kvfree(t);
		return NULL;
	}
	t->bits = pcpnat_table_bits(max_mappings);
	n = 1U << t->bits;
	t->int_hash = kvcalloc(n, sizeof(*t->int_hash), GFP_KERNEL);
	t->ext_hash = kvcalloc(n, sizeof(*t->ext_hash), GFP_KERNEL);
	t->sub_bits = max_t(unsigned int, t->bits - 2, PCPNAT_SUB_MIN_BITS);
	t->subs = kvcalloc(1U << t->sub_bits, sizeof(*t->subs), GFP_KERNEL);
	if (!t->int_hash || !t->ext_hash || !t->subs) {
		kvfree(t->int_hash);
		kvfree(t->ext_hash);
		kvfree(t->subs);
		percpu_counter_destroy(&t->count);
		kvfree(t);
		return NULL;
	}
	/* Two init sites: lockdep sees two classes, one per index. */
	for (i = 0; i < ARRAY_SIZE(t->int_locks); i++)
		spin_lock_init(&t->int_locks[i]);
	for (i = 0; i < ARRAY_SIZE(t->ext_locks); i++)
		spin_lock_init(&t->ext_locks[i]);
	for (i = 0; i < ARRAY_SIZE(t->sub_locks); i++)
		spin_lock_init(&t->sub_locks[i]);
	get_random_bytes(&t->secret, sizeof(t->secret));
	t->pn = pn;
	t->epoch = ktime_get_boottime_seconds();
	get_random_bytes(&t->state_id, sizeof(t->state_id));
	return t;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_table_create);

static bool match_all(const struct pcpnat_mapping *m, const void *arg)
{
	return true;
}

/* The hooks are gone and the reaper stopped: nothing else touches t. */
void pcpnat_table_destroy(struct pcpnat_table *t)
{
	struct pcpnat_sub *s;
	struct hlist_node *tmp;
	unsigned int i;

	pcpnat_table_remove(t->pn, match_all, NULL, PCPNAT_REASON_FLUSHED, false);
	WARN_ON(percpu_counter_sum(&t->count));
	percpu_counter_destroy(&t->count);
	for (i = 0; i < 1U << t->sub_bits; i++)
		hlist_for_each_entry_safe(s, tmp, &t->subs[i], node)
			kfree(s);
	kvfree(t->subs);
	kvfree(t->int_hash);
	kvfree(t->ext_hash);
	kvfree(t);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_table_destroy);
