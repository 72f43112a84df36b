// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat mapping table.
 *
 * Two hash indexes over the same entries: by internal endpoint (proto,
 * address, port) and by external endpoint. Bucket arrays are sized once, at
 * instance creation, and hashed with siphash under a per-instance random
 * key, so a remote party cannot aim collisions at one chain.
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
#include "table.h"

#define PCPNAT_BATCH	32

static inline spinlock_t *int_lock(struct pcpnat_table *t, unsigned int b)
{
	return &t->int_locks[b & ((1 << PCPNAT_LOCK_BITS) - 1)];
}

static inline spinlock_t *ext_lock(struct pcpnat_table *t, unsigned int b)
{
	return &t->ext_locks[b & ((1 << PCPNAT_LOCK_BITS) - 1)];
}

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

static struct pcpnat_mapping *lookup_int(struct pcpnat_table *t, u8 proto,
					 __be32 addr, __be16 port)
{
	struct pcpnat_key key = { .addr = addr, .port = port, .proto = proto };
	struct pcpnat_mapping *m;

	hlist_for_each_entry_rcu(m, &t->int_hash[pcpnat_int_bucket(t, &key)],
				 int_node)
		if (key_eq(&m->key, proto, addr, port))
			return m;
	return NULL;
}

static struct pcpnat_mapping *lookup_ext(struct pcpnat_table *t, u8 proto,
					 __be32 addr, __be16 port)
{
	struct pcpnat_mapping *m;

	hlist_for_each_entry_rcu(m, &t->ext_hash[ext_bucket(t, proto, addr, port)],
				 ext_node)
		if (m->ext_addr == addr && m->ext_port == port &&
		    m->key.proto == proto)
			return m;
	return NULL;
}

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
	struct pcpnat_mapping *m = lookup_int(pn->table, proto, addr, port);

	if (!try_all_ports(pn->table, m, port))
		return m;
	m = lookup_int(pn->table, proto, addr, 0);
	return m && !m->ext_port ? m : NULL;
}

struct pcpnat_mapping *pcpnat_lookup_ext(struct pcpnat_net *pn, u8 proto,
					 __be32 addr, __be16 port)
{
	struct pcpnat_mapping *m = lookup_ext(pn->table, proto, addr, port);

	return try_all_ports(pn->table, m, port) ?
	       lookup_ext(pn->table, proto, addr, 0) : m;
}

static struct pcpnat_mapping *find_locked(struct pcpnat_table *t, unsigned int b,
					  const struct pcpnat_key *key)
{
	struct pcpnat_mapping *m;

	lockdep_assert_held(int_lock(t, b));
	hlist_for_each_entry(m, &t->int_hash[b], int_node)
		if (key_eq(&m->key, key->proto, key->addr, key->port))
			return m;
	return NULL;
}

/* Link m in both indexes; its internal chain stays sorted. */
static void link_locked(struct pcpnat_table *t, unsigned int b,
			struct pcpnat_mapping *m)
{
	struct pcpnat_mapping *pos, *last = NULL;
	unsigned int eb;

	lockdep_assert_held(int_lock(t, b));
	hlist_for_each_entry(pos, &t->int_hash[b], int_node) {
		if (pcpnat_key_cmp(&pos->key, &m->key) > 0) {
			hlist_add_before_rcu(&m->int_node, &pos->int_node);
			goto ext;
		}
		last = pos;
	}
	if (last)
		hlist_add_behind_rcu(&m->int_node, &last->int_node);
	else
		hlist_add_head_rcu(&m->int_node, &t->int_hash[b]);
ext:
	eb = ext_bucket(t, m->key.proto, m->ext_addr, m->ext_port);
	spin_lock(ext_lock(t, eb));
	hlist_add_head_rcu(&m->ext_node, &t->ext_hash[eb]);
	spin_unlock(ext_lock(t, eb));
	atomic_inc(&t->count);
	if (!m->ext_port)
		atomic_inc(&t->nall);
}

