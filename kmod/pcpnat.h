/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpnat internal interfaces: the per-namespace instance, the mapping, and
 * the calls the translation path (xlate_*.c) makes into the table
 * (table.c, map_life.c, alloc.c). The genl ABI lives in uapi/linux/pcpnat.h.
 */
#ifndef _PCPNAT_H
#define _PCPNAT_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/siphash.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <linux/pcpnat.h>
#include "compat.h"

struct pcpnat_net;
struct net_device;

/* Internal endpoint: the key of the internal index and of the walk order. */
struct pcpnat_key {
	__be32 addr;
	__be16 port;
	u8 proto;
	u8 pad;
} __packed __aligned(4);

/* 8 bytes: an explicit mapping's extra stays in kmalloc-256. */
struct pcpnat_filter {
	__be32 addr;		/* masked */
	__be16 port;		/* 0 = any */
	u8 plen;		/* 1..32 (the policy's range) */
};

static inline __be32 pcpnat_filter_mask(const struct pcpnat_filter *f)
{
	return htonl(~0U << (32 - f->plen));
}

/*
 * The rarely used parts of an explicit mapping, kept out of line: every
 * explicit mapping has one, implicit ones never. sub_node links it into
 * its subscriber's index of explicit mappings (subscriber.c), so that
 * index costs implicit mappings, the packet path's, not a byte.
 */
struct pcpnat_map_extra {
	struct rcu_head rcu;
	struct list_head sub_node;
	struct pcpnat_mapping *m;	/* the mapping this belongs to */
	/* RFC 6887 11.1's nonce: only explicit mappings have one. */
	u8 nonce[PCPNAT_NONCE_LEN];
	u8 nfilters;
	struct pcpnat_filter filters[PCPNAT_FILTERS_MAX];
	char descr[PCPNAT_DESCR_MAX];
};

/*
 * TCP state, coarse on purpose: enough to pick the RFC 5382 timeout
 * (tcp_track.c). No bit set: opening, transitory.
 */
#define PCPNAT_TCP_EST		BIT(0)	/* handshake done */
#define PCPNAT_TCP_FIN_OUT	BIT(1)	/* the internal host sent a FIN */
#define PCPNAT_TCP_FIN_IN	BIT(2)	/* a FIN came in */
#define PCPNAT_TCP_RST		BIT(3)	/* the internal host sent an RST */

/*
 * Address-dependent filtering (peers.c): remote addresses the internal
 * endpoint sent to, and when it last did, two inline and up to
 * PCPNAT_PEERS_MORE out of line (RFC 4787 REQ-8).
 */
#define PCPNAT_PEERS_INLINE	2
#define PCPNAT_PEERS_MORE	62

/*
 * seen is jiffies truncated to 32 bits, compared as time_before32(): 8
 * bytes a peer keep two of them inline in a mapping of 80 bytes. Every
 * timeout is at most PCPNAT_TIMEOUT_MAX (a week), well below the 2^30
 * jiffies (12 days at HZ=1000) the reaper lets a time age before it pins
 * it there (pcpnat_peers_age()), so an old time never wraps into a recent
 * one.
 */
struct pcpnat_peer {
	__be32 addr;			/* 0: free */
	u32 seen;			/* jiffies, low 32 bits */
};

struct pcpnat_peer_set;

/*
 * A mapping, 80 bytes in a cache of its own (main.c). Every implicit flow
 * has one, so its size is the table's: at max-mappings 1M the bucket
 * arrays (table.c) add 8 to 17 bytes a mapping.
 *
 * The first 64 bytes hold what the packet path reads: the two chain
 * links and the key a lookup follows and compares (first 32 bytes), then
 * what translation and filtering read or write (the external endpoint,
 * kind, TCP state, last_used, the inline peers, and extra for an explicit
 * mapping's FILTER list). The reaper's and the control plane's fields come
 * after. Objects are not cache-line aligned (80-byte stride: 128 would
 * cost 48 bytes a mapping), so the first 32 bytes share one line in three
 * objects of four.
 *
 * No rcu_head: a mapping is unlinked in process context only, and freed
 * after a grace period through a batch of pointers (table.c). Chains are
 * singly linked (one pointer a chain): a removal walks the chain to its
 * predecessor under the stripe lock, chains being about one long.
 */
