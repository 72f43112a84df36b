// SPDX-License-Identifier: GPL-2.0
/*
 * pcpctl monitor: print events as they arrive, until SIGINT/SIGTERM or,
 * with --count N, after N events. Signals are blocked except inside
 * ppoll(), so one arriving between two checks cannot be missed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "pcpctl/pcpctl.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct monitor {
	bool json;
	unsigned long left;	/* events still to print; 0: no limit */
	bool limited;
};

static void print_human(const struct pcpnl_event *e)
{
	const char *reason = e->has_reason ? pcpnl_reason_name(e->reason) : NULL;
	char in[32], ex[32], a[INET_ADDRSTRLEN];
	const char *proto;

	switch (e->cmd) {
	case PCPNAT_CMD_EVENT_MAP_NEW:
	case PCPNAT_CMD_EVENT_MAP_DEL:
		proto = pcpnl_proto_name(e->map.proto);
		inet_ntop(AF_INET, &e->map.subscriber, a, sizeof(a));
		printf("%s %s %s -> %s %s lifetime %u subscriber %s",
		       pcpnl_event_name(e->cmd), proto ? proto : "?",
		       endpoint_str(e->map.int_addr, e->map.int_port, in, sizeof(in)),
		       endpoint_str(e->map.ext_addr, e->map.ext_port, ex, sizeof(ex)),
		       kind_name(e->map.kind), e->map.lifetime, a);
		if (reason)
			printf(" reason %s", reason);
		putchar('\n');
		break;
	case PCPNAT_CMD_EVENT_ADDR_ADD:
	case PCPNAT_CMD_EVENT_ADDR_DEL:
		inet_ntop(AF_INET, &e->addr, a, sizeof(a));
		printf("%s %s\n", pcpnl_event_name(e->cmd), a);
		break;
	default:
		printf("%s\n", pcpnl_event_name(e->cmd));
	}
}

static json_object *event_json(const struct pcpnl_event *e)
{
	const char *reason = e->has_reason ? pcpnl_reason_name(e->reason) : NULL;
	char a[INET_ADDRSTRLEN];
	json_object *o;

	if (e->cmd == PCPNAT_CMD_EVENT_MAP_NEW || e->cmd == PCPNAT_CMD_EVENT_MAP_DEL)
		o = map_json(&e->map);
	else
		o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(pcpnl_event_name(e->cmd)));
	if (reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	if (e->cmd == PCPNAT_CMD_EVENT_ADDR_ADD || e->cmd == PCPNAT_CMD_EVENT_ADDR_DEL) {
		inet_ntop(AF_INET, &e->addr, a, sizeof(a));
		json_object_object_add(o, "addr", json_object_new_string(a));
	}
	return o;
}

static int on_event(const struct pcpnl_event *e, void *arg)
{
	struct monitor *m = arg;

	if (m->json)
		json_print(event_json(e), false);
	else
		print_human(e);
	/* Whoever reads a pipe wants each event now, not at exit. */
	fflush(stdout);
	return m->limited && --m->left == 0;
}

int cmd_monitor(struct ctl *ctl, int argc, char **argv)
{
	struct monitor mon = { .json = ctl->json };
	struct sigaction sa = { .sa_handler = on_signal };
	struct pcpnl_events *ev;
	sigset_t block, orig;
	struct pollfd pfd;
	char err[256];
	uint32_t n;
	int i, rc;

	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--count") && strcmp(argv[i], "count"))
			return ctl_usage("monitor: unknown argument \"%s\"", argv[i]);
		if (!ctl_value(argc, argv, i))
			return EXIT_USAGE;
		if ((rc = pcpnl_parse_u32(argv[i + 1], 1, UINT32_MAX, &n)))
			return ctl_bad_value("count", argv[i + 1], rc);
		mon.left = n;
		mon.limited = true;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	rc = pcpnl_events_open(&ev, true, err, sizeof(err));
	if (rc)
		return ctl_error("%s", err);
	pfd.fd = pcpnl_events_fd(ev);
	pfd.events = POLLIN;
	rc = EXIT_OK;
	while (!stop && !(mon.limited && mon.left == 0)) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			rc = ctl_error("monitor: poll: %s", strerror(errno));
			break;
		}
		i = pcpnl_events_read(ev, on_event, &mon);
		if (i == -ENOBUFS) {
			/* Lost some: say so where it cannot be mistaken for an event. */
			fprintf(stderr, "pcpctl: monitor: events were lost (receive buffer overrun)\n");
		} else if (i < 0) {
			rc = ctl_error("monitor: %s", strerror(-i));
			break;
		}
	}
	pcpnl_events_close(ev);
	return rc;
}
