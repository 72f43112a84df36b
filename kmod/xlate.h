/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpnat translation path, shared by xlate_hooks.c (where a packet enters),
 * xlate_l4.c (UDP, TCP) and xlate_icmp.c (echo, errors).
 *
 * Every function here runs in a netfilter hook, hence under rcu_read_lock(),
 * with the IPv4 header linear at skb->data and already validated by ip_rcv()
 * or built by the forwarding path. They never take a lock; only
 * pcpnat_create_implicit() does, inside the table.
 */
#ifndef _PCPNAT_XLATE_H
#define _PCPNAT_XLATE_H

#include <linux/skbuff.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include "pcpnat.h"

/* What a translation step did with a packet. */
enum pcpnat_res {
	PCPNAT_PASS,	/* not ours: leave it exactly as it is */
	PCPNAT_DONE,	/* translated */
	PCPNAT_DROP,	/* drop it; the reason is already counted */
};

/* Which end of a packet (or of a quoted packet) a rewrite changes. */
enum pcpnat_side {
	PCPNAT_SRC,
	PCPNAT_DST,
};

/*
 * The packet being translated. l4off is the offset of the transport header
 * from skb->data (which is the IPv4 header in both hooks).
 */
struct pcpnat_pkt {
	struct pcpnat_net *pn;
	const struct pcpnat_config *cfg;
	struct sk_buff *skb;
	struct net_device *in;		/* PRE_ROUTING only, for hairpin routing */
	u32 ext_ifindex;		/* the external device (ext_dev.c) */
	unsigned int l4off;
};

/*
 * An all-ports mapping (external port 0, explicit only) translates the
 * address only: the port stays what it was. An implicit mapping of port
 * (echo identifier) 0 has a real external port, and translates it.
 */
static inline __be16 pcpnat_m_int_port(const struct pcpnat_mapping *m,
				       __be16 port)
{
	return m->ext_port ? m->key.port : port;
}

static inline __be16 pcpnat_m_ext_port(const struct pcpnat_mapping *m,
				       __be16 port)
{
	return m->ext_port ? m->ext_port : port;
}

/* The counter of a packet dropped for want of the mapping it would make. */
static inline int pcpnat_create_drop(const struct pcpnat_mapping *err)
{
	return PTR_ERR(err) == -EROFS ? PCPNAT_STATS_A_DROP_STANDBY :
					PCPNAT_STATS_A_DROP_NO_RESOURCES;
}

/* Ports in the allocator's range belong to pcpnat on a pool address. */
static inline bool pcpnat_port_owned(const struct pcpnat_config *cfg,
				     __be16 port)
{
	u16 p = ntohs(port);

	return p >= cfg->port_min && p <= cfg->port_max;
}

/* xlate_hooks.c: route a hairpinned packet while its source is internal. */
int pcpnat_hairpin_route(struct pcpnat_pkt *p);
/* xlate_hooks.c: the POST_ROUTING hook, which egress.c applies too. */
unsigned int pcpnat_post_routing(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state);

/* xlate_l4.c */
int pcpnat_l4_rewrite(struct sk_buff *skb, unsigned int l4off, u8 proto,
		      enum pcpnat_side side, __be32 addr, __be16 port);
int pcpnat_ip_rewrite(struct sk_buff *skb, enum pcpnat_side side, __be32 addr);
enum pcpnat_res pcpnat_l4_in(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_l4_out(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_l4_hairpin(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_l4_hairpin_src(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_l4_local_out(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_l4_local_in(struct pcpnat_pkt *p);

/* xlate_icmp.c */
enum pcpnat_res pcpnat_icmp_in(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_icmp_out(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_icmp_hairpin(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_icmp_hairpin_src(struct pcpnat_pkt *p);
enum pcpnat_res pcpnat_icmp_quote_out(struct pcpnat_pkt *p);

/* The packet quoted by an ICMP error. Offsets are from skb->data. */
struct icmp_inner {
	unsigned int ioff;	/* quoted IPv4 header */
	unsigned int l4off;	/* quoted transport header */
	unsigned int l4len;	/* bytes of it in the quote, >= 8 */
	u8 proto;
	__be32 saddr, daddr;
	__be16 sport, dport;	/* ICMP echo: the identifier, twice */
};

#if PCPNAT_KUNIT_VISIBLE
/* Static unless the KUnit tests reach them (compat.h). */
int inner_parse(const struct pcpnat_pkt *p, struct icmp_inner *in);
int error_rewrite(struct pcpnat_pkt *p, const struct icmp_inner *in,
		  enum pcpnat_side side, __be32 addr, __be16 port);
int echo_rewrite(struct pcpnat_pkt *p, enum pcpnat_side side,
		 __be32 addr, __be16 id);
#endif

#endif /* _PCPNAT_XLATE_H */
