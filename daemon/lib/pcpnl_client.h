/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pcpnat client library, for pcpd and pcpctl: include this one header.
 * Its names carry pcpnl_ / PCPNL_, so that they never read as the
 * module's (the kernel's struct pcpnat_config is another thing than this
 * library's struct pcpnl_config); pcpnat_ / PCPNAT_ names are the uapi's.
 *
 *   nlclient.h     connect, version check, extack text of the last failure
 *   nl_config.h    configuration get/set
 *   nl_map.h       mapping add/del/get, dump with filter and cursor, flush
 *   nl_stats.h     counters get/reset and their names
 *   nl_events.h    the events multicast group
 *   pcpnl_text.h   parsing and printing of addresses, prefixes, nonces ...
 *   pcpnl_types.h  the plain structs all of the above exchange
 *   config_keys.h  the module's settings, described once
 */
#ifndef PCPNL_CLIENT_H
#define PCPNL_CLIENT_H

#include "lib/pcpnl_types.h"
#include "lib/nlclient.h"
#include "lib/nl_config.h"
#include "lib/nl_map.h"
#include "lib/nl_stats.h"
#include "lib/nl_events.h"
#include "lib/pcpnl_text.h"

#endif /* PCPNL_CLIENT_H */
