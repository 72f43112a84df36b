/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real backend (backend.h) over the pcpnat client library; its epoch
 * answers follow the rules of pcpd/epoch.h on top of the module's.
 */
#ifndef PCPD_BACKEND_NL_H
#define PCPD_BACKEND_NL_H

#include <stdint.h>
#include <time.h>

#include "lib/pcpnat_client.h"
#include "pcpd/backend.h"
#include "pcpd/epoch.h"

struct pcpd_nl {
	struct pcpnat_client *c;
	struct pcpd_epoch ep;
};

extern const struct pcpd_backend_ops pcpd_nl_ops;

/* Conversions between the lib's view and backend.h's. */
void pcpd_nl_from_lib(const struct pcpnat_map *m, struct pcpd_mapping *out);
void pcpd_nl_to_lib(const struct pcpd_mapping *m, struct pcpnat_map *out);

#endif /* PCPD_BACKEND_NL_H */
