// SPDX-License-Identifier: GPL-2.0
/*
 * pcpload: PCP MAP request load generator (RFC 6887), for any PCP server.
 *
 *   pcpload -s SERVER -c CLIENT_ADDR [-n COUNT] [-w WINDOW] [-p FIRST_PORT]
 *           [-l LIFETIME] [-t TIMEOUT_MS]
 *
 * Sends COUNT MAP requests for UDP internal ports FIRST_PORT.., each a new
 * mapping with its own nonce, keeping WINDOW requests outstanding (closed
 * loop: a new request leaves when an answer comes back or one times out).
 * No retransmissions: a request unanswered after TIMEOUT_MS counts as lost.
 * Prints one line:
 *   sent=N answered=N success=N lost=N first_fail_rc=RC seconds=S per_sec=R
 *   p50_us=X p99_us=Y
 * (per_sec counts answers; latencies are of answered requests; the clock is
 * CLOCK_MONOTONIC, virtual time under qemu -icount.)
 *
 * The wire format is written out here on purpose: the generator must not
 * share code with the server it measures.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PCP_PORT	5351
#define PCP_VERSION	2
#define PCP_OP_MAP	1
#define PCP_RESPONSE	0x80
#define MAP_REQ_LEN	60	/* 24 header + 36 MAP */

struct slot {
	uint16_t port;		/* internal port: the key of the answer */
	uint64_t sent_ns;
	int busy;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* An IPv4 address as PCP carries it: the IPv4-mapped IPv6 form. */
static void put_v4mapped(uint8_t *p, struct in_addr a)
{
	memset(p, 0, 10);
	p[10] = 0xff;
	p[11] = 0xff;
	memcpy(p + 12, &a, 4);
}

static size_t build_map(uint8_t *b, struct in_addr client, uint16_t port,
			uint32_t lifetime)
{
	struct in_addr any = { 0 };
	uint32_t l = htonl(lifetime);
	uint16_t p = htons(port);

	memset(b, 0, MAP_REQ_LEN);
	b[0] = PCP_VERSION;
	b[1] = PCP_OP_MAP;
	memcpy(b + 4, &l, 4);
	put_v4mapped(b + 8, client);
	/* MAP: nonce, protocol, reserved, internal port, suggested ext port/addr. */
	memcpy(b + 24, &client, 4);
	memcpy(b + 28, &p, 2);
	b[34] = 0x5a;
	b[36] = IPPROTO_UDP;
	memcpy(b + 40, &p, 2);
	memcpy(b + 42, &p, 2);
	put_v4mapped(b + 44, any);
	return MAP_REQ_LEN;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned int count = 1000, window = 1, first_port = 20000, timeout_ms = 2000;
	unsigned int sent = 0, answered = 0, success = 0, lost = 0, i, nlat = 0;
	int first_fail = -1;	/* result code of the first refusal */
	uint32_t lifetime = 3600;
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(PCP_PORT) };
	struct sockaddr_in me = { .sin_family = AF_INET };
	struct slot *slots;
	uint64_t *lat, t0, t1;
	uint8_t buf[1100];
	int fd, opt;

	while ((opt = getopt(argc, argv, "s:c:n:w:p:l:t:")) != -1) {
		switch (opt) {
		case 's': inet_pton(AF_INET, optarg, &srv.sin_addr); break;
		case 'c': inet_pton(AF_INET, optarg, &me.sin_addr); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'w': window = strtoul(optarg, NULL, 0); break;
		case 'p': first_port = strtoul(optarg, NULL, 0); break;
		case 'l': lifetime = strtoul(optarg, NULL, 0); break;
		case 't': timeout_ms = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: pcpload -s server -c client [-n count] [-w window] [-p port] [-l lifetime] [-t ms]\n");
			return 2;
		}
	}
	if (!srv.sin_addr.s_addr || !me.sin_addr.s_addr || !window || !count ||
	    first_port + count > 65536) {
		fprintf(stderr, "pcpload: need -s and -c, and ports that fit\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    connect(fd, (struct sockaddr *)&srv, sizeof(srv))) {
		perror("pcpload: socket");
		return 1;
	}
	slots = calloc(window, sizeof(*slots));
	lat = calloc(count, sizeof(*lat));
	if (!slots || !lat)
		return 1;

	t0 = now_ns();
	for (;;) {
		uint64_t t = now_ns();
		int busy = 0, wait_ms = (int)timeout_ms;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		/* Fill free slots, expire old ones. */
		for (i = 0; i < window; i++) {
			struct slot *s = &slots[i];

			if (s->busy && t - s->sent_ns > timeout_ms * 1000000ull) {
				s->busy = 0;
				lost++;
			}
			if (!s->busy && sent < count) {
				size_t len = build_map(buf, me.sin_addr,
						       first_port + sent, lifetime);

				if (send(fd, buf, len, 0) != (ssize_t)len) {
					perror("pcpload: send");
					return 1;
				}
				s->port = first_port + sent;
				s->sent_ns = now_ns();
				s->busy = 1;
				sent++;
			}
			if (s->busy) {
				int left = (int)((s->sent_ns + timeout_ms * 1000000ull - t) / 1000000) + 1;

				busy = 1;
				if (left < wait_ms)
					wait_ms = left;
			}
		}
		if (!busy)
			break;
		if (poll(&pfd, 1, wait_ms) <= 0)
			continue;
		while (1) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			uint16_t port;

			if (n < 0)
				break;
			if (n < MAP_REQ_LEN || buf[1] != (PCP_RESPONSE | PCP_OP_MAP))
				continue;
			memcpy(&port, buf + 40, 2);
			port = ntohs(port);
			for (i = 0; i < window; i++) {
				if (slots[i].busy && slots[i].port == port) {
					slots[i].busy = 0;
					lat[nlat++] = now_ns() - slots[i].sent_ns;
					answered++;
					success += buf[3] == 0;
					if (buf[3] && first_fail < 0)
						first_fail = buf[3];
					break;
				}
			}
		}
	}
	t1 = now_ns();

	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("sent=%u answered=%u success=%u lost=%u first_fail_rc=%d seconds=%.6f per_sec=%.0f p50_us=%.1f p99_us=%.1f\n",
	       sent, answered, success, lost, first_fail, (t1 - t0) / 1e9,
	       answered / ((t1 - t0) / 1e9),
	       nlat ? lat[nlat / 2] / 1e3 : 0.0,
	       nlat ? lat[(nlat * 99) / 100 < nlat ? (nlat * 99) / 100 : nlat - 1] / 1e3 : 0.0);
	return answered ? 0 : 1;
}
