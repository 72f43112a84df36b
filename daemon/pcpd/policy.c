// SPDX-License-Identifier: GPL-2.0
/* Policy defaults and checks (see policy.h). */
#include <arpa/inet.h>
#include <string.h>

#include "pcpd/policy.h"
#include <linux/pcpnat.h>

void pcpd_policy_defaults(struct pcpd_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->nonce_strict = false;
	/* 2 min floor keeps clients from hammering with tiny lifetimes. */
	p->lifetime_min = 120;
	p->lifetime_max = 86400;
	/* RFC 6887 7.4 suggests 30 s for short, 30 min for long errors. */
	p->err_lifetime_short = 30;
	p->err_lifetime_long = 1800;
	p->max_filters = PCPNAT_FILTERS_MAX;
}

bool pcpd_third_party_allowed(const struct pcpd_policy *p, uint32_t src)
{
	unsigned int i;

	for (i = 0; i < p->n_third_party; i++) {
		uint8_t plen = p->third_party[i].plen;
		uint32_t mask = plen ? htonl(~0u << (32 - plen)) : 0;

		if ((src & mask) == (p->third_party[i].addr & mask))
			return true;
	}
	return false;
}

uint32_t pcpd_clamp_lifetime(const struct pcpd_policy *p, uint32_t req)
{
	if (req < p->lifetime_min)
		return p->lifetime_min;
	if (req > p->lifetime_max)
		return p->lifetime_max;
	return req;
}
