// SPDX-License-Identifier: GPL-2.0
/*
 * Replication in pcpd's epoll loop (sync_daemon.h). Nothing here blocks
 * the PCP server: the socket is non-blocking, a wakeup reads at most
 * RX_BURST datagrams and sends at most TX_BURST (the timer, armed at
 * once, continues), and a datagram that cannot be sent is simply lost:
 * the protocol retransmits it.
 *
 * Role: keepalived's notify script sends SIGUSR1 (MASTER) or SIGUSR2
 * (BACKUP, FAULT); pcpd starts as BACKUP, which asks the peer for a bulk.
 * Status: the JSON of sync_status_json() rewritten at most once a second
 * into sync-status.json next to the state file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "pcpd/daemon.h"
#include "pcpd/file_replace.h"
#include "pcpd/sync_daemon.h"
#include "pcpd/sync_key.h"
#include "sync/sync_status_json.h"

#define RX_BURST	64
#define TX_BURST	256

_Static_assert(PCPD_SYNC_MTU_MIN == SYNC_MTU_MIN, "conf.h bound");
_Static_assert(PCPD_SYNC_MTU_MAX == SYNC_MSG_MAX, "conf.h bound");
_Static_assert(PCPD_SYNC_KEY_LEN == SYNC_KEY_LEN, "key length");

/* The core's clock: milliseconds of CLOCK_BOOTTIME (pcpd/clock.h). */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Our session id must grow at every start (a peer refuses a lower one as
 * stale): one more than the last one kept in the state directory, and at
 * least the wall clock's nanoseconds so that a lost file still grows.
 * Replaced whole (file_replace.h): a crash while writing leaves the last
 * id, never an empty file that would restart from the wall clock.
 */
uint64_t pcpd_sync_next_session(const char *dir)
{
	char path[PATH_MAX], buf[32] = "";
	struct timespec ts;
	uint64_t s, stored = 0;
	ssize_t n;
	int fd, err;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (!*dir)
		return s;
	if (snprintf(path, sizeof(path), "%s/sync-session", dir) >=
	    (int)sizeof(path))
		fatalx("%s: the sync session path is too long", dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = 0;
			stored = strtoull(buf, NULL, 10);
		}
		close(fd);
	}
	if (stored >= s)
		s = stored + 1;
	n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)s);
	err = pcpd_file_replace(path, buf, (size_t)n);
	if (err)
		log_warnx("%s: cannot keep the sync session (%s)", path,
			  strerror(-err));
	return s;
}

/* The next wakeup; soon: in a millisecond (more to send, new records). */
static void arm(struct pcpd_sync *s, int64_t now, bool soon)
{
	int64_t at = sync_peer_next_event(&s->peer, now), dt = at - now;
	struct itimerspec its = { 0 };

	if (dt > s->status_next - now)
		dt = s->status_next - now;
	if (dt < 1 || soon)
		dt = 1;		/* 0 would disarm the timer */
	its.it_value.tv_sec = dt / 1000;
	its.it_value.tv_nsec = (dt % 1000) * 1000000L;
	timerfd_settime(s->timer_fd, 0, &its, NULL);
}

static void write_status(struct pcpd_sync *s)
{
	struct sync_status st;
	struct json_object *o;
	const char *js;

	if (!*s->status_path)
		return;
	sync_peer_status(&s->peer, &st);
	o = sync_status_json(&st);
	if (!o)
		return;
	/* Who the peer is, for pcpctl sync: the core knows only node ids. */
	json_object_object_add(o, "node_id",
			       json_object_new_int64(s->d->conf.sync.node_id));
	json_object_object_add(o, "peer",
			       json_object_new_string(s->peer_str));
	json_object_object_add(o, "tx_errors",
			       json_object_new_int64((int64_t)s->tx_errors));
	json_object_object_add(o, "install_errors",
			       json_object_new_int64((int64_t)s->install_errors));
	json_object_object_add(o, "lost_endpoints",
			       json_object_new_int64((int64_t)s->lost_endpoints));
	js = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	/* Readers (pcpctl, monitoring) see the last whole status. */
	if (js && pcpd_file_replace(s->status_path, js, strlen(js)) &&
	    log_limit_pass(&s->warn_log, now_ms()))
		log_warn("%s", s->status_path);
	json_object_put(o);
}

/* Everything the core has to send now, then the next wakeup. */
/* The core notes the peer's liveness and split brain; the log says when
 * they change (Documentation/pcpd-sync.md, "Roles, split brain"). */
static void log_changes(struct pcpd_sync *s)
{
	const struct sync_peer *p = &s->peer;

	if (p->alive != s->alive_logged) {
		s->alive_logged = p->alive;
		if (p->alive)
			log_info("sync: peer %u alive", p->cfg.peer_node_id);
		else
			log_warnx("sync: peer %u silent: down",
				  p->cfg.peer_node_id);
	}
	if (p->split_brain != s->split_logged) {
		s->split_logged = p->split_brain;
		if (p->split_brain)
			log_warnx("sync: split brain: the peer is MASTER too; "
				  "neither installs the other's state until one "
				  "is BACKUP (VRRP partitioned?)");
		else
			log_info("sync: split brain over");
	}
}

