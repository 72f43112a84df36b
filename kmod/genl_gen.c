// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/pcpnat.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "genl_gen.h"

#include <uapi/linux/pcpnat.h>

/* Integer value ranges */
static const struct netlink_range_validation pcpnat_cfg_a_udp_timeout_range = {
	.min	= PCPNAT_UDP_TIMEOUT_MIN,
	.max	= PCPNAT_TIMEOUT_MAX,
};

static const struct netlink_range_validation pcpnat_cfg_a_tcp_est_timeout_range = {
	.min	= PCPNAT_TCP_EST_TIMEOUT_MIN,
	.max	= PCPNAT_TIMEOUT_MAX,
};

static const struct netlink_range_validation pcpnat_cfg_a_tcp_trans_timeout_range = {
	.min	= PCPNAT_TCP_TRANS_TIMEOUT_MIN,
	.max	= PCPNAT_TIMEOUT_MAX,
};

static const struct netlink_range_validation pcpnat_cfg_a_icmp_timeout_range = {
	.min	= PCPNAT_ICMP_TIMEOUT_MIN,
	.max	= PCPNAT_TIMEOUT_MAX,
};

static const struct netlink_range_validation pcpnat_map_a_lifetime_range = {
	.min	= 1ULL,
	.max	= PCPNAT_LIFETIME_MAX,
};

/* Common nested types */
const struct nla_policy pcpnat_config_nl_policy[PCPNAT_CFG_A_STANDBY + 1] = {
	[PCPNAT_CFG_A_EXT_POOL] = NLA_POLICY_NESTED(pcpnat_list_nl_policy),
	[PCPNAT_CFG_A_INT_PREFIXES] = NLA_POLICY_NESTED(pcpnat_list_nl_policy),
	[PCPNAT_CFG_A_EXT_IFINDEX] = { .type = NLA_U32, },
	[PCPNAT_CFG_A_PORT_MIN] = NLA_POLICY_MIN(NLA_U16, 1),
	[PCPNAT_CFG_A_PORT_MAX] = NLA_POLICY_MIN(NLA_U16, 1),
	[PCPNAT_CFG_A_UDP_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pcpnat_cfg_a_udp_timeout_range),
	[PCPNAT_CFG_A_TCP_EST_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pcpnat_cfg_a_tcp_est_timeout_range),
	[PCPNAT_CFG_A_TCP_TRANS_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pcpnat_cfg_a_tcp_trans_timeout_range),
	[PCPNAT_CFG_A_ICMP_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &pcpnat_cfg_a_icmp_timeout_range),
	[PCPNAT_CFG_A_FILTERING] = NLA_POLICY_MAX(NLA_U8, 1),
	[PCPNAT_CFG_A_SUBSCRIBER_QUOTA] = { .type = NLA_U32, },
	[PCPNAT_CFG_A_MAX_MAPPINGS] = NLA_POLICY_MIN(NLA_U32, 1),
	[PCPNAT_CFG_A_ALLOW_ALL_PORTS] = NLA_POLICY_MAX(NLA_U8, 1),
	[PCPNAT_CFG_A_EPOCH] = { .type = NLA_U32, },
	[PCPNAT_CFG_A_STATE_ID] = { .type = NLA_U64, },
	[PCPNAT_CFG_A_MAPPINGS] = { .type = NLA_U32, },
	[PCPNAT_CFG_A_STANDBY] = NLA_POLICY_MAX(NLA_U8, 1),
};

const struct nla_policy pcpnat_cursor_nl_policy[PCPNAT_MAP_A_INT_PORT + 1] = {
	[PCPNAT_MAP_A_PROTO] = { .type = NLA_U8, },
	[PCPNAT_MAP_A_INT_ADDR] = { .type = NLA_U32, },
	[PCPNAT_MAP_A_INT_PORT] = { .type = NLA_U16, },
};

const struct nla_policy pcpnat_filter_nl_policy[PCPNAT_FILTER_A_PORT + 1] = {
	[PCPNAT_FILTER_A_ADDR] = { .type = NLA_U32, },
	[PCPNAT_FILTER_A_PLEN] = NLA_POLICY_RANGE(NLA_U8, 1, 32),
	[PCPNAT_FILTER_A_PORT] = { .type = NLA_U16, },
};

const struct nla_policy pcpnat_filters_nl_policy[PCPNAT_FILTERS_A_FILTER + 1] = {
	[PCPNAT_FILTERS_A_FILTER] = NLA_POLICY_NESTED(pcpnat_filter_nl_policy),
};

const struct nla_policy pcpnat_list_nl_policy[PCPNAT_LIST_A_PREFIX + 1] = {
	[PCPNAT_LIST_A_PREFIX] = NLA_POLICY_NESTED(pcpnat_prefix_nl_policy),
};

