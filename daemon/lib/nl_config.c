// SPDX-License-Identifier: GPL-2.0
/* Configuration get/set. */
#include <errno.h>
#include <string.h>
#include "lib/nl_internal.h"
#include "lib/nl_config.h"

static int put_prefixes(struct nl_msg *msg, int type,
			const struct pcpnl_prefix *p, unsigned int n)
{
	struct nlattr *list, *e;
	unsigned int i;

	list = nla_nest_start(msg, type);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		e = nla_nest_start(msg, PCPNAT_LIST_A_PREFIX);
		if (!e || nla_put(msg, PCPNAT_PFX_A_ADDR, 4, &p[i].addr.s_addr) ||
		    nla_put_u8(msg, PCPNAT_PFX_A_LEN, p[i].len))
			return -EMSGSIZE;
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, list);
	return 0;
}

static int parse_prefixes(const struct nlattr *list, struct pcpnl_prefix *p,
			  unsigned int max, unsigned int *n)
{
	struct nlattr *tb[PCPNAT_PFX_A_MAX + 1];
	struct nlattr *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, (struct nlattr *)list, rem) {
		if (nla_type(a) != PCPNAT_LIST_A_PREFIX)
			continue;
		if (*n == max)
			return -EBADMSG;
		if (nla_parse_nested(tb, PCPNAT_PFX_A_MAX, a, NULL) < 0 ||
		    !pcpnl_attr_in(tb[PCPNAT_PFX_A_ADDR], &p[*n].addr) ||
		    !pcpnl_attr_u8(tb[PCPNAT_PFX_A_LEN], &p[*n].len))
			return -EBADMSG;
		(*n)++;
	}
	return 0;
}

#define OPT(tb, attr, reader, dst, bit)					\
	PCPNL_NL_OPT(tb, attr, reader, dst, cfg->fields, bit)

static int reply_config(const struct nlmsghdr *nlh, struct nlattr **top,
			void *arg)
{
	struct nlattr *tb[PCPNAT_CFG_A_MAX + 1];
	struct pcpnl_config *cfg = arg;
	uint8_t all_ports = 0, standby = 0;

	(void)nlh;
	if (!top[PCPNAT_A_CONFIG] ||
	    nla_parse_nested(tb, PCPNAT_CFG_A_MAX, top[PCPNAT_A_CONFIG], NULL) < 0)
		return -EBADMSG;
	if (tb[PCPNAT_CFG_A_EXT_POOL]) {
		if (parse_prefixes(tb[PCPNAT_CFG_A_EXT_POOL], cfg->pool,
				   PCPNAT_POOL_MAX, &cfg->npool))
			return -EBADMSG;
		cfg->fields |= PCPNL_CF_POOL;
	}
	if (tb[PCPNAT_CFG_A_INT_PREFIXES]) {
		if (parse_prefixes(tb[PCPNAT_CFG_A_INT_PREFIXES], cfg->internal,
				   PCPNAT_INTERNAL_MAX, &cfg->nint))
			return -EBADMSG;
		cfg->fields |= PCPNL_CF_INTERNAL;
	}
	OPT(tb, PCPNAT_CFG_A_EXT_IFINDEX, pcpnl_attr_u32, &cfg->ext_ifindex, PCPNL_CF_EXT_IFINDEX);
	OPT(tb, PCPNAT_CFG_A_PORT_MIN, pcpnl_attr_u16, &cfg->port_min, PCPNL_CF_PORT_MIN);
	OPT(tb, PCPNAT_CFG_A_PORT_MAX, pcpnl_attr_u16, &cfg->port_max, PCPNL_CF_PORT_MAX);
	OPT(tb, PCPNAT_CFG_A_UDP_TIMEOUT, pcpnl_attr_u32, &cfg->udp_timeout, PCPNL_CF_UDP_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_TCP_EST_TIMEOUT, pcpnl_attr_u32, &cfg->tcp_est_timeout, PCPNL_CF_TCP_EST_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, pcpnl_attr_u32, &cfg->tcp_trans_timeout, PCPNL_CF_TCP_TRANS_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_ICMP_TIMEOUT, pcpnl_attr_u32, &cfg->icmp_timeout, PCPNL_CF_ICMP_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_FILTERING, pcpnl_attr_u8, &cfg->filtering, PCPNL_CF_FILTERING);
	OPT(tb, PCPNAT_CFG_A_SUBSCRIBER_QUOTA, pcpnl_attr_u32, &cfg->quota, PCPNL_CF_QUOTA);
	OPT(tb, PCPNAT_CFG_A_MAX_MAPPINGS, pcpnl_attr_u32, &cfg->max_mappings, PCPNL_CF_MAX_MAPPINGS);
	OPT(tb, PCPNAT_CFG_A_ALLOW_ALL_PORTS, pcpnl_attr_u8, &all_ports, PCPNL_CF_ALL_PORTS);
	cfg->all_ports = all_ports;
	OPT(tb, PCPNAT_CFG_A_STANDBY, pcpnl_attr_u8, &standby, PCPNL_CF_STANDBY);
	cfg->standby = standby;
	OPT(tb, PCPNAT_CFG_A_EPOCH, pcpnl_attr_u32, &cfg->epoch, PCPNL_CF_EPOCH);
	OPT(tb, PCPNAT_CFG_A_STATE_ID, pcpnl_attr_u64, &cfg->state_id, PCPNL_CF_STATE_ID);
	OPT(tb, PCPNAT_CFG_A_MAPPINGS, pcpnl_attr_u32, &cfg->mappings, PCPNL_CF_MAPPINGS);
	return 0;
}