struct pcpnat_mapping {
	struct pcpnat_mapping __rcu *int_next;	/* internal index chain */
	struct pcpnat_mapping __rcu *ext_next;	/* external index chain */
	struct pcpnat_key key;		/* internal endpoint */
	__be32 ext_addr;
	__be16 ext_port;
	u8 kind;			/* enum pcpnat_map_kind, pcpnat_m_kind() */
	u8 tcp;				/* PCPNAT_TCP_*, changed by cmpxchg */
	/* Written on the packet path with WRITE_ONCE only when it changes. */
	unsigned long last_used;	/* jiffies */
	/*
	 * Address-dependent filtering, lock-free (peers.c): no spinlock here,
	 * which lockdep would make 64 bytes on a debug kernel.
	 */
	struct pcpnat_peer peers[PCPNAT_PEERS_INLINE];
	struct pcpnat_map_extra __rcu *extra;	/* explicit mappings only */
	/* Not read by translation. */
	struct pcpnat_peer_set __rcu *more;
	__be32 subscriber;
	/*
	 * Explicit lifetime end (or an implicit mapping's PEER minimum),
	 * jiffies' low 32 bits: pcpnat_m_expires() gives the full value. It
	 * is never more than PCPNAT_LIFETIME_MAX ahead, and the reaper pins an
	 * older one at 2^30 jiffies back (map_ops.c), so it never wraps.
	 */
	u32 expires;
};

/* What the packet path reads sits in the first 64 bytes. */
static_assert(offsetofend(struct pcpnat_mapping, extra) <= 64);
static_assert(offsetofend(struct pcpnat_mapping, ext_port) <= 32);
static_assert(sizeof(struct pcpnat_mapping) <= 80 || !IS_ENABLED(CONFIG_64BIT));

/* Jiffies' low 32 bits of expires, as the full value nearest now. */
static inline unsigned long pcpnat_m_expires(const struct pcpnat_mapping *m,
					     unsigned long now)
{
	return now + (long)(s32)(READ_ONCE(m->expires) - (u32)now);
}

/*
 * The kind with acquire semantics: MAP_ADD publishes an explicit mapping's
 * extra and nonce before its kind (smp_store_release), so a reader that
 * sees EXPLICIT sees them too.
 */
static inline u8 pcpnat_m_kind(const struct pcpnat_mapping *m)
{
	return smp_load_acquire(&m->kind);
}

/* Per-cpu counters; indexes follow enum pcpnat_stats_attr. */
struct pcpnat_pcpu_stats {
	u64_stats_t v[PCPNAT_STATS_A_MAX + 1];
	struct u64_stats_sync syncp;
};

/* Configuration, replaced as a whole (RCU) on CONFIG_SET. */
struct pcpnat_prefix {
	__be32 addr;
	u8 len;
};

struct pcpnat_config {
	struct rcu_head rcu;
	u32 ext_ifindex;
	u16 port_min, port_max;
	u32 udp_timeout, tcp_est_timeout, tcp_trans_timeout, icmp_timeout;
	u8 filtering;
	u8 allow_all_ports;
	/*
	 * The standby role of a replicated pair (PCPNAT_CFG_A_STANDBY): read
	 * by the packet path only where it would make a mapping, from the
	 * configuration it already holds, and by the reaper.
	 */
	u8 standby;
	u32 subscriber_quota;
	u32 max_mappings;
	u8 npool, nint;
	struct pcpnat_prefix pool[PCPNAT_POOL_MAX];
	struct pcpnat_prefix internal[PCPNAT_INTERNAL_MAX];
	/*
	 * The pool expanded to single addresses, for the allocator: sorted
	 * (host order), no duplicates; pms[i] is the port allocator of
	 * addrs[i]. Allocators outlive a configuration: the next one that
	 * keeps the address takes the same pointer (table.h, alloc.c).
	 */
	struct pcpnat_portmap **pms;
	u16 naddrs;
	__be32 addrs[];
};

