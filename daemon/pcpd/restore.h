/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Re-installing stored explicit mappings into a fresh table
 * (draft-boucadair-pcp-failure App. A). A mapping that cannot be made
 * again (quota, pool, port taken) is a loss: its subscriber's epoch
 * restarts so that its client notices and renews (RFC 6887 8.5;
 * draft-boucadair-pcp-failure 3.1), while everyone else's continues.
 */
#ifndef PCPD_RESTORE_H
#define PCPD_RESTORE_H

#include "pcpd/backend.h"
#include "pcpd/backend_nl.h"
#include "pcpd/state_file.h"

struct pcpd_restore_result {
	unsigned int restored;	/* made again */
	unsigned int moved;	/* ... on another external endpoint */
	unsigned int failed;	/* lost: owner's epoch reset */
};

/* Called for a mapping restored on another endpoint, and for a lost one. */
typedef void (*pcpd_restore_cb)(void *arg, const struct pcpd_mapping *m,
				bool lost);

/*
 * Every mapping of st not expired at now (boot clock) is added through
 * ops; the owner of each that fails gets a reset in nl at now.
 */
void pcpd_restore(const struct pcpd_backend_ops *ops, void *be,
		  const struct pcpd_state *st, int64_t now, struct pcpd_nl *nl,
		  pcpd_restore_cb cb, void *arg, struct pcpd_restore_result *r);

#endif /* PCPD_RESTORE_H */
