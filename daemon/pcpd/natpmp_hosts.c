// SPDX-License-Identifier: GPL-2.0
/* The NAT-PMP hosts pcpd knows of: see natpmp_hosts.h. */
#include "pcpd/natpmp_hosts.h"

void pcpd_natpmp_hosts_add(struct pcpd_natpmp_hosts *h, uint32_t addr)
{
	unsigned int i;

	if (!addr)
		return;
	/* A linear scan: NAT-PMP requests are few and rate-limited. */
	for (i = 0; i < h->n; i++)
		if (h->addr[i] == addr)
			return;
	if (h->n < PCPD_NATPMP_HOSTS_MAX) {
		h->addr[h->n++] = addr;
		return;
	}
	h->addr[h->next] = addr;
	h->next = (h->next + 1) % PCPD_NATPMP_HOSTS_MAX;
}
