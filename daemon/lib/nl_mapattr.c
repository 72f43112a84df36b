// SPDX-License-Identifier: GPL-2.0
/*
 * struct pcpnl_map <-> the PCPNAT_MAP_A_* nest. Shared by requests,
 * replies, dumps and events, so that a mapping looks the same everywhere.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include "lib/nl_internal.h"

static int put_filters(struct nl_msg *msg, const struct pcpnl_map *m)
{
	struct nlattr *list, *f;
	unsigned int i;

	list = nla_nest_start(msg, PCPNAT_MAP_A_FILTERS);
	if (!list)
		return -EMSGSIZE;
	for (i = 0; i < m->nfilters; i++) {
		f = nla_nest_start(msg, PCPNAT_FILTERS_A_FILTER);
		if (!f ||
		    nla_put(msg, PCPNAT_FILTER_A_ADDR, 4, &m->filters[i].addr.s_addr) ||
		    nla_put_u8(msg, PCPNAT_FILTER_A_PLEN, m->filters[i].plen) ||
		    nla_put_u16(msg, PCPNAT_FILTER_A_PORT, htons(m->filters[i].port)))
			return -EMSGSIZE;
		nla_nest_end(msg, f);
	}
	nla_nest_end(msg, list);
	return 0;
}

int pcpnl_map_put(struct nl_msg *msg, int type, const struct pcpnl_map *m)
{
	uint32_t flags = m->flags;
	struct nlattr *nest;

	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	if (m->fields & PCPNL_MF_FILTERS)
		flags |= PCPNAT_MAP_F_SET_FILTERS;
	if (((m->fields & PCPNL_MF_PROTO) &&
	     nla_put_u8(msg, PCPNAT_MAP_A_PROTO, m->proto)) ||
	    ((m->fields & PCPNL_MF_INT_ADDR) &&
	     nla_put(msg, PCPNAT_MAP_A_INT_ADDR, 4, &m->int_addr.s_addr)) ||
	    ((m->fields & PCPNL_MF_INT_PORT) &&
	     nla_put_u16(msg, PCPNAT_MAP_A_INT_PORT, htons(m->int_port))) ||
	    ((m->fields & PCPNL_MF_EXT_ADDR) &&
	     nla_put(msg, PCPNAT_MAP_A_EXT_ADDR, 4, &m->ext_addr.s_addr)) ||
	    ((m->fields & PCPNL_MF_EXT_PORT) &&
	     nla_put_u16(msg, PCPNAT_MAP_A_EXT_PORT, htons(m->ext_port))) ||
	    ((m->fields & PCPNL_MF_KIND) &&
	     nla_put_u8(msg, PCPNAT_MAP_A_KIND, m->kind)) ||
	    ((m->fields & PCPNL_MF_LIFETIME) &&
	     nla_put_u32(msg, PCPNAT_MAP_A_LIFETIME, m->lifetime)) ||
	    ((m->fields & PCPNL_MF_NONCE) &&
	     nla_put(msg, PCPNAT_MAP_A_NONCE, PCPNAT_NONCE_LEN, m->nonce)) ||
	    ((m->fields & PCPNL_MF_SUBSCRIBER) &&
	     nla_put(msg, PCPNAT_MAP_A_SUBSCRIBER, 4, &m->subscriber.s_addr)) ||
	    ((m->fields & PCPNL_MF_DESCR) &&
	     nla_put_string(msg, PCPNAT_MAP_A_DESCR, m->descr)) ||
	    ((m->fields & PCPNL_MF_PEER) &&
	     nla_put(msg, PCPNAT_MAP_A_PEER, 4, &m->peer.s_addr)) ||
	    ((m->fields & (PCPNL_MF_FLAGS | PCPNL_MF_FILTERS)) &&
	     nla_put_u32(msg, PCPNAT_MAP_A_FLAGS, flags)))
		return -EMSGSIZE;
	if ((m->fields & PCPNL_MF_FILTERS) && put_filters(msg, m))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int parse_filters(const struct nlattr *list, struct pcpnl_map *m)
{
	struct nlattr *tb[PCPNAT_FILTER_A_MAX + 1];
	struct pcpnl_filter *f;
	struct nlattr *a;
	int rem;

	m->nfilters = 0;
	nla_for_each_nested(a, (struct nlattr *)list, rem) {
		if (nla_type(a) != PCPNAT_FILTERS_A_FILTER)
			continue;
		if (m->nfilters == PCPNAT_FILTERS_MAX)
			return -EBADMSG;
		f = &m->filters[m->nfilters];
		memset(f, 0, sizeof(*f));
		if (nla_parse_nested(tb, PCPNAT_FILTER_A_MAX, a, NULL) < 0 ||
		    !pcpnl_attr_in(tb[PCPNAT_FILTER_A_ADDR], &f->addr) ||
		    !pcpnl_attr_u8(tb[PCPNAT_FILTER_A_PLEN], &f->plen))
			return -EBADMSG;
		if (tb[PCPNAT_FILTER_A_PORT] &&
		    !pcpnl_attr_be16(tb[PCPNAT_FILTER_A_PORT], &f->port))
			return -EBADMSG;
		m->nfilters++;
	}
	m->fields |= PCPNL_MF_FILTERS;
	return 0;
}

#define OPT(tb, attr, reader, dst, bit)					\
	PCPNL_NL_OPT(tb, attr, reader, dst, m->fields, bit)

int pcpnl_map_parse(const struct nlattr *nest, struct pcpnl_map *m)
{
	struct nlattr *tb[PCPNAT_MAP_A_MAX + 1];
	struct nlattr *d;

	memset(m, 0, sizeof(*m));
	if (!nest || nla_parse_nested(tb, PCPNAT_MAP_A_MAX,
				      (struct nlattr *)nest, NULL) < 0)
		return -EBADMSG;
	OPT(tb, PCPNAT_MAP_A_PROTO, pcpnl_attr_u8, &m->proto, PCPNL_MF_PROTO);
	OPT(tb, PCPNAT_MAP_A_INT_ADDR, pcpnl_attr_in, &m->int_addr, PCPNL_MF_INT_ADDR);
	OPT(tb, PCPNAT_MAP_A_INT_PORT, pcpnl_attr_be16, &m->int_port, PCPNL_MF_INT_PORT);
	OPT(tb, PCPNAT_MAP_A_EXT_ADDR, pcpnl_attr_in, &m->ext_addr, PCPNL_MF_EXT_ADDR);
	OPT(tb, PCPNAT_MAP_A_EXT_PORT, pcpnl_attr_be16, &m->ext_port, PCPNL_MF_EXT_PORT);
	OPT(tb, PCPNAT_MAP_A_KIND, pcpnl_attr_u8, &m->kind, PCPNL_MF_KIND);
	OPT(tb, PCPNAT_MAP_A_LIFETIME, pcpnl_attr_u32, &m->lifetime, PCPNL_MF_LIFETIME);
	OPT(tb, PCPNAT_MAP_A_IDLE, pcpnl_attr_u32, &m->idle, PCPNL_MF_IDLE);
	OPT(tb, PCPNAT_MAP_A_SUBSCRIBER, pcpnl_attr_in, &m->subscriber, PCPNL_MF_SUBSCRIBER);
	OPT(tb, PCPNAT_MAP_A_FLAGS, pcpnl_attr_u32, &m->flags, PCPNL_MF_FLAGS);
	if (tb[PCPNAT_MAP_A_NONCE]) {
		if (nla_len(tb[PCPNAT_MAP_A_NONCE]) != PCPNAT_NONCE_LEN)
			return -EBADMSG;
		memcpy(m->nonce, nla_data(tb[PCPNAT_MAP_A_NONCE]), PCPNAT_NONCE_LEN);
		m->fields |= PCPNL_MF_NONCE;
	}
	d = tb[PCPNAT_MAP_A_DESCR];
	if (d) {
		/* Bounded copy: never trust the NUL to be there. */
		size_t n = strnlen(nla_data(d), nla_len(d));

		if (n >= sizeof(m->descr))
			n = sizeof(m->descr) - 1;
		memcpy(m->descr, nla_data(d), n);
		m->descr[n] = '\0';
		m->fields |= PCPNL_MF_DESCR;
	}
	if (tb[PCPNAT_MAP_A_FILTERS])
		return parse_filters(tb[PCPNAT_MAP_A_FILTERS], m);
	return 0;
}
