/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What udp_tcp_probe and icmp_probe both do the same way; probe_util.c is
 * linked into both (see the Makefile). Both exit 3 on a usage or system
 * error: 1 and 2 are what they report of the network.
 */
#ifndef PROBE_UTIL_H
#define PROBE_UTIL_H

#include <stddef.h>
#include <netinet/in.h>

/* Each probe's own: prints its usage line and exits 3. */
__attribute__((noreturn)) void usage(void);

/* perror(what) and exit 3. */
__attribute__((noreturn)) void die(const char *what);

/*
 * The mode, argv[1] (usage() when there is none), with getopt() set to
 * read the options from argv[2] on, and stdout line-buffered so that a
 * test reading it sees each event when it happens.
 */
const char *probe_mode(int argc, char **argv);

/* "A:P" or "A"; usage() on a bad address, or on no port when need_port. */
struct sockaddr_in parse_ep(const char *s, int need_port);

/* The Internet checksum (RFC 1071) of n bytes, for ICMP and IP headers. */
unsigned short inet_csum(const void *p, size_t n);

/* A raw IPv4 socket of protocol proto, bound to address src when given. */
int raw_socket(int proto, const char *src);

#endif /* PROBE_UTIL_H */