/*
 * Take m out of both indexes and give back its port and quota share. The
 * caller holds the internal stripe and frees m after an RCU grace period.
 */
void pcpnat_unlink_locked(struct pcpnat_table *t, struct pcpnat_mapping *m)
{
	unsigned int eb = ext_bucket(t, m->key.proto, m->ext_addr, m->ext_port);

	lockdep_assert_held(int_lock(t, pcpnat_int_bucket(t, &m->key)));
	hlist_del_rcu(&m->int_node);
	spin_lock(ext_lock(t, eb));
	hlist_del_rcu(&m->ext_node);
	spin_unlock(ext_lock(t, eb));
	rcu_read_lock();
	pcpnat_port_release(rcu_dereference(t->pn->cfg), m->key.proto,
			    m->ext_addr, m->ext_port);
	rcu_read_unlock();
	pcpnat_sub_uncharge(t, m->subscriber);
	atomic_dec(&t->count);
	if (!m->ext_port)
		atomic_dec(&t->nall);
}

static void mapping_free_rcu(struct rcu_head *head)
{
	struct pcpnat_mapping *m = container_of(head, struct pcpnat_mapping, rcu);

	kfree(rcu_dereference_protected(m->extra, 1));
	pcpnat_peers_free(m);
	kmem_cache_free(pcpnat_map_cache, m);
}

/* Free an unlinked mapping once no reader can hold it. */
void pcpnat_mapping_free(struct pcpnat_mapping *m)
{
	call_rcu(&m->rcu, mapping_free_rcu);
}

/*
 * Allocate the external endpoint and link a new mapping. aidx is the
 * preferred pool address; when it has no free port and the caller did not
 * insist, the other addresses are tried (explicit mappings only: implicit
 * ones keep paired pooling).
 */
