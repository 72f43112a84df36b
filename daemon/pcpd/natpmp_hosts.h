/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hosts that speak NAT-PMP to pcpd: those that sent it a NAT-PMP
 * request, and those whose NAT-PMP mappings (the all-zero nonce) the
 * state file holds. With a pool of several addresses each of them is
 * told its own external address when the address announcement of RFC
 * 6886 3.2.1 is due (announce.c).
 *
 * A fixed array, so memory does not grow with the clients: past
 * PCPD_NATPMP_HOSTS_MAX the host added longest ago makes room. Losing one
 * costs that host an early renewal, not its mappings: it renews at half
 * its lifetime anyway (RFC 6886 3.3).
 */
#ifndef PCPD_NATPMP_HOSTS_H
#define PCPD_NATPMP_HOSTS_H

#include <stdint.h>

#define PCPD_NATPMP_HOSTS_MAX	1024

struct pcpd_natpmp_hosts {
	unsigned int n;		/* in use, up to the maximum */
	unsigned int next;	/* once full: the slot to reuse */
	uint32_t addr[PCPD_NATPMP_HOSTS_MAX];
};

/* Remember addr (network order); 0 and a host already known are no-ops. */
void pcpd_natpmp_hosts_add(struct pcpd_natpmp_hosts *h, uint32_t addr);

#endif /* PCPD_NATPMP_HOSTS_H */