int pcpnl_config_get(struct pcpnl_client *c, struct pcpnl_config *cfg)
{
	struct nl_msg *msg;

	memset(cfg, 0, sizeof(*cfg));
	msg = pcpnl_msg_new(c, PCPNAT_CMD_CONFIG_GET, 0);
	if (!msg)
		return -ENOMEM;
	return pcpnl_transact(c, msg, reply_config, cfg);
}

static int reply_addr(const struct nlmsghdr *nlh, struct nlattr **top,
		      void *arg)
{
	(void)nlh;
	if (!top[PCPNAT_A_ADDR] || nla_len(top[PCPNAT_A_ADDR]) != 4)
		return -EADDRNOTAVAIL;	/* no pool yet */
	memcpy(arg, nla_data(top[PCPNAT_A_ADDR]), 4);
	return 0;
}

int pcpnl_config_addr_of(struct pcpnl_client *c, struct in_addr host,
			  struct in_addr *addr)
{
	struct nl_msg *msg;

	msg = pcpnl_msg_new(c, PCPNAT_CMD_CONFIG_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put(msg, PCPNAT_A_SUBSCRIBER, 4, &host.s_addr)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	addr->s_addr = 0;
	return pcpnl_transact(c, msg, reply_addr, addr);
}

static int put_config(struct nl_msg *msg, const struct pcpnl_config *cfg)
{
	uint32_t f = cfg->fields;
	struct nlattr *nest;

	nest = nla_nest_start(msg, PCPNAT_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (((f & PCPNL_CF_POOL) &&
	     put_prefixes(msg, PCPNAT_CFG_A_EXT_POOL, cfg->pool, cfg->npool)) ||
	    ((f & PCPNL_CF_INTERNAL) &&
	     put_prefixes(msg, PCPNAT_CFG_A_INT_PREFIXES, cfg->internal, cfg->nint)) ||
	    ((f & PCPNL_CF_EXT_IFINDEX) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_EXT_IFINDEX, cfg->ext_ifindex)) ||
	    ((f & PCPNL_CF_PORT_MIN) &&
	     nla_put_u16(msg, PCPNAT_CFG_A_PORT_MIN, cfg->port_min)) ||
	    ((f & PCPNL_CF_PORT_MAX) &&
	     nla_put_u16(msg, PCPNAT_CFG_A_PORT_MAX, cfg->port_max)) ||
	    ((f & PCPNL_CF_UDP_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_UDP_TIMEOUT, cfg->udp_timeout)) ||
	    ((f & PCPNL_CF_TCP_EST_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_TCP_EST_TIMEOUT, cfg->tcp_est_timeout)) ||
	    ((f & PCPNL_CF_TCP_TRANS_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, cfg->tcp_trans_timeout)) ||
	    ((f & PCPNL_CF_ICMP_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_ICMP_TIMEOUT, cfg->icmp_timeout)) ||
	    ((f & PCPNL_CF_FILTERING) &&
	     nla_put_u8(msg, PCPNAT_CFG_A_FILTERING, cfg->filtering)) ||
	    ((f & PCPNL_CF_QUOTA) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_SUBSCRIBER_QUOTA, cfg->quota)) ||
	    ((f & PCPNL_CF_MAX_MAPPINGS) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_MAX_MAPPINGS, cfg->max_mappings)) ||
	    ((f & PCPNL_CF_ALL_PORTS) &&
	     nla_put_u8(msg, PCPNAT_CFG_A_ALLOW_ALL_PORTS, cfg->all_ports)) ||
	    ((f & PCPNL_CF_STANDBY) &&
	     nla_put_u8(msg, PCPNAT_CFG_A_STANDBY, cfg->standby)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int pcpnl_config_set(struct pcpnl_client *c, const struct pcpnl_config *cfg)
{
	struct nl_msg *msg;

	msg = pcpnl_msg_new(c, PCPNAT_CMD_CONFIG_SET, 0);
	if (!msg)
		return -ENOMEM;
	if (put_config(msg, cfg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return pcpnl_transact(c, msg, NULL, NULL);
}
