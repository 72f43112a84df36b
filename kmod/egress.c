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
 * Only nf_flowtable forwards past the IPv4 hooks like this (nftables
 * flowtables and tc's act_ct both live in nf_flow_table.ko). Without it
 * loaded no packet needs the check, and the hook would cost every packet
 * out of any device the egress path of __dev_queue_xmit(), which an
 * egress hook turns on for all of them. So the hooks wait for that module:
 * seen at our own load (pcpnat_egress_init()), or announced by the module
 * notifier as it comes, before its init runs and so before any flowtable
 * can exist. They go when it goes: a flowtable holds a reference on the
 * module, so none is left once its exit has run. Traffic sent past the
 * IPv4 hooks by other means (a tc redirect, XDP) is the administrator's
 * own routing around the NAT; the README says so.
 *
 * The hook belongs to a device, so it follows the external device
 * (ext_dev.c): pcpnat_egress_sync() after every CONFIG_SET, and
 * pcpnat_egress_follow() when that device goes or comes back. Both run
 * under RTNL, which protects pn->egress_dev and flowtable_loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include "control.h"
#include "xlate.h"

/* The module whose fast path passes the IPv4 hooks, and one of its symbols. */
#define FLOWTABLE_MODULE	"nf_flow_table"
#define FLOWTABLE_SYMBOL	"nf_flow_table_init"

static bool flowtable_loaded;		/* under RTNL */
/* Every namespace's instance, for the module notifier to give each its hook. */
static LIST_HEAD(egress_instances);
static DEFINE_MUTEX(egress_instances_lock);

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
 * The hook where it belongs: on the external device while nf_flow_table
 * is loaded, nowhere otherwise. RTNL held. A device that is not there
 * (yet) gets no hook: without it nothing leaves through that interface
 * either, and ext_dev.c calls again when it comes.
 */
void pcpnat_egress_follow(struct pcpnat_net *pn)
{
	u32 ifindex = flowtable_loaded ? pcpnat_ext_dev_ifindex(pn) : 0;
	struct net_device *dev;

	ASSERT_RTNL();
	if (pn->egress_dev && pn->egress_dev->ifindex == ifindex)
		return;
	if (!flowtable_loaded && pn->egress_dev)
		pr_info("nf_flow_table is gone: no check on %s\n",
			pn->egress_dev->name);
	egress_unregister(pn);
	dev = ifindex ? __dev_get_by_index(pn->net, ifindex) : NULL;
	if (!dev)
		return;
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
		return;
	}
	netdev_hold(dev, &pn->egress_tracker, GFP_KERNEL);
	pn->egress_dev = dev;
	pr_info("nf_flow_table is loaded: checking what leaves %s\n",
		dev->name);
}

/*
 * After every CONFIG_SET and flowtable event: process context, cfg_lock
 * held (the external device cannot be set under us); takes RTNL.
 */
void pcpnat_egress_sync(struct pcpnat_net *pn)
{
	lockdep_assert_held(&pn->cfg_lock);
	rtnl_lock();
	pcpnat_egress_follow(pn);
	rtnl_unlock();
}

/* A new namespace: the module notifier below must find it. */
void pcpnat_egress_add(struct pcpnat_net *pn)
{
	mutex_lock(&egress_instances_lock);
	list_add(&pn->egress_node, &egress_instances);
	mutex_unlock(&egress_instances_lock);
}

/* Namespace teardown: no hook left behind, and off the notifier's list. */
void pcpnat_egress_stop(struct pcpnat_net *pn)
{
	mutex_lock(&egress_instances_lock);
	list_del(&pn->egress_node);
	mutex_unlock(&egress_instances_lock);
	rtnl_lock();
	egress_unregister(pn);
	rtnl_unlock();
}

/* nf_flow_table came or went: every instance gets or loses its hook. */
static void flowtable_loaded_set(bool loaded)
{
	struct pcpnat_net *pn;

	mutex_lock(&egress_instances_lock);
	rtnl_lock();
	flowtable_loaded = loaded;
	rtnl_unlock();
	list_for_each_entry(pn, &egress_instances, egress_node) {
		mutex_lock(&pn->cfg_lock);
		pcpnat_egress_sync(pn);
		mutex_unlock(&pn->cfg_lock);
	}
	mutex_unlock(&egress_instances_lock);
}

/*
 * COMING: the module is formed but its init has not run, so nothing it
 * provides exists yet. LIVE as well, for a module that was coming while
 * pcpnat itself loaded: announced before our notifier was there, and
 * still unable to be got by symbol (pcpnat_egress_init()). GOING: after
 * its exit, or after its init failed.
 */
static int pcpnat_module_event(struct notifier_block *nb, unsigned long state,
			       void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, FLOWTABLE_MODULE))
		return NOTIFY_DONE;
	if (state == MODULE_STATE_COMING || state == MODULE_STATE_LIVE)
		flowtable_loaded_set(true);
	else if (state == MODULE_STATE_GOING)
		flowtable_loaded_set(false);
	return NOTIFY_DONE;
}

static struct notifier_block pcpnat_module_nb = {
	.notifier_call = pcpnat_module_event,
};

int pcpnat_egress_init(void)
{
	int err;

	if (IS_BUILTIN(CONFIG_NF_FLOW_TABLE)) {
		flowtable_loaded_set(true);
		return 0;
	}
	/* Notifier first: a module loading now is seen by one or the other. */
	err = register_module_notifier(&pcpnat_module_nb);
	if (err)
		return err;
	if (__symbol_get(FLOWTABLE_SYMBOL)) {
		/* Held until then: its GOING cannot come before this. */
		flowtable_loaded_set(true);
		__symbol_put(FLOWTABLE_SYMBOL);
	}
	return 0;
}

void pcpnat_egress_exit(void)
{
	if (!IS_BUILTIN(CONFIG_NF_FLOW_TABLE))
		unregister_module_notifier(&pcpnat_module_nb);
}
