// SPDX-License-Identifier: GPL-2.0
/*
 * pcpd: PCP (RFC 6887) and NAT-PMP (RFC 6886) server for pcpnat.ko.
 *
 * One epoll loop drives everything: the PCP sockets, the module's events
 * socket, a signalfd (TERM/INT: exit, leaving the mappings in the module;
 * HUP: re-read the configuration) and three timerfds (a 1 s tick that
 * watches the module, the announcement schedule, the coalesced save of
 * stable storage). Nothing blocks except the netlink round trips to the
 * module, which answer at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "pcpd/daemon.h"
#include "pcpd/log.h"
#include "pcpd/privs.h"
#include "pcpd/sync_daemon.h"
#include "pcpd/sync_key.h"

int64_t pcpd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr, "usage: pcpd [-dfnv] [-c FILE]\n");
	exit(2);
}

/* A snapshot that cannot be written is lost mappings on the next start. */
static void warn_unwritable_state(const char *path)
{
	char dir[sizeof(((struct pcpd_conf *)0)->state_file)];

	if (!*path)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if (access(dirname(dir), W_OK | X_OK))
		log_warn("%s: pcpd (uid %u) cannot write its state there",
			 dir, (unsigned int)getuid());
}

static void watch(struct pcpd *d, int fd)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ee))
		fatal("epoll_ctl");
}

static void apply_conf(struct pcpd *d)
{
	d->pol = d->conf.pol;
	d->srv.pol = &d->pol;
	pcpd_rl_init(&d->rl, d->conf.rate_limit, d->conf.rate_limit_total);
}

static void reload(struct pcpd *d)
{
	struct pcpd_conf c;
	char err[256];

	if (pcpd_conf_load(d->conf_path, &c, err, sizeof(err))) {
		log_warnx("%s: %s; keeping the running configuration",
			  d->conf_path, err);
		return;
	}
	if (c.nlisten != d->conf.nlisten ||
	    memcmp(c.listen, d->conf.listen, sizeof(c.listen)))
		log_warnx("listen addresses change only on restart");
	memcpy(c.listen, d->conf.listen, sizeof(c.listen));
	c.nlisten = d->conf.nlisten;
	if (memcmp(&c.sync, &d->conf.sync, sizeof(c.sync)))
		log_warnx("[sync] changes only on restart");
	c.sync = d->conf.sync;
	/*
	 * Storage writes its snapshot and journal where it started (the
	 * path handed to the unprivileged user at start): a snapshot at a
	 * new path would leave its journal behind at the old one.
	 */
	if (strcmp(c.state_file, d->conf.state_file))
		log_warnx("state_file changes only on restart");
	memcpy(c.state_file, d->conf.state_file, sizeof(c.state_file));
	d->conf = c;
	apply_conf(d);
	pcpd_push_nat_config(d);
	log_info("configuration reloaded");
}

static void on_signal(struct pcpd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(d);
			break;
		case SIGUSR1:
			pcpd_sync_role(d, SYNC_ROLE_MASTER);
			break;
		case SIGUSR2:
			pcpd_sync_role(d, SYNC_ROLE_BACKUP);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: exiting, mappings stay", si.ssi_signo);
			d->quit = true;
			break;
		}
	}
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
}

static int make_timer(bool periodic_1s)
{
	struct itimerspec its = { 0 };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd < 0)
		fatal("timerfd_create");
	if (periodic_1s) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
		timerfd_settime(fd, 0, &its, NULL);
	}
	return fd;
}

static void loop(struct pcpd *d)
{
	struct epoll_event evs[16];
	int n, i, s, fd;

	while (!d->quit) {
		n = epoll_wait(d->ep, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fd == d->sigfd) {
				on_signal(d);
			} else if (fd == d->tick_fd) {
				drain(fd);
				pcpd_link_tick(d);
			} else if (fd == d->announce_fd) {
				drain(fd);
				pcpd_announce_timer(d);
			} else if (fd == d->save_fd) {
				drain(fd);
				pcpd_store_save_now(d);
			} else if (d->sync && fd == d->sync->fd) {
				pcpd_sync_readable(d);
			} else if (d->sync && fd == d->sync->timer_fd) {
				pcpd_sync_timer(d);
			} else if (d->ev && fd == pcpnl_events_fd(d->ev)) {
				pcpd_link_events(d);
			} else {
				for (s = 0; s < d->nsock; s++)
					if (fd == d->sock[s])
						pcpd_sock_readable(d, s);
			}
		}
	}
}

