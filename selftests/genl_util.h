/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pcpnat_genl and pcpnat_genl_fuzz both do the same way: open a
 * socket to the pcpnat family, and time what they do. genl_util.c is
 * linked into both (see the Makefile).
 */
#ifndef GENL_UTIL_H
#define GENL_UTIL_H

#include <netlink/netlink.h>

/*
 * A libnl socket connected to the pcpnat family in the caller's network
 * namespace, asking for error messages and offsets without the request
 * echoed back (NETLINK_EXT_ACK, NETLINK_CAP_ACK), with receives bounded by
 * timeout_s so that a lost answer fails the test instead of hanging it.
 * Buffer sizes are the caller's: the two programs need different ones.
 *
 * Returns the family id, or -1. *sk is set as soon as the socket exists,
 * so that the caller's close frees it whatever the result.
 */
int genl_util_open(struct nl_sock **sk, int timeout_s);

/* CLOCK_MONOTONIC, in seconds. */
double now_s(void);

#endif /* GENL_UTIL_H */