static int insert_locked(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
			 unsigned int b, struct pcpnat_mapping *m, int aidx,
			 __be16 want, bool exact, bool any_addr, bool all)
{
	struct pcpnat_table *t = pn->table;
	int err, i;

	/*
	 * Operators of nf_nat expect the kernel log to say when a NAT runs
	 * out; rate-limited, as a flood of refusals must not flood the log.
	 */
	if (atomic_read(&t->count) >= cfg->max_mappings) {
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

unsigned long pcpnat_idle_timeout(const struct pcpnat_config *cfg,
				  const struct pcpnat_mapping *m)
{
	u32 s;

	switch (m->key.proto) {
	case IPPROTO_TCP:
		s = pcpnat_tcp_transitory(m) ? cfg->tcp_trans_timeout :
					       cfg->tcp_est_timeout;
		break;
	case IPPROTO_UDP:
		s = cfg->udp_timeout;
		break;
	default:
		s = cfg->icmp_timeout;
	}
	return (unsigned long)s * HZ;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_idle_timeout);

/* When m goes away unless renewed, in jiffies. */
static unsigned long map_end(const struct pcpnat_config *cfg,
			     const struct pcpnat_mapping *m)
{
	unsigned long idle_end;

	if (pcpnat_m_kind(m) == PCPNAT_KIND_EXPLICIT)
		return m->expires;
	/* Implicit: idle timeout, or longer if PCP PEER asked for it. */
	idle_end = READ_ONCE(m->last_used) + pcpnat_idle_timeout(cfg, m);
	return time_after(m->expires, idle_end) ? m->expires : idle_end;
}

bool pcpnat_map_expired(const struct pcpnat_config *cfg,
			const struct pcpnat_mapping *m, unsigned long now)
{
	return time_after_eq(now, map_end(cfg, m));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_map_expired);

/* Outbound traffic within the idle timeout? (RFC 6887 section 15) */
static bool map_active(const struct pcpnat_config *cfg,
		       const struct pcpnat_mapping *m, unsigned long now)
{
	unsigned long last = READ_ONCE(m->last_used);

	return last && time_before(now, last + pcpnat_idle_timeout(cfg, m));
}

void pcpnat_map_view(const struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		     const struct pcpnat_mapping *m, struct pcpnat_map_view *v)
{
	const struct pcpnat_map_extra *x;
	unsigned long now = jiffies, last = READ_ONCE(m->last_used);

	memset(v, 0, sizeof(*v));
	v->key = m->key;
	v->ext_addr = m->ext_addr;
	v->ext_port = m->ext_port;
	v->kind = m->kind;
	v->subscriber = m->subscriber;
	memcpy(v->nonce, m->nonce, sizeof(v->nonce));
	v->lifetime = pcpnat_jiffies_to_s((long)(map_end(cfg, m) - now));
	if (last) {
		v->has_idle = true;
		v->idle = time_after(now, last) ? (now - last) / HZ : 0;
	}
	rcu_read_lock();
	x = rcu_dereference(m->extra);
	if (x) {
		v->nfilters = x->nfilters;
		memcpy(v->filters, x->filters, sizeof(v->filters));
		strscpy(v->descr, x->descr, sizeof(v->descr));
	}
	rcu_read_unlock();
}

static void event_new(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		      const struct pcpnat_mapping *m, gfp_t gfp)
{
	struct pcpnat_map_view *v;

	if (!pcpnat_map_events_wanted(pn, m->kind, -1))
		return;
	v = kmalloc(sizeof(*v), gfp);
	if (!v)
		return;
	pcpnat_map_view(pn, cfg, m, v);
	pcpnat_event_map(pn, PCPNAT_CMD_EVENT_MAP_NEW, v, -1, gfp);
	kfree(v);
}

struct pcpnat_mapping *pcpnat_create_implicit(struct pcpnat_net *pn, u8 proto,
					      __be32 addr, __be16 port)
{
	const struct pcpnat_config *cfg = rcu_dereference(pn->cfg);
	struct pcpnat_table *t = pn->table;
	struct pcpnat_mapping *m, *old;
	unsigned int b;
	int err;

	if (!cfg->naddrs)
		return ERR_PTR(-ENETDOWN);
	if (pcpnat_pm_index(proto) < 0)
		return ERR_PTR(-EPROTONOSUPPORT);
	/* The caller counts the drop (drop_no_resources), once. */
	m = kmem_cache_zalloc(pcpnat_map_cache, GFP_ATOMIC);
	if (!m)
		return ERR_PTR(-ENOBUFS);
	m->key.addr = addr;
	m->key.port = port;
	m->key.proto = proto;
	m->kind = PCPNAT_KIND_IMPLICIT;
	m->subscriber = addr;
	m->last_used = jiffies ?: 1;
	m->expires = m->last_used;

	b = pcpnat_int_bucket(t, &m->key);
	spin_lock_bh(int_lock(t, b));
	old = find_locked(t, b, &m->key);
	if (old) {
		/* Another cpu made it meanwhile; use that one. */
		spin_unlock_bh(int_lock(t, b));
		kmem_cache_free(pcpnat_map_cache, m);
		return old;
	}
	/* Paired pooling (RFC 4787 REQ-2): one host, one external address. */
	err = insert_locked(pn, cfg, b, m, pcpnat_addr_pick(t, cfg, addr), port,
			    false, false, false);
	spin_unlock_bh(int_lock(t, b));
	if (err) {
		kmem_cache_free(pcpnat_map_cache, m);
		return ERR_PTR(err);
	}
	event_new(pn, cfg, m, GFP_ATOMIC);
	return m;
}

void pcpnat_touch_out(struct pcpnat_mapping *m, __be32 raddr, u8 tcp_flags)
{
	unsigned long now = jiffies ?: 1;

	/* Written only when it changes: no cache line bouncing per packet. */
	if (READ_ONCE(m->last_used) != now)
		WRITE_ONCE(m->last_used, now);
	if (m->key.proto == IPPROTO_TCP)
		pcpnat_tcp_out(m, tcp_flags);
	pcpnat_peer_note(m, raddr);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_touch_out);

/*
 * Inbound packets do not refresh the idle time (RFC 4787 REQ-6 only asks
 * for outbound refresh), so a peer cannot keep a mapping alive on its own;
 * of their TCP flags only a FIN counts (tcp_track.c).
 */
void pcpnat_touch_in(struct pcpnat_mapping *m, u8 tcp_flags)
{
	if (m->key.proto == IPPROTO_TCP)
		pcpnat_tcp_in(m, tcp_flags);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_touch_in);

bool pcpnat_inbound_allowed(const struct pcpnat_net *pn,
			    const struct pcpnat_config *cfg,
			    const struct pcpnat_mapping *m,
			    __be32 raddr, __be16 rport)
{
	const struct pcpnat_map_extra *x;
	int i;

	if (pcpnat_m_kind(m) == PCPNAT_KIND_EXPLICIT) {
		/* A PCP MAP admits everyone unless FILTER options say otherwise. */
		x = rcu_dereference(m->extra);
		if (!x || !x->nfilters)
			return true;
		for (i = 0; i < x->nfilters; i++) {
			const struct pcpnat_filter *f = &x->filters[i];

			if ((raddr & f->mask) == f->addr &&
			    (!f->port || f->port == rport))
				return true;
		}
		return false;
	}
	if (cfg->filtering == PCPNAT_FILTER_ENDPOINT_INDEPENDENT)
		return true;
	return pcpnat_peer_known(m, raddr, pcpnat_idle_timeout(cfg, m));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_inbound_allowed);

/*
 * A refresh keeps the filters unless told to replace them (SET_FILTERS) and
 * the description unless a new one is given.
 */
static void extra_merge(struct pcpnat_map_extra *nx,
			const struct pcpnat_map_extra *ox,
			const struct pcpnat_map_req *req)
{
	if (!(req->flags & PCPNAT_MAP_F_SET_FILTERS)) {
		nx->nfilters = ox ? ox->nfilters : 0;
		if (ox)
			memcpy(nx->filters, ox->filters, sizeof(nx->filters));
	}
	if (!req->has_descr) {
		nx->descr[0] = 0;
		if (ox)
			strscpy(nx->descr, ox->descr, sizeof(nx->descr));
	}
}

/* fresh: the mapping becomes explicit now, the request says it all. */
static void extra_replace(struct pcpnat_table *t, unsigned int b,
			  struct pcpnat_mapping *m, struct pcpnat_map_req *req,
			  bool fresh)
{
	struct pcpnat_map_extra *ox;

	ox = rcu_dereference_protected(m->extra, lockdep_is_held(int_lock(t, b)));
	if (!req->extra)
		return;
	if (!fresh)
		extra_merge(req->extra, ox, req);
	rcu_assign_pointer(m->extra, req->extra);
	req->extra = NULL;
	if (ox)
		kfree_rcu(ox, rcu);
}

/* Move a mapping's quota share to another subscriber. */
static int resubscribe(struct pcpnat_table *t, const struct pcpnat_config *cfg,
		       struct pcpnat_mapping *m, __be32 sub)
{
	int err;

	if (m->subscriber == sub)
		return 0;
	err = pcpnat_sub_charge(t, cfg, sub);
	if (err)
		return err;
	pcpnat_sub_uncharge(t, m->subscriber);
	m->subscriber = sub;
	return 0;
}

static int map_add_existing(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
			    unsigned int b, struct pcpnat_mapping *m,
			    struct pcpnat_map_req *req, struct netlink_ext_ack *extack)
{
	struct pcpnat_table *t = pn->table;
	unsigned long until = jiffies + (unsigned long)req->lifetime * HZ;
	int err;

	if (req->kind == PCPNAT_KIND_IMPLICIT) {
		/* PEER: keep the mapping at least that long, whatever its kind. */
		if (m->kind == PCPNAT_KIND_IMPLICIT && time_after(until, m->expires))
			m->expires = until;
		return 0;
	}
	if (m->kind == PCPNAT_KIND_EXPLICIT) {
		if (memcmp(m->nonce, req->nonce, PCPNAT_NONCE_LEN)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "an explicit mapping with another nonce holds this internal endpoint");
			return -EEXIST;
		}
		/* Same owner: a refresh. Never replace, only renew. */
		m->expires = until;
		extra_replace(t, b, m, req, false);
		return 0;
	}
	/* Adopt the implicit mapping: it keeps its external port (2.12). */
	err = resubscribe(t, cfg, m, req->subscriber);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "subscriber over its mapping quota");
		pcpnat_stat_inc(pn, PCPNAT_STATS_A_ALLOC_QUOTA);
		return err;
	}
	memcpy(m->nonce, req->nonce, PCPNAT_NONCE_LEN);
	m->expires = until;
	extra_replace(t, b, m, req, true);
	/* Readers test kind last: everything above is in place first. */
	smp_store_release(&m->kind, PCPNAT_KIND_EXPLICIT);
	return 0;
}