int main(int argc, char **argv)
{
	static struct pcpd d = {
		.refusal_log = LOG_LIMIT("refusals", 10, 1000),
		.flood_log = LOG_LIMIT("requests over the rate limit", 1, 10000),
	};
	uint8_t sync_key[PCPD_SYNC_KEY_LEN];
	bool foreground = false, check = false;
	int verbose = 0, opt, s;
	char err[256];
	sigset_t set;

	d.conf_path = PCPD_DEFAULT_CONF;
	while ((opt = getopt(argc, argv, "c:dfnv")) != -1) {
		switch (opt) {
		case 'c':
			d.conf_path = optarg;
			break;
		case 'd':
		case 'f':
			foreground = true;
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(true, verbose);
	if (pcpd_conf_load(d.conf_path, &d.conf, err, sizeof(err)))
		fatalx("%s: %s", d.conf_path, err);
	/* Read as root, before privileges are dropped. */
	if (d.conf.sync.enabled &&
	    pcpd_sync_key_load(d.conf.sync.key_file, sync_key, err,
			       sizeof(err)))
		fatalx("[sync] key_file %s", err);
	if (check) {
		fprintf(stderr, "configuration OK\n");
		return 0;
	}
	apply_conf(&d);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/*
	 * keepalived's notify (sync_daemon.h). Without [sync] too: a cold
	 * standby (draft-boucadair-pcp-failure §3.4) under the same
	 * keepalived.conf gets them at every role change, and must live.
	 */
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		fatal("sigprocmask");
	signal(SIGPIPE, SIG_IGN);

	if (!foreground) {
		if (daemon(0, 0))
			fatal("daemon");
		log_init(false, verbose);
	}
	d.ep = epoll_create1(EPOLL_CLOEXEC);
	d.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.ep < 0 || d.sigfd < 0)
		fatal("epoll/signalfd");
	d.tick_fd = make_timer(true);
	d.announce_fd = make_timer(false);
	d.save_fd = make_timer(false);
	watch(&d, d.sigfd);
	watch(&d, d.tick_fd);
	watch(&d, d.announce_fd);
	watch(&d, d.save_fd);
	if (pcpd_sockets_open(&d))
		fatalx("cannot open the PCP sockets");
	for (s = 0; s < d.nsock; s++)
		watch(&d, d.sock[s]);
	/* Bound and bound to their devices: from here on, one capability. */
	if (pcpd_drop_privileges(d.conf.user, d.conf.state_file, err,
				 sizeof(err)))
		fatalx("%s", err);
	warn_unwritable_state(d.conf.state_file);
	d.srv.ops = &pcpd_nl_ops;
	d.srv.be = &d.nl;
	pcpd_store_init(&d);	/* d.srv then records what changes */
	if (d.conf.sync.enabled) {
		pcpd_sync_init(&d, sync_key);	/* d.srv's changes replicated */
		sodium_memzero(sync_key, sizeof(sync_key));
	}

	pcpd_link_tick(&d);	/* connect now rather than in a second */
	log_info("started");
	loop(&d);

	/* A clean exit leaves the journal on disk, compacted if due. */
	pcpd_store_save_now(&d);
	pcpd_sync_close(&d);
	pcpd_link_close(&d);
	pcpd_sockets_close(&d);
	pcpd_store_close(&d);
	log_info("stopped (%llu requests, %llu dropped, %llu over rate)",
		 (unsigned long long)d.n_requests,
		 (unsigned long long)d.n_dropped,
		 (unsigned long long)d.n_ratelimited);
	return 0;
}
