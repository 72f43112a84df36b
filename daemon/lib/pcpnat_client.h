/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pcpnat client library, for pcpd and pcpctl: include this one header.
 *
 *   nlclient.h     connect, version check, extack text of the last failure
 *   nl_config.h    configuration get/set
 *   nl_map.h       mapping add/del/get, dump with filter and cursor, flush
 *   nl_stats.h     counters get/reset and their names
 *   nl_events.h    the events multicast group
 *   pcpnat_text.h  parsing and printing of addresses, prefixes, nonces ...
 *   pcpnat_types.h the plain structs all of the above exchange
 */
#ifndef PCPNAT_CLIENT_H
#define PCPNAT_CLIENT_H

#include "lib/pcpnat_types.h"
#include "lib/nlclient.h"
#include "lib/nl_config.h"
#include "lib/nl_map.h"
#include "lib/nl_stats.h"
#include "lib/nl_events.h"
#include "lib/pcpnat_text.h"

#endif /* PCPNAT_CLIENT_H */
