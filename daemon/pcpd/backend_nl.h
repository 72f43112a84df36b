/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real backend (backend.h) over the pcpnat client library; its epoch
 * answers follow the rules of pcpd/epoch.h on top of the module's, from
 * the cache there.
 */
#ifndef PCPD_BACKEND_NL_H
#define PCPD_BACKEND_NL_H

#include <stdint.h>
#include <time.h>

#include "lib/pcpnl_client.h"
#include "pcpd/backend.h"
#include "pcpd/epoch.h"

struct pcpd_nl {
	struct pcpnl_client *c;
	struct pcpd_epoch ep;
};

extern const struct pcpd_backend_ops pcpd_nl_ops;

/*
 * A CONFIG_GET's answer, wherever pcpd made one: the module's epoch and
 * state id refresh the epoch cache (epoch.h).
 */
void pcpd_nl_config_seen(struct pcpd_nl *nl, const struct pcpnl_config *cfg);

/* Conversions between the lib's view and backend.h's. */
void pcpd_nl_from_lib(const struct pcpnl_map *m, struct pcpd_mapping *out);
void pcpd_nl_to_lib(const struct pcpd_mapping *m, struct pcpnl_map *out);

#endif /* PCPD_BACKEND_NL_H */
