// SPDX-License-Identifier: GPL-2.0
/*
 * Which device is the external one.
 *
 * CONFIG_SET names the external device by ifindex, and pcpnat translates
 * what leaves that device. But a router's WAN device does not always live
 * as long as the configuration: a PPPoE client makes a new ppp0 on every
 * reconnect, and a WAN VLAN or tunnel may be deleted and added again by
 * the network scripts. Each comes back under the same name with a new
 * ifindex, and a NAT that kept the old number would forward inside
 * traffic out of the new device untranslated. So the configuration's
 * ifindex only says which device was meant when it was set: pcpnat
 * follows that device by name, as `iptables -o ppp0` and nftables'
 * `oifname` do. When it goes, nothing is the external device (nothing
 * can leave through it either); the next device registered under its
 * name, in the same namespace, is. A rename of the external device is
 * followed: it is still the same device.
 *
 * pn->ext_ifindex is what the packet path compares with (READ_ONCE; 0 is
 * no external device, and the hooks translate nothing); it and
 * pn->ext_name change under RTNL only: at CONFIG_SET
 * (pcpnat_ext_dev_configured()) and in the netdevice notifier.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include "control.h"
#include "xlate.h"

static void ext_dev_set(struct pcpnat_net *pn, const struct net_device *dev)
{
	ASSERT_RTNL();
	if (dev)
		strscpy(pn->ext_name, dev->name, sizeof(pn->ext_name));
	WRITE_ONCE(pn->ext_ifindex, dev ? dev->ifindex : 0);
}

/*
 * After a CONFIG_SET, RTNL held. A configuration that keeps the ifindex
 * it had keeps the device pcpnat follows, which may have a new ifindex
 * by now: only a new ifindex from userspace names another device.
 */
void pcpnat_ext_dev_configured(struct pcpnat_net *pn, u32 ifindex)
{
	ASSERT_RTNL();
	if (ifindex == pn->ext_cfg_ifindex)
		return;
	pn->ext_cfg_ifindex = ifindex;
	pn->ext_name[0] = '\0';
	ext_dev_set(pn, ifindex ? __dev_get_by_index(pn->net, ifindex) : NULL);
}

static int ext_dev_event(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct pcpnat_net *pn = pcpnat_pernet(dev_net(dev));
	u32 cur;

	if (!pn || !pn->ext_name[0])
		return NOTIFY_DONE;
	cur = pn->ext_ifindex;
	switch (event) {
	case NETDEV_UNREGISTER:
		if (dev->ifindex != cur)
			return NOTIFY_DONE;
		ext_dev_set(pn, NULL);
		break;
	case NETDEV_REGISTER:
	case NETDEV_CHANGENAME:
		if (dev->ifindex == cur) {
			ext_dev_set(pn, dev);	/* renamed: still the device */
			return NOTIFY_DONE;
		}
		if (cur || strcmp(dev->name, pn->ext_name))
			return NOTIFY_DONE;
		ext_dev_set(pn, dev);
		pr_info("%s is back (ifindex %d): the external device again\n",
			dev->name, dev->ifindex);
		break;
	default:
		return NOTIFY_DONE;
	}
	pcpnat_egress_follow(pn);
	return NOTIFY_DONE;
}

static struct notifier_block pcpnat_ext_dev_nb = {
	.notifier_call = ext_dev_event,
};

int pcpnat_ext_dev_init(void)
{
	return register_netdevice_notifier(&pcpnat_ext_dev_nb);
}

void pcpnat_ext_dev_exit(void)
{
	unregister_netdevice_notifier(&pcpnat_ext_dev_nb);
}