static int map_add_new(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		       unsigned int b, struct pcpnat_mapping *m,
		       struct pcpnat_map_req *req, struct netlink_ext_ack *extack)
{
	struct pcpnat_table *t = pn->table;
	bool prefer = req->flags & PCPNAT_MAP_F_PREFER_FAILURE;
	int aidx, err;

	m->key = req->key;
	m->kind = req->kind;
	m->subscriber = req->subscriber;
	m->expires = jiffies + (unsigned long)req->lifetime * HZ;
	if (req->kind == PCPNAT_KIND_IMPLICIT) {
		/* PEER: the host is about to talk; count it as traffic now. */
		m->last_used = jiffies ?: 1;
	} else {
		memcpy(m->nonce, req->nonce, PCPNAT_NONCE_LEN);
		RCU_INIT_POINTER(m->extra, req->extra);
	}

	aidx = req->ext_addr ? pcpnat_config_index(cfg, req->ext_addr) : -1;
	if (aidx < 0 && req->ext_addr && prefer) {
		NL_SET_ERR_MSG_MOD(extack, "suggested external address is not in the pool");
		err = -EADDRINUSE;
		goto fail;
	}
	if (aidx < 0)
		aidx = pcpnat_addr_pick(t, cfg, req->key.addr);
	if (!req->key.port) {
		/* All ports: the whole address for this protocol. */
		err = insert_locked(pn, cfg, b, m, aidx, 0, prefer, !prefer, true);
	} else {
		err = insert_locked(pn, cfg, b, m, aidx, req->ext_port,
				    prefer && req->ext_port,
				    req->kind == PCPNAT_KIND_EXPLICIT && !prefer,
				    false);
	}
	switch (err) {
	case 0:
		req->extra = NULL;
		return 0;
	case -ENOBUFS:
		NL_SET_ERR_MSG_MOD(extack, "mapping table full (max-mappings)");
		break;
	case -EDQUOT:
		NL_SET_ERR_MSG_MOD(extack, "subscriber over its mapping quota");
		break;
	case -EADDRINUSE:
		NL_SET_ERR_MSG_MOD(extack, "suggested external port is not available");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG_MOD(extack, "no free external port");
		break;
	}
fail:
	RCU_INIT_POINTER(m->extra, NULL);
	return err;
}

