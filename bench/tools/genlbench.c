// SPDX-License-Identifier: GPL-2.0
/*
 * genlbench: raw MAP_ADD insert rate into pcpnat.ko over generic netlink.
 *
 *   genlbench [-b BATCH] [-n COUNT] [-a FIRST_INT_ADDR] [-A NADDR]
 *             [-p FIRST_INT_PORT] [-P PORTS_PER_ADDR] [-l LIFETIME]
 *             [-x EXT_ADDR]
 *
 * Adds COUNT explicit UDP mappings for internal endpoints walked port-major
 * (PORTS_PER_ADDR ports from FIRST.., default all up to 65535, then the
 * next address) and prints one line:
 *   inserts=N ok=N failed=N first_errno=E seconds=S per_sec=R
 *
 * -b 1 is the unbatched case: one request, wait for its acknowledgement,
 * the next (what pcpd does). -b B > 1 packs B requests into one sendmsg()
 * and then collects the B acknowledgements: what a bulk restore could do.
 * The timer is CLOCK_MONOTONIC, i.e. virtual time under qemu -icount.
 *
 * It speaks netlink directly (libnl-3 only for the socket and family
 * lookup) so that what is timed is the module plus the netlink round trip,
 * not a particular client library.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/pcpnat.h>

struct state {
	unsigned int acked, failed;
	int first_err;
};

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct state *st = arg;

	(void)msg;
	st->acked++;
	return NL_OK;
}

static int on_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct state *st = arg;

	(void)nla;
	st->acked++;
	st->failed++;
	if (!st->first_err)
		st->first_err = -e->error;
	return NL_OK;
}

/* Many requests are in flight, so sequence numbers are not checked. */
static int seq_any(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Replies carry the installed mapping: not needed here. */
static int on_valid(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static struct nl_msg *build_add(int family, uint32_t int_addr, uint16_t port,
				uint32_t ext_addr, uint32_t lifetime, uint32_t seq)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;
	uint8_t nonce[PCPNAT_NONCE_LEN];

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, seq, family, 0,
			 NLM_F_REQUEST | NLM_F_ACK, PCPNAT_CMD_MAP_ADD,
			 PCPNAT_GENL_VERSION))
		goto fail;
	/* A nonce per mapping, as distinct PCP clients would send. */
	memset(nonce, 0, sizeof(nonce));
	memcpy(nonce, &int_addr, 4);
	memcpy(nonce + 4, &port, 2);
	nest = nla_nest_start(msg, PCPNAT_A_MAP);
	if (!nest ||
	    nla_put_u8(msg, PCPNAT_MAP_A_PROTO, IPPROTO_UDP) ||
	    nla_put_u32(msg, PCPNAT_MAP_A_INT_ADDR, htonl(int_addr)) ||
	    nla_put_u16(msg, PCPNAT_MAP_A_INT_PORT, htons(port)) ||
	    nla_put_u32(msg, PCPNAT_MAP_A_LIFETIME, lifetime) ||
	    nla_put(msg, PCPNAT_MAP_A_NONCE, sizeof(nonce), nonce))
		goto fail;
	if (ext_addr && nla_put_u32(msg, PCPNAT_MAP_A_EXT_ADDR, htonl(ext_addr)))
		goto fail;
	nla_nest_end(msg, nest);
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "genlbench: bad address %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

int main(int argc, char **argv)
{
	unsigned int batch = 1, count = 1000, naddr = 256, i, j, n;
	uint32_t first = parse_addr("10.1.0.1"), ext = 0, lifetime = 3600;
	unsigned int first_port = 1024, nports, per_addr = 0;
	struct state st = { 0 };
	struct nl_sock *sk;
	struct nl_cb *cb;
	size_t cap, len;
	char *buf;
	double t0, t1;
	int family, opt;

	while ((opt = getopt(argc, argv, "b:n:a:A:p:P:l:x:")) != -1) {
		switch (opt) {
		case 'b': batch = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'a': first = parse_addr(optarg); break;
		case 'A': naddr = strtoul(optarg, NULL, 0); break;
		case 'p': first_port = strtoul(optarg, NULL, 0); break;
		case 'P': per_addr = strtoul(optarg, NULL, 0); break;
		case 'l': lifetime = strtoul(optarg, NULL, 0); break;
		case 'x': ext = parse_addr(optarg); break;
		default:
			fprintf(stderr, "usage: genlbench [-b batch] [-n count] [-a addr] [-A naddr] [-p port] [-P ports/addr] [-l lifetime] [-x ext]\n");
			return 2;
		}
	}
	if (!batch || !naddr || first_port < 1 || first_port > 65535) {
		fprintf(stderr, "genlbench: bad arguments\n");
		return 2;
	}
	nports = 65536 - first_port;
	if (per_addr && per_addr < nports)
		nports = per_addr;
	if ((unsigned long long)naddr * nports < count) {
		fprintf(stderr, "genlbench: %u addresses x %u ports < %u\n",
			naddr, nports, count);
		return 2;
	}

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "genlbench: cannot open a generic netlink socket\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, PCPNAT_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "genlbench: family %s not found (module loaded?)\n",
			PCPNAT_GENL_NAME);
		return 1;
	}
	/* Many replies in flight: room for all of them. */
	nl_socket_set_buffer_size(sk, 8 << 20, 8 << 20);
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_any, NULL);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &st);
	nl_cb_err(cb, NL_CB_CUSTOM, on_err, &st);

	cap = (size_t)batch * 256;
	buf = malloc(cap);
	if (!buf || !cb)
		return 1;

	t0 = now();
	for (i = 0; i < count; i += n) {
		unsigned int want;

		n = count - i < batch ? count - i : batch;
		len = 0;
		for (j = 0; j < n; j++) {
			unsigned int k = i + j;
			struct nl_msg *msg;
			struct nlmsghdr *nlh;

			msg = build_add(family, first + k / nports,
					first_port + k % nports, ext, lifetime, k + 1);
			if (!msg)
				return 1;
			nlh = nlmsg_hdr(msg);
			nlh->nlmsg_pid = 0;
			if (len + NLMSG_ALIGN(nlh->nlmsg_len) > cap)
				return 1;
			memcpy(buf + len, nlh, nlh->nlmsg_len);
			len += NLMSG_ALIGN(nlh->nlmsg_len);
			nlmsg_free(msg);
		}
		/* One sendmsg() for the whole batch; the kernel walks it. */
		if (nl_sendto(sk, buf, len) < 0) {
			fprintf(stderr, "genlbench: send failed\n");
			return 1;
		}
		want = st.acked + n;
		while (st.acked < want) {
			int err = nl_recvmsgs(sk, cb);

			if (err < 0) {
				fprintf(stderr, "genlbench: receive failed: %s\n",
					nl_geterror(err));
				return 1;
			}
		}
	}
	t1 = now();

	printf("inserts=%u ok=%u failed=%u first_errno=%d seconds=%.6f per_sec=%.0f\n",
	       count, count - st.failed, st.failed, st.first_err, t1 - t0,
	       (count - st.failed) / (t1 - t0));
	free(buf);
	nl_cb_put(cb);
	nl_socket_free(sk);
	return st.failed == count ? 1 : 0;
}
