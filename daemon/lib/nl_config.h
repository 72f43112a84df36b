/* SPDX-License-Identifier: GPL-2.0 */
/* Configuration of the namespace's pcpnat instance. */
#ifndef PCPNL_NL_CONFIG_H
#define PCPNL_NL_CONFIG_H

#include "lib/nlclient.h"
#include "lib/pcpnl_types.h"

/* Read everything, read-only members included; cfg->fields says what came. */
int pcpnl_config_get(struct pcpnl_client *c, struct pcpnl_config *cfg);

/*
 * The pool address the module gives host's mappings (paired pooling):
 * -EADDRNOTAVAIL while the pool is empty.
 */
int pcpnl_config_addr_of(struct pcpnl_client *c, struct in_addr host,
			  struct in_addr *addr);

/*
 * Change the members named in cfg->fields, nothing else. POOL/INTERNAL
 * replace the whole list (npool/nint == 0 clears it). Read-only fields are
 * ignored.
 */
int pcpnl_config_set(struct pcpnl_client *c, const struct pcpnl_config *cfg);

#endif /* PCPNL_NL_CONFIG_H */