const struct nla_policy pcpnat_map_nl_policy[PCPNAT_MAP_A_PEER + 1] = {
	[PCPNAT_MAP_A_PROTO] = { .type = NLA_U8, },
	[PCPNAT_MAP_A_INT_ADDR] = { .type = NLA_U32, },
	[PCPNAT_MAP_A_INT_PORT] = { .type = NLA_U16, },
	[PCPNAT_MAP_A_EXT_ADDR] = { .type = NLA_U32, },
	[PCPNAT_MAP_A_EXT_PORT] = { .type = NLA_U16, },
	[PCPNAT_MAP_A_KIND] = NLA_POLICY_RANGE(NLA_U8, 1, 2),
	[PCPNAT_MAP_A_LIFETIME] = NLA_POLICY_FULL_RANGE(NLA_U32, &pcpnat_map_a_lifetime_range),
	[PCPNAT_MAP_A_NONCE] = NLA_POLICY_EXACT_LEN(PCPNAT_NONCE_LEN),
	[PCPNAT_MAP_A_SUBSCRIBER] = { .type = NLA_U32, },
	[PCPNAT_MAP_A_FILTERS] = NLA_POLICY_NESTED(pcpnat_filters_nl_policy),
	[PCPNAT_MAP_A_DESCR] = { .type = NLA_NUL_STRING, .len = PCPNAT_DESCR_LEN, },
	[PCPNAT_MAP_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x7),
	[PCPNAT_MAP_A_IDLE] = { .type = NLA_U32, },
	[PCPNAT_MAP_A_PEER] = { .type = NLA_U32, },
};

const struct nla_policy pcpnat_prefix_nl_policy[PCPNAT_PFX_A_LEN + 1] = {
	[PCPNAT_PFX_A_ADDR] = { .type = NLA_U32, },
	[PCPNAT_PFX_A_LEN] = NLA_POLICY_MAX(NLA_U8, 32),
};

/* PCPNAT_CMD_CONFIG_GET - do */
const struct nla_policy pcpnat_config_get_nl_policy[PCPNAT_A_SUBSCRIBER + 1] = {
	[PCPNAT_A_SUBSCRIBER] = { .type = NLA_U32, },
};

/* PCPNAT_CMD_CONFIG_SET - do */
const struct nla_policy pcpnat_config_set_nl_policy[PCPNAT_A_CONFIG + 1] = {
	[PCPNAT_A_CONFIG] = NLA_POLICY_NESTED(pcpnat_config_nl_policy),
};

/* PCPNAT_CMD_MAP_ADD - do */
const struct nla_policy pcpnat_map_add_nl_policy[PCPNAT_A_MAP + 1] = {
	[PCPNAT_A_MAP] = NLA_POLICY_NESTED(pcpnat_map_nl_policy),
};

/* PCPNAT_CMD_MAP_DEL - do */
const struct nla_policy pcpnat_map_del_nl_policy[PCPNAT_A_MAP + 1] = {
	[PCPNAT_A_MAP] = NLA_POLICY_NESTED(pcpnat_map_nl_policy),
};

/* PCPNAT_CMD_MAP_GET - do */
const struct nla_policy pcpnat_map_get_nl_policy[PCPNAT_A_CURSOR + 1] = {
	[PCPNAT_A_MAP] = NLA_POLICY_NESTED(pcpnat_map_nl_policy),
	[PCPNAT_A_CURSOR] = NLA_POLICY_NESTED(pcpnat_cursor_nl_policy),
};

/* PCPNAT_CMD_FLUSH - do */
const struct nla_policy pcpnat_flush_nl_policy[PCPNAT_A_SUBSCRIBER + 1] = {
	[PCPNAT_A_SUBSCRIBER] = { .type = NLA_U32, },
};

/* PCPNAT_CMD_STATS_GET - do */
const struct nla_policy pcpnat_stats_get_nl_policy[PCPNAT_A_UNSPEC + 1] = {
};

/* PCPNAT_CMD_STATS_RESET - do */
const struct nla_policy pcpnat_stats_reset_nl_policy[PCPNAT_A_UNSPEC + 1] = {
};

/* Ops table for pcpnat */
const struct genl_ops pcpnat_nl_ops[8] = {
	{
		.cmd		= PCPNAT_CMD_CONFIG_GET,
		.doit		= pcpnat_nl_config_get_doit,
		.policy		= pcpnat_config_get_nl_policy,
		.maxattr	= PCPNAT_A_SUBSCRIBER,
	},
	{
		.cmd		= PCPNAT_CMD_CONFIG_SET,
		.doit		= pcpnat_nl_config_set_doit,
		.policy		= pcpnat_config_set_nl_policy,
		.maxattr	= PCPNAT_A_CONFIG,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCPNAT_CMD_MAP_ADD,
		.doit		= pcpnat_nl_map_add_doit,
		.policy		= pcpnat_map_add_nl_policy,
		.maxattr	= PCPNAT_A_MAP,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCPNAT_CMD_MAP_DEL,
		.doit		= pcpnat_nl_map_del_doit,
		.policy		= pcpnat_map_del_nl_policy,
		.maxattr	= PCPNAT_A_MAP,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCPNAT_CMD_MAP_GET,
		.doit		= pcpnat_nl_map_get_doit,
		.dumpit		= pcpnat_nl_map_get_dumpit,
		.policy		= pcpnat_map_get_nl_policy,
		.maxattr	= PCPNAT_A_CURSOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCPNAT_CMD_FLUSH,
		.doit		= pcpnat_nl_flush_doit,
		.policy		= pcpnat_flush_nl_policy,
		.maxattr	= PCPNAT_A_SUBSCRIBER,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCPNAT_CMD_STATS_GET,
		.doit		= pcpnat_nl_stats_get_doit,
		.policy		= pcpnat_stats_get_nl_policy,
		.maxattr	= PCPNAT_A_UNSPEC,
	},
	{
		.cmd		= PCPNAT_CMD_STATS_RESET,
		.doit		= pcpnat_nl_stats_reset_doit,
		.policy		= pcpnat_stats_reset_nl_policy,
		.maxattr	= PCPNAT_A_UNSPEC,
		.flags		= GENL_ADMIN_PERM,
	},
};
