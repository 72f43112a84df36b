// SPDX-License-Identifier: GPL-2.0
/*
 * The explicit MAP operations behind genl_map.c: add (create, refresh,
 * or adopt the implicit mapping of the same internal endpoint, RFC 6887
 * 11.3), delete and get, and the one rule for the end of an explicit
 * mapping under live traffic (RFC 6887 15), shared with the reaper.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jiffies.h>
#include "table_locked.h"

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

/* Does a refresh change the filters or the description? */
static bool extra_changes(const struct pcpnat_map_req *req)
{
	return req->has_filters || req->has_descr ||
	       (req->flags & PCPNAT_MAP_F_SET_FILTERS);
}

/*
 * fresh: the mapping becomes explicit now, the request says it all, and
 * it joins its subscriber's index. A refresh that changes nothing keeps
 * the extra it has (the caller frees the request's); one that does moves
 * the new extra into the old one's place in the index.
 */
static void extra_replace(struct pcpnat_table *t, unsigned int b,
			  struct pcpnat_mapping *m, struct pcpnat_map_req *req,
			  bool fresh)
{
	struct pcpnat_map_extra *ox;

	ox = rcu_dereference_protected(m->extra,
				       lockdep_is_held(pcpnat_int_lock(t, b)));
	if (WARN_ON_ONCE(!req->extra) || (!fresh && ox && !extra_changes(req)))
		return;
	if (!fresh)
		extra_merge(req->extra, ox, req);
	rcu_assign_pointer(m->extra, req->extra);
	if (ox)
		pcpnat_sub_explicit_replace(t, m, ox, req->extra);
	else
		pcpnat_sub_explicit_add(t, m, req->extra);
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
	unsigned long now = jiffies;
	unsigned long until = now + (unsigned long)req->lifetime * HZ;
	const struct pcpnat_map_extra *x;
	int err;

	if (req->kind == PCPNAT_KIND_IMPLICIT) {
		/* PEER: keep the mapping at least that long, whatever its kind. */
		if (m->kind == PCPNAT_KIND_IMPLICIT &&
		    time_after(until, pcpnat_m_expires(m, now)))
			m->expires = (u32)until;
		return 0;
	}
	if (m->kind == PCPNAT_KIND_EXPLICIT) {
		x = rcu_dereference_protected(m->extra,
					      lockdep_is_held(pcpnat_int_lock(t, b)));
		if (!x || memcmp(x->nonce, req->nonce, PCPNAT_NONCE_LEN)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "an explicit mapping with another nonce holds this internal endpoint");
			return -EEXIST;
		}
		/* Same owner: a refresh. Never replace, only renew. */
		m->expires = (u32)until;
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
	m->expires = (u32)until;
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
	m->expires = (u32)(jiffies + (unsigned long)req->lifetime * HZ);
	if (req->kind == PCPNAT_KIND_IMPLICIT) {
		/* PEER: the host is about to talk; count it as traffic now. */
		m->last_used = jiffies ?: 1;
	} else {
		/* Every explicit mapping has its extra: the index is there. */
		if (WARN_ON_ONCE(!req->extra))
			return -EINVAL;
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
		err = pcpnat_insert_locked(pn, cfg, b, m, aidx, 0, prefer,
					   !prefer, true);
	} else {
		err = pcpnat_insert_locked(pn, cfg, b, m, aidx, req->ext_port,
					   prefer && req->ext_port,
					   req->kind == PCPNAT_KIND_EXPLICIT &&
					   !prefer, false);
	}
	switch (err) {
	case 0:
		if (req->kind == PCPNAT_KIND_EXPLICIT)
			pcpnat_sub_explicit_add(t, m, req->extra);
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
	/* The nonce lives in the extra, which every explicit mapping has. */
	if (req->extra)
		memcpy(req->extra->nonce, req->nonce, PCPNAT_NONCE_LEN);

	rcu_read_lock();
	cfg = rcu_dereference(pn->cfg);
	if (!cfg->naddrs) {
		NL_SET_ERR_MSG_MOD(extack, "no external address pool configured");
		err = -ENETDOWN;
		goto out;
	}
	b = pcpnat_int_bucket(t, &req->key);
	spin_lock_bh(pcpnat_int_lock(t, b));
	m = pcpnat_find_locked(t, b, &req->key);
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
	spin_unlock_bh(pcpnat_int_lock(t, b));
	if (created)
		pcpnat_event_new(pn, cfg, m, GFP_ATOMIC);
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

	ox = rcu_dereference_protected(m->extra,
				       lockdep_is_held(pcpnat_int_lock(t, b)));
	/* Off the index before its subscriber goes back to the host. */
	if (ox)
		pcpnat_sub_explicit_del(t, m, ox);
	WRITE_ONCE(m->kind, PCPNAT_KIND_IMPLICIT);
	m->expires = (u32)now;
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
 * expires keeps jiffies' low 32 bits (pcpnat.h). Only an implicit mapping
 * keeps an old one (its creation, or a PEER's end): an explicit mapping
 * past its end is demoted or reaped within a second. One older than
 * 2^30 jiffies (12 days at HZ=1000) is moved up to that age, in the past
 * still, long before 2^31 would make it look ahead of now. Under m's
 * stripe lock, where expires is written.
 */
#define PCPNAT_EXPIRES_AGE_MAX	(1 << 30)

static void expires_age(struct pcpnat_mapping *m, unsigned long now)
{
	if ((s32)((u32)now - m->expires) > PCPNAT_EXPIRES_AGE_MAX)
		WRITE_ONCE(m->expires, (u32)now - PCPNAT_EXPIRES_AGE_MAX);
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
		if (!rcu_access_pointer(t->int_hash[b].first))
			continue;
		n = 0;
		spin_lock_bh(pcpnat_int_lock(t, b));
		pcpnat_for_each_int_locked(m, t, b) {
			/* Once a second each: old times never wrap. */
			pcpnat_peers_age(m, now);
			expires_age(m, now);
			if (m->kind != PCPNAT_KIND_EXPLICIT ||
			    !time_after_eq(now, pcpnat_m_expires(m, now)) ||
			    !pcpnat_map_active(cfg, m, now))
				continue;
			demote_locked(t, b, m, now);
			if (n < PCPNAT_BATCH)
				keys[n++] = m->key;
			total++;
		}
		spin_unlock_bh(pcpnat_int_lock(t, b));
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
	const struct pcpnat_map_extra *x;
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
	spin_lock_bh(pcpnat_int_lock(t, b));
	m = pcpnat_find_locked(t, b, key);
	if (!m) {
		NL_SET_ERR_MSG_MOD(extack, "no such mapping");
		err = -ENOENT;
		goto unlock;
	}
	x = rcu_dereference_protected(m->extra,
				      lockdep_is_held(pcpnat_int_lock(t, b)));
	if (m->kind == PCPNAT_KIND_EXPLICIT && !force &&
	    (!nonce || !x || memcmp(nonce, x->nonce, PCPNAT_NONCE_LEN))) {
		NL_SET_ERR_MSG_MOD(extack, "mapping belongs to another nonce");
		err = -EACCES;
		goto unlock;
	}
	if (!force && pcpnat_map_active(cfg, m, now)) {
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
	spin_unlock_bh(pcpnat_int_lock(t, b));
	rcu_read_unlock();
	if (*removed) {
		pcpnat_stat_inc(pn, PCPNAT_STATS_A_MAP_DELETED);
		pcpnat_event_map(pn, PCPNAT_CMD_EVENT_MAP_DEL, out,
				 PCPNAT_REASON_DELETED, GFP_KERNEL);
		pcpnat_mappings_free(&m, 1);
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
		m = pcpnat_lookup_ext_exact(pn->table, key->proto, key->addr,
					    key->port);
	else
		m = pcpnat_lookup_int_exact(pn->table, key->proto, key->addr,
					    key->port);
	if (m) {
		pcpnat_map_view(pn, rcu_dereference(pn->cfg), m, out);
		err = 0;
	}
	rcu_read_unlock();
	return err;
}
