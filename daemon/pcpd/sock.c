// SPDX-License-Identifier: GPL-2.0
/*
 * The PCP/NAT-PMP sockets: one UDP socket per configured internal
 * address, port 5351, bound to that address and to the interface that
 * holds it (SO_BINDTODEVICE). Linux delivers a datagram for a local
 * address whatever interface it came in on, so without the device a
 * host on the external side that routes to the internal address would
 * reach pcpd, the THIRD_PARTY path with a spoofed NOC address included
 * (RFC 6887 13.1 trusts the internal side only). Each reply leaves from
 * the address the client talked to (checked again with IP_PKTINFO), and
 * an unsolicited message from the socket of the client's subnet, or for
 * a multicast, from the socket of each interface it goes out on: a
 * socket bound to a device sends through that device whatever
 * IP_MULTICAST_IF says, so one socket cannot speak for another.
 *
 * On a pair of routers the PCP server's address is the inside gateway,
 * which keepalived (VRRP) puts on the active only, and only after pcpd
 * started (README, "Two routers"): an address no interface holds is bound
 * with IP_FREEBIND on the interface whose subnet contains it, and serves
 * once it arrives there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pcp/pcp.h"
#include "pcp/pcp_types.h"
#include "pcpd/daemon.h"
#include "pcpd/log.h"
#include "pcpd/sync_daemon.h"

/*
 * The interface holding addr, and its prefix: 0. Else the interface with
 * the longest prefix containing addr, where it may arrive later (a VRRP
 * address): 1. Else -EADDRNOTAVAIL.
 */
static int addr_iface(uint32_t addr, char *name, uint32_t *mask)
{
	struct ifaddrs *ifa, *i;
	uint32_t best = 0;
	int rc = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in *a = (void *)i->ifa_addr;
		const struct sockaddr_in *m = (void *)i->ifa_netmask;
		uint32_t pfx = m ? m->sin_addr.s_addr : 0xffffffff;

		if (!a || a->sin_family != AF_INET)
			continue;
		if (a->sin_addr.s_addr == addr) {
			snprintf(name, IF_NAMESIZE, "%s", i->ifa_name);
			*mask = pfx;
			rc = 0;
			break;
		}
		/* A subnet's own address holds it, not its prefix. */
		if (pfx == 0xffffffff || ((a->sin_addr.s_addr ^ addr) & pfx) ||
		    (rc == 1 && ntohl(pfx) <= ntohl(best)))
			continue;
		snprintf(name, IF_NAMESIZE, "%s", i->ifa_name);
		*mask = best = pfx;
		rc = 1;
	}
	freeifaddrs(ifa);
	return rc;
}

/*
 * Requests queue in the socket while pcpd is busy (a compaction of the
 * state file dumps the table): the default buffer holds some 300
 * datagrams, 75 ms of a 4,000/s flood, after which a client's request is
 * lost with the flood's. PCPD_SOCK_RCVBUF holds seconds of it; pcpd has
 * CAP_NET_ADMIN, which lets it pass net.core.rmem_max (SO_RCVBUFFORCE),
 * and asks within that limit otherwise.
 */
static void room_for_bursts(int fd)
{
	int size = PCPD_SOCK_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static int open_one(uint32_t addr, const char *ifname, int freebind)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(PCP_SERVER_PORT),
		.sin_addr.s_addr = addr,
	};
	/* By index: an address not there yet names no interface. */
	struct ip_mreqn mif = {
		.imr_address.s_addr = addr,
		.imr_ifindex = (int)if_nametoindex(ifname),
	};
	int fd, one = 1, ttl = 1;

	/*
	 * No SO_REUSEADDR: UDP has no TIME_WAIT to wait out, and with it a
	 * second pcpd would bind the same port and share the requests.
	 */

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1) ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &freebind,
		       sizeof(freebind)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof(mif)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		int err = -errno;

		close(fd);
		return err;
	}
	room_for_bursts(fd);
	return fd;
}

