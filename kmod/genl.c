// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat generic netlink family: configuration, counters, flush, events.
 * The mapping commands are in genl_map.c.
 *
 * The request policies and the op table are generated (genl_gen.c) from
 * Documentation/netlink/specs/pcpnat.yaml. Every op has its own strict
 * policy; the core validates types, exact lengths, ranges and masks, and
 * rejects attributes an op does not know (resv_start_op 0: all ops are
 * "new", strict). What a policy cannot say (combinations, missing
 * attributes, attributes a nest shares with replies or other commands) is
 * checked here, with an extack message, before anything changes.
 *
 * Permissions: every command that changes state needs CAP_NET_ADMIN in the
 * initial user namespace (GENL_ADMIN_PERM), not merely in the user
 * namespace owning the network namespace. An instance costs memory that is
 * charged to no memory cgroup (two bucket arrays of 2^hash_bits entries,
 * 8 MiB at max-mappings 1M, a 1 MiB bitmap set per pool address, up to
 * max-mappings entries in a shared slab) and a reaper running ten times a
 * second; with GENL_UNS_ADMIN_PERM any local user could make as many as
 * it likes through unprivileged user namespaces (unshare -Urn). Reading
 * mappings (MAP_GET, doit and dump) needs the same: mappings of every
 * subscriber are visible there, and pcpd, the only other reader, runs as
 * root. CONFIG_GET and STATS_GET are open to everyone.
 *
 * No parallel_ops: the genl mutex serialises commands, which the flush and
 * configuration paths rely on together with cfg_lock.
 */
#include <linux/netdevice.h>
#include "control.h"
#include "genl_gen.h"

/*
 * The first attribute of tb in refused, or NULL: what a nest's policy,
 * shared with replies or other commands, has but the command at hand must
 * not be given.
 */
const struct nlattr *pcpnat_nl_refused(struct nlattr **tb, int max,
				       unsigned long refused)
{
	int i;

	for (i = 1; i <= max; i++)
		if (tb[i] && (refused & BIT(i)))
			return tb[i];
	return NULL;
}

static int put_prefixes(struct sk_buff *skb, int attr,
			const struct pcpnat_prefix *p, int n)
{
	struct nlattr *list, *pfx;
	int i;

	list = nla_nest_start(skb, attr);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		pfx = nla_nest_start(skb, PCPNAT_LIST_A_PREFIX);
		if (!pfx || nla_put_be32(skb, PCPNAT_PFX_A_ADDR, p[i].addr) ||
		    nla_put_u8(skb, PCPNAT_PFX_A_LEN, p[i].len))
			return -EMSGSIZE;
		nla_nest_end(skb, pfx);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int put_config(struct sk_buff *skb, struct pcpnat_net *pn,
		      const struct pcpnat_config *c)
{
	struct pcpnat_table *t = pn->table;
	struct nlattr *nest;

	nest = nla_nest_start(skb, PCPNAT_A_CONFIG);
	if (!nest ||
	    put_prefixes(skb, PCPNAT_CFG_A_EXT_POOL, c->pool, c->npool) ||
	    put_prefixes(skb, PCPNAT_CFG_A_INT_PREFIXES, c->internal, c->nint) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_EXT_IFINDEX, pn->live ?
			pcpnat_ext_dev_ifindex(pn) : c->ext_ifindex) ||
	    nla_put_u16(skb, PCPNAT_CFG_A_PORT_MIN, c->port_min) ||
	    nla_put_u16(skb, PCPNAT_CFG_A_PORT_MAX, c->port_max) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_UDP_TIMEOUT, c->udp_timeout) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_TCP_EST_TIMEOUT, c->tcp_est_timeout) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, c->tcp_trans_timeout) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_ICMP_TIMEOUT, c->icmp_timeout) ||
	    nla_put_u8(skb, PCPNAT_CFG_A_FILTERING, c->filtering) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_SUBSCRIBER_QUOTA, c->subscriber_quota) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_MAX_MAPPINGS, c->max_mappings) ||
	    nla_put_u8(skb, PCPNAT_CFG_A_ALLOW_ALL_PORTS, c->allow_all_ports) ||
	    nla_put_u8(skb, PCPNAT_CFG_A_STANDBY, c->standby) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_EPOCH,
			t ? ktime_get_boottime_seconds() - t->epoch : 0) ||
	    nla_put_u64_64bit(skb, PCPNAT_CFG_A_STATE_ID, t ? t->state_id : 0,
			      PCPNAT_CFG_A_PAD) ||
	    nla_put_u32(skb, PCPNAT_CFG_A_MAPPINGS, t ? pcpnat_table_count(t) : 0))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A message of cmd with its genl header, to portid; NULL: out of memory. */
