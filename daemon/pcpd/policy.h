/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of pcpd's configuration its decisions depend on. Filled from
 * the configuration file; all integers host order, addresses network
 * order.
 */
#ifndef PCPD_POLICY_H
#define PCPD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define PCPD_THIRD_PARTY_MAX	16

struct pcpd_prefix {
	uint32_t addr;
	uint8_t plen;
};

struct pcpd_policy {
	/*
	 * Nonce mismatch on an existing explicit mapping: strict answers
	 * NOT_AUTHORIZED (RFC 6887; draft-boucadair-pcp-flow-examples 2.7),
	 * relaxed reports the mapping unchanged
	 * (draft-cheshire-pcp-unsupp-family; draft-boucadair-pcp-flow-examples
	 * 2.8).
	 */
	bool nonce_strict;
	uint32_t lifetime_min;		/* granted lifetimes are clamped */
	uint32_t lifetime_max;
	uint32_t err_lifetime_short;	/* retry soon: RFC 6887 7.4 */
	uint32_t err_lifetime_long;
	/* Sources allowed to use THIRD_PARTY; none = option disabled. */
	unsigned int n_third_party;
	struct pcpd_prefix third_party[PCPD_THIRD_PARTY_MAX];
	unsigned int max_filters;	/* <= PCPNAT_FILTERS_MAX */
};

void pcpd_policy_defaults(struct pcpd_policy *p);
/* Is the IPv4 source (network order) on the THIRD_PARTY allow-list? */
bool pcpd_third_party_allowed(const struct pcpd_policy *p, uint32_t src);
uint32_t pcpd_clamp_lifetime(const struct pcpd_policy *p, uint32_t req);

#endif /* PCPD_POLICY_H */
