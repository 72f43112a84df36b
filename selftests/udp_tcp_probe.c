// SPDX-License-Identifier: GPL-2.0
/*
 * udp_tcp_probe: the traffic end of nat_traffic.sh. The VM has no socat,
 * nc or ping, and the test must see addresses and ICMP errors exactly, so
 * this small tool sends, receives and says what it saw, one line per event,
 * on stdout:
 *
 *   udp-server PORT [-n N]     "from A:P" per datagram, echoed back
 *   udp-client ADDR:PORT [-b PORT] [-x] [-z]
 *                              "reply from A:P", or with an ICMP error
 *                              "icmp-error type T code C from A";
 *                              -x: send only, do not wait;
 *                              -z: send with a zero checksum (SO_NO_CHECK);
 *                              -s N: N bytes of payload (fragments if large),
 *                              the reply must be as long
 *   tcp-server PORT            "from A:P" for the connection, echoes
 *   tcp-client ADDR:PORT [-b PORT]
 *                              "reply from A:P" after an echoed exchange
 *   udp-flows ADDR:PORT -b PORT -n N
 *                              one datagram from each of the N source
 *                              ports PORT.., sent only: N new flows (the
 *                              replication tests' implicit mappings)
 *   ping ADDR [-i ID]          raw ICMP echo: "echo reply from A id N"
 *   ping-listen                "echo request from A id N" for the first one
 *
 * -t SECONDS bounds every wait (default 8). Exit 0 when the exchange
 * happened, 1 on timeout, 2 on an ICMP error, 3 on a usage or system error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "probe_util.h"

static int timeout_s = 8;

static int slow(void)
{
	const char *e = getenv("PCPNAT_SLOW");

	return e && atoi(e) > 1 ? atoi(e) : 1;
}

void usage(void)
{
	fprintf(stderr, "usage: udp_tcp_probe udp-server|udp-client|udp-flows|tcp-server|"
		"tcp-client|ping|ping-listen ... [-t S] [-b PORT] [-n N] [-i ID] [-x] [-z] [-s N]\n");
	exit(3);
}

static const char *ep_str(const struct sockaddr_in *sin)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%s:%u", inet_ntoa(sin->sin_addr),
		 ntohs(sin->sin_port));
	return buf;
}

/* Wait for POLLIN (or an error) on fd; 0 on timeout. */
static int wait_in(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_s * 1000);

	if (n < 0)
		die("poll");
	return n;
}

static int bound_socket(int type, int proto, unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, type, proto), one = 1;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (port && bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind");
	return fd;
}

static int udp_server(unsigned short port, int n)
{
	int fd = bound_socket(SOCK_DGRAM, 0, port), got = 0;
	static char buf[65536];
	struct sockaddr_in from;
	socklen_t len;
	ssize_t r;

	while (got < n && wait_in(fd)) {
		len = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (r < 0)
			die("recvfrom");
		printf("from %s\n", ep_str(&from));
		fflush(stdout);
		sendto(fd, buf, r, 0, (struct sockaddr *)&from, len);
		got++;
	}
	return got ? 0 : 1;
}

/* The ICMP error queued on a connected UDP socket with IP_RECVERR. */
static int report_error(int fd)
{
	char cbuf[512], data[64];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE) < 0)
		die("recvmsg errqueue");
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		struct sock_extended_err *ee = (void *)CMSG_DATA(c);
		struct sockaddr_in *off;

		if (c->cmsg_level != SOL_IP || c->cmsg_type != IP_RECVERR)
			continue;
		off = (struct sockaddr_in *)SO_EE_OFFENDER(ee);
		printf("icmp-error type %u code %u from %s\n", ee->ee_type,
		       ee->ee_code, inet_ntoa(off->sin_addr));
		return 2;
	}
	fprintf(stderr, "no IP_RECVERR message\n");
	return 3;
}

static int udp_client(struct sockaddr_in dst, unsigned short bport,
		      int send_only, int no_check, size_t size)
{
	int fd = bound_socket(SOCK_DGRAM, 0, bport), one = 1;
	static char buf[65536] = "pcpnat probe";
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t r;

	setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	if (no_check && setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)))
		die("SO_NO_CHECK");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
		die("connect");
	if (size > sizeof(buf))
		usage();
	if (!size)
		size = strlen(buf);
	if (send(fd, buf, size, 0) < 0)
		die("send");
	if (send_only)
		return 0;
	if (!wait_in(fd))
		return 1;
	r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	if (r < 0)
		return report_error(fd);
	if ((size_t)r != size) {
		fprintf(stderr, "reply of %zd bytes, sent %zu\n", r, size);
		return 1;
	}
	printf("reply from %s\n", ep_str(&from));
	return 0;
}

static int tcp_server(unsigned short port)
{
	int fd = bound_socket(SOCK_STREAM, 0, port), c;
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	char buf[1500];
	ssize_t r;

	if (listen(fd, 4))
		die("listen");
	if (!wait_in(fd))
		return 1;
	c = accept(fd, (struct sockaddr *)&from, &len);
	if (c < 0)
		die("accept");
	printf("from %s\n", ep_str(&from));
	fflush(stdout);
	if (!wait_in(c))
		return 1;
	r = read(c, buf, sizeof(buf));
	if (r > 0 && write(c, buf, r) != r)
		die("write");
	close(c);
	return r > 0 ? 0 : 1;
}