static struct sk_buff *msg_new(size_t size, gfp_t gfp, u32 portid, u32 seq,
			       u8 cmd, void **hdr)
{
	struct sk_buff *skb = genlmsg_new(size, gfp);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, portid, seq, &pcpnat_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* A reply to info with its genl header; NULL: out of memory. */
struct sk_buff *pcpnat_reply_new(struct genl_info *info, u8 cmd, void **hdr)
{
	return msg_new(NLMSG_GOODSIZE, GFP_KERNEL, info->snd_portid,
		       info->snd_seq, cmd, hdr);
}

int pcpnat_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pcpnat_net *pn = pcpnat_pernet(genl_info_net(info));
	struct pcpnat_config *defaults = NULL;
	const struct pcpnat_config *cfg;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = pcpnat_reply_new(info, PCPNAT_CMD_CONFIG_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&pn->cfg_lock);
	cfg = pcpnat_cfg_locked(pn);
	if (!cfg) {
		/* Not configured yet: show what a first CONFIG_SET starts from. */
		defaults = pcpnat_config_alloc(0);
		if (!defaults) {
			err = -ENOMEM;
			goto fail;
		}
		pcpnat_config_defaults(defaults);
		cfg = defaults;
	}
	err = -EMSGSIZE;
	if (nla_put_u32(msg, PCPNAT_A_VERSION, PCPNAT_GENL_VERSION) ||
	    put_config(msg, pn, cfg))
		goto fail;
	if (info->attrs[PCPNAT_A_SUBSCRIBER] && pn->table && cfg->naddrs) {
		__be32 sub = nla_get_be32(info->attrs[PCPNAT_A_SUBSCRIBER]);
		int i = pcpnat_addr_pick(pn->table, cfg, sub);

		if (nla_put_be32(msg, PCPNAT_A_ADDR, cfg->addrs[i]))
			goto fail;
	}
	mutex_unlock(&pn->cfg_lock);
	pcpnat_config_free(defaults);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	mutex_unlock(&pn->cfg_lock);
	pcpnat_config_free(defaults);
	nlmsg_free(msg);
	return err;
}

static int parse_prefixes(const struct nlattr *list, struct pcpnat_prefix *out,
			  u8 *n, int max, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PCPNAT_PFX_A_MAX + 1];
	const struct nlattr *a;
	int rem, err;

	*n = 0;
	nla_for_each_nested(a, list, rem) {
		if (*n >= max) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many prefixes in the list");
			return -EINVAL;
		}
		err = nla_parse_nested(tb, PCPNAT_PFX_A_MAX, a, pcpnat_prefix_nl_policy,
				       extack);
		if (err)
			return err;
		if (!tb[PCPNAT_PFX_A_ADDR] || !tb[PCPNAT_PFX_A_LEN]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "prefix needs an address and a length");
			return -EINVAL;
		}
		out[*n].addr = nla_get_be32(tb[PCPNAT_PFX_A_ADDR]);
		out[*n].len = nla_get_u8(tb[PCPNAT_PFX_A_LEN]);
		(*n)++;
	}
	return 0;
}

/* Overlay the attributes given on req (a copy of the current config). */
static int parse_config(struct nlattr **tb, struct pcpnat_config *req,
			struct netlink_ext_ack *extack)
{
	int err;