struct pcpnat_net {
	struct net *net;
	struct pcpnat_config __rcu *cfg;
	struct mutex cfg_lock;		/* serialises CONFIG_SET, FLUSH, teardown */
	struct pcpnat_table *table;	/* NULL until first configured */
	struct pcpnat_pcpu_stats __percpu *stats;
	bool hooks_registered;	/* owned by xlate_hooks.c */
	/* The hairpin's PRE_ROUTING -199 hook is registered (xlate_hooks.c). */
	bool late_hook;
	struct work_struct late_hook_work;
	/*
	 * The external device (ext_dev.c), under RTNL: the packet path
	 * reads ext_ifindex (READ_ONCE), 0 while there is none.
	 */
	u32 ext_ifindex;
	char ext_name[IFNAMSIZ];
	/* The egress hook on the external device (egress.c), under RTNL. */
	struct net_device *egress_dev;
	netdevice_tracker egress_tracker;
	struct nf_hook_ops egress_ops;
	struct list_head egress_node;	/* egress.c's list of instances */
	/* Set once the table, counters and hooks exist (under cfg_lock). */
	bool live;
};

/* Lifetime of the instance and its hooks (main.c, xlate_hooks.c). */
struct pcpnat_net *pcpnat_pernet(const struct net *net);
int pcpnat_hooks_register(struct pcpnat_net *pn);
void pcpnat_hooks_unregister(struct pcpnat_net *pn);
int pcpnat_ext_dev_configured(struct pcpnat_net *pn, u32 ifindex,
			      struct netlink_ext_ack *extack);
int pcpnat_ext_dev_init(void);
void pcpnat_ext_dev_exit(void);

/* The external device's ifindex now, 0 while there is none (ext_dev.c). */
static inline u32 pcpnat_ext_dev_ifindex(const struct pcpnat_net *pn)
{
	return READ_ONCE(pn->ext_ifindex);
}

void pcpnat_egress_sync(struct pcpnat_net *pn);
void pcpnat_egress_follow(struct pcpnat_net *pn);
void pcpnat_egress_add(struct pcpnat_net *pn);
void pcpnat_egress_stop(struct pcpnat_net *pn);
int pcpnat_egress_init(void);
void pcpnat_egress_exit(void);

/*
 * Counters (stats.c). Safe in any context, no atomics: process context
 * (LOCAL_OUT, genl) and a softirq on the same cpu may both count. The add
 * is a local64 one, a single instruction where the cpu has it, which a
 * softirq cannot split; where 64-bit counters need the seqcount (32-bit),
 * the _irqsave variants keep the softirq out of the writer's section.
 */
static inline void pcpnat_stat_add(struct pcpnat_net *pn, int idx, u64 n)
{
	struct pcpnat_pcpu_stats *s = get_cpu_ptr(pn->stats);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->v[idx], n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(pn->stats);
}

#define pcpnat_stat_inc(pn, idx) pcpnat_stat_add(pn, idx, 1)

/*
 * Packet path interface (table.c, map_life.c). Callers hold rcu_read_lock() (hooks run
 * in it); the returned mapping is valid until they drop it. No lock is
 * taken by the lookups. They fall back to the all-ports mapping of (proto,
 * addr) when the exact endpoint has none; such a mapping has key.port and
 * ext_port 0, and translation keeps the packet's port (xlate.h). An
 * implicit mapping of port (echo identifier) 0 has an allocated ext_port
 * and is an ordinary mapping: only ext_port 0 means all ports.
 */
struct pcpnat_mapping *pcpnat_lookup_int(struct pcpnat_net *pn, u8 proto,
					 __be32 addr, __be16 port);
