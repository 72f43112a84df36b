/* SPDX-License-Identifier: GPL-2.0 */
/* Configuration of the namespace's pcpnat instance. */
#ifndef PCPNAT_NL_CONFIG_H
#define PCPNAT_NL_CONFIG_H

#include "lib/nlclient.h"
#include "lib/pcpnat_types.h"

/* Read everything, read-only members included; cfg->fields says what came. */
int pcpnat_config_get(struct pcpnat_client *c, struct pcpnat_config *cfg);

/*
 * The pool address the module gives host's mappings (paired pooling):
 * -EADDRNOTAVAIL while the pool is empty.
 */
int pcpnat_config_addr_of(struct pcpnat_client *c, struct in_addr host,
			  struct in_addr *addr);

/*
 * Change the members named in cfg->fields, nothing else. POOL/INTERNAL
 * replace the whole list (npool/nint == 0 clears it). Read-only fields are
 * ignored.
 */
int pcpnat_config_set(struct pcpnat_client *c, const struct pcpnat_config *cfg);

#endif /* PCPNAT_NL_CONFIG_H */