static int tcp_client(struct sockaddr_in dst, unsigned short bport)
{
	int fd = bound_socket(SOCK_STREAM, 0, bport);
	struct timeval tv = { .tv_sec = timeout_s };
	const char msg[] = "pcpnat probe";
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char buf[64];

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		perror("connect");
		return 1;
	}
	if (write(fd, msg, sizeof(msg)) != sizeof(msg))
		die("write");
	if (!wait_in(fd) || read(fd, buf, sizeof(buf)) != sizeof(msg))
		return 1;
	getpeername(fd, (struct sockaddr *)&peer, &len);
	printf("reply from %s\n", ep_str(&peer));
	return 0;
}

/* Raw sockets see every ICMP message; keep reading until ours comes. */
static const struct icmphdr *icmp_recv(int fd, unsigned char *buf, size_t size,
				       struct sockaddr_in *from, int type, int id)
{
	while (wait_in(fd)) {
		socklen_t len = sizeof(*from);
		ssize_t r = recvfrom(fd, buf, size, 0, (struct sockaddr *)from, &len);
		const struct iphdr *ip = (const void *)buf;
		const struct icmphdr *ic;

		if (r < (ssize_t)sizeof(*ip) || r < ip->ihl * 4 + 8)
			continue;
		ic = (const void *)(buf + ip->ihl * 4);
		if (ic->type == type && (id < 0 || ntohs(ic->un.echo.id) == id))
			return ic;
	}
	return NULL;
}

static int ping(struct sockaddr_in dst, int id)
{
	int fd = raw_socket(IPPROTO_ICMP, NULL);
	unsigned char pkt[64] = { 0 }, buf[1500];
	struct icmphdr *ic = (void *)pkt;
	const struct icmphdr *rep;
	struct sockaddr_in from;

	ic->type = ICMP_ECHO;
	ic->un.echo.id = htons(id);
	ic->un.echo.sequence = htons(1);
	memcpy(pkt + sizeof(*ic), "pcpnat probe", 12);
	ic->checksum = inet_csum(pkt, sizeof(pkt));
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die("sendto");
	rep = icmp_recv(fd, buf, sizeof(buf), &from, ICMP_ECHOREPLY, id);
	if (!rep)
		return 1;
	printf("echo reply from %s id %u\n", inet_ntoa(from.sin_addr),
	       ntohs(rep->un.echo.id));
	return 0;
}

static int ping_listen(void)
{
	int fd = raw_socket(IPPROTO_ICMP, NULL);
	const struct icmphdr *req;
	struct sockaddr_in from;
	unsigned char buf[1500];

	printf("listening\n");
	fflush(stdout);
	req = icmp_recv(fd, buf, sizeof(buf), &from, ICMP_ECHO, -1);
	if (!req)
		return 1;
	printf("echo request from %s id %u\n", inet_ntoa(from.sin_addr),
	       ntohs(req->un.echo.id));
	return 0;
}

/* N new flows, one datagram each, as fast as the sockets go. */
static int udp_flows(struct sockaddr_in dst, unsigned short bport, int n)
{
	static const char buf[] = "pcpnat flow";
	int i, fd;

	if (!bport || n < 1 || bport + n - 1 > 65535)
		usage();
	for (i = 0; i < n; i++) {
		fd = bound_socket(SOCK_DGRAM, 0, bport + i);
		if (sendto(fd, buf, sizeof(buf) - 1, 0,
			   (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die("sendto");
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int opt, n = 1, id = 4242, send_only = 0, no_check = 0;
	size_t size = 0;
	unsigned short bport = 0;
	const char *mode;

	mode = probe_mode(argc, argv);
	/* Options after the positional argument too: "+" is not wanted. */
	while ((opt = getopt(argc, argv, "t:b:n:i:xzs:")) != -1) {
		switch (opt) {
		/* PCPNAT_SLOW stretches every wait on a slow (debug) kernel. */
		case 't': timeout_s = atoi(optarg) * slow(); break;
		case 'b': bport = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'i': id = atoi(optarg); break;
		case 'x': send_only = 1; break;
		case 'z': no_check = 1; break;
		case 's': size = atoi(optarg); break;
		default: usage();
		}
	}
	if (!strcmp(mode, "ping-listen"))
		return ping_listen();
	if (optind >= argc)
		usage();
	if (!strcmp(mode, "udp-server"))
		return udp_server(atoi(argv[optind]), n);
	if (!strcmp(mode, "tcp-server"))
		return tcp_server(atoi(argv[optind]));
	if (!strcmp(mode, "udp-client"))
		return udp_client(parse_ep(argv[optind], 1), bport, send_only,
				  no_check, size);
	if (!strcmp(mode, "udp-flows"))
		return udp_flows(parse_ep(argv[optind], 1), bport, n);
	if (!strcmp(mode, "tcp-client"))
		return tcp_client(parse_ep(argv[optind], 1), bport);
	if (!strcmp(mode, "ping"))
		return ping(parse_ep(argv[optind], 0), id);
	usage();
	return 3;
}
