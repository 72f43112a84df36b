// SPDX-License-Identifier: GPL-2.0
/*
 * Where packets meet pcpnat: five IPv4 netfilter hooks per namespace (and
 * one netdev egress hook on the external device, egress.c).
 *
 * PRE_ROUTING, between defragmentation (-400) and conntrack (-200), at -250:
 *   a packet to a pool address gets its destination rewritten to the
 *   internal endpoint before routing, so routing sends it inside. Being
 *   before conntrack, conntrack (when loaded) sees internal addresses in
 *   both directions, as if the NAT sat on the wire outside the box: its
 *   entries stay consistent and nftables rules on the internal addresses
 *   (ct state established, ...) work. A hairpinned packet (from an
 *   internal address to a pool address) gets its destination and its
 *   route here, and its source only after conntrack, at -199
 *   (pcpnat_l4_hairpin_src()): conntrack then sees the internal source
 *   both ways and takes the answer for the reply it is. That second hook
 *   is there only once a hairpin met a hook between the two (conntrack's,
 *   in practice): until then both steps are made here at once, and no
 *   other packet pays for a hook it does not need (hairpin_src_step()).
 * POST_ROUTING at NF_IP_PRI_NAT_SRC (100): a packet from an internal
 *   address leaving through the external interface gets its source
 *   rewritten. Filter chains (priority 0) have seen the internal source;
 *   conntrack confirmation (last) keeps the entry made at PRE_ROUTING.
 * LOCAL_OUT at -250 and LOCAL_IN at 100: the router's own connection to a
 *   mapped endpoint of a pool address reaches the internal host, and the
 *   answer comes back from that endpoint, conntrack again seeing internal
 *   addresses both ways.
 *
 * The hooks need whole datagrams, so they enable nf_defrag_ipv4 for the
 * namespace while registered; it does not need conntrack. The only
 * packets they change are those to a pool address (and a port we own),
 * those from an internal prefix out of the external interface (which
 * never leave with their internal source: what cannot be translated is
 * dropped) and ICMP errors out of the external interface that quote an
 * internal endpoint.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/ip.h>
#include <net/route.h>
#include "xlate.h"

#define PCPNAT_PRI_PRE	((NF_IP_PRI_RAW + NF_IP_PRI_CONNTRACK) / 2)
#define PCPNAT_PRI_PRE_LATE	(NF_IP_PRI_CONNTRACK + 1)
#define PCPNAT_PRI_POST	NF_IP_PRI_NAT_SRC

static bool proto_translated(u8 proto)
{
	return proto == IPPROTO_UDP || proto == IPPROTO_TCP ||
	       proto == IPPROTO_ICMP;
}

/* The instance and its configuration, if this namespace translates. */
static bool pkt_init(struct pcpnat_pkt *p, struct sk_buff *skb,
		     const struct nf_hook_state *state)
{
	p->pn = pcpnat_pernet(state->net);
	if (!p->pn || !p->pn->table)
		return false;
	p->cfg = rcu_dereference(p->pn->cfg);
	p->ext_ifindex = pcpnat_ext_dev_ifindex(p->pn);
	if (!p->cfg || !p->ext_ifindex)
		return false;
	p->skb = skb;
	p->in = state->in;
	p->l4off = skb_network_offset(skb) + ip_hdrlen(skb);
	return true;
}

static unsigned int verdict(enum pcpnat_res res)
{
	return res == PCPNAT_DROP ? NF_DROP : NF_ACCEPT;
}

/*
 * Defragmentation runs before us, so a fragment here means it could not
 * reassemble the datagram (or someone else's hook sent it on): a later
 * fragment has no ports, and translating only the first would split the
 * datagram between two addresses. Ours are dropped, whole.
 */
static enum pcpnat_res fragment(struct pcpnat_pkt *p)
{
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_DROP_INVALID);
	return PCPNAT_DROP;
}

/* Does a hook run between our two PRE_ROUTING steps? (conntrack's, -200) */
static bool hook_between_steps(const struct net *net)
{
	const struct nf_hook_entries *e;
	struct nf_hook_ops **ops;
	unsigned int i;

	e = rcu_dereference(net->nf.hooks_ipv4[NF_INET_PRE_ROUTING]);
	if (!e)
		return false;
	ops = nf_hook_entries_get_hook_ops(e);
	for (i = 0; i < e->num_hook_entries; i++)
		if (ops[i]->priority > PCPNAT_PRI_PRE &&
		    ops[i]->priority < PCPNAT_PRI_PRE_LATE)
			return true;
	return false;
}

/*
 * A hairpinned packet's source, after its destination and route. With
 * the late hook in place, it makes this step after conntrack. Without it
 * and with nothing between the two priorities, nobody could see the
 * packet between them: the step is made now. Without it and with a hook
 * between (conntrack appeared since), the hook is registered from process
 * context and the packet dropped meanwhile, as nf_nat drops what it
 * cannot handle yet: the sender's retransmission finds the hook there,
 * and conntrack never sees a hairpin half translated.
 */
