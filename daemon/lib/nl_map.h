/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mappings: add, delete, get, dump (filtered, resumable), flush.
 * All return 0 or -errno; see uapi/linux/pcpnat.h for the errno values the
 * module uses and pcpnl_client_error() for its reason in words.
 */
#ifndef PCPNL_NL_MAP_H
#define PCPNL_NL_MAP_H

#include <stdint.h>
#include "lib/nlclient.h"
#include "lib/pcpnl_types.h"

/*
 * Create or renew an explicit mapping. req needs PCPNL_MF_INT_KEY; the
 * other fields are sent when named in req->fields (EXT_ADDR/EXT_PORT as
 * suggestions, FILTERS replaces the filter list). out (may be NULL, may be
 * req) receives the mapping as installed, with the external address and
 * port the module chose.
 */
int pcpnl_map_add(struct pcpnl_client *c, const struct pcpnl_map *req,
		   struct pcpnl_map *out);

/*
 * Delete by internal key; NONCE must match an explicit mapping's unless
 * req->flags has PCPNAT_MAP_F_FORCE (and PCPNL_MF_FLAGS is set).
 * out (may be NULL) receives the mapping that went.
 */
int pcpnl_map_del(struct pcpnl_client *c, const struct pcpnl_map *req,
		   struct pcpnl_map *out);

/*
 * Look one mapping up by PCPNL_MF_INT_KEY or PCPNL_MF_EXT_KEY.
 * -ENOENT if there is none.
 */
int pcpnl_map_get(struct pcpnl_client *c, const struct pcpnl_map *key,
		   struct pcpnl_map *out);

/*
 * Walk the mappings that match f (NULL: all) in the module's walk order,
 * starting after the key `after` (NULL: from the start), calling cb for
 * each. cb returns 0 to go on, > 0 to stop the walk early (the dump then
 * returns 0), < 0 to abort with that error. Memory use does not depend on
 * the number of mappings. If the kernel flags the dump as interrupted by
 * concurrent changes, the walk resumes after the last key delivered, so cb
 * never sees a mapping twice.
 */
typedef int (*pcpnl_map_cb)(const struct pcpnl_map *m, void *arg);
int pcpnl_map_dump(struct pcpnl_client *c, const struct pcpnl_map_filter *f,
		    const struct pcpnl_key *after, pcpnl_map_cb cb, void *arg);

/* Remove all mappings, or one subscriber's (subscriber != NULL). */
int pcpnl_flush(struct pcpnl_client *c, const struct in_addr *subscriber,
		 uint32_t *flushed);

#endif /* PCPNL_NL_MAP_H */
