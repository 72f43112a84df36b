// SPDX-License-Identifier: GPL-2.0
/*
 * icmp_probe: the raw end of nat_leaks.sh and nat_icmp.sh. Those tests must
 * see exactly what an ICMP error quotes and send packets no socket API
 * makes (other IP protocols, hand-made ICMP errors), so this tool does, one
 * line per event on stdout:
 *
 *   listen [-n N]              every ICMP message that is not an echo:
 *                              "icmp T/C from A" and, for an error,
 *                              " quote P S:SP > D:DP" (P the quoted
 *                              protocol number; ports 0 when it has none)
 *   raw ADDR PROTO             one IP packet of protocol PROTO (a number)
 *                              with 32 bytes of payload
 *   timestamp ADDR             an ICMP timestamp request (type 13)
 *   udp ADDR:PORT [-T TTL] [-s N] [-D]
 *                              one UDP datagram, TTL and size as given,
 *                              -D with DF set; does not wait
 *   error ADDR TYPE CODE PROTO S:SP D:DP [-B SRC]
 *                              an ICMP error to ADDR quoting a packet of
 *                              PROTO from S:SP to D:DP (UDP or TCP; for
 *                              ICMP, an echo with identifier SP), sent from
 *                              address SRC when given
 *
 * -t SECONDS bounds the wait of listen (default 8). Exit 0 when something
 * was sent or heard, 1 when listen heard nothing, 3 on a usage or system
 * error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_util.h"

static int timeout_s = 8;

void usage(void)
{
	fprintf(stderr, "usage: icmp_probe listen|raw|timestamp|udp|error ... "
		"[-t S] [-n N] [-T TTL] [-s N] [-D] [-B SRC]\n");
	exit(3);
}

static void send_to(int fd, const void *buf, size_t n, struct sockaddr_in dst)
{
	dst.sin_port = 0;
	if (sendto(fd, buf, n, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("sendto");
}

static int is_error(int type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

static void print_quote(const unsigned char *q, size_t n)
{
	const struct iphdr *ih = (const void *)q;
	unsigned int sp = 0, dp = 0;
	char s[16], d[16];

	if (n < sizeof(*ih) || n < ih->ihl * 4u + 4)
		return;
	inet_ntop(AF_INET, &ih->saddr, s, sizeof(s));
	inet_ntop(AF_INET, &ih->daddr, d, sizeof(d));
	q += ih->ihl * 4;
	if (ih->protocol == IPPROTO_UDP || ih->protocol == IPPROTO_TCP) {
		sp = q[0] << 8 | q[1];
		dp = q[2] << 8 | q[3];
	} else if (ih->protocol == IPPROTO_ICMP && n >= ih->ihl * 4u + 8) {
		sp = dp = q[4] << 8 | q[5];
	}
	printf(" quote %u %s:%u > %s:%u", ih->protocol, s, sp, d, dp);
}

static int listen_icmp(int n)
{
	int fd = raw_socket(IPPROTO_ICMP, NULL), got = 0;
	unsigned char buf[1500];

	printf("listening\n");
	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const struct iphdr *ip = (const void *)buf;
		const struct icmphdr *ic;
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t r;

		if (poll(&pfd, 1, timeout_s * 1000) <= 0)
			break;
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (r < (ssize_t)sizeof(*ip) || r < ip->ihl * 4 + 8)
			continue;
		ic = (const void *)(buf + ip->ihl * 4);
		if (ic->type == ICMP_ECHO || ic->type == ICMP_ECHOREPLY)
			continue;
		printf("icmp %u/%u from %s", ic->type, ic->code,
		       inet_ntoa(from.sin_addr));
		if (is_error(ic->type))
			print_quote((const unsigned char *)(ic + 1),
				    r - ip->ihl * 4 - sizeof(*ic));
		printf("\n");
		got++;
	}
	return got ? 0 : 1;
}

static int send_raw(struct sockaddr_in dst, int proto)
{
	int fd = raw_socket(proto, NULL);
	unsigned char pkt[32];

	memset(pkt, 0x5a, sizeof(pkt));
	send_to(fd, pkt, sizeof(pkt), dst);
	return 0;
}

static int send_timestamp(struct sockaddr_in dst)
{
	int fd = raw_socket(IPPROTO_ICMP, NULL);
	unsigned char pkt[20] = { ICMP_TIMESTAMP };

	pkt[4] = 0x12;		/* identifier */
	pkt[5] = 0x34;
	((unsigned short *)pkt)[1] = inet_csum(pkt, sizeof(pkt));
	send_to(fd, pkt, sizeof(pkt), dst);
	return 0;
}

