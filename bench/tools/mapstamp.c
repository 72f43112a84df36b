// SPDX-License-Identifier: GPL-2.0
/*
 * mapstamp: when each mapping appeared in this namespace's pcpnat table,
 * from the module's MAP_NEW events (groups "events" and "implicit").
 * Run in both routers of a replicated pair, it gives each mapping's
 * creation on the active and its installation on the standby on one
 * clock (both namespaces of one VM share CLOCK_MONOTONIC).
 *
 *   mapstamp [-n COUNT] [-i IDLE_S] [-w WAIT_S]
 *
 * Reads until COUNT MAP_NEW events (default: no limit), or IDLE_S seconds
 * (default 10) without one after the first, or WAIT_S seconds (default
 * 600) without a first; then prints one line per event:
 *   NS PROTO INT_ADDR INT_PORT
 * (NS: CLOCK_MONOTONIC nanoseconds when read; the address in dotted
 * form), and on stderr "events=N overruns=M". The receive buffer is
 * forced to 256 MiB (CAP_NET_ADMIN): an overrun loses stamps, and is
 * counted. Stamps are taken when the event is read, not when the module
 * made it: the reader does nothing else, and both routers' stamps carry
 * the same delay.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/pcpnat.h>

#define RCVBUF		(256 << 20)

struct stamp {
	uint64_t ns;
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int join(struct nl_sock *sk, const char *grp)
{
	int g = genl_ctrl_resolve_grp(sk, PCPNAT_GENL_NAME, grp);

	return g < 0 ? g : nl_socket_add_membership(sk, g);
}

/* One MAP_NEW's key into *st: 0, or -1 for another message. */
static int parse(struct nlmsghdr *nlh, int fam, struct stamp *st)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1], *m[PCPNAT_MAP_A_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlh);

	if (nlh->nlmsg_type != fam || g->cmd != PCPNAT_CMD_EVENT_MAP_NEW)
		return -1;
	if (genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) || !tb[PCPNAT_A_MAP] ||
	    nla_parse_nested(m, PCPNAT_MAP_A_MAX, tb[PCPNAT_A_MAP], NULL) ||
	    !m[PCPNAT_MAP_A_PROTO] || !m[PCPNAT_MAP_A_INT_ADDR] ||
	    !m[PCPNAT_MAP_A_INT_PORT])
		return -1;
	st->proto = nla_get_u8(m[PCPNAT_MAP_A_PROTO]);
	st->addr = nla_get_u32(m[PCPNAT_MAP_A_INT_ADDR]);
	st->port = ntohs(nla_get_u16(m[PCPNAT_MAP_A_INT_PORT]));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count = 0, n = 0, cap = 1 << 16, overruns = 0, i;
	int idle_s = 10, wait_s = 600, opt, fam, fd, rc, rcvbuf = RCVBUF;
	static uint8_t buf[1 << 16];
	struct stamp *st;
	struct nl_sock *sk;
	struct pollfd pfd;
	char a[INET_ADDRSTRLEN];

	while ((opt = getopt(argc, argv, "n:i:w:")) != -1) {
		switch (opt) {
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'i': idle_s = atoi(optarg); break;
		case 'w': wait_s = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: mapstamp [-n COUNT] [-i IDLE_S] [-w WAIT_S]\n");
			return 2;
		}
	}
	st = malloc(cap * sizeof(*st));
	sk = nl_socket_alloc();
	if (!st || !sk || genl_connect(sk))
		return 1;
	fam = genl_ctrl_resolve(sk, PCPNAT_GENL_NAME);
	if (fam < 0 || join(sk, PCPNAT_MCGRP_EVENTS) ||
	    join(sk, PCPNAT_MCGRP_IMPLICIT)) {
		fprintf(stderr, "mapstamp: no pcpnat family or groups\n");
		return 1;
	}
	fd = nl_socket_get_fd(sk);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		perror("mapstamp: SO_RCVBUFFORCE");
	/* Ready: whoever started us may begin the burst. */
	fprintf(stderr, "mapstamp: listening\n");
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!count || n < count) {
		rc = poll(&pfd, 1, (n ? idle_s : wait_s) * 1000);
		if (rc <= 0)
			break;
		rc = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (rc < 0) {
			if (errno == ENOBUFS)
				overruns++;
			continue;
		}
		uint64_t t = now_ns();
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		int len = rc;

		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			if (n == cap) {
				struct stamp *ns = realloc(st, 2 * cap * sizeof(*st));

				if (!ns)
					return 1;
				st = ns;
				cap *= 2;
			}
			st[n].ns = t;
			if (!parse(nlh, fam, &st[n]))
				n++;
		}
	}
	for (i = 0; i < n; i++) {
		inet_ntop(AF_INET, &st[i].addr, a, sizeof(a));
		printf("%llu %u %s %u\n", (unsigned long long)st[i].ns,
		       st[i].proto, a, st[i].port);
	}
	fprintf(stderr, "events=%lu overruns=%lu\n", n, overruns);
	nl_socket_free(sk);
	return 0;
}
