/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpnat control plane: the table behind struct pcpnat_net, the port
 * allocator, the reaper and the genl glue. Nothing here is used by the
 * translation path (xlate_*.c), which only needs pcpnat.h.
 */
#ifndef _PCPNAT_CONTROL_H
#define _PCPNAT_CONTROL_H

#include <linux/slab.h>
#include <linux/percpu_counter.h>
#include <net/genetlink.h>
#include "pcpnat.h"

/*
 * Writers lock stripes, not buckets: 1024 stripes per index keep contention
 * low for any table size while the lock arrays stay small.
 */
#define PCPNAT_LOCK_BITS	10

/*
 * Subscribers are counted for the quota in a hash of their own, keyed like
 * the indexes (a spoofed internal source cannot aim at one chain): a
 * quarter as many buckets as an index, at least 256, and striped locks, so
 * creating and deleting mappings of different hosts seldom meet.
 */
#define PCPNAT_SUB_MIN_BITS	8
#define PCPNAT_SUB_LOCK_BITS	8

/* Mappings per subscriber unless configured (config.c says why). */
#define PCPNAT_QUOTA_DEFAULT	4096

/*
 * Bucket count, log2; a module parameter (main.c): 0 sizes each table from
 * the max-mappings it is created with (table.c).
 */
extern unsigned int pcpnat_hash_bits;
#define PCPNAT_HASH_BITS_MIN	8
#define PCPNAT_HASH_BITS_MAX	22
extern struct kmem_cache *pcpnat_map_cache;

/*
 * A subscriber: its quota count (every mapping it owns) and the index of
 * its explicit mappings (subscriber.c), which a subscriber's MAP_GET dump
 * walks instead of the table. Found under RCU by that dump, so freed
 * after a grace period; it lives while count is non-zero, and every
 * mapping on its explicit list is counted in it.
 */
struct pcpnat_sub {
	struct hlist_node node;
	__be32 addr;
	u32 count;
	/* struct pcpnat_map_extra.sub_node, sorted by internal key. */
	struct list_head explicit;
	struct rcu_head rcu;
};

/*
 * Ports in use on one external address, one bitmap per protocol, each
 * with its own lock (nested inside the internal stripe lock): flows of
 * different protocols never wait for each other, and the lock, counters
 * and bitmap start of one protocol share a line no other protocol writes.
 */
enum { PCPNAT_PM_UDP, PCPNAT_PM_TCP, PCPNAT_PM_ICMP, PCPNAT_PM_N };

struct pcpnat_portmap {
	__be32 addr;
	struct {
		spinlock_t lock;
		u32 counter;	/* RFC 6056 alg. 3 "next" perturbation */
		u32 used;
		bool whole;	/* taken by an internal-port-0 mapping */
		DECLARE_BITMAP(bits, 65536);
	} ____cacheline_aligned_in_smp p[PCPNAT_PM_N];
};

/*
 * A bucket: the first mapping of a singly linked chain (pcpnat.h says
 * why singly).
 */
struct pcpnat_bucket {
	struct pcpnat_mapping __rcu *first;
};

/*
 * How far the mapping count may run ahead of max-mappings: a creator
 * that reads a count further than this many per cpu below the limit
 * needs no exact sum (table.c).
 */
#define PCPNAT_COUNT_BATCH	64

struct pcpnat_table {
	siphash_key_t secret;
	unsigned int bits;
	struct pcpnat_bucket *int_hash;	/* chains sorted by key (walk order) */
	struct pcpnat_bucket *ext_hash;
	/*
	 * Mappings linked: per-cpu, so creators on several cpus do not
	 * write one line (table.c says how exactly max-mappings holds).
	 */
	struct percpu_counter count;
	atomic_t nall;			/* internal-port-0 mappings */

	/*
	 * Lock arrays, each on lines of its own, apart from the read-mostly
	 * fields above that every lookup reads. Two arrays: two lockdep
	 * classes. Order: internal, then external.
	 */
	spinlock_t int_locks[1 << PCPNAT_LOCK_BITS] ____cacheline_aligned_in_smp;
	spinlock_t ext_locks[1 << PCPNAT_LOCK_BITS] ____cacheline_aligned_in_smp;

	/* Nest inside the internal stripe lock; never two at once. */
	spinlock_t sub_locks[1 << PCPNAT_SUB_LOCK_BITS] ____cacheline_aligned_in_smp;
	unsigned int sub_bits;
	struct hlist_head *subs;

	/* The reaper. */
	struct delayed_work gc_work;
	unsigned int gc_next;		/* next bucket to scan */
	struct pcpnat_net *pn;

	/* Epoch of the instance's state (PCP epoch, state loss detection). */
	time64_t epoch;
	u64 state_id;
};

