/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd's running state and the pieces of its event loop (main.c drives
 * them): the PCP sockets (sock.c), the link to the module and its events
 * (link.c), unsolicited messages (announce.c) and stable storage
 * (storage_daemon.c).
 */
#ifndef PCPD_DAEMON_H
#define PCPD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "pcpd/backend_nl.h"
#include "pcpd/conf.h"
#include "pcpd/handler.h"
#include "pcpd/log.h"
#include "pcpd/natpmp_hosts.h"
#include "pcpd/ratelimit.h"
#include "pcpd/storage.h"

#define PCP_SERVER_PORT		5351
#define PCP_CLIENT_PORT		5350
/* RFC 6887 14.1.3 / RFC 6886 3.2.1: ten sends, 250 ms doubling. */
#define PCPD_ANNOUNCE_COUNT	10
/* Receive buffer of each PCP socket, octets (sock.c). */
#define PCPD_SOCK_RCVBUF	(4 << 20)
#define PCPD_ANNOUNCE_FIRST_MS	250
/* The journal is fsynced at most this often (a burst costs one fsync). */
#define PCPD_SAVE_DELAY_MS	500

struct pcpd_repeat {
	unsigned int left;	/* sends still to do */
	unsigned int interval_ms;
	int64_t next_ms;	/* monotonic, when left > 0 */
};

struct pcpd {
	const char *conf_path;
	struct pcpd_conf conf;
	struct pcpd_policy pol;		/* what the handler reads */
	struct pcpd_server srv;
	struct pcpd_nl nl;
	struct pcpnl_events *ev;
	bool connected;
	uint64_t state_id;		/* of the instance we last saw */
	uint64_t flushed_state_id;	/* the flush handled last, by poll or event */
	uint32_t nat_addr;		/* the pool's first address */
	bool pool_one;			/* the pool is that one address */
	struct pcpd_natpmp_hosts natpmp_hosts;

	int nsock;
	int sock[PCPD_LISTEN_MAX];
	uint32_t sock_addr[PCPD_LISTEN_MAX];
	uint32_t sock_mask[PCPD_LISTEN_MAX];	/* its interface's prefix */
	unsigned int sock_ifindex[PCPD_LISTEN_MAX];	/* bound to it */

	int ep, sigfd, tick_fd, announce_fd, save_fd;
	bool save_armed;
	struct pcpd_repeat pcp_ann, nat_ann;

	struct pcpd_storage storage;	/* stable storage (storage.h) */
	struct pcpd_ratelimit rl;
	uint64_t n_requests, n_dropped, n_ratelimited;
	struct log_limit refusal_log, flood_log;
	bool quit;
	struct pcpd_sync *sync;		/* [sync]: NULL when absent */
};

struct pcpd_sync;

int64_t pcpd_now_ms(void);

/* sock.c */
int pcpd_sockets_open(struct pcpd *d);
void pcpd_sockets_close(struct pcpd *d);
void pcpd_sock_readable(struct pcpd *d, int idx);
/*
 * Send buf to addr:5350: unicast from the socket on addr's subnet,
 * multicast from the socket of each announce interface.
 */
void pcpd_send_unsolicited(struct pcpd *d, uint32_t addr, const uint8_t *buf,
			   size_t len);

/* link.c */
void pcpd_link_tick(struct pcpd *d);
void pcpd_link_events(struct pcpd *d);
void pcpd_link_close(struct pcpd *d);
int pcpd_push_nat_config(struct pcpd *d);
/* [sync]: the module's standby role (PCPNAT_CFG_A_STANDBY), when connected. */
int pcpd_push_role(struct pcpd *d, bool standby);

/* announce.c */
void pcpd_announce_start(struct pcpd *d, struct pcpd_repeat *r);
/* Mappings were lost: both PCP's ANNOUNCE and NAT-PMP's announcement. */
void pcpd_announce_state_lost(struct pcpd *d);
void pcpd_announce_timer(struct pcpd *d);
void pcpd_send_announce(struct pcpd *d);
void pcpd_send_natpmp_addr(struct pcpd *d);
/* One unicast ANNOUNCE to a subscriber whose own state was lost (3.2). */
void pcpd_send_announce_to(struct pcpd *d, uint32_t subscriber);
/* Unsolicited MAP response (RFC 6887 14.2) for mapping m. */
void pcpd_send_map_update(struct pcpd *d, const struct pcpd_mapping *m,
			  uint32_t lifetime);

/* storage_daemon.c */
/* Before anything else of storage; after d->srv's ops and be are set. */
void pcpd_store_init(struct pcpd *d);
void pcpd_store_close(struct pcpd *d);
void pcpd_store_dirty(struct pcpd *d);
void pcpd_store_save_now(struct pcpd *d);
/* After (re)connecting: adopt or restore what the file says. */
void pcpd_store_resume(struct pcpd *d, uint64_t state_id, bool fresh);
/* The stored mapping with this internal key, or NULL; O(1). */
const struct pcpd_state_map *pcpd_store_find(struct pcpd *d, uint8_t proto,
					     uint32_t int_addr,
					     uint16_t int_port);

#endif /* PCPD_DAEMON_H */
