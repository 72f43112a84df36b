/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State replication in pcpd's event loop ([sync] in pcpd.conf(5),
 * Documentation/pcpd-sync.md): the protocol core (sync/sync_peer.h) fed
 * from one non-blocking UDP socket and one timerfd, the active's changes
 * turned into records, the standby's received records installed into its
 * own module (draft-boucadair-pcp-failure §3.3). Absent when [sync] is:
 * d->sync is then NULL and every hook below returns at once.
 */
#ifndef PCPD_SYNC_DAEMON_H
#define PCPD_SYNC_DAEMON_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "pcpd/backend.h"
#include "pcpd/log.h"
#include "sync/sync_peer.h"

struct pcpd;

/* Keys the standby installed during a bulk (BULK_END drops the rest). */
struct pcpd_sync_keys {
	struct pcpd_key *k;
	size_t n, cap;
};

struct pcpd_sync {
	struct pcpd *d;
	struct sync_peer peer;
	int fd, timer_fd;
	struct sockaddr_in peer_sa;
	/* Where records are installed and the bulk reads: storage's ops,
	 * beneath the recording wrapper that d->srv uses. */
	const struct pcpd_backend_ops *ops;
	void *be;

	/* Bulk source: EPOCH, the SUB_RESETs, then the table in chunks. */
	int bulk_stage;
	unsigned int bulk_reset;
	struct pcpd_key cursor;
	bool cursor_set, walk_done;
	struct pcpd_mapping chunk[64];
	unsigned int nchunk, ichunk;

	unsigned int walk_failures;	/* consecutive failed dumps */

	/* Standby: a bulk is being received. */
	bool in_bulk;
	/* Something was not installed or not restated: BULK_END deletes
	 * nothing (it cannot tell what is stale). */
	bool bulk_incomplete;
	/* Records dropped while the module link was down: a resync once
	 * it is back (pcpd_sync_link_check). */
	bool missed;
	enum sync_role peer_role_seen;	/* a change to MASTER: resync */
	enum sync_role deliver_role_seen; /* a change: the bulk abandoned */
	/*
	 * keepalived's notify told a role: from then the module's role
	 * follows it (pcpd_sync_push_role). Not before: pcpd starts as
	 * BACKUP whatever the router is, and must not make the active's
	 * module a standby by restarting.
	 */
	bool role_told;
	struct pcpd_sync_keys restated;
	size_t restated_max;		/* 0: PCPD_SYNC_RESTATED_MAX */

	/* What the log last said of the peer (log_changes()). */
	bool alive_logged, split_logged;
	char status_path[PATH_MAX];
	char peer_str[24];		/* "A.B.C.D:port" */
	int64_t status_next;
	uint64_t tx_errors, install_errors, lost_endpoints;
	struct log_limit warn_log;
	uint8_t buf[8192];
};

/* After storage is set up (d->srv.ops): wraps d->srv's backend. Exits on
 * a configuration that cannot work (key file, socket). */
void pcpd_sync_init(struct pcpd *d, const uint8_t key[32]);
void pcpd_sync_close(struct pcpd *d);
/* The next session id, kept in dir/sync-session ("": none kept). */
uint64_t pcpd_sync_next_session(const char *dir);
/* Epoll: d->sync->fd readable, d->sync->timer_fd expired. */
void pcpd_sync_readable(struct pcpd *d);
void pcpd_sync_timer(struct pcpd *d);
/* keepalived's notify, through SIGUSR1 (MASTER) and SIGUSR2 (BACKUP). */
void pcpd_sync_role(struct pcpd *d, enum sync_role role);
/*
 * With [sync], anything but MASTER: pcpd then answers no request and sends
 * nothing unsolicited. Its module copies the active's table, and a mapping
 * of its own would take an external port the active may give to another
 * host; the clients' retries reach it once keepalived moves the server
 * address to it and it becomes MASTER.
 */
bool pcpd_sync_standby(const struct pcpd *d);
void pcpd_sync_push_role(struct pcpd *d);
/* A module event (link.c): what the active's table changed. */
void pcpd_sync_map_event(struct pcpd *d, bool removed,
			 const struct pcpd_mapping *m);
/* The module's events were lost (link.c's resync): the active restates
 * its table to the standby by a bulk. */
void pcpd_sync_events_lost(struct pcpd *d);

/* Records were queued: send them within a millisecond, batched. */
void pcpd_sync_kick(struct pcpd_sync *s);
/* The core's clock: milliseconds of CLOCK_BOOTTIME. */
int64_t pcpd_sync_now_ms(void);

/* sync_install.c: the standby's side and the active's bulk source. */
void pcpd_sync_deliver(void *arg, const struct sync_event *ev);
void pcpd_sync_bulk_restart(void *arg);
int pcpd_sync_bulk_next(void *arg, struct sync_record *r);
/* Each wakeup: once the module link is back, the standby asks for
 * what it dropped meanwhile. */
void pcpd_sync_link_check(struct pcpd_sync *s, int64_t now);
/* After each datagram: a change of the peer's role abandons the bulk. */
void pcpd_sync_peer_role_seen(struct pcpd_sync *s);
/* Queue what the table now holds for m's key (MASTER only). */
void pcpd_sync_record_map(struct pcpd_sync *s, const struct pcpd_mapping *m);
void pcpd_sync_record_unmap(struct pcpd_sync *s, uint8_t proto,
			    uint32_t int_addr, uint16_t int_port);
void pcpd_sync_record_sub_reset(struct pcpd_sync *s, uint32_t subscriber);
/* The wrapper d->srv uses: storage's ops, each change queued. */
extern const struct pcpd_backend_ops pcpd_sync_ops;

#endif /* PCPD_SYNC_DAEMON_H */