/* What MAP_ADD asks for (genl_map.c fills it, map_ops.c applies it). */
struct pcpnat_map_req {
	struct pcpnat_key key;
	__be32 ext_addr;		/* suggestion, 0 = none */
	__be16 ext_port;		/* suggestion, 0 = none */
	u8 kind;
	u32 flags;
	u32 lifetime;
	bool has_nonce;
	u8 nonce[PCPNAT_NONCE_LEN];
	__be32 subscriber;
	__be32 peer;			/* implicit: a peer it admits, 0 none */
	bool has_filters;		/* FILTERS given */
	bool has_descr;
	struct pcpnat_map_extra *extra;	/* preallocated, consumed on success */
};

/* A mapping as copied out for a reply or an event (no pointers). */
struct pcpnat_map_view {
	struct pcpnat_key key;
	__be32 ext_addr;
	__be16 ext_port;
	u8 kind;
	__be32 subscriber;
	u8 nonce[PCPNAT_NONCE_LEN];
	u32 lifetime;			/* remaining, s */
	u32 idle;			/* since last outbound packet, s */
	bool has_idle;
	u8 nfilters;
	struct pcpnat_filter filters[PCPNAT_FILTERS_MAX];
	char descr[PCPNAT_DESCR_MAX];
};

/* Position of a walk: after key in bucket (or at its start). */
struct pcpnat_cursor {
	unsigned int bucket;
	bool have_key;
	struct pcpnat_key key;
};

/* Dump filter (MAP_GET dump): small enough for a netlink_callback. */
struct pcpnat_map_filter {
	u32 have;			/* bits: 1 << PCPNAT_MAP_A_* */
	struct pcpnat_key key;
	__be32 ext_addr;
	__be32 subscriber;
	__be16 ext_port;
	u8 kind;
};

/* config.c */
struct pcpnat_config *pcpnat_config_alloc(u16 naddrs);
void pcpnat_config_defaults(struct pcpnat_config *cfg);
int pcpnat_config_expand(struct pcpnat_config *cfg, struct netlink_ext_ack *extack);
int pcpnat_config_set(struct pcpnat_net *pn, const struct pcpnat_config *req,
		      bool ext_named, struct netlink_ext_ack *extack);
int pcpnat_config_index(const struct pcpnat_config *cfg, __be32 addr);
void pcpnat_config_free(struct pcpnat_config *cfg);
#if PCPNAT_KUNIT_VISIBLE
/* Static unless the KUnit tests reach them (compat.h). */
int config_validate(const struct pcpnat_config *c,
		    struct netlink_ext_ack *extack);
struct pcpnat_config *config_build(const struct pcpnat_config *req,
				   const struct pcpnat_config *old);
#endif

/* main.c */
int pcpnat_instance_create(struct pcpnat_net *pn, struct pcpnat_config *cfg);
extern unsigned int pcpnat_net_id;

/* stats.c */
int pcpnat_stats_init(struct pcpnat_net *pn);
void pcpnat_stats_fold(struct pcpnat_net *pn, u64 *sum);
void pcpnat_stats_reset(struct pcpnat_net *pn);

/* table.c: the index */
struct pcpnat_table *pcpnat_table_create(struct pcpnat_net *pn,
					 u32 max_mappings);
unsigned int pcpnat_table_bits(u32 max_mappings);
/* Mappings linked now, exact (sums every cpu's share). */
u32 pcpnat_table_count(struct pcpnat_table *t);
void pcpnat_table_destroy(struct pcpnat_table *t);
unsigned int pcpnat_int_bucket(const struct pcpnat_table *t,
			       const struct pcpnat_key *key);
int pcpnat_key_cmp(const struct pcpnat_key *a, const struct pcpnat_key *b);
#if PCPNAT_KUNIT_VISIBLE
unsigned int ext_bucket(const struct pcpnat_table *t, u8 proto,
			__be32 addr, __be16 port);
#endif
/* Remove the mappings for which match() says so; returns how many. */
u32 pcpnat_table_remove(struct pcpnat_net *pn,
			bool (*match)(const struct pcpnat_mapping *m, const void *arg),
			const void *arg, u8 reason, bool events);
u32 pcpnat_table_remove_range(struct pcpnat_net *pn, unsigned int from,
			      unsigned int to,
			      bool (*match)(const struct pcpnat_mapping *m,
					    const void *arg),
			      const void *arg, u8 reason, bool events);
int pcpnat_walk(struct pcpnat_net *pn, struct pcpnat_cursor *c,
		int (*fn)(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
			  const struct pcpnat_mapping *m, void *arg),
		void *arg);