int pcpnat_map_add(struct pcpnat_net *pn, struct pcpnat_map_req *req,
		   struct pcpnat_map_view *out, struct netlink_ext_ack *extack)
{
	struct pcpnat_table *t = pn->table;
	const struct pcpnat_config *cfg;
	struct pcpnat_mapping *m, *nm;
	unsigned int b;
	bool created = false;
	int err;

	nm = kmem_cache_zalloc(pcpnat_map_cache, GFP_KERNEL);
	if (!nm)
		return -ENOMEM;

	rcu_read_lock();
	cfg = rcu_dereference(pn->cfg);
	if (!cfg->naddrs) {
		NL_SET_ERR_MSG_MOD(extack, "no external address pool configured");
		err = -ENETDOWN;
		goto out;
	}
	b = pcpnat_int_bucket(t, &req->key);
	spin_lock_bh(int_lock(t, b));
	m = find_locked(t, b, &req->key);
	if (m) {
		err = map_add_existing(pn, cfg, b, m, req, extack);
	} else {
		err = map_add_new(pn, cfg, b, nm, req, extack);
		if (!err) {
			m = nm;
			nm = NULL;
			created = true;
		}
	}
	/* PEER: as if the host had sent to the peer (RFC 6887 12). */
	if (!err && req->peer && pcpnat_m_kind(m) == PCPNAT_KIND_IMPLICIT)
		pcpnat_peer_note(m, req->peer);
	if (!err)
		pcpnat_map_view(pn, cfg, m, out);
	spin_unlock_bh(int_lock(t, b));
	if (created)
		event_new(pn, cfg, m, GFP_ATOMIC);
out:
	rcu_read_unlock();
	if (nm)
		kmem_cache_free(pcpnat_map_cache, nm);
	return err;
}

