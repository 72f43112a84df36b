/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The events multicast group: mapping created/deleted/expired, external
 * address added/removed, state reset. A subscription has its own socket
 * so that its fd can sit in an event loop (pcpd) or a blocking poll
 * (pcpctl monitor).
 */
#ifndef PCPNL_NL_EVENTS_H
#define PCPNL_NL_EVENTS_H

#include "lib/nlclient.h"
#include "lib/pcpnl_types.h"

struct pcpnl_events;

/*
 * Join the events group, and with implicit the implicit mappings' group
 * too (uapi PCPNAT_MCGRP_IMPLICIT); the socket is non-blocking. err gets
 * one line on failure.
 */
int pcpnl_events_open(struct pcpnl_events **ev, bool implicit, char *err,
		       size_t errlen);
void pcpnl_events_close(struct pcpnl_events *ev);
/*
 * The socket's receive buffer, octets: past net.core.rmem_max with
 * CAP_NET_ADMIN (SO_RCVBUFFORCE), else up to it. Open sets 8 MiB.
 */
void pcpnl_events_set_rcvbuf(struct pcpnl_events *ev, int size);

/* For poll(): readable when events are queued. */
int pcpnl_events_fd(const struct pcpnl_events *ev);

/*
 * Read what is queued, up to a batch, and call cb for each event (return
 * non-zero from cb to stop early; the rest stays queued). Returns 0 when
 * the queue is drained, the batch is read or cb stopped, -ENOBUFS if events were lost because the socket
 * overran (the listener should then resynchronise, e.g. dump again), or
 * another -errno.
 */
typedef int (*pcpnl_event_cb)(const struct pcpnl_event *e, void *arg);
int pcpnl_events_read(struct pcpnl_events *ev, pcpnl_event_cb cb, void *arg);

/* "map_new", "map_del", "addr_add", "addr_del", "state_reset" or NULL. */
const char *pcpnl_event_name(uint8_t cmd);
/* "deleted", "expired", "flushed", "addr_removed" or NULL. */
const char *pcpnl_reason_name(uint8_t reason);

#endif /* PCPNL_NL_EVENTS_H */