struct pcpnat_mapping *pcpnat_lookup_ext(struct pcpnat_net *pn, u8 proto,
					 __be32 addr, __be16 port);
/*
 * Outbound packet with no mapping: make an implicit one. Returns the new
 * (or concurrently made) mapping, or an ERR_PTR (-ENOSPC, -EDQUOT, -ENOBUFS;
 * -EROFS while standby, pcpnat_create_drop()).
 */
struct pcpnat_mapping *pcpnat_create_implicit(struct pcpnat_net *pn, u8 proto,
					      __be32 addr, __be16 port);
/*
 * The reaper's verdict (map_life.c): expired, except an implicit mapping
 * of a standby, which the active's MAP_DEL ends (Documentation/pcpd-sync.md).
 */
bool pcpnat_map_reapable(const struct pcpnat_config *cfg,
			 const struct pcpnat_mapping *m, unsigned long now);
/* Leaving standby: an implicit mapping's idle time starts again at now. */
void pcpnat_map_restart(struct pcpnat_mapping *m, unsigned long now);
/* Note traffic: refresh idle time, TCP state, remember the remote peer. */
void pcpnat_touch_out(struct pcpnat_mapping *m, __be32 raddr, u8 tcp_flags);
void pcpnat_touch_in(struct pcpnat_mapping *m, u8 tcp_flags);

/* TCP state (tcp_track.c); flags is the TCP header's flags byte. */
void pcpnat_tcp_out(struct pcpnat_mapping *m, u8 flags);
void pcpnat_tcp_in(struct pcpnat_mapping *m, u8 flags);
bool pcpnat_tcp_transitory(const struct pcpnat_mapping *m);

/* Address-dependent filtering's peer set (peers.c). */
void pcpnat_peers_free(struct pcpnat_mapping *m);
void pcpnat_peers_age(struct pcpnat_mapping *m, unsigned long now);
void pcpnat_peers_restart(struct pcpnat_mapping *m, unsigned long now);
void pcpnat_peer_note(struct pcpnat_mapping *m, __be32 addr);
bool pcpnat_peer_known(const struct pcpnat_mapping *m, __be32 addr,
		       unsigned long timeout);
/* Inbound from raddr:rport: does the filtering mode and FILTER list admit it? */
bool pcpnat_inbound_allowed(const struct pcpnat_net *pn,
			    const struct pcpnat_config *cfg,
			    const struct pcpnat_mapping *m,
			    __be32 raddr, __be16 rport);

/*
 * The router's own sockets (local.c). pcpnat_local_rx: would a local socket
 * receive this UDP or TCP packet (in: its arrival interface, or NULL)?
 * pcpnat_local_peer: is a local socket connected to exactly saddr:sport
 * from daddr:dport? pcpnat_local_port_held: does a local socket listen,
 * or sit bound unconnected, on addr:port? Any context; they take
 * rcu_read_lock().
 */
bool pcpnat_local_rx(struct net *net, u8 proto, __be32 saddr, __be16 sport,
		     __be32 daddr, __be16 dport, const struct net_device *in);
bool pcpnat_local_peer(struct net *net, u8 proto, __be32 saddr, __be16 sport,
		       __be32 daddr, __be16 dport);
bool pcpnat_local_port_held(struct net *net, u8 proto, __be32 addr,
			    __be16 port);

/* Configuration helpers (config.c). */
bool pcpnat_addr_internal(const struct pcpnat_config *cfg, __be32 addr);
bool pcpnat_addr_in_pool(const struct pcpnat_config *cfg, __be32 addr);

/*
 * Idle timeout of an implicit mapping, in jiffies, per its protocol and TCP
 * state (map_life.c); the translation path may use it, the reaper does.
 */
unsigned long pcpnat_idle_timeout(const struct pcpnat_config *cfg,
				  const struct pcpnat_mapping *m);

#endif /* _PCPNAT_H */