/*
 * The one rule for the end of an explicit mapping, by MAP_DEL or by its
 * lifetime running out (RFC 6887 §15, §11.3; flow-examples 2.13): while
 * its host still sends (map_active), it lives on as the implicit mapping
 * the traffic would have made, external port kept, its idle timeout from
 * then on; otherwise it goes. The kind changes first: a reader that still
 * sees EXPLICIT sees the old extra, freed only after a grace period.
 */
static void demote_locked(struct pcpnat_table *t, unsigned int b,
			  struct pcpnat_mapping *m, unsigned long now)
{
	struct pcpnat_map_extra *ox;

	WRITE_ONCE(m->kind, PCPNAT_KIND_IMPLICIT);
	m->expires = now;
	memset(m->nonce, 0, sizeof(m->nonce));
	ox = rcu_dereference_protected(m->extra, lockdep_is_held(int_lock(t, b)));
	RCU_INIT_POINTER(m->extra, NULL);
	if (ox)
		kfree_rcu(ox, rcu);
	/*
	 * Back to its host's share; quota is not enforced here. The host is
	 * charged before the old subscriber is let go: if that charge fails
	 * (no memory), the mapping stays with the subscriber that still
	 * counts it, so its unlink later uncharges the one that was charged,
	 * never another.
	 */
	if (m->subscriber != m->key.addr &&
	    !pcpnat_sub_charge(t, NULL, m->key.addr)) {
		pcpnat_sub_uncharge(t, m->subscriber);
		m->subscriber = m->key.addr;
	}
}

/*
 * The reaper's half of that rule, for buckets [from, to): explicit
 * mappings whose lifetime is over but whose host still sends become
 * implicit, and monitors hear of it as MAP_DEL's demotion tells them.
 * The same walk ages the peer times of every mapping (peers.c).
 * Process context, under cfg_lock (gc.c). Returns how many.
 */