static enum pcpnat_res hairpin_src_step(struct pcpnat_pkt *p)
{
	if (READ_ONCE(p->pn->late_hook))
		return PCPNAT_DONE;
	if (hook_between_steps(p->pn->net)) {
		schedule_work(&p->pn->late_hook_work);
		pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_DROP_HAIRPIN_WAIT);
		return PCPNAT_DROP;
	}
	if (ip_hdr(p->skb)->protocol == IPPROTO_ICMP)
		return pcpnat_icmp_hairpin_src(p);
	return pcpnat_l4_hairpin_src(p);
}

static unsigned int pcpnat_pre_routing(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	enum pcpnat_res res;
	struct pcpnat_pkt p;
	bool hairpin;

	if (!proto_translated(iph->protocol) || !pkt_init(&p, skb, state))
		return NF_ACCEPT;
	if (!pcpnat_addr_in_pool(p.cfg, iph->daddr))
		return NF_ACCEPT;
	if (ip_is_fragment(iph))
		return verdict(fragment(&p));

	/*
	 * From inside to a pool address: hairpin. An internal source coming
	 * in from outside is spoofed; it gets no more than any outsider.
	 */
	hairpin = pcpnat_addr_internal(p.cfg, iph->saddr) && state->in &&
		  state->in->ifindex != p.ext_ifindex;
	if (!hairpin)
		return verdict(iph->protocol == IPPROTO_ICMP ?
			       pcpnat_icmp_in(&p) : pcpnat_l4_in(&p));
	res = iph->protocol == IPPROTO_ICMP ? pcpnat_icmp_hairpin(&p) :
					      pcpnat_l4_hairpin(&p);
	return verdict(res == PCPNAT_DONE ? hairpin_src_step(&p) : res);
}

/*
 * The second step of a hairpin. No other packet has a route this early in
 * PRE_ROUTING but the router's own from loopback, whose route is local:
 * routing follows the hooks (ip_rcv_finish()), and only the first step
 * routes before them. So a forwarding route on a packet from an internal
 * address, arrived inside, is one that step made.
 */
static unsigned int pcpnat_pre_routing_late(void *priv, struct sk_buff *skb,
					    const struct nf_hook_state *state)
{
	const struct rtable *rt = skb_rtable(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct pcpnat_pkt p;

	if (!rt || rt->rt_type != RTN_UNICAST || !state->in ||
	    !proto_translated(iph->protocol) || ip_is_fragment(iph) ||
	    !pkt_init(&p, skb, state))
		return NF_ACCEPT;
	if (!pcpnat_addr_internal(p.cfg, iph->saddr) ||
	    state->in->ifindex == p.ext_ifindex)
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_ICMP)
		return verdict(pcpnat_icmp_hairpin_src(&p));
	return verdict(pcpnat_l4_hairpin_src(&p));
}

/*
 * The router's own UDP or TCP to a pool address (LOCAL_OUT): through a
 * mapping it goes to the internal endpoint, and so is routed again, as
 * nf_nat routes its locally made DNAT (nf_nat_ipv4_local_fn()).
 */
static unsigned int pcpnat_local_out(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct pcpnat_pkt p;
	enum pcpnat_res res;

	if ((iph->protocol != IPPROTO_UDP && iph->protocol != IPPROTO_TCP) ||
	    ip_is_fragment(iph) || !pkt_init(&p, skb, state) ||
	    !pcpnat_addr_in_pool(p.cfg, iph->daddr))
		return NF_ACCEPT;
	res = pcpnat_l4_local_out(&p);
	if (res == PCPNAT_DONE &&
	    ip_route_me_harder(state->net, state->sk, skb, RTN_UNSPEC))
		return NF_DROP;
	return verdict(res);
}

/* The internal host's answer to it, delivered to the router's socket. */
static unsigned int pcpnat_local_in(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct pcpnat_pkt p;

	if ((iph->protocol != IPPROTO_UDP && iph->protocol != IPPROTO_TCP) ||
	    !pkt_init(&p, skb, state) ||
	    !pcpnat_addr_internal(p.cfg, iph->saddr) ||
	    !pcpnat_addr_in_pool(p.cfg, iph->daddr))
		return NF_ACCEPT;
	return verdict(pcpnat_l4_local_in(&p));
}

/*
 * A packet from an internal address that pcpnat cannot translate (GRE,
 * ESP, SCTP, UDP-Lite, IP-in-IP, IPv6-in-IPv4, ...) must not leave with
 * that address. It is dropped and counted, not given address-only
 * translation as nf_nat gives unknown protocols: that needs a mapping per
 * (pool address, protocol) owned by one internal host at a time and
 * inbound demultiplexing for each protocol (the ESP SPI, the GRE key,
 * SCTP's RFC 6951 encapsulation), which the table does not have. A host
 * that needs such a protocol uses a tunnel over UDP, as RFC 3948 does for
 * ESP.
 */
static enum pcpnat_res untranslatable(struct pcpnat_pkt *p)
{
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_DROP_INVALID);
	return PCPNAT_DROP;
}

