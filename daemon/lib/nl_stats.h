/* SPDX-License-Identifier: GPL-2.0 */
/* Counters of the namespace's pcpnat instance. */
#ifndef PCPNL_NL_STATS_H
#define PCPNL_NL_STATS_H

#include "lib/nlclient.h"
#include "lib/pcpnl_types.h"

int pcpnl_stats_get(struct pcpnl_client *c, struct pcpnl_stats *st);
int pcpnl_stats_reset(struct pcpnl_client *c);

/*
 * Name of counter i (enum pcpnat_stats_attr), lower case without prefix:
 * "pkts_out", "drop_filtered" ...; NULL for UNSPEC, PAD and unknown ones.
 */
const char *pcpnl_stats_name(unsigned int i);

#endif /* PCPNL_NL_STATS_H */