u32 pcpnat_table_demote_range(struct pcpnat_net *pn,
			      const struct pcpnat_config *cfg,
			      unsigned int from, unsigned int to,
			      unsigned long now)
{
	struct pcpnat_table *t = pn->table;
	struct pcpnat_key keys[PCPNAT_BATCH];
	struct pcpnat_map_view *v = NULL;
	struct pcpnat_mapping *m;
	unsigned int b, n, i;
	u32 total = 0;

	for (b = from; b < to; b++) {
		if (hlist_empty(&t->int_hash[b]))
			continue;
		n = 0;
		spin_lock_bh(int_lock(t, b));
		hlist_for_each_entry(m, &t->int_hash[b], int_node) {
			/* Once a second each: old peer times never wrap. */
			pcpnat_peers_age(m, now);
			if (m->kind != PCPNAT_KIND_EXPLICIT ||
			    !time_after_eq(now, m->expires) ||
			    !map_active(cfg, m, now))
				continue;
			demote_locked(t, b, m, now);
			if (n < PCPNAT_BATCH)
				keys[n++] = m->key;
			total++;
		}
		spin_unlock_bh(int_lock(t, b));
		/* Implicit now: MAP_NEW goes where MAP_DEL's demotion sends it. */
		if (!n ||
		    !pcpnat_map_events_wanted(pn, PCPNAT_KIND_IMPLICIT, -1))
			continue;
		if (!v)
			v = kmalloc(sizeof(*v), GFP_KERNEL);
		for (i = 0; v && i < n; i++)
			if (!pcpnat_map_get(pn, &keys[i], false, v))
				pcpnat_event_map(pn, PCPNAT_CMD_EVENT_MAP_NEW, v,
						 -1, GFP_KERNEL);
	}
	kfree(v);
	return total;
}

int pcpnat_map_del(struct pcpnat_net *pn, const struct pcpnat_key *key,
		   const u8 *nonce, bool force, struct pcpnat_map_view *out,
		   bool *removed, struct netlink_ext_ack *extack)
{
	struct pcpnat_table *t = pn->table;
	const struct pcpnat_config *cfg;
	struct pcpnat_mapping *m;
	unsigned long now = jiffies;
	bool reverted = false;
	unsigned int b;
	int err = 0;

	*removed = false;
	rcu_read_lock();
	cfg = rcu_dereference(pn->cfg);
	b = pcpnat_int_bucket(t, key);
	spin_lock_bh(int_lock(t, b));
	m = find_locked(t, b, key);
	if (!m) {
		NL_SET_ERR_MSG_MOD(extack, "no such mapping");
		err = -ENOENT;
		goto unlock;
	}
	if (m->kind == PCPNAT_KIND_EXPLICIT && !force &&
	    (!nonce || memcmp(nonce, m->nonce, PCPNAT_NONCE_LEN))) {
		NL_SET_ERR_MSG_MOD(extack, "mapping belongs to another nonce");
		err = -EACCES;
		goto unlock;
	}
	if (!force && map_active(cfg, m, now)) {
		/*
		 * The host is still sending: the mapping lives on as an
		 * implicit one and the reply says for how long (RFC 6887
		 * section 15; draft-boucadair-pcp-flow-examples 2.13).
		 */
		if (m->kind == PCPNAT_KIND_EXPLICIT) {
			reverted = true;
			demote_locked(t, b, m, now);
		}
		pcpnat_map_view(pn, cfg, m, out);
		goto unlock;
	}
	pcpnat_map_view(pn, cfg, m, out);
	out->lifetime = 0;
	pcpnat_unlink_locked(t, m);
	*removed = true;
unlock:
	spin_unlock_bh(int_lock(t, b));
	rcu_read_unlock();
	if (*removed) {
		pcpnat_stat_inc(pn, PCPNAT_STATS_A_MAP_DELETED);
		pcpnat_event_map(pn, PCPNAT_CMD_EVENT_MAP_DEL, out,
				 PCPNAT_REASON_DELETED, GFP_KERNEL);
		pcpnat_mapping_free(m);
	} else if (reverted) {
		/* Monitors learn that it is an implicit mapping now. */
		pcpnat_event_map(pn, PCPNAT_CMD_EVENT_MAP_NEW, out, -1, GFP_KERNEL);
	}
	return err;
}

