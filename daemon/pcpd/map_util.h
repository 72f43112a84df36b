/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by MAP, PEER, GET and NAT-PMP handling. */
#ifndef PCPD_MAP_UTIL_H
#define PCPD_MAP_UTIL_H

#include "pcp/pcp_types.h"
#include "pcpd/backend.h"
#include "pcpd/policy.h"

struct pcpd_txn;
struct pcpd_server;

/* Protocols the module translates (uapi: UDP, TCP, ICMP). */
bool pcpd_proto_supported(uint8_t proto);
/*
 * FILTER semantics (RFC 6887 13.3; draft-boucadair-pcp-flow-examples 6):
 * filters add to those the mapping has; a prefix length 0 clears all
 * before it. Result into want->filters; 0, or EXCESSIVE_REMOTE_PEERS /
 * MALFORMED_OPTION.
 */
uint8_t pcpd_merge_filters(const struct pcpd_policy *p,
			   const struct pcpd_mapping *cur,
			   const struct pcp_options *o,
			   struct pcpd_mapping *want);
/* Mapping filters as PCP FILTER options (for GET/NEXT). */
void pcpd_filters_to_opt(const struct pcpd_mapping *m, struct pcp_options *o);
/* MAP/PEER success reply with all processed options echoed. */
int pcpd_map_reply(struct pcpd_txn *t, uint32_t who,
		   const struct pcpd_mapping *m, uint32_t lifetime);

/*
 * Delete every explicit mapping selected by f whose nonce is nonce.
 * Works in batches, resuming the walk after the last key seen, so the
 * deletions never pull the ground from under the walk. 0 or -errno.
 */
int pcpd_delete_matching(const struct pcpd_server *s,
			 const struct pcpd_walk_filter *f,
			 const uint8_t nonce[PCPNAT_NONCE_LEN]);

#endif /* PCPD_MAP_UTIL_H */
