// SPDX-License-Identifier: GPL-2.0
/*
 * pcpload: PCP / NAT-PMP request load from one client address, for any
 * server speaking RFC 6887 (and RFC 6886).
 *
 *   pcpload -s SERVER -c CLIENT_ADDR [-o OP] [-n COUNT] [-w WINDOW]
 *           [-r RATE] [-p FIRST_PORT] [-k SPAN] [-l LIFETIME] [-t TIMEOUT_MS]
 *           [-v]
 *
 * OP (pcpwire.h): map (default: a new UDP mapping per request, internal
 * ports FIRST_PORT..), refresh (MAP again over the SPAN ports FIRST_PORT..,
 * same nonces: RFC 6887 §11.2.1's renewal), get (draft-boucadair-pcp-failure
 * App. B: the client's mappings), natpmp (RFC 6886 §3.2, opcode 0).
 *
 * Closed loop (default): WINDOW requests outstanding, a new one leaves when
 * an answer comes back or one times out. Paced (-r RATE): request i leaves
 * at i / RATE seconds whatever is outstanding, the way a client with its
 * own timer sends; WINDOW is then ignored.
 * No retransmissions: a request unanswered after TIMEOUT_MS counts as lost.
 * Prints one line:
 *   sent=N answered=N success=N lost=N first_fail_rc=RC seconds=S per_sec=R
 *   mean_us=M p50_us=X p99_us=Y [listed=L]
 * (listed: for get, the mappings the last answer listed)
 * -v also prints, on stderr, each request's send time from the start, and
 * its latency and result code or "lost" (where a slow answer comes from).
 * (per_sec counts answers; latencies are of answered requests; the clock is
 * CLOCK_MONOTONIC, virtual time under qemu -icount.)
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

#include "pcpwire.h"

/* One request: when it left, and whether it still waits for an answer. */
struct req {
	uint64_t sent_ns;
	uint16_t key;		/* internal port of a MAP, else 0 */
	int busy;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int usage(void)
{
	fprintf(stderr, "usage: pcpload -s server -c client [-o map|refresh|get|natpmp] [-n count]\n"
		"               [-w window] [-r rate] [-p port] [-k span] [-l lifetime] [-t ms] [-v]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int count = 1000, window = 1, first_port = 20000, span = 0;
	unsigned int timeout_ms = 2000, rate = 0, i;
	unsigned int sent = 0, answered = 0, success = 0, lost = 0, nlat = 0;
	unsigned int oldest = 0, outstanding = 0;	/* reqs[oldest..sent) may be busy */
	unsigned int listed = 0;
	int first_fail = -1;	/* result code of the first refusal */
	int op = PCPW_MAP, verbose = 0;
	uint32_t lifetime = 3600;
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(PCP_PORT) };
	struct sockaddr_in me = { .sin_family = AF_INET };
	struct req *reqs;
	uint64_t *lat, t0, t1, timeout_ns, sum = 0;
	uint8_t buf[PCPW_BUF];
	int fd, opt;

	while ((opt = getopt(argc, argv, "s:c:o:n:w:r:p:k:l:t:v")) != -1) {
		switch (opt) {
		case 's': inet_pton(AF_INET, optarg, &srv.sin_addr); break;
		case 'c': inet_pton(AF_INET, optarg, &me.sin_addr); break;
		case 'o': op = pcpw_op_parse(optarg); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'w': window = strtoul(optarg, NULL, 0); break;
		case 'r': rate = strtoul(optarg, NULL, 0); break;
		case 'p': first_port = strtoul(optarg, NULL, 0); break;
		case 'k': span = strtoul(optarg, NULL, 0); break;
		case 'l': lifetime = strtoul(optarg, NULL, 0); break;
		case 't': timeout_ms = strtoul(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		default: return usage();
		}
	}
	if (op == PCPW_REFRESH && !span)
		span = 10;
	if (op != PCPW_REFRESH)
		span = count;
	if (!srv.sin_addr.s_addr || !me.sin_addr.s_addr || op < 0 || !window ||
	    !count || count > 10000000 || !first_port ||
	    first_port + span > 65536) {
		fprintf(stderr, "pcpload: need -s, -c, a known -o, and ports that fit\n");
		return usage();
	}
	/* A paced client keeps every request it sent open until its timeout. */
	if (rate)
		window = count;
	timeout_ns = timeout_ms * 1000000ull;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    connect(fd, (struct sockaddr *)&srv, sizeof(srv))) {
		perror("pcpload: socket");
		return 1;
	}
	reqs = calloc(count, sizeof(*reqs));
	lat = calloc(count, sizeof(*lat));
	if (!reqs || !lat)
		return 1;

	t0 = now_ns();
	for (;;) {
		uint64_t t = now_ns(), next_due = UINT64_MAX, wake;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait_ms;

		/* Expire the old ones (they left in order). */
		for (; oldest < sent; oldest++) {
			struct req *r = &reqs[oldest];

			if (r->busy && t - r->sent_ns <= timeout_ns)
				break;
			if (r->busy) {
				r->busy = 0;
				outstanding--;
				lost++;
				if (verbose)
					fprintf(stderr, "%u at %.6f s: lost\n", oldest,
						(r->sent_ns - t0) / 1e9);
			}
		}
		/* Send what is due: by the window, or by the clock. */
		while (sent < count) {
			struct req *r = &reqs[sent];
			uint16_t port = first_port + sent % span;
			size_t len;

			if (rate) {
				uint64_t due = t0 + sent * 1000000000ull / rate;

				if (due > t) {
					next_due = due;
					break;
				}
			} else if (outstanding >= window) {
				break;
			}
			len = pcpw_build(op, buf, me.sin_addr, port, lifetime);
			/*
			 * The clock is read before send(): on one CPU the woken
			 * server may preempt us on the way out of send() and
			 * answer before we run again.
			 */
			r->sent_ns = now_ns();
			if (send(fd, buf, len, 0) != (ssize_t)len) {
				perror("pcpload: send");
				return 1;
			}
			r->key = (op == PCPW_MAP || op == PCPW_REFRESH) ? port : 0;
			r->busy = 1;
			outstanding++;
			sent++;
		}
		if (!outstanding && sent == count)
			break;
		wake = next_due;
		if (outstanding && reqs[oldest].sent_ns + timeout_ns < wake)
			wake = reqs[oldest].sent_ns + timeout_ns;
		t = now_ns();
		wait_ms = wake <= t ? 0 : (int)((wake - t + 999999) / 1000000);
		if (poll(&pfd, 1, wait_ms) <= 0)
			continue;
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			uint16_t key;
			int rc;

			if (n < 0)
				break;
			if (pcpw_reply(op, buf, (size_t)n, &key, &rc))
				continue;
			if (op == PCPW_GET)
				listed = pcpw_get_listed(buf, (size_t)n);
			/* The oldest request still open with that key. */
			for (i = oldest; i < sent; i++) {
				struct req *r = &reqs[i];

				if (!r->busy || r->key != key)
					continue;
				r->busy = 0;
				outstanding--;
				lat[nlat] = now_ns() - r->sent_ns;
				sum += lat[nlat++];
				answered++;
				success += rc == 0;
				if (rc && first_fail < 0)
					first_fail = rc;
				if (verbose)
					fprintf(stderr, "%u at %.6f s: %.1f us rc %d\n", i,
						(r->sent_ns - t0) / 1e9, lat[nlat - 1] / 1e3, rc);
				break;
			}
		}
	}
	t1 = now_ns();

	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("sent=%u answered=%u success=%u lost=%u first_fail_rc=%d seconds=%.6f per_sec=%.0f mean_us=%.1f p50_us=%.1f p99_us=%.1f",
	       sent, answered, success, lost, first_fail, (t1 - t0) / 1e9,
	       answered / ((t1 - t0) / 1e9), nlat ? sum / nlat / 1e3 : 0.0,
	       nlat ? lat[nlat / 2] / 1e3 : 0.0,
	       nlat ? lat[(nlat * 99) / 100 < nlat ? (nlat * 99) / 100 : nlat - 1] / 1e3 : 0.0);
	if (op == PCPW_GET)
		printf(" listed=%u", listed);
	printf("\n");
	return answered ? 0 : 1;
}
