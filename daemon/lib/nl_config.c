// SPDX-License-Identifier: GPL-2.0
/* Configuration get/set. */
#include <errno.h>
#include <string.h>
#include "lib/nl_internal.h"
#include "lib/nl_config.h"

static int put_prefixes(struct nl_msg *msg, int type,
			const struct pcpnat_prefix *p, unsigned int n)
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

static int parse_prefixes(const struct nlattr *list, struct pcpnat_prefix *p,
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
		    !pcpnat_attr_in(tb[PCPNAT_PFX_A_ADDR], &p[*n].addr) ||
		    !pcpnat_attr_u8(tb[PCPNAT_PFX_A_LEN], &p[*n].len))
			return -EBADMSG;
		(*n)++;
	}
	return 0;
}

#define OPT(tb, attr, reader, dst, bit)					\
	PCPNAT_NL_OPT(tb, attr, reader, dst, cfg->fields, bit)

static int reply_config(const struct nlmsghdr *nlh, struct nlattr **top,
			void *arg)
{
	struct nlattr *tb[PCPNAT_CFG_A_MAX + 1];
	struct pcpnat_config *cfg = arg;
	uint8_t all_ports = 0;

	(void)nlh;
	if (!top[PCPNAT_A_CONFIG] ||
	    nla_parse_nested(tb, PCPNAT_CFG_A_MAX, top[PCPNAT_A_CONFIG], NULL) < 0)
		return -EBADMSG;
	if (tb[PCPNAT_CFG_A_EXT_POOL]) {
		if (parse_prefixes(tb[PCPNAT_CFG_A_EXT_POOL], cfg->pool,
				   PCPNAT_POOL_MAX, &cfg->npool))
			return -EBADMSG;
		cfg->fields |= PCPNAT_CF_POOL;
	}
	if (tb[PCPNAT_CFG_A_INT_PREFIXES]) {
		if (parse_prefixes(tb[PCPNAT_CFG_A_INT_PREFIXES], cfg->internal,
				   PCPNAT_INTERNAL_MAX, &cfg->nint))
			return -EBADMSG;
		cfg->fields |= PCPNAT_CF_INTERNAL;
	}
	OPT(tb, PCPNAT_CFG_A_EXT_IFINDEX, pcpnat_attr_u32, &cfg->ext_ifindex, PCPNAT_CF_EXT_IFINDEX);
	OPT(tb, PCPNAT_CFG_A_PORT_MIN, pcpnat_attr_u16, &cfg->port_min, PCPNAT_CF_PORT_MIN);
	OPT(tb, PCPNAT_CFG_A_PORT_MAX, pcpnat_attr_u16, &cfg->port_max, PCPNAT_CF_PORT_MAX);
	OPT(tb, PCPNAT_CFG_A_UDP_TIMEOUT, pcpnat_attr_u32, &cfg->udp_timeout, PCPNAT_CF_UDP_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_TCP_EST_TIMEOUT, pcpnat_attr_u32, &cfg->tcp_est_timeout, PCPNAT_CF_TCP_EST_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, pcpnat_attr_u32, &cfg->tcp_trans_timeout, PCPNAT_CF_TCP_TRANS_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_ICMP_TIMEOUT, pcpnat_attr_u32, &cfg->icmp_timeout, PCPNAT_CF_ICMP_TIMEOUT);
	OPT(tb, PCPNAT_CFG_A_FILTERING, pcpnat_attr_u8, &cfg->filtering, PCPNAT_CF_FILTERING);
	OPT(tb, PCPNAT_CFG_A_SUBSCRIBER_QUOTA, pcpnat_attr_u32, &cfg->quota, PCPNAT_CF_QUOTA);
	OPT(tb, PCPNAT_CFG_A_MAX_MAPPINGS, pcpnat_attr_u32, &cfg->max_mappings, PCPNAT_CF_MAX_MAPPINGS);
	OPT(tb, PCPNAT_CFG_A_ALLOW_ALL_PORTS, pcpnat_attr_u8, &all_ports, PCPNAT_CF_ALL_PORTS);
	cfg->all_ports = all_ports;
	OPT(tb, PCPNAT_CFG_A_EPOCH, pcpnat_attr_u32, &cfg->epoch, PCPNAT_CF_EPOCH);
	OPT(tb, PCPNAT_CFG_A_STATE_ID, pcpnat_attr_u64, &cfg->state_id, PCPNAT_CF_STATE_ID);
	OPT(tb, PCPNAT_CFG_A_MAPPINGS, pcpnat_attr_u32, &cfg->mappings, PCPNAT_CF_MAPPINGS);
	return 0;
}

