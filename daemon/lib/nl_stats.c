// SPDX-License-Identifier: GPL-2.0
/* Counters: get, reset, and their names. */
#include <errno.h>
#include <string.h>
#include "lib/nl_internal.h"
#include "lib/nl_stats.h"

/* struct pcpnl_stats.present has a bit per counter. */
_Static_assert(PCPNAT_STATS_A_MAX < 64, "stats bitmask too small");

/* Indexed by enum pcpnat_stats_attr; these are also the JSON keys. */
static const char *const names[PCPNAT_STATS_A_MAX + 1] = {
	[PCPNAT_STATS_A_PKTS_OUT]		= "pkts_out",
	[PCPNAT_STATS_A_PKTS_IN]		= "pkts_in",
	[PCPNAT_STATS_A_PKTS_HAIRPIN]		= "pkts_hairpin",
	[PCPNAT_STATS_A_DROP_NO_MAPPING]	= "drop_no_mapping",
	[PCPNAT_STATS_A_DROP_FILTERED]		= "drop_filtered",
	[PCPNAT_STATS_A_DROP_INVALID]		= "drop_invalid",
	[PCPNAT_STATS_A_DROP_NO_RESOURCES]	= "drop_no_resources",
	[PCPNAT_STATS_A_MAP_CREATED]		= "map_created",
	[PCPNAT_STATS_A_MAP_DELETED]		= "map_deleted",
	[PCPNAT_STATS_A_MAP_EXPIRED]		= "map_expired",
	[PCPNAT_STATS_A_ALLOC_OK]		= "alloc_ok",
	[PCPNAT_STATS_A_ALLOC_PROBES]		= "alloc_probes",
	[PCPNAT_STATS_A_ALLOC_NO_PORT]		= "alloc_no_port",
	[PCPNAT_STATS_A_ALLOC_QUOTA]		= "alloc_quota",
	[PCPNAT_STATS_A_TABLE_FULL]		= "table_full",
	[PCPNAT_STATS_A_MAPPINGS]		= "mappings",
	[PCPNAT_STATS_A_MAPPING_BYTES]		= "mapping_bytes",
	[PCPNAT_STATS_A_DROP_HAIRPIN_WAIT]	= "drop_hairpin_wait",
	[PCPNAT_STATS_A_DROP_STANDBY]		= "drop_standby",
};

const char *pcpnl_stats_name(unsigned int i)
{
	return i <= PCPNAT_STATS_A_MAX ? names[i] : NULL;
}

static int reply_stats(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct nlattr *st[PCPNAT_STATS_A_MAX + 1];
	struct pcpnl_stats *s = arg;
	unsigned int i;

	(void)nlh;
	if (!tb[PCPNAT_A_STATS] ||
	    nla_parse_nested(st, PCPNAT_STATS_A_MAX, tb[PCPNAT_A_STATS], NULL) < 0)
		return -EBADMSG;
	for (i = 0; i <= PCPNAT_STATS_A_MAX; i++) {
		if (!st[i] || !names[i])
			continue;
		if (!pcpnl_attr_u64(st[i], &s->v[i]))
			return -EBADMSG;
		s->present |= 1ULL << i;
	}
	return 0;
}

int pcpnl_stats_get(struct pcpnl_client *c, struct pcpnl_stats *st)
{
	struct nl_msg *msg;

	memset(st, 0, sizeof(*st));
	msg = pcpnl_msg_new(c, PCPNAT_CMD_STATS_GET, 0);
	if (!msg)
		return -ENOMEM;
	return pcpnl_transact(c, msg, reply_stats, st);
}

int pcpnl_stats_reset(struct pcpnl_client *c)
{
	struct nl_msg *msg = pcpnl_msg_new(c, PCPNAT_CMD_STATS_RESET, 0);

	if (!msg)
		return -ENOMEM;
	return pcpnl_transact(c, msg, NULL, NULL);
}
