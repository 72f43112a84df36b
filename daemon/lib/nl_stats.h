/* SPDX-License-Identifier: GPL-2.0 */
/* Counters of the namespace's pcpnat instance. */
#ifndef PCPNAT_NL_STATS_H
#define PCPNAT_NL_STATS_H

#include "lib/nlclient.h"
#include "lib/pcpnat_types.h"

int pcpnat_stats_get(struct pcpnat_client *c, struct pcpnat_stats *st);
int pcpnat_stats_reset(struct pcpnat_client *c);

/*
 * Name of counter i (enum pcpnat_stats_attr), lower case without prefix:
 * "pkts_out", "drop_filtered" ...; NULL for UNSPEC, PAD and unknown ones.
 */
const char *pcpnat_stats_name(unsigned int i);

#endif /* PCPNAT_NL_STATS_H */