int pcpnat_config_get(struct pcpnat_client *c, struct pcpnat_config *cfg)
{
	struct nl_msg *msg;

	memset(cfg, 0, sizeof(*cfg));
	msg = pcpnat_msg_new(c, PCPNAT_CMD_CONFIG_GET, 0);
	if (!msg)
		return -ENOMEM;
	return pcpnat_transact(c, msg, reply_config, cfg);
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

int pcpnat_config_addr_of(struct pcpnat_client *c, struct in_addr host,
			  struct in_addr *addr)
{
	struct nl_msg *msg;

	msg = pcpnat_msg_new(c, PCPNAT_CMD_CONFIG_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (nla_put(msg, PCPNAT_A_SUBSCRIBER, 4, &host.s_addr)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	addr->s_addr = 0;
	return pcpnat_transact(c, msg, reply_addr, addr);
}

static int put_config(struct nl_msg *msg, const struct pcpnat_config *cfg)
{
	uint32_t f = cfg->fields;
	struct nlattr *nest;

	nest = nla_nest_start(msg, PCPNAT_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (((f & PCPNAT_CF_POOL) &&
	     put_prefixes(msg, PCPNAT_CFG_A_EXT_POOL, cfg->pool, cfg->npool)) ||
	    ((f & PCPNAT_CF_INTERNAL) &&
	     put_prefixes(msg, PCPNAT_CFG_A_INT_PREFIXES, cfg->internal, cfg->nint)) ||
	    ((f & PCPNAT_CF_EXT_IFINDEX) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_EXT_IFINDEX, cfg->ext_ifindex)) ||
	    ((f & PCPNAT_CF_PORT_MIN) &&
	     nla_put_u16(msg, PCPNAT_CFG_A_PORT_MIN, cfg->port_min)) ||
	    ((f & PCPNAT_CF_PORT_MAX) &&
	     nla_put_u16(msg, PCPNAT_CFG_A_PORT_MAX, cfg->port_max)) ||
	    ((f & PCPNAT_CF_UDP_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_UDP_TIMEOUT, cfg->udp_timeout)) ||
	    ((f & PCPNAT_CF_TCP_EST_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_TCP_EST_TIMEOUT, cfg->tcp_est_timeout)) ||
	    ((f & PCPNAT_CF_TCP_TRANS_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, cfg->tcp_trans_timeout)) ||
	    ((f & PCPNAT_CF_ICMP_TIMEOUT) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_ICMP_TIMEOUT, cfg->icmp_timeout)) ||
	    ((f & PCPNAT_CF_FILTERING) &&
	     nla_put_u8(msg, PCPNAT_CFG_A_FILTERING, cfg->filtering)) ||
	    ((f & PCPNAT_CF_QUOTA) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_SUBSCRIBER_QUOTA, cfg->quota)) ||
	    ((f & PCPNAT_CF_MAX_MAPPINGS) &&
	     nla_put_u32(msg, PCPNAT_CFG_A_MAX_MAPPINGS, cfg->max_mappings)) ||
	    ((f & PCPNAT_CF_ALL_PORTS) &&
	     nla_put_u8(msg, PCPNAT_CFG_A_ALLOW_ALL_PORTS, cfg->all_ports)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int pcpnat_config_set(struct pcpnat_client *c, const struct pcpnat_config *cfg)
{
	struct nl_msg *msg;

	msg = pcpnat_msg_new(c, PCPNAT_CMD_CONFIG_SET, 0);
	if (!msg)
		return -ENOMEM;
	if (put_config(msg, cfg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return pcpnat_transact(c, msg, NULL, NULL);
}
