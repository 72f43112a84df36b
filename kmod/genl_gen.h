/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/pcpnat.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_PCPNAT_GEN_H
#define _LINUX_PCPNAT_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/pcpnat.h>

/* Common nested types */
extern const struct nla_policy pcpnat_config_nl_policy[PCPNAT_CFG_A_STANDBY + 1];
extern const struct nla_policy pcpnat_cursor_nl_policy[PCPNAT_MAP_A_INT_PORT + 1];
extern const struct nla_policy pcpnat_filter_nl_policy[PCPNAT_FILTER_A_PORT + 1];
extern const struct nla_policy pcpnat_filters_nl_policy[PCPNAT_FILTERS_A_FILTER + 1];
extern const struct nla_policy pcpnat_list_nl_policy[PCPNAT_LIST_A_PREFIX + 1];
extern const struct nla_policy pcpnat_map_nl_policy[PCPNAT_MAP_A_PEER + 1];
extern const struct nla_policy pcpnat_prefix_nl_policy[PCPNAT_PFX_A_LEN + 1];

extern const struct nla_policy pcpnat_config_get_nl_policy[PCPNAT_A_SUBSCRIBER + 1];

extern const struct nla_policy pcpnat_config_set_nl_policy[PCPNAT_A_CONFIG + 1];

extern const struct nla_policy pcpnat_map_add_nl_policy[PCPNAT_A_MAP + 1];

extern const struct nla_policy pcpnat_map_del_nl_policy[PCPNAT_A_MAP + 1];

extern const struct nla_policy pcpnat_map_get_nl_policy[PCPNAT_A_CURSOR + 1];

extern const struct nla_policy pcpnat_flush_nl_policy[PCPNAT_A_SUBSCRIBER + 1];

extern const struct nla_policy pcpnat_stats_get_nl_policy[PCPNAT_A_UNSPEC + 1];

extern const struct nla_policy pcpnat_stats_reset_nl_policy[PCPNAT_A_UNSPEC + 1];

/* Ops table for pcpnat */
extern const struct genl_ops pcpnat_nl_ops[8];

int pcpnat_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_map_add_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_map_del_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_map_get_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_map_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int pcpnat_nl_flush_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int pcpnat_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _LINUX_PCPNAT_GEN_H */
