// SPDX-License-Identifier: GPL-2.0
/*
 * subdump: the cost of one subscriber's MAP_GET dump (what pcpd's PCP GET
 * and a client's delete-all ask the module for) against the table's size.
 *
 *   subdump -s SUBSCRIBER [-n DUMPS] [-a]
 *
 * Dumps DUMPS times the mappings whose filter is (SUBSCRIBER, kind
 * EXPLICIT) and prints one line:
 *   dumps=N entries=E seconds=S us_per_dump=U
 * (entries: of the last dump). -a dumps with the subscriber alone, no
 * kind, which the module cannot serve from its per-subscriber index. The
 * clock is CLOCK_MONOTONIC.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/pcpnat.h>

static int on_entry(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(*(unsigned int *)arg)++;
	return NL_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned int dumps = 100, entries = 0, i;
	struct in_addr sub = { 0 };
	bool kind = true;
	struct nl_sock *sk;
	double t0, t;
	int fam, opt;

	while ((opt = getopt(argc, argv, "s:n:a")) != -1) {
		switch (opt) {
		case 's':
			if (inet_pton(AF_INET, optarg, &sub) != 1)
				return 2;
			break;
		case 'n': dumps = strtoul(optarg, NULL, 0); break;
		case 'a': kind = false; break;
		default:
			fprintf(stderr, "usage: subdump -s subscriber [-n dumps] [-a]\n");
			return 2;
		}
	}
	if (!sub.s_addr) {
		fprintf(stderr, "subdump: -s SUBSCRIBER is required\n");
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk))
		return 1;
	fam = genl_ctrl_resolve(sk, PCPNAT_GENL_NAME);
	if (fam < 0) {
		fprintf(stderr, "subdump: no pcpnat family\n");
		return 1;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_entry, &entries);
	t0 = now_s();
	for (i = 0; i < dumps; i++) {
		struct nl_msg *m = nlmsg_alloc();
		struct nlattr *n;

		genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, NLM_F_DUMP,
			    PCPNAT_CMD_MAP_GET, PCPNAT_GENL_VERSION);
		n = nla_nest_start(m, PCPNAT_A_MAP);
		nla_put_u32(m, PCPNAT_MAP_A_SUBSCRIBER, sub.s_addr);
		if (kind)
			nla_put_u8(m, PCPNAT_MAP_A_KIND, PCPNAT_KIND_EXPLICIT);
		nla_nest_end(m, n);
		entries = 0;
		if (nl_send_auto(sk, m) < 0 || nl_recvmsgs_default(sk) < 0) {
			fprintf(stderr, "subdump: dump failed\n");
			return 1;
		}
		nlmsg_free(m);
	}
	t = now_s() - t0;
	printf("dumps=%u entries=%u seconds=%.3f us_per_dump=%.1f\n", dumps,
	       entries, t, dumps ? t * 1e6 / dumps : 0);
	nl_socket_free(sk);
	return 0;
}
