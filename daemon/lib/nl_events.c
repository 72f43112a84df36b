// SPDX-License-Identifier: GPL-2.0
/* Subscription to the pcpnat events group. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "lib/nl_internal.h"
#include "lib/nl_events.h"

/* Room for the notifications of a large flush before the socket overruns. */
#define EVENTS_RCVBUF	(8 << 20)
/* Datagrams one pcpnl_events_read() takes at most. */
#define EVENTS_BATCH	256

struct pcpnl_events {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;
	/* The current read's callback, and whether it asked to stop. */
	pcpnl_event_cb user_cb;
	void *user_arg;
	int user_rc;
};

const char *pcpnl_event_name(uint8_t cmd)
{
	switch (cmd) {
	case PCPNAT_CMD_EVENT_MAP_NEW:		return "map_new";
	case PCPNAT_CMD_EVENT_MAP_DEL:		return "map_del";
	case PCPNAT_CMD_EVENT_ADDR_ADD:		return "addr_add";
	case PCPNAT_CMD_EVENT_ADDR_DEL:		return "addr_del";
	case PCPNAT_CMD_EVENT_STATE_RESET:	return "state_reset";
	default:				return NULL;
	}
}

const char *pcpnl_reason_name(uint8_t reason)
{
	switch (reason) {
	case PCPNAT_REASON_DELETED:		return "deleted";
	case PCPNAT_REASON_EXPIRED:		return "expired";
	case PCPNAT_REASON_FLUSHED:		return "flushed";
	case PCPNAT_REASON_ADDR_REMOVED:	return "addr_removed";
	default:				return NULL;
	}
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PCPNAT_A_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct pcpnl_events *ev = arg;
	struct pcpnl_event e;

	if (nlh->nlmsg_type != ev->family || ev->user_rc)
		return NL_SKIP;
	if (genlmsg_parse(nlh, 0, tb, PCPNAT_A_MAX, NULL) < 0)
		return NL_SKIP;
	memset(&e, 0, sizeof(e));
	e.cmd = ((struct genlmsghdr *)nlmsg_data(nlh))->cmd;
	if (!pcpnl_event_name(e.cmd))
		return NL_SKIP;	/* a newer module's event: not ours to guess */
	if (tb[PCPNAT_A_MAP] && pcpnl_map_parse(tb[PCPNAT_A_MAP], &e.map))
		return NL_SKIP;
	if (tb[PCPNAT_A_REASON])
		e.has_reason = pcpnl_attr_u8(tb[PCPNAT_A_REASON], &e.reason);
	if (tb[PCPNAT_A_ADDR])
		pcpnl_attr_in(tb[PCPNAT_A_ADDR], &e.addr);
	ev->user_rc = ev->user_cb(&e, ev->user_arg);
	return ev->user_rc ? NL_STOP : NL_SKIP;
}

/*
 * SO_RCVBUF is capped by net.core.rmem_max (a few hundred KiB by
 * default), silently, so a burst of new flows overruns the socket and
 * its events are lost. pcpd holds CAP_NET_ADMIN, which lets it pass the
 * cap (SO_RCVBUFFORCE); a user without it (pcpctl monitor) gets what
 * rmem_max allows.
 */
void pcpnl_events_set_rcvbuf(struct pcpnl_events *ev, int size)
{
	int fd = nl_socket_get_fd(ev->sk);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/* Join group name of the family: 0 or -errno, err set. */
static int join(struct pcpnl_events *ev, const char *name, char *err,
		size_t errlen)
{
	int grp = genl_ctrl_resolve_grp(ev->sk, PCPNAT_GENL_NAME, name), rc;

	if (grp < 0) {
		snprintf(err, errlen,
			 "the pcpnat module is not loaded (no generic netlink group \"%s\")",
			 name);
		return -ENOENT;
	}
	rc = nl_socket_add_membership(ev->sk, grp);
	if (rc < 0) {
		snprintf(err, errlen, "cannot join the %s group: %s", name,
			 nl_geterror(rc));
		return -EIO;
	}
	return 0;
}

int pcpnl_events_open(struct pcpnl_events **evp, bool implicit, char *err,
		       size_t errlen)
{
	struct pcpnl_events *ev;
	int rc;

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		goto nomem;
	ev->sk = nl_socket_alloc();
	ev->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!ev->sk || !ev->cb)
		goto nomem;
	/* Notifications are unsolicited: no sequence numbers, no acks. */
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_disable_auto_ack(ev->sk);
	nl_socket_enable_msg_peek(ev->sk);
	rc = genl_connect(ev->sk);
	if (rc < 0) {
		snprintf(err, errlen, "cannot open a netlink socket: %s",
			 nl_geterror(rc));
		goto fail;
	}
	ev->family = genl_ctrl_resolve(ev->sk, PCPNAT_GENL_NAME);
	if (ev->family < 0) {
		snprintf(err, errlen, "the pcpnat module is not loaded");
		rc = -ENOENT;
		goto fail_rc;
	}
	pcpnl_events_set_rcvbuf(ev, EVENTS_RCVBUF);
	rc = join(ev, PCPNAT_MCGRP_EVENTS, err, errlen);
	if (!rc && implicit)
		rc = join(ev, PCPNAT_MCGRP_IMPLICIT, err, errlen);
	if (rc)
		goto fail_rc;
	rc = nl_socket_set_nonblocking(ev->sk);
	if (rc < 0) {
		snprintf(err, errlen, "cannot make the events socket non-blocking: %s",
			 nl_geterror(rc));
		goto fail;
	}
	nl_cb_set(ev->cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, ev);
	*evp = ev;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	pcpnl_events_close(ev);
	return -ENOMEM;
fail:
	rc = -EIO;
fail_rc:
	pcpnl_events_close(ev);
	return rc;
}

void pcpnl_events_close(struct pcpnl_events *ev)
{
	if (!ev)
		return;
	nl_cb_put(ev->cb);
	nl_socket_free(ev->sk);
	free(ev);
}

int pcpnl_events_fd(const struct pcpnl_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

int pcpnl_events_read(struct pcpnl_events *ev, pcpnl_event_cb cb, void *arg)
{
	int rc, n;

	ev->user_cb = cb;
	ev->user_arg = arg;
	ev->user_rc = 0;
	/*
	 * A bounded batch: the rest stays queued and the event loop comes
	 * back, so a burst of events cannot starve the PCP socket.
	 */
	for (n = 0; n < EVENTS_BATCH; n++) {
		rc = nl_recvmsgs(ev->sk, ev->cb);
		if (ev->user_rc)
			return 0;
		if (rc >= 0)
			continue;
		if (rc == -NLE_AGAIN)
			return 0;
		/* libnl reports a receive overrun (ENOBUFS) as NLE_NOMEM. */
		if (rc == -NLE_NOMEM)
			return -ENOBUFS;
		return -EIO;
	}
	return 0;
}