void pcpnat_unlink_locked(struct pcpnat_table *t, struct pcpnat_mapping *m);
void pcpnat_mappings_free(struct pcpnat_mapping **ms, unsigned int n);

/*
 * subscriber.c: one subscriber's explicit mappings in internal key order,
 * from the cursor (its bucket unused), as pcpnat_walk() calls fn.
 */
int pcpnat_walk_subscriber(struct pcpnat_net *pn, __be32 sub,
			   struct pcpnat_cursor *c,
			   int (*fn)(struct pcpnat_net *pn,
				     const struct pcpnat_config *cfg,
				     const struct pcpnat_mapping *m, void *arg),
			   void *arg);

/* map_life.c: a mapping's lifetime, as replies and the reaper see it */
void pcpnat_map_view(const struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		     const struct pcpnat_mapping *m, struct pcpnat_map_view *v);
bool pcpnat_map_expired(const struct pcpnat_config *cfg,
			const struct pcpnat_mapping *m, unsigned long now);

/* map_ops.c: explicit MAP operations */
int pcpnat_map_add(struct pcpnat_net *pn, struct pcpnat_map_req *req,
		   struct pcpnat_map_view *out, struct netlink_ext_ack *extack);
int pcpnat_map_del(struct pcpnat_net *pn, const struct pcpnat_key *key,
		   const u8 *nonce, bool force, struct pcpnat_map_view *out,
		   bool *removed, struct netlink_ext_ack *extack);
int pcpnat_map_get(struct pcpnat_net *pn, const struct pcpnat_key *key,
		   bool by_ext, struct pcpnat_map_view *out);
u32 pcpnat_table_demote_range(struct pcpnat_net *pn,
			      const struct pcpnat_config *cfg,
			      unsigned int from, unsigned int to,
			      unsigned long now);

/* alloc.c */
struct pcpnat_portmap *pcpnat_portmap_alloc(__be32 addr);
void pcpnat_portmap_free(struct pcpnat_portmap *pm);
int pcpnat_port_alloc(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		      int aidx, const struct pcpnat_key *key,
		      __be16 want, bool exact, bool all, __be16 *port);
void pcpnat_port_release(const struct pcpnat_config *cfg, u8 proto,
			 __be32 addr, __be16 port);
int pcpnat_addr_pick(const struct pcpnat_table *t, const struct pcpnat_config *cfg,
		     __be32 int_addr);
int pcpnat_sub_charge(struct pcpnat_table *t, const struct pcpnat_config *cfg,
		      __be32 sub);
void pcpnat_sub_uncharge(struct pcpnat_table *t, __be32 sub);

/* gc.c */
void pcpnat_gc_start(struct pcpnat_table *t);
void pcpnat_gc_stop(struct pcpnat_table *t);
void pcpnat_gc_restart_idle(struct pcpnat_net *pn);

/* genl.c */
extern struct genl_family pcpnat_genl_family;
int pcpnat_genl_init(void);
void pcpnat_genl_exit(void);
/* The genl family's multicast groups (genl.c), in pcpnat_mcgrps order. */
enum { PCPNAT_GRP_EVENTS, PCPNAT_GRP_IMPLICIT };
/* Would an event of a mapping of kind (reason < 0: MAP_NEW) reach anyone? */
bool pcpnat_map_events_wanted(const struct pcpnat_net *pn, u8 kind, int reason);
void pcpnat_event_map(struct pcpnat_net *pn, u8 cmd,
		      const struct pcpnat_map_view *v, int reason, gfp_t gfp);
void pcpnat_event_addr(struct pcpnat_net *pn, u8 cmd, __be32 addr);
void pcpnat_event_state_reset(struct pcpnat_net *pn);
int pcpnat_put_map(struct sk_buff *skb, int attr, const struct pcpnat_map_view *v);
struct sk_buff *pcpnat_reply_new(struct genl_info *info, u8 cmd, void **hdr);

/* The first attribute of tb (parsed up to max) in refused, or NULL. */
const struct nlattr *pcpnat_nl_refused(struct nlattr **tb, int max,
				       unsigned long refused);

static inline struct pcpnat_config *pcpnat_cfg_locked(struct pcpnat_net *pn)
{
	return rcu_dereference_protected(pn->cfg, lockdep_is_held(&pn->cfg_lock));
}

static inline int pcpnat_pm_index(u8 proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return PCPNAT_PM_UDP;
	case IPPROTO_TCP:
		return PCPNAT_PM_TCP;
	case IPPROTO_ICMP:
		return PCPNAT_PM_ICMP;
	}
	return -1;
}

static inline u32 pcpnat_jiffies_to_s(long j)
{
	return j > 0 ? DIV_ROUND_UP(j, HZ) : 0;
}

#endif /* _PCPNAT_CONTROL_H */
