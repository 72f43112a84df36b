// SPDX-License-Identifier: GPL-2.0
/* See probe_util.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_util.h"

void die(const char *what)
{
	perror(what);
	exit(3);
}

const char *probe_mode(int argc, char **argv)
{
	if (argc < 2)
		usage();
	optind = 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	return argv[1];
}

struct sockaddr_in parse_ep(const char *s, int need_port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = 0;
		sin.sin_port = htons(atoi(colon + 1));
	} else if (need_port) {
		usage();
	}
	if (inet_pton(AF_INET, buf, &sin.sin_addr) != 1)
		usage();
	return sin;
}

unsigned short inet_csum(const void *p, size_t n)
{
	const unsigned short *w = p;
	unsigned int sum = 0;

	for (; n > 1; n -= 2)
		sum += *w++;
	if (n)
		sum += *(const unsigned char *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return ~sum;
}

int raw_socket(int proto, const char *src)
{
	int fd = socket(AF_INET, SOCK_RAW, proto);

	if (fd < 0)
		die("socket raw");
	if (src) {
		struct sockaddr_in sin = parse_ep(src, 0);

		sin.sin_port = 0;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			die("bind");
	}
	return fd;
}