static void flush(struct pcpd_sync *s, int64_t now)
{
	int n, i;

	log_changes(s);
	pcpd_sync_link_check(s, now);
	for (i = 0; i < TX_BURST; i++) {
		n = sync_peer_output(&s->peer, s->buf, sizeof(s->buf), now);
		if (n <= 0)
			break;
		if (sendto(s->fd, s->buf, (size_t)n, MSG_DONTWAIT,
			   (struct sockaddr *)&s->peer_sa,
			   sizeof(s->peer_sa)) < 0) {
			s->tx_errors++;
			if (log_limit_pass(&s->warn_log, now))
				log_warn("sync: sendto");
		}
	}
	if (now >= s->status_next) {
		write_status(s);
		s->status_next = now + 1000;
	}
	/* Bounded: what is left goes at the next wakeup, a tick away. */
	arm(s, now, i == TX_BURST);
}

static int open_socket(const struct pcpd_sync_conf *c)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = c->listen_addr,
		.sin_port = htons(c->listen_port),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void watch_fd(struct pcpd *d, int fd)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ee))
		fatal("epoll_ctl");
}

/*
 * keepalived tells each VRRP state once (its notify script): a pcpd that
 * starts after the last notify, say restarted after a crash, begins in the
 * state the script left in role_file, and *told says there was one (the
 * module's role is then set as for a notify). Only from a regular file
 * that no other user could have written; anything else, a missing file
 * included, is BACKUP until told (a BACKUP answers nothing: the safe
 * side), and the module's role is left as it is.
 */
static enum sync_role initial_role(const char *path, bool *told)
{
	static const char *const states[] = {
		"MASTER\n", "BACKUP\n", "FAULT\n", "STOP\n",
	};
	char buf[16] = "";
	struct stat st;
	bool trusted;
	unsigned int i;
	ssize_t n;
	int fd;

	*told = false;
	fd = path[0] ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
				  O_CLOEXEC) : -1;
	if (fd < 0)
		return SYNC_ROLE_BACKUP;
	trusted = !fstat(fd, &st) && S_ISREG(st.st_mode) &&
		  (st.st_uid == 0 || st.st_uid == geteuid()) &&
		  !(st.st_mode & (S_IWGRP | S_IWOTH));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (i = 0; n > 0 && i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(buf, states[i]))
			break;
	if (n <= 0 || i == sizeof(states) / sizeof(states[0]))
		return SYNC_ROLE_BACKUP;
	if (!trusted) {
		log_warnx("sync: %s is not root's alone: ignored", path);
		return SYNC_ROLE_BACKUP;
	}
	*told = true;
	return i == 0 ? SYNC_ROLE_MASTER : SYNC_ROLE_BACKUP;
}

void pcpd_sync_init(struct pcpd *d, const uint8_t key[32])
{
	const struct pcpd_sync_conf *c = &d->conf.sync;
	struct sync_peer_ops ops = {
		.deliver = pcpd_sync_deliver,
		.bulk_restart = pcpd_sync_bulk_restart,
		.bulk_next = pcpd_sync_bulk_next,
	};
	struct sync_peer_cfg cfg = {
		.node_id = c->node_id,
		.peer_node_id = c->peer_node_id,
		.mtu = c->mtu,
		.queue = c->queue,
		.hello_ms = c->interval_ms,
		.heartbeat_ms = c->interval_ms,
	};
	char dir[sizeof(d->conf.state_file)] = "";
	struct pcpd_sync *s;
	int64_t now = now_ms();

	s = calloc(1, sizeof(*s));
	if (!s)
		fatal("sync");
	s->d = d;
	s->warn_log = (struct log_limit)LOG_LIMIT("sync warnings", 5, 10000);
	s->fd = open_socket(c);
	if (s->fd < 0)
		fatal("[sync] listen");
	s->timer_fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer_fd < 0)
		fatal("timerfd_create");
	s->peer_sa.sin_family = AF_INET;
	s->peer_sa.sin_addr.s_addr = c->peer_addr;
	s->peer_sa.sin_port = htons(c->peer_port);
	snprintf(s->peer_str, sizeof(s->peer_str), "%s:%u",
		 inet_ntoa(s->peer_sa.sin_addr), c->peer_port);
	if (*d->conf.state_file) {
		char path[sizeof(dir)];

		snprintf(path, sizeof(path), "%s", d->conf.state_file);
		snprintf(dir, sizeof(dir), "%s", dirname(path));
		if (snprintf(s->status_path, sizeof(s->status_path),
			     "%s/sync-status.json", dir) >=
		    (int)sizeof(s->status_path))
			fatalx("%s: the sync status path is too long", dir);
	}
	cfg.session = pcpd_sync_next_session(dir);
	memcpy(cfg.key, key, SYNC_KEY_LEN);
	randombytes_buf(&cfg.seed, sizeof(cfg.seed));
	/* Storage's ops beneath: what is installed is stored too. */
	s->ops = d->srv.ops;
	s->be = d->srv.be;
	ops.arg = s;
	if (sync_peer_init(&s->peer, &cfg, &ops, now))
		fatalx("[sync]: the replication core refused the configuration");
	sodium_memzero(cfg.key, sizeof(cfg.key));
	sync_peer_set_role(&s->peer, initial_role(c->role_file,
						  &s->role_told));
	d->srv.ops = &pcpd_sync_ops;
	d->srv.be = s;
	d->sync = s;
	watch_fd(d, s->fd);
	watch_fd(d, s->timer_fd);
	log_info("sync: node %u, peer %u at %s:%u, %s", c->node_id,
		 c->peer_node_id, inet_ntoa(s->peer_sa.sin_addr), c->peer_port,
		 !s->role_told ? "BACKUP until told" :
		 s->peer.role == SYNC_ROLE_MASTER ?
		 "MASTER as keepalived last told" : "BACKUP as keepalived last told");
	flush(s, now);
}

