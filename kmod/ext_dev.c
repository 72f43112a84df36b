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
 * ifindex only says which device was meant when it was set: from then on
 * the external device is the one with that device's name, as for
 * nftables' `oifname`. When it goes, or is renamed away, nothing is the
 * external device (nothing leaves through it either); the next device
 * registered or renamed under that name, in the same namespace, is.
 *
 * pn->ext_ifindex is what the packet path compares with (READ_ONCE; 0 is
 * no external device, and the hooks translate nothing); it and
 * pn->ext_name change under RTNL only: at CONFIG_SET
 * (pcpnat_ext_dev_configured(), before the configuration is published)
 * and in the netdevice notifier.
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

/* Set on unload: the notifier's replay of UNREGISTER is no device going. */
static bool ext_dev_exiting;

/*
 * A CONFIG_SET that names the external device (ifindex, 0 for none),
 * under cfg_lock; takes RTNL, so the device looked up is the one set. A
 * CONFIG_SET that does not name it keeps the device followed, which may
 * have another ifindex than the configuration's by now.
 */
int pcpnat_ext_dev_configured(struct pcpnat_net *pn, u32 ifindex,
			      struct netlink_ext_ack *extack)
{
	struct net_device *dev = NULL;
	int err = 0;

	rtnl_lock();
	if (ifindex) {
		dev = __dev_get_by_index(pn->net, ifindex);
		if (!dev) {
			NL_SET_ERR_MSG_MOD(extack, "no such interface in this namespace");
			err = -ENODEV;
			goto out;
		}
	}
	pn->ext_name[0] = '\0';
	ext_dev_set(pn, dev);
out:
	rtnl_unlock();
	return err;
}

static int ext_dev_event(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct pcpnat_net *pn = pcpnat_pernet(dev_net(dev));
	u32 cur;

	if (ext_dev_exiting || !pn || !pn->ext_name[0])
		return NOTIFY_DONE;
	cur = pn->ext_ifindex;
	if (event != NETDEV_UNREGISTER && event != NETDEV_REGISTER &&
	    event != NETDEV_CHANGENAME)
		return NOTIFY_DONE;
	if (dev->ifindex == cur) {
		/* Gone, or renamed away (REGISTER cannot be the current one). */
		ext_dev_set(pn, NULL);
	} else if (!cur && event != NETDEV_UNREGISTER &&
		   !strcmp(dev->name, pn->ext_name)) {
		ext_dev_set(pn, dev);
		pr_info("%s is there again (ifindex %d): the external device\n",
			dev->name, dev->ifindex);
	} else {
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

/*
 * Unregistering replays UNREGISTER for every device: none is going, and
 * translation goes on until the hooks go (the pernet exit).
 */
void pcpnat_ext_dev_exit(void)
{
	rtnl_lock();
	ext_dev_exiting = true;
	rtnl_unlock();
	unregister_netdevice_notifier(&pcpnat_ext_dev_nb);
}
