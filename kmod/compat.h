/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpnat: what differs between the kernels it builds for (Debian's 6.1 and
 * 6.12). Every LINUX_VERSION_CODE test of the module is here.
 *
 * KUnit visibility. A function the KUnit tests (kmod/tests/) reach although
 * nothing else outside its file does is defined VISIBLE_IF_KUNIT and
 * exported with EXPORT_SYMBOL_IF_KUNIT(): static and not exported unless the
 * kernel has KUnit, then global and exported in the
 * EXPORTED_FOR_KUNIT_TESTING namespace. <kunit/visibility.h> appeared in
 * 6.2; before it both stay static and the tests do not build. Declarations
 * of such functions are wrapped in #if PCPNAT_KUNIT_VISIBLE, so that W=1
 * (-Wmissing-prototypes) is happy either way. The version is tested rather
 * than __has_include(), which sparse 0.6.4 (C=1) cannot parse.
 */
#ifndef _PCPNAT_COMPAT_H
#define _PCPNAT_COMPAT_H

#include <linux/kconfig.h>
#include <linux/export.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <kunit/visibility.h>
#define PCPNAT_KUNIT_VISIBLE	IS_ENABLED(CONFIG_KUNIT)
#else
#define VISIBLE_IF_KUNIT	static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#define PCPNAT_KUNIT_VISIBLE	0
#endif

/* Since 6.2: one UDP socket table per namespace, dump info split. */
#include <net/genetlink.h>
#include <net/udp.h>

static inline struct udp_table *pcpnat_udp_table(const struct net *net)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return net->ipv4.udp_table;
#else
	return &udp_table;
#endif
}

static inline struct nlattr **pcpnat_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _PCPNAT_COMPAT_H */