/* The socket bound to interface name, or -1. */
static int announce_socket(const struct pcpd *d, const char *name)
{
	unsigned int ifi = if_nametoindex(name);
	int s;

	for (s = 0; ifi && s < d->nsock; s++)
		if (d->sock_ifindex[s] == ifi)
			return s;
	return -1;
}

/* Socket s is the first on its interface (the one that multicasts). */
static bool first_on_iface(const struct pcpd *d, int s)
{
	int t;

	for (t = 0; t < s; t++)
		if (d->sock_ifindex[t] == d->sock_ifindex[s])
			return false;
	return true;
}

int pcpd_sockets_open(struct pcpd *d)
{
	char a[INET_ADDRSTRLEN], ifname[IF_NAMESIZE];
	uint32_t mask = 0;
	unsigned int i;
	int fd, later;

	for (i = 0; i < d->conf.nlisten; i++) {
		inet_ntop(AF_INET, &d->conf.listen[i], a, sizeof(a));
		later = addr_iface(d->conf.listen[i], ifname, &mask);
		if (later < 0) {
			errno = -later;
			log_warn("listen address %s: no interface", a);
			return later;
		}
		fd = open_one(d->conf.listen[i], ifname, later);
		if (fd < 0) {
			errno = -fd;
			log_warn("cannot listen on %s:%d", a, PCP_SERVER_PORT);
			return fd;
		}
		d->sock[d->nsock] = fd;
		d->sock_ifindex[d->nsock] = if_nametoindex(ifname);
		d->sock_mask[d->nsock] = mask;
		d->sock_addr[d->nsock++] = d->conf.listen[i];
		log_info("listening on %s:%d (%s)%s", a, PCP_SERVER_PORT,
			 ifname, later ? ", once the address is there" : "");
	}
	for (i = 0; i < d->conf.nannounce; i++)
		if (announce_socket(d, d->conf.announce_if[i]) < 0)
			log_warnx("announce interface %s has no listen "
				  "address: nothing is sent there",
				  d->conf.announce_if[i]);
	return 0;
}

void pcpd_sockets_close(struct pcpd *d)
{
	int i;

	for (i = 0; i < d->nsock; i++)
		close(d->sock[i]);
	d->nsock = 0;
}

static void log_outcome(struct pcpd *d, const struct pcpd_outcome *o,
			const char *src, size_t len, int n, int64_t now)
{
	if (o->dropped) {
		log_debug("%s: %zu octets dropped (version %u opcode %u)", src,
			  len, o->version, o->opcode);
		return;
	}
	if (o->version == 0)
		log_debug("%s: NAT-PMP opcode %u -> result %u (%d octets)",
			  src, o->opcode, o->result, n);
	else
		log_debug("%s: PCP v%u opcode %u -> %s (%d octets)%s", src,
			  o->version, o->opcode, pcp_result_name(o->result), n,
			  o->backend_err ? " backend error" : "");
	if (o->result && o->version == 2 &&
	    log_limit_pass(&d->refusal_log, now))
		log_info("%s: opcode %u refused: %s", src, o->opcode,
			 pcp_result_name(o->result));
}

