// SPDX-License-Identifier: GPL-2.0
/*
 * A mapping as the packet path sees it: made by a host's first packet
 * (implicit), kept alive by its outbound traffic, its TCP state moved by
 * the host's own segments (tcp_track.c), its filter applied to every
 * inbound packet (RFC 4787 REQ-8, RFC 6887 13.3), and its lifetime read
 * by the reaper and by replies. Lookups and chains are table.c's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jiffies.h>
#include "table_locked.h"

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
			     const struct pcpnat_mapping *m, unsigned long now)
{
	unsigned long idle_end, expires = pcpnat_m_expires(m, now);

	if (pcpnat_m_kind(m) == PCPNAT_KIND_EXPLICIT)
		return expires;
	/* Implicit: idle timeout, or longer if PCP PEER asked for it. */
	idle_end = READ_ONCE(m->last_used) + pcpnat_idle_timeout(cfg, m);
	return time_after(expires, idle_end) ? expires : idle_end;
}

bool pcpnat_map_expired(const struct pcpnat_config *cfg,
			const struct pcpnat_mapping *m, unsigned long now)
{
	return time_after_eq(now, map_end(cfg, m, now));
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_map_expired);

/*
 * A standby's implicit mappings are the active's, kept until its MAP_DEL
 * arrives through pcpd, as conntrackd keeps a backup's entries in a cache
 * that never times out: the flows they belong to go on through the
 * active, whose traffic never refreshes them here. Explicit mappings end
 * at their lifetime, which the active replicates.
 */
bool pcpnat_map_reapable(const struct pcpnat_config *cfg,
			 const struct pcpnat_mapping *m, unsigned long now)
{
	if (cfg->standby && pcpnat_m_kind(m) == PCPNAT_KIND_IMPLICIT)
		return false;
	return pcpnat_map_expired(cfg, m, now);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_map_reapable);

/*
 * conntrackd's commit: the standby takes over with every implicit mapping
 * idle since now, not since it was installed or last restated, so none
 * expires at once. An explicit mapping's lifetime is its own.
 */
void pcpnat_map_restart(struct pcpnat_mapping *m, unsigned long now)
{
	if (pcpnat_m_kind(m) != PCPNAT_KIND_IMPLICIT)
		return;
	WRITE_ONCE(m->last_used, now ?: 1);
	pcpnat_peers_restart(m, now);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_map_restart);

/* Outbound traffic within the idle timeout? (RFC 6887 section 15) */
bool pcpnat_map_active(const struct pcpnat_config *cfg,
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
	v->lifetime = pcpnat_jiffies_to_s((long)(map_end(cfg, m, now) - now));
	if (last) {
		v->has_idle = true;
		v->idle = time_after(now, last) ? (now - last) / HZ : 0;
	}
	rcu_read_lock();
	x = rcu_dereference(m->extra);
	if (x) {
		memcpy(v->nonce, x->nonce, sizeof(v->nonce));
		v->nfilters = x->nfilters;
		memcpy(v->filters, x->filters, sizeof(v->filters));
		strscpy(v->descr, x->descr, sizeof(v->descr));
	}
	rcu_read_unlock();
}

void pcpnat_event_new(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
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
	/*
	 * A standby makes no mapping of its own: the port it would take is
	 * the active's to give (the caller counts DROP_STANDBY).
	 */
	if (cfg->standby)
		return ERR_PTR(-EROFS);
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
	m->expires = (u32)m->last_used;

	b = pcpnat_int_bucket(t, &m->key);
	spin_lock_bh(pcpnat_int_lock(t, b));
	old = pcpnat_find_locked(t, b, &m->key);
	if (old) {
		/* Another cpu made it meanwhile; use that one. */
		spin_unlock_bh(pcpnat_int_lock(t, b));
		kmem_cache_free(pcpnat_map_cache, m);
		return old;
	}
	/* Paired pooling (RFC 4787 REQ-2): one host, one external address. */
	err = pcpnat_insert_locked(pn, cfg, b, m,
				   pcpnat_addr_pick(t, cfg, addr), port,
				   false, false, false);
	spin_unlock_bh(pcpnat_int_lock(t, b));
	if (err) {
		kmem_cache_free(pcpnat_map_cache, m);
		return ERR_PTR(err);
	}
	pcpnat_event_new(pn, cfg, m, GFP_ATOMIC);
	return m;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_create_implicit);

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

			if ((raddr & pcpnat_filter_mask(f)) == f->addr &&
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