static int send_udp(struct sockaddr_in dst, int ttl, size_t size, int df)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int pmtu = df ? IP_PMTUDISC_PROBE : IP_PMTUDISC_DONT;
	static char buf[65536];

	if (fd < 0)
		die("socket");
	if (size > sizeof(buf))
		usage();
	if (ttl && setsockopt(fd, SOL_IP, IP_TTL, &ttl, sizeof(ttl)))
		die("IP_TTL");
	if (setsockopt(fd, SOL_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)))
		die("IP_MTU_DISCOVER");
	memset(buf, 'p', size);
	if (sendto(fd, buf, size, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("sendto");
	return 0;
}

/*
 * The quote is an IPv4 header and the first 8 bytes of the transport
 * header, as RFC 792 asks; checksums are right, so nothing but the NAT's
 * own rules decides what happens to it.
 */
static int send_error(struct sockaddr_in dst, int type, int code, int proto,
		      struct sockaddr_in qs, struct sockaddr_in qd, const char *src)
{
	int fd = raw_socket(IPPROTO_ICMP, src);
	unsigned char pkt[8 + 20 + 8] = { type, code };
	struct iphdr *ih = (void *)(pkt + 8);
	unsigned char *l4 = pkt + 28;

	ih->version = 4;
	ih->ihl = 5;
	ih->tot_len = htons(20 + 64);
	ih->ttl = 64;
	ih->protocol = proto;
	ih->saddr = qs.sin_addr.s_addr;
	ih->daddr = qd.sin_addr.s_addr;
	ih->check = inet_csum(ih, 20);
	if (proto == IPPROTO_ICMP) {
		l4[0] = ICMP_ECHO;
		memcpy(l4 + 4, &qs.sin_port, 2);
	} else {
		memcpy(l4, &qs.sin_port, 2);
		memcpy(l4 + 2, &qd.sin_port, 2);
	}
	((unsigned short *)pkt)[1] = inet_csum(pkt, sizeof(pkt));
	send_to(fd, pkt, sizeof(pkt), dst);
	return 0;
}

int main(int argc, char **argv)
{
	int opt, n = 1, ttl = 0, df = 0;
	const char *mode, *src = NULL;
	size_t size = 32;

	mode = probe_mode(argc, argv);
	while ((opt = getopt(argc, argv, "t:n:T:s:DB:")) != -1) {
		switch (opt) {
		case 't': timeout_s = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'T': ttl = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		case 'D': df = 1; break;
		case 'B': src = optarg; break;
		default: usage();
		}
	}
	if (!strcmp(mode, "listen"))
		return listen_icmp(n);
	if (optind >= argc)
		usage();
	if (!strcmp(mode, "raw") && optind + 1 < argc)
		return send_raw(parse_ep(argv[optind], 0), atoi(argv[optind + 1]));
	if (!strcmp(mode, "timestamp"))
		return send_timestamp(parse_ep(argv[optind], 0));
	if (!strcmp(mode, "udp"))
		return send_udp(parse_ep(argv[optind], 0), ttl, size, df);
	if (!strcmp(mode, "error") && optind + 5 < argc)
		return send_error(parse_ep(argv[optind], 0), atoi(argv[optind + 1]),
				  atoi(argv[optind + 2]), atoi(argv[optind + 3]),
				  parse_ep(argv[optind + 4], 0),
				  parse_ep(argv[optind + 5], 0), src);
	usage();
	return 3;
}
