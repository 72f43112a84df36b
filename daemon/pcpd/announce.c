// SPDX-License-Identifier: GPL-2.0
/*
 * Unsolicited messages from the server.
 * - After a state loss, an ANNOUNCE response to 224.0.0.1:5350 on each
 *   internal interface (RFC 6887 14.1.3; draft-boucadair-pcp-flow-examples
 *   2.21), so clients see the epoch jump and repair their mappings at once.
 * - On start-up, after a state loss and when the external address changes,
 *   NAT-PMP's address announcement to 224.0.0.1:5350 (RFC 6886 3.2.1:
 *   "upon boot ... or any other event that may indicate possible loss or
 *   change of NAT mapping state"), so NAT-PMP clients renew at once; with
 *   a pool of several addresses, to each NAT-PMP host its own address.
 * Both are sent PCPD_ANNOUNCE_COUNT times, the first at once, then with
 * an interval starting at 250 ms and doubling, as RFC 6886 3.2.1 spells
 * out and RFC 6887 14.1.3 asks for PCP. A new loss restarts the series.
 * - When a mapping's external address changes or goes, an unsolicited MAP
 *   response to the client's 5350 (RFC 6887 14.2;
 *   draft-boucadair-pcp-flow-examples 2.20), once.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/timerfd.h>

#include "pcp/natpmp.h"
#include "pcp/pcp.h"
#include "pcp/pcp_addr.h"
#include "pcpd/daemon.h"
#include "pcpd/log.h"

#define ALL_HOSTS	htonl(0xe0000001)	/* 224.0.0.1 */

void pcpd_send_announce(struct pcpd *d)
{
	struct pcp_response r = {
		.opcode = PCP_OP_ANNOUNCE,
		.result = PCP_SUCCESS,
		.lifetime = 0,
		.epoch = d->connected ? d->srv.ops->epoch(d->srv.be, 0) : 0,
	};
	uint8_t buf[PCP_HDR_LEN];
	int n = pcp_build_response(buf, sizeof(buf), &r);

	if (n > 0)
		pcpd_send_unsolicited(d, ALL_HOSTS, buf, n);
}

void pcpd_send_announce_to(struct pcpd *d, uint32_t subscriber)
{
	struct pcp_response r = {
		.opcode = PCP_OP_ANNOUNCE,
		.result = PCP_SUCCESS,
		.epoch = d->srv.ops->epoch(d->srv.be, subscriber),
	};
	uint8_t buf[PCP_HDR_LEN];
	int n;

	if (!d->conf.announce)
		return;
	n = pcp_build_response(buf, sizeof(buf), &r);
	if (n > 0)
		pcpd_send_unsolicited(d, subscriber, buf, n);
}

/*
 * NAT-PMP's address announcement (RFC 6886 3.2.1). With a pool of one
 * address every host has that address: one multicast tells them all.
 * With several, paired pooling (RFC 4787 REQ-2) gives each host its own,
 * and a multicast of any one of them would send some hosts' renewals to
 * an address their mappings are not on. Each NAT-PMP host pcpd knows of
 * is then told its own address, by unicast to its port 5350, where the
 * client listens for the gateway's messages; a host unknown to pcpd has
 * no mapping to renew and asks with opcode 0 when it wants the address.
 */
static void send_natpmp_addr_to(struct pcpd *d, uint32_t to, uint32_t addr,
				uint32_t epoch)
{
	uint8_t buf[16];
	int n = natpmp_build_addr(buf, sizeof(buf), addr ?
				  NATPMP_SUCCESS : NATPMP_NETWORK_FAILURE,
				  epoch, addr);

	if (n > 0)
		pcpd_send_unsolicited(d, to, buf, n);
}

