// SPDX-License-Identifier: GPL-2.0
/*
 * The last check before the wire: a netdev egress hook on the external
 * device.
 *
 * Whatever leaves the external interface from an internal address passes
 * POST_ROUTING, where pcpnat rewrites its source, unless something sends
 * it past the IPv4 hooks. nf_flowtable's software fast path does exactly
 * that: its entries are built from conntrack, which sees internal
 * addresses both ways (xlate_hooks.c), so a flow's later packets match at
 * ingress and go out through neigh_xmit() untranslated. Here, at
 * NF_NETDEV_EGRESS, such a packet is translated as POST_ROUTING would
 * translate it (or dropped and counted when it cannot be): a flowtable
 * beside pcpnat still never shows an internal address outside, and the
 * flow keeps its mapping. Packets POST_ROUTING translated already have an
 * external source and pass with one comparison. A flowtable offloaded to
 * hardware never reaches the CPU; the README says so.
 *
 * The hook belongs to a device, so it follows the configuration's
 * ext-dev (pcpnat_egress_sync() after every CONFIG_SET) and goes when
 * that device does (the notifier). Both run under RTNL, which protects
 * pn->egress_dev.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include "control.h"
#include "xlate.h"

static unsigned int pcpnat_egress(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct pcpnat_net *pn = pcpnat_pernet(state->net);
	const struct pcpnat_config *cfg;
	unsigned int off, verdict;
	const struct iphdr *iph;

	if (skb->protocol != htons(ETH_P_IP))
		return NF_ACCEPT;
	off = skb_network_offset(skb);
	if (!pskb_may_pull(skb, off + sizeof(*iph)))
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	cfg = rcu_dereference(pn->cfg);
	if (!cfg || !pcpnat_addr_internal(cfg, iph->saddr))
		return NF_ACCEPT;
	if (iph->ihl < 5 || !pskb_may_pull(skb, off + iph->ihl * 4))
		return NF_DROP;
	/* The translation path wants the IPv4 header at skb->data. */
	__skb_pull(skb, off);
	verdict = pcpnat_post_routing(priv, skb, state);
	if (verdict == NF_ACCEPT)
		__skb_push(skb, off);
	return verdict;
}

static void egress_unregister(struct pcpnat_net *pn)
{
	ASSERT_RTNL();
	if (!pn->egress_dev)
		return;
	nf_unregister_net_hook(pn->net, &pn->egress_ops);
	netdev_put(pn->egress_dev, &pn->egress_tracker);
	pn->egress_dev = NULL;
}

/*
 * Process context, cfg_lock held (the configuration cannot change under
 * us); takes RTNL. A device that is not there (yet) gets no hook: without
 * it nothing leaves through that interface either.
 */
void pcpnat_egress_sync(struct pcpnat_net *pn)
{
	const struct pcpnat_config *cfg = pcpnat_cfg_locked(pn);
	int ifindex = cfg ? cfg->ext_ifindex : 0;
	struct net_device *dev;

	rtnl_lock();
	if (pn->egress_dev && pn->egress_dev->ifindex == ifindex)
		goto out;
	egress_unregister(pn);
	dev = ifindex ? __dev_get_by_index(pn->net, ifindex) : NULL;
	if (!dev)
		goto out;
	pn->egress_ops = (struct nf_hook_ops) {
		.hook		= pcpnat_egress,
		.pf		= NFPROTO_NETDEV,
		.hooknum	= NF_NETDEV_EGRESS,
		.priority	= 0,
		.dev		= dev,
	};
	if (nf_register_net_hook(pn->net, &pn->egress_ops)) {
		pr_warn("no egress hook on %s: a flowtable could bypass translation\n",
			dev->name);
		goto out;
	}
	netdev_hold(dev, &pn->egress_tracker, GFP_KERNEL);
	pn->egress_dev = dev;
out:
	rtnl_unlock();
}

/* Instance teardown: no hook left behind. */
void pcpnat_egress_stop(struct pcpnat_net *pn)
{
	rtnl_lock();
	egress_unregister(pn);
	rtnl_unlock();
}

static int pcpnat_egress_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct pcpnat_net *pn;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	pn = pcpnat_pernet(dev_net(dev));
	if (pn && pn->egress_dev == dev)
		egress_unregister(pn);
	return NOTIFY_DONE;
}

static struct notifier_block pcpnat_egress_nb = {
	.notifier_call = pcpnat_egress_event,
};

int pcpnat_egress_init(void)
{
	return register_netdevice_notifier(&pcpnat_egress_nb);
}

void pcpnat_egress_exit(void)
{
	unregister_netdevice_notifier(&pcpnat_egress_nb);
}