unsigned int pcpnat_post_routing(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct pcpnat_pkt p;

	if (!state->out || !pkt_init(&p, skb, state))
		return NF_ACCEPT;
	if (state->out->ifindex != p.ext_ifindex)
		return NF_ACCEPT;
	if (!pcpnat_addr_internal(p.cfg, iph->saddr)) {
		/*
		 * The router's own ICMP errors may quote a packet translated
		 * inbound: its destination is an internal endpoint.
		 */
		if (iph->protocol == IPPROTO_ICMP && !ip_is_fragment(iph))
			return verdict(pcpnat_icmp_quote_out(&p));
		return NF_ACCEPT;
	}
	if (!proto_translated(iph->protocol))
		return verdict(untranslatable(&p));
	if (ip_is_fragment(iph))
		return verdict(fragment(&p));

	if (iph->protocol == IPPROTO_ICMP)
		return verdict(pcpnat_icmp_out(&p));
	return verdict(pcpnat_l4_out(&p));
}

/*
 * Called with the destination already internal and the source still
 * internal: route the packet now, as ip_rcv_finish() would (it skips
 * routing for a packet that has a route). With the pool address as
 * source, which is local, the route lookup would refuse a martian.
 *
 * The route goes back out the interface it came in on, which normally asks
 * for an ICMP redirect to the sender; that would be wrong here, the sender
 * cannot reach the target directly through the address it used.
 */
int pcpnat_hairpin_route(struct pcpnat_pkt *p)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	int err;

	if (!p->in)
		return -EINVAL;
	skb_dst_drop(p->skb);
	err = ip_route_input_noref(p->skb, iph->daddr, iph->saddr, iph->tos,
				   p->in);
	if (err)
		return err;
	IPCB(p->skb)->flags &= ~IPSKB_DOREDIRECT;
	return 0;
}

static const struct nf_hook_ops pcpnat_nf_ops[] = {
	{
		.hook		= pcpnat_pre_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= PCPNAT_PRI_PRE,
	},
	{
		.hook		= pcpnat_post_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= PCPNAT_PRI_POST,
	},
	{
		.hook		= pcpnat_local_out,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= PCPNAT_PRI_PRE,
	},
	{
		.hook		= pcpnat_local_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= PCPNAT_PRI_POST,
	},
};

static const struct nf_hook_ops pcpnat_late_ops = {
	.hook		= pcpnat_pre_routing_late,
	.pf		= NFPROTO_IPV4,
	.hooknum	= NF_INET_PRE_ROUTING,
	.priority	= PCPNAT_PRI_PRE_LATE,
};

/* The late hook, asked for by hairpin_src_step(); once, for good. */
static void late_hook_work(struct work_struct *work)
{
	struct pcpnat_net *pn = container_of(work, struct pcpnat_net,
					     late_hook_work);

	mutex_lock(&pn->cfg_lock);
	if (pn->hooks_registered && !pn->late_hook) {
		if (nf_register_net_hook(pn->net, &pcpnat_late_ops)) {
			pr_warn_ratelimited("no late PRE_ROUTING hook: hairpinned packets are dropped\n");
		} else {
			/*
			 * A packet already past the hook list's start will
			 * not meet the new hook: only once every such one is
			 * done may the first step leave the source to it.
			 */
			synchronize_net();
			WRITE_ONCE(pn->late_hook, true);
		}
	}
	mutex_unlock(&pn->cfg_lock);
}

/*
 * Process context, serialised by the caller (instance creation and
 * teardown). The hooks find the instance through pcpnat_pernet(), so they
 * are shared by all namespaces and carry no private pointer.
 */
int pcpnat_hooks_register(struct pcpnat_net *pn)
{
	int err;

	if (pn->hooks_registered)
		return 0;
	INIT_WORK(&pn->late_hook_work, late_hook_work);
	err = nf_defrag_ipv4_enable(pn->net);
	if (err)
		return err;
	err = nf_register_net_hooks(pn->net, pcpnat_nf_ops,
				    ARRAY_SIZE(pcpnat_nf_ops));
	if (err) {
		nf_defrag_ipv4_disable(pn->net);
		return err;
	}
	pn->hooks_registered = true;
	return 0;
}

/*
 * Returns after every invocation of the main hooks in flight has
 * finished (nf_unregister_net_hooks() itself does not wait: it frees the
 * old hook list by RCU), so none can ask for the late hook any more; the
 * late hook's own are waited for by the caller's synchronize_net().
 */
void pcpnat_hooks_unregister(struct pcpnat_net *pn)
{
	if (!pn->hooks_registered)
		return;
	nf_unregister_net_hooks(pn->net, pcpnat_nf_ops,
				ARRAY_SIZE(pcpnat_nf_ops));
	/* No packet asks for the late hook after this; none is left asking. */
	synchronize_net();
	cancel_work_sync(&pn->late_hook_work);
	if (pn->late_hook)
		nf_unregister_net_hook(pn->net, &pcpnat_late_ops);
	pn->late_hook = false;
	nf_defrag_ipv4_disable(pn->net);
	pn->hooks_registered = false;
}