void pcpd_send_natpmp_addr(struct pcpd *d)
{
	const struct pcpd_natpmp_hosts *h = &d->natpmp_hosts;
	uint32_t host;
	unsigned int i;

	if (!d->connected) {
		send_natpmp_addr_to(d, ALL_HOSTS, 0, 0);
		return;
	}
	if (d->pool_one) {
		send_natpmp_addr_to(d, ALL_HOSTS, d->nat_addr,
				    d->srv.ops->epoch(d->srv.be, 0));
		return;
	}
	for (i = 0; i < h->n; i++) {
		host = h->addr[i];
		send_natpmp_addr_to(d, host, d->srv.ops->ext_addr(d->srv.be, host),
				    d->srv.ops->epoch(d->srv.be, host));
	}
}

static void arm(struct pcpd *d)
{
	struct itimerspec its = { 0 };
	int64_t next = 0, now = pcpd_now_ms(), in;

	if (d->pcp_ann.left)
		next = d->pcp_ann.next_ms;
	if (d->nat_ann.left && (!next || d->nat_ann.next_ms < next))
		next = d->nat_ann.next_ms;
	if (next) {
		in = next > now ? next - now : 1;
		its.it_value.tv_sec = in / 1000;
		its.it_value.tv_nsec = (in % 1000) * 1000000;
	}
	timerfd_settime(d->announce_fd, 0, &its, NULL);
}

static void step(struct pcpd *d, struct pcpd_repeat *r, int64_t now)
{
	if (!r->left || r->next_ms > now)
		return;
	if (r == &d->pcp_ann)
		pcpd_send_announce(d);
	else
		pcpd_send_natpmp_addr(d);
	r->left--;
	r->next_ms = now + r->interval_ms;
	r->interval_ms *= 2;
}

void pcpd_announce_start(struct pcpd *d, struct pcpd_repeat *r)
{
	if (!d->conf.announce)
		return;
	r->left = PCPD_ANNOUNCE_COUNT;
	r->interval_ms = PCPD_ANNOUNCE_FIRST_MS;
	r->next_ms = pcpd_now_ms();
	step(d, r, r->next_ms);
	arm(d);
}

void pcpd_announce_state_lost(struct pcpd *d)
{
	pcpd_announce_start(d, &d->pcp_ann);
	pcpd_announce_start(d, &d->nat_ann);
}

void pcpd_announce_timer(struct pcpd *d)
{
	int64_t now = pcpd_now_ms();

	step(d, &d->pcp_ann, now);
	step(d, &d->nat_ann, now);
	arm(d);
}

void pcpd_send_map_update(struct pcpd *d, const struct pcpd_mapping *m,
			  uint32_t lifetime)
{
	struct pcp_response r = {
		.opcode = PCP_OP_MAP,
		.result = PCP_SUCCESS,
		.lifetime = lifetime,
		.epoch = d->connected ? d->srv.ops->epoch(d->srv.be, m->subscriber) : 0,
	};
	uint8_t buf[PCP_MAX_LEN];
	char a[INET_ADDRSTRLEN];
	int n;

	memcpy(r.u.map.nonce, m->nonce, PCP_NONCE_LEN);
	r.u.map.protocol = m->proto;
	r.u.map.int_port = m->int_port;
	r.u.map.ext_port = lifetime ? m->ext_port : 0;
	pcp_addr_from_v4(r.u.map.ext_addr, lifetime ? m->ext_addr : 0);
	/* A mapping made for another host says so (RFC 6887 13.1). */
	if (m->subscriber && m->subscriber != m->int_addr) {
		r.opt.third_party = true;
		pcp_addr_from_v4(r.opt.third_party_addr, m->int_addr);
	}
	n = pcp_build_response(buf, sizeof(buf), &r);
	if (n <= 0)
		return;
	inet_ntop(AF_INET, &m->int_addr, a, sizeof(a));
	log_info("unsolicited MAP to %s:%d (internal port %u, lifetime %u)", a,
		 PCP_CLIENT_PORT, m->int_port, lifetime);
	/*
	 * To the client's address; a THIRD_PARTY mapping's client is the
	 * subscriber that asked, best effort: the internal host itself.
	 */
	pcpd_send_unsolicited(d, m->int_addr, buf, n);
}
