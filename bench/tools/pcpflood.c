// SPDX-License-Identifier: GPL-2.0
/*
 * pcpflood: valid PCP MAP requests from many source addresses at a fixed
 * total rate, open loop (RFC 6887 §11.1 requests, pcpwire.h).
 *
 *   pcpflood -s SERVER -a FIRST_SRC -N NSRC -r RATE -d SECONDS
 *            [-p FIRST_PORT] [-l LIFETIME]
 *
 * Request k leaves at k / RATE seconds from source FIRST_SRC + (k mod
 * NSRC), for internal port FIRST_PORT + k / NSRC: every request is a new
 * mapping, and every source sends RATE / NSRC per second. The sources must
 * be addresses of this host (one socket bound to each). Answers are read
 * and counted, never waited for. Prints one line:
 *   sent=N answered=N success=N seconds=S sent_per_sec=R
 * (the clock is CLOCK_MONOTONIC, virtual time under qemu -icount).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pcpwire.h"

#define NSRC_MAX	4096

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A socket bound to src and connected to the server, non-blocking. */
static int open_source(struct in_addr src, const struct sockaddr_in *srv)
{
	struct sockaddr_in me = { .sin_family = AF_INET, .sin_addr = src };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    connect(fd, (const struct sockaddr *)srv, sizeof(*srv))) {
		fprintf(stderr, "pcpflood: source %s: ", inet_ntoa(src));
		perror(NULL);
		exit(1);
	}
	return fd;
}

/* Reads every answer waiting; counts them and their successes. */
static void drain(struct pollfd *pfd, unsigned int n, unsigned int *answered,
		  unsigned int *success)
{
	uint8_t buf[PCPW_BUF];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		for (;;) {
			ssize_t len = recv(pfd[i].fd, buf, sizeof(buf), 0);
			uint16_t key;
			int rc;

			if (len < 0)
				break;
			if (pcpw_reply(PCPW_MAP, buf, (size_t)len, &key, &rc))
				continue;
			(*answered)++;
			*success += rc == 0;
		}
	}
}

int main(int argc, char **argv)
{
	unsigned int nsrc = 0, rate = 0, seconds = 0, first_port = 1024, i;
	unsigned int answered = 0, success = 0;
	uint64_t sent = 0, total, t0, t1, end;
	uint32_t lifetime = 3600, first = 0;
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(PCP_PORT) };
	struct pollfd *pfd;
	struct in_addr *src;
	uint8_t buf[PCPW_BUF];
	int opt;

	while ((opt = getopt(argc, argv, "s:a:N:r:d:p:l:")) != -1) {
		struct in_addr a;

		switch (opt) {
		case 's': inet_pton(AF_INET, optarg, &srv.sin_addr); break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &a) == 1)
				first = ntohl(a.s_addr);
			break;
		case 'N': nsrc = strtoul(optarg, NULL, 0); break;
		case 'r': rate = strtoul(optarg, NULL, 0); break;
		case 'd': seconds = strtoul(optarg, NULL, 0); break;
		case 'p': first_port = strtoul(optarg, NULL, 0); break;
		case 'l': lifetime = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: pcpflood -s server -a first_src -N nsrc -r rate -d seconds [-p port] [-l lifetime]\n");
			return 2;
		}
	}
	total = (uint64_t)rate * seconds;
	if (!srv.sin_addr.s_addr || !first || !nsrc || nsrc > NSRC_MAX || !rate ||
	    !seconds || seconds > 3600 || !first_port ||
	    first_port + (total + nsrc - 1) / nsrc > 65536) {
		fprintf(stderr, "pcpflood: need -s, -a, -N (1..%d), -r, -d (1..3600) and ports that fit\n",
			NSRC_MAX);
		return 2;
	}
	pfd = calloc(nsrc, sizeof(*pfd));
	src = calloc(nsrc, sizeof(*src));
	if (!pfd || !src)
		return 1;
	for (i = 0; i < nsrc; i++) {
		src[i].s_addr = htonl(first + i);
		pfd[i].fd = open_source(src[i], &srv);
		pfd[i].events = POLLIN;
	}

	t0 = now_ns();
	end = t0 + seconds * 1000000000ull;
	/* The schedule, then half a second for the last answers. */
	for (;;) {
		uint64_t t = now_ns(), due;
		int wait_ms;

		/* Everything due by now leaves now (catching up if late). */
		while (sent < total && t0 + sent * 1000000000ull / rate <= t) {
			unsigned int s = sent % nsrc;
			size_t len = pcpw_build(PCPW_MAP, buf, src[s],
						first_port + sent / nsrc, lifetime);

			/* A full socket buffer drops it, as a network would. */
			(void)send(pfd[s].fd, buf, len, 0);
			sent++;
		}
		if (sent == total && t >= end + 500000000ull)
			break;
		due = sent < total ? t0 + sent * 1000000000ull / rate :
				     end + 500000000ull;
		wait_ms = due <= t ? 0 : (int)((due - t + 999999) / 1000000);
		if (poll(pfd, nsrc, wait_ms) > 0)
			drain(pfd, nsrc, &answered, &success);
	}
	t1 = now_ns();

	printf("sent=%llu answered=%u success=%u seconds=%.3f sent_per_sec=%.0f\n",
	       (unsigned long long)sent, answered, success, (t1 - t0) / 1e9,
	       sent / ((end - t0) / 1e9));
	for (i = 0; i < nsrc; i++)
		close(pfd[i].fd);
	return 0;
}