static void handle_one(struct pcpd *d, int fd, uint8_t *buf, size_t len,
		       const struct sockaddr_in *from, uint32_t to)
{
	/* One more than the largest answer, so nothing is cut silently. */
	uint8_t resp[PCP_MAX_LEN + 4];
	struct pcpd_outcome o;
	char src[INET_ADDRSTRLEN + 8];
	int64_t now = pcpd_now_ms();
	enum pcpd_rl_verdict rl;
	int n;

	inet_ntop(AF_INET, &from->sin_addr, src, INET_ADDRSTRLEN);
	snprintf(src + strlen(src), 8, ":%u", ntohs(from->sin_port));
	d->n_requests++;
	if (!d->connected) {
		/* No table to answer from: stay silent, clients retry. */
		d->n_dropped++;
		log_debug("%s: dropped, pcpnat module not reachable", src);
		return;
	}
	if (pcpd_sync_standby(d)) {
		d->n_dropped++;
		log_debug("%s: dropped, standby (sync role not MASTER)", src);
		return;
	}
	rl = pcpd_rl_check(&d->rl, from->sin_addr.s_addr, now);
	if (rl != PCPD_RL_ALLOW) {
		d->n_ratelimited++;
		if (log_limit_pass(&d->flood_log, now))
			log_info("%s: over the rate limit%s, dropped", src,
				 rl == PCPD_RL_TOTAL ? " of all clients" : "");
		return;
	}
	if (len >= 1 && buf[0] == 0 && !d->conf.natpmp) {
		d->n_dropped++;
		log_debug("%s: NAT-PMP disabled, dropped", src);
		return;
	}
	n = pcpd_handle(&d->srv, buf, len, from->sin_addr.s_addr, resp,
			sizeof(resp), &o);
	log_outcome(d, &o, src, len, n, now);
	if (n <= 0) {
		d->n_dropped++;
		return;
	}
	if (sendto(fd, resp, n, 0, (const struct sockaddr *)from,
		   sizeof(*from)) < 0)
		log_warn("%s: reply not sent", src);
	(void)to;
	if (o.version == 0)
		pcpd_natpmp_hosts_add(&d->natpmp_hosts, from->sin_addr.s_addr);
	/* Anything but a pure query may have changed the table. */
	if (o.result == 0 && o.version == 2 && o.opcode != PCP_OP_ANNOUNCE &&
	    o.opcode != PCP_OP_GET)
		pcpd_store_dirty(d);
	if (o.version == 0 && o.opcode != 0)
		pcpd_store_dirty(d);
}

void pcpd_sock_readable(struct pcpd *d, int idx)
{
	int fd = d->sock[idx];
	/* Larger than any valid message: an oversize one is seen as such. */
	uint8_t buf[PCP_MAX_LEN + 4];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cb;
	struct sockaddr_in from;
	struct iovec iov;
	struct msghdr mh;
	struct cmsghdr *c;
	ssize_t len;
	uint32_t to;
	int burst;

	/* Bounded per wakeup so a flood cannot starve the other sources. */
	for (burst = 0; burst < 64; burst++) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof(cb.b);
		len = recvmsg(fd, &mh, 0);
		if (len < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvmsg");
			return;
		}
		if (mh.msg_namelen < sizeof(from) || from.sin_family != AF_INET)
			continue;
		to = 0;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_PKTINFO &&
			    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				to = pi.ipi_addr.s_addr;
			}
		/* Truncated (MSG_TRUNC) or for another address: not ours. */
		if ((mh.msg_flags & MSG_TRUNC) || to != d->sock_addr[idx]) {
			d->n_dropped++;
			continue;
		}
		handle_one(d, fd, buf, len, &from, to);
	}
}

static void send_via(int fd, uint32_t addr, const uint8_t *buf, size_t len)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(PCP_CLIENT_PORT),
		.sin_addr.s_addr = addr,
	};

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		log_debug("unsolicited message not sent: %s", strerror(errno));
}

void pcpd_send_unsolicited(struct pcpd *d, uint32_t addr, const uint8_t *buf,
			   size_t len)
{
	unsigned int i;
	int s;

	if (!d->nsock || pcpd_sync_standby(d))
		return;
	if (!IN_MULTICAST(ntohl(addr))) {
		/* Unicast: from the socket on the client's subnet. */
		for (s = 0; s < d->nsock; s++)
			if (((addr ^ d->sock_addr[s]) & d->sock_mask[s]) == 0)
				break;
		send_via(d->sock[s < d->nsock ? s : 0], addr, buf, len);
		return;
	}
	if (!d->conf.nannounce) {
		/* Once on the interface of each listen address. */
		for (s = 0; s < d->nsock; s++)
			if (first_on_iface(d, s))
				send_via(d->sock[s], addr, buf, len);
		return;
	}
	for (i = 0; i < d->conf.nannounce; i++) {
		s = announce_socket(d, d->conf.announce_if[i]);
		if (s >= 0)
			send_via(d->sock[s], addr, buf, len);
	}
}