void pcpd_sync_close(struct pcpd *d)
{
	struct pcpd_sync *s = d->sync;

	if (!s)
		return;
	write_status(s);
	close(s->fd);
	close(s->timer_fd);
	sync_peer_free(&s->peer);
	free(s->restated.k);
	d->srv.ops = s->ops;
	d->srv.be = s->be;
	d->sync = NULL;
	free(s);
}

/*
 * The peer became MASTER: what it sent before was not the active's state
 * (pcpd_sync_deliver ignored it), so a standby asks for its whole state.
 */
static void peer_role_check(struct pcpd_sync *s, int64_t now)
{
	enum sync_role pr = s->peer.peer_role;

	pcpd_sync_peer_role_seen(s);
	if (pr == s->peer_role_seen)
		return;
	s->peer_role_seen = pr;
	if (pr == SYNC_ROLE_MASTER && s->peer.role != SYNC_ROLE_MASTER) {
		log_info("sync: the peer is MASTER: asking for its state");
		sync_peer_request_resync(&s->peer, now);
	}
}

void pcpd_sync_readable(struct pcpd *d)
{
	struct pcpd_sync *s = d->sync;
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;
	int i, rc;
	int64_t now = now_ms();

	for (i = 0; i < RX_BURST; i++) {
		fl = sizeof(from);
		n = recvfrom(s->fd, s->buf, sizeof(s->buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		rc = sync_peer_recv(&s->peer, s->buf, (size_t)n, now);
		if (rc && rc != -EALREADY && log_limit_pass(&s->warn_log, now))
			log_warnx("sync: datagram from %s refused (%s)",
				  inet_ntoa(from.sin_addr), strerror(-rc));
		peer_role_check(s, now);
	}
	flush(s, now);
}

void pcpd_sync_timer(struct pcpd *d)
{
	uint64_t n;

	while (read(d->sync->timer_fd, &n, sizeof(n)) == sizeof(n))
		;
	flush(d->sync, now_ms());
}

void pcpd_sync_role(struct pcpd *d, enum sync_role role)
{
	struct pcpd_sync *s = d->sync;

	if (!s) {
		log_info("role %s: nothing to replicate without [sync]",
			 role == SYNC_ROLE_MASTER ? "MASTER" : "BACKUP");
		return;
	}
	log_info("sync: role %s", role == SYNC_ROLE_MASTER ? "MASTER" :
		 "BACKUP");
	sync_peer_set_role(&s->peer, role);
	s->role_told = true;
	pcpd_sync_push_role(d);
	s->status_next = 0;	/* the status file says it at once */
	flush(s, now_ms());
}

bool pcpd_sync_standby(const struct pcpd *d)
{
	return d->sync && d->sync->peer.role != SYNC_ROLE_MASTER;
}

/*
 * The module's role follows the one keepalived told (standby unless
 * MASTER), once told; at every (re)connection too, since the module may
 * have been reloaded meanwhile. Without [sync] nothing is set: a cold
 * standby's module is an ordinary one (draft-boucadair-pcp-failure §3.4).
 */
void pcpd_sync_push_role(struct pcpd *d)
{
	struct pcpd_sync *s = d->sync;

	if (s && s->role_told)
		pcpd_push_role(d, s->peer.role != SYNC_ROLE_MASTER);
}

void pcpd_sync_map_event(struct pcpd *d, bool removed,
			 const struct pcpd_mapping *m)
{
	if (!d->sync)
		return;
	if (removed)
		pcpd_sync_record_unmap(d->sync, m->proto, m->int_addr,
				       m->int_port);
	else
		pcpd_sync_record_map(d->sync, m);
}

void pcpd_sync_kick(struct pcpd_sync *s)
{
	/* Not sent now: the changes of this wakeup go out batched. */
	arm(s, now_ms(), true);
}

int64_t pcpd_sync_now_ms(void)
{
	return now_ms();
}