	if (tb[PCPNAT_CFG_A_EXT_POOL]) {
		err = parse_prefixes(tb[PCPNAT_CFG_A_EXT_POOL], req->pool,
				     &req->npool, PCPNAT_POOL_MAX, extack);
		if (err)
			return err;
	}
	if (tb[PCPNAT_CFG_A_INT_PREFIXES]) {
		err = parse_prefixes(tb[PCPNAT_CFG_A_INT_PREFIXES], req->internal,
				     &req->nint, PCPNAT_INTERNAL_MAX, extack);
		if (err)
			return err;
	}
	/* Looked up by pcpnat_config_set(), under RTNL. */
	if (tb[PCPNAT_CFG_A_EXT_IFINDEX])
		req->ext_ifindex = nla_get_u32(tb[PCPNAT_CFG_A_EXT_IFINDEX]);
#define GET(attr, field, type)						\
	do {								\
		if (tb[attr])						\
			req->field = nla_get_##type(tb[attr]);		\
	} while (0)
	GET(PCPNAT_CFG_A_PORT_MIN, port_min, u16);
	GET(PCPNAT_CFG_A_PORT_MAX, port_max, u16);
	GET(PCPNAT_CFG_A_UDP_TIMEOUT, udp_timeout, u32);
	GET(PCPNAT_CFG_A_TCP_EST_TIMEOUT, tcp_est_timeout, u32);
	GET(PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, tcp_trans_timeout, u32);
	GET(PCPNAT_CFG_A_ICMP_TIMEOUT, icmp_timeout, u32);
	GET(PCPNAT_CFG_A_FILTERING, filtering, u8);
	GET(PCPNAT_CFG_A_SUBSCRIBER_QUOTA, subscriber_quota, u32);
	GET(PCPNAT_CFG_A_MAX_MAPPINGS, max_mappings, u32);
	GET(PCPNAT_CFG_A_ALLOW_ALL_PORTS, allow_all_ports, u8);
	GET(PCPNAT_CFG_A_STANDBY, standby, u8);
#undef GET
	return 0;
}

/* What CONFIG_GET reports and CONFIG_SET refuses. */
#define CONFIG_READ_ONLY	(BIT(PCPNAT_CFG_A_EPOCH) | BIT(PCPNAT_CFG_A_STATE_ID) | \
				 BIT(PCPNAT_CFG_A_MAPPINGS))

int pcpnat_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct pcpnat_net *pn = pcpnat_pernet(net);
	struct nlattr *tb[PCPNAT_CFG_A_MAX + 1];
	const struct pcpnat_config *cur;
	const struct nlattr *ro;
	struct pcpnat_config *req;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, PCPNAT_A_CONFIG))
		return -EINVAL;
	err = nla_parse_nested(tb, PCPNAT_CFG_A_MAX, info->attrs[PCPNAT_A_CONFIG],
			       pcpnat_config_nl_policy, info->extack);
	if (err)
		return err;
	ro = pcpnat_nl_refused(tb, PCPNAT_CFG_A_MAX, CONFIG_READ_ONLY);
	if (ro) {
		NL_SET_ERR_MSG_ATTR(info->extack, ro, "read-only attribute");
		return -EINVAL;
	}
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	mutex_lock(&pn->cfg_lock);
	cur = pcpnat_cfg_locked(pn);
	if (cur)
		memcpy(req, cur, offsetof(struct pcpnat_config, pms));
	else
		pcpnat_config_defaults(req);
	err = parse_config(tb, req, info->extack);
	if (!err)
		err = pcpnat_config_set(pn, req, !!tb[PCPNAT_CFG_A_EXT_IFINDEX],
					info->extack);
	mutex_unlock(&pn->cfg_lock);
	kfree(req);
	return err;
}

/*
 * The counters' commands take no attribute. Their generated policy is
 * empty with maxattr 0, which the core takes as "do not parse": refused
 * here instead, as the core refuses attributes to an op with no policy.
 */
static bool no_attrs(struct genl_info *info)
{
	if (!nlmsg_attrlen(info->nlhdr, GENL_HDRLEN))
		return false;
	NL_SET_ERR_MSG_MOD(info->extack, "this command takes no attributes");
	return true;
}

int pcpnat_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pcpnat_net *pn = pcpnat_pernet(genl_info_net(info));
	u64 sum[PCPNAT_STATS_A_MAX + 1];
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;
	int i;

	if (no_attrs(info))
		return -EINVAL;
	mutex_lock(&pn->cfg_lock);
	pcpnat_stats_fold(pn, sum);
	sum[PCPNAT_STATS_A_MAPPINGS] = pn->table ? pcpnat_table_count(pn->table) : 0;
	mutex_unlock(&pn->cfg_lock);
	sum[PCPNAT_STATS_A_MAPPING_BYTES] = kmem_cache_size(pcpnat_map_cache);

	msg = pcpnat_reply_new(info, PCPNAT_CMD_STATS_GET, &hdr);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, PCPNAT_A_STATS);
	if (!nest)
		goto full;
	for (i = PCPNAT_STATS_A_PAD + 1; i <= PCPNAT_STATS_A_MAX; i++)
		if (nla_put_u64_64bit(msg, i, sum[i], PCPNAT_STATS_A_PAD))
			goto full;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
full:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int pcpnat_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pcpnat_net *pn = pcpnat_pernet(genl_info_net(info));

	if (no_attrs(info))
		return -EINVAL;
	mutex_lock(&pn->cfg_lock);
	pcpnat_stats_reset(pn);
	mutex_unlock(&pn->cfg_lock);
	return 0;
}

static bool match_sub(const struct pcpnat_mapping *m, const void *arg)
{
	return m->subscriber == *(const __be32 *)arg;
}

static bool match_any(const struct pcpnat_mapping *m, const void *arg)
{
	return true;
}

int pcpnat_nl_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pcpnat_net *pn = pcpnat_pernet(genl_info_net(info));
	struct pcpnat_table *t;
	struct sk_buff *msg;
	__be32 sub = 0;
	u32 n = 0;
	void *hdr;

	if (info->attrs[PCPNAT_A_SUBSCRIBER])
		sub = nla_get_be32(info->attrs[PCPNAT_A_SUBSCRIBER]);
	msg = pcpnat_reply_new(info, PCPNAT_CMD_FLUSH, &hdr);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&pn->cfg_lock);
	t = pn->table;
	if (t && info->attrs[PCPNAT_A_SUBSCRIBER]) {
		n = pcpnat_table_remove(pn, match_sub, &sub, PCPNAT_REASON_FLUSHED,
					true);
	} else if (t) {
		/*
		 * Everything goes: one STATE_RESET instead of an event per
		 * mapping, and a new epoch so PCP clients notice (RFC 6887
		 * section 8.5).
		 */
		n = pcpnat_table_remove(pn, match_any, NULL, PCPNAT_REASON_FLUSHED,
					false);
		t->epoch = ktime_get_boottime_seconds();
		get_random_bytes(&t->state_id, sizeof(t->state_id));
		pcpnat_event_state_reset(pn);
	}
	mutex_unlock(&pn->cfg_lock);
	if (n)
		pcpnat_stat_add(pn, PCPNAT_STATS_A_MAP_DELETED, n);

	if (nla_put_u32(msg, PCPNAT_A_FLUSHED, n)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Events carry every subscriber's mappings, nonces included. */
static const struct genl_multicast_group pcpnat_mcgrps[] = {
	[PCPNAT_GRP_EVENTS] = { .name = PCPNAT_MCGRP_EVENTS,
				.flags = GENL_MCAST_CAP_NET_ADMIN },
	[PCPNAT_GRP_IMPLICIT] = { .name = PCPNAT_MCGRP_IMPLICIT,
				  .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family pcpnat_genl_family __ro_after_init = {
	.name = PCPNAT_GENL_NAME,
	.version = PCPNAT_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = pcpnat_nl_ops,
	.n_ops = ARRAY_SIZE(pcpnat_nl_ops),
	/* 0: every op is strict (header reserved fields, policy required). */
	.resv_start_op = 0,
	.mcgrps = pcpnat_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pcpnat_mcgrps),
};

int pcpnat_genl_init(void)
{
	return genl_register_family(&pcpnat_genl_family);
}

void pcpnat_genl_exit(void)
{
	genl_unregister_family(&pcpnat_genl_family);
}

/* --- replies and events --- */

int pcpnat_put_map(struct sk_buff *skb, int attr, const struct pcpnat_map_view *v)
{
	struct nlattr *nest, *fl, *f;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest ||
	    nla_put_u8(skb, PCPNAT_MAP_A_PROTO, v->key.proto) ||
	    nla_put_be32(skb, PCPNAT_MAP_A_INT_ADDR, v->key.addr) ||
	    nla_put_be16(skb, PCPNAT_MAP_A_INT_PORT, v->key.port) ||
	    nla_put_be32(skb, PCPNAT_MAP_A_EXT_ADDR, v->ext_addr) ||
	    nla_put_be16(skb, PCPNAT_MAP_A_EXT_PORT, v->ext_port) ||
	    nla_put_u8(skb, PCPNAT_MAP_A_KIND, v->kind) ||
	    nla_put_u32(skb, PCPNAT_MAP_A_LIFETIME, v->lifetime) ||
	    nla_put_be32(skb, PCPNAT_MAP_A_SUBSCRIBER, v->subscriber))
		return -EMSGSIZE;
	if (v->kind == PCPNAT_KIND_EXPLICIT &&
	    nla_put(skb, PCPNAT_MAP_A_NONCE, PCPNAT_NONCE_LEN, v->nonce))
		return -EMSGSIZE;
	if (v->has_idle && nla_put_u32(skb, PCPNAT_MAP_A_IDLE, v->idle))
		return -EMSGSIZE;
	if (v->descr[0] && nla_put_string(skb, PCPNAT_MAP_A_DESCR, v->descr))
		return -EMSGSIZE;
	if (v->nfilters) {
		fl = nla_nest_start(skb, PCPNAT_MAP_A_FILTERS);
		if (!fl)
			return -EMSGSIZE;
		for (i = 0; i < v->nfilters; i++) {
			const struct pcpnat_filter *x = &v->filters[i];

			f = nla_nest_start(skb, PCPNAT_FILTERS_A_FILTER);
			if (!f || nla_put_be32(skb, PCPNAT_FILTER_A_ADDR, x->addr) ||
			    nla_put_u8(skb, PCPNAT_FILTER_A_PLEN, x->plen) ||
			    nla_put_be16(skb, PCPNAT_FILTER_A_PORT, x->port))
				return -EMSGSIZE;
			nla_nest_end(skb, f);
		}
		nla_nest_end(skb, fl);
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The group of a mapping's event (uapi: PCPNAT_MCGRP_IMPLICIT). */
static unsigned int map_event_group(u8 kind, int reason)
{
	if (kind == PCPNAT_KIND_IMPLICIT && reason != PCPNAT_REASON_FLUSHED &&
	    reason != PCPNAT_REASON_ADDR_REMOVED)
		return PCPNAT_GRP_IMPLICIT;
	return PCPNAT_GRP_EVENTS;
}

bool pcpnat_map_events_wanted(const struct pcpnat_net *pn, u8 kind, int reason)
{
	return genl_has_listeners(&pcpnat_genl_family, pn->net,
				  map_event_group(kind, reason));
}

/*
 * An event message of cmd with its genl header, or NULL when nobody
 * listens to group (building it would be wasted) or memory is short.
 */
static struct sk_buff *event_start(struct pcpnat_net *pn, unsigned int group,
				   u8 cmd, size_t size, gfp_t gfp, void **hdr)
{
	if (!genl_has_listeners(&pcpnat_genl_family, pn->net, group))
		return NULL;
	return msg_new(size, gfp, 0, 0, cmd, hdr);
}

static void event_send(struct pcpnat_net *pn, unsigned int group,
		       struct sk_buff *skb, void *hdr, gfp_t gfp)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&pcpnat_genl_family, pn->net, skb, 0, group,
				gfp);
}

/* reason < 0: none (MAP_NEW). */
void pcpnat_event_map(struct pcpnat_net *pn, u8 cmd,
		      const struct pcpnat_map_view *v, int reason, gfp_t gfp)
{
	unsigned int group = map_event_group(v->kind, reason);
	struct sk_buff *skb;
	void *hdr;

	skb = event_start(pn, group, cmd, NLMSG_GOODSIZE, gfp, &hdr);
	if (!skb)
		return;
	if (pcpnat_put_map(skb, PCPNAT_A_MAP, v) ||
	    (reason >= 0 && nla_put_u8(skb, PCPNAT_A_REASON, reason))) {
		nlmsg_free(skb);
		return;
	}
	event_send(pn, group, skb, hdr, gfp);
}

void pcpnat_event_addr(struct pcpnat_net *pn, u8 cmd, __be32 addr)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_start(pn, PCPNAT_GRP_EVENTS, cmd, NLMSG_DEFAULT_SIZE,
			  GFP_KERNEL, &hdr);
	if (!skb)
		return;
	if (nla_put_be32(skb, PCPNAT_A_ADDR, addr)) {
		nlmsg_free(skb);
		return;
	}
	event_send(pn, PCPNAT_GRP_EVENTS, skb, hdr, GFP_KERNEL);
}

void pcpnat_event_state_reset(struct pcpnat_net *pn)
{
	struct sk_buff *skb;
	void *hdr;

	skb = event_start(pn, PCPNAT_GRP_EVENTS, PCPNAT_CMD_EVENT_STATE_RESET,
			  NLMSG_DEFAULT_SIZE, GFP_KERNEL, &hdr);
	if (skb)
		event_send(pn, PCPNAT_GRP_EVENTS, skb, hdr, GFP_KERNEL);
}