int pcpnat_map_get(struct pcpnat_net *pn, const struct pcpnat_key *key,
		   bool by_ext, struct pcpnat_map_view *out)
{
	struct pcpnat_mapping *m;
	int err = -ENOENT;

	rcu_read_lock();
	/* Exact: a GET names one mapping, never the all-ports one for it. */
	if (by_ext)
		m = lookup_ext(pn->table, key->proto, key->addr, key->port);
	else
		m = lookup_int(pn->table, key->proto, key->addr, key->port);
	if (m) {
		pcpnat_map_view(pn, rcu_dereference(pn->cfg), m, out);
		err = 0;
	}
	rcu_read_unlock();
	return err;
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
	struct pcpnat_mapping *batch[PCPNAT_BATCH], *m;
	struct pcpnat_map_view *v = NULL;
	struct hlist_node *tmp;
	unsigned int b, n, i;
	u32 total = 0;

	if (events)
		v = kmalloc(sizeof(*v), GFP_KERNEL);
	for (b = from; b < to; b++) {
		do {
			n = 0;
			if (hlist_empty(&t->int_hash[b]))
				break;
			spin_lock_bh(int_lock(t, b));
			hlist_for_each_entry_safe(m, tmp, &t->int_hash[b], int_node) {
				if (!match(m, arg))
					continue;
				pcpnat_unlink_locked(t, m);
				batch[n++] = m;
				if (n == PCPNAT_BATCH)
					break;
			}
			spin_unlock_bh(int_lock(t, b));
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
				pcpnat_mapping_free(m);
			}
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

/*
 * Walk in the ABI's order from the cursor; fn returns non-zero to stop
 * (the cursor then stays on the last mapping fn accepted).
 */
int pcpnat_walk(struct pcpnat_net *pn, struct pcpnat_cursor *c,
		int (*fn)(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
			  const struct pcpnat_mapping *m, void *arg),
		void *arg)
{
	struct pcpnat_table *t = pn->table;
	const struct pcpnat_config *cfg;
	struct pcpnat_mapping *m;
	int ret = 0;

	for (; c->bucket < 1U << t->bits; c->bucket++, c->have_key = false) {
		rcu_read_lock();
		cfg = rcu_dereference(pn->cfg);
		hlist_for_each_entry_rcu(m, &t->int_hash[c->bucket], int_node) {
			if (c->have_key && pcpnat_key_cmp(&m->key, &c->key) <= 0)
				continue;
			ret = fn(pn, cfg, m, arg);
			if (ret)
				break;
			c->key = m->key;
			c->have_key = true;
		}
		rcu_read_unlock();
		if (ret)
			return ret;
	}
	return 0;
}

struct pcpnat_table *pcpnat_table_create(struct pcpnat_net *pn)
{
	struct pcpnat_table *t;
	unsigned int i, n = 1U << pcpnat_hash_bits;

	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->bits = pcpnat_hash_bits;
	t->int_hash = kvcalloc(n, sizeof(*t->int_hash), GFP_KERNEL);
	t->ext_hash = kvcalloc(n, sizeof(*t->ext_hash), GFP_KERNEL);
	t->sub_bits = max_t(unsigned int, t->bits - 2, PCPNAT_SUB_MIN_BITS);
	t->subs = kvcalloc(1U << t->sub_bits, sizeof(*t->subs), GFP_KERNEL);
	if (!t->int_hash || !t->ext_hash || !t->subs) {
		kvfree(t->int_hash);
		kvfree(t->ext_hash);
		kvfree(t->subs);
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
	WARN_ON(atomic_read(&t->count));
	for (i = 0; i < 1U << t->sub_bits; i++)
		hlist_for_each_entry_safe(s, tmp, &t->subs[i], node)
			kfree(s);
	kvfree(t->subs);
	kvfree(t->int_hash);
	kvfree(t->ext_hash);
	kvfree(t);
}
