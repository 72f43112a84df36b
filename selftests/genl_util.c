// SPDX-License-Identifier: GPL-2.0
/* See genl_util.h. */
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/pcpnat.h>

#include "genl_util.h"

int genl_util_open(struct nl_sock **sk, int timeout_s)
{
	struct timeval tv = { .tv_sec = timeout_s };
	int one = 1, fam, fd;

	*sk = nl_socket_alloc();
	if (!*sk || genl_connect(*sk))
		return -1;
	fam = genl_ctrl_resolve(*sk, PCPNAT_GENL_NAME);
	if (fam < 0)
		return -1;
	fd = nl_socket_get_fd(*sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fam;
}

double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}
