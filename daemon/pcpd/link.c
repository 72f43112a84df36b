// SPDX-License-Identifier: GPL-2.0
/*
 * pcpd's link to pcpnat.ko: connecting (and reconnecting after the
 * module went away), pushing the [nat] configuration, noticing state loss
 * and following the events group.
 *
 * State loss is seen two ways: the STATE_RESET event or a state_id that
 * changed on a live link (a flush of everything: the operator wanted the
 * mappings gone; see state_change.h), and a new instance found when
 * (re)connecting (module reloaded, router rebooted: the mappings should
 * come back from stable storage).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "pcpd/daemon.h"
#include "pcpd/log.h"
#include "pcpd/state_change.h"
#include "pcpd/sync_daemon.h"

int pcpd_push_nat_config(struct pcpd *d)
{
	struct pcpnl_config cfg = d->conf.nat;
	int err;

	if (!cfg.fields || !d->connected)
		return 0;
	/* "ext_dev = none" (an empty name) sets no device, as pcpctl's does. */
	if ((cfg.fields & PCPNL_CF_EXT_IFINDEX) && !d->conf.ext_dev[0]) {
		cfg.ext_ifindex = 0;
	} else if (cfg.fields & PCPNL_CF_EXT_IFINDEX) {
		cfg.ext_ifindex = if_nametoindex(d->conf.ext_dev);
		if (!cfg.ext_ifindex) {
			log_warnx("[nat] ext_dev %s: no such interface",
				  d->conf.ext_dev);
			cfg.fields &= ~PCPNL_CF_EXT_IFINDEX;
		}
	}
	err = pcpnl_config_set(d->nl.c, &cfg);
	if (err)
		log_warnx("cannot configure pcpnat: %s (%s)", strerror(-err),
			  pcpnl_client_error(d->nl.c));
	else if (*pcpnl_client_warning(d->nl.c))
		log_warnx("pcpnat configured from [nat], but: %s",
			  pcpnl_client_warning(d->nl.c));
	else
		log_info("pcpnat configured from [nat]");
	return err;
}

int pcpd_push_role(struct pcpd *d, bool standby)
{
	struct pcpnl_config cfg = {
		.fields = PCPNL_CF_STANDBY,
		.standby = standby,
	};
	int err;

	if (!d->connected)
		return 0;	/* pcpd_link_tick() pushes it once connected */
	err = pcpnl_config_set(d->nl.c, &cfg);
	if (err)
		log_warnx("cannot set pcpnat's role: %s (%s)", strerror(-err),
			  pcpnl_client_error(d->nl.c));
	else
		log_info("pcpnat: role %s", standby ? "standby" : "active");
	return err;
}

void pcpd_link_close(struct pcpd *d)
{
	if (d->ev) {
		epoll_ctl(d->ep, EPOLL_CTL_DEL, pcpnl_events_fd(d->ev), NULL);
		pcpnl_events_close(d->ev);
		d->ev = NULL;
	}
	if (d->nl.c)
		pcpnl_client_close(d->nl.c);
	d->nl.c = NULL;
	d->connected = false;
	pcpd_epoch_module_forget(&d->nl.ep);
}

/*
 * The pool's first address, and whether it is the pool's only one: then
 * every host is told that address, by multicast (announce.c).
 */
static uint32_t pool_read(struct pcpd *d, bool *one)
{
	struct pcpnl_config cfg;

	*one = true;
	if (pcpnl_config_get(d->nl.c, &cfg) || !cfg.npool)
		return 0;
	*one = cfg.npool == 1 && cfg.pool[0].len == 32;
	return cfg.pool[0].addr.s_addr;
}

/*
 * The instance dropped its state on purpose (flush): nothing to restore,
 * every epoch from zero, clients told (RFC 6887 14.1.3).
 */
static void state_flushed(struct pcpd *d, uint64_t state_id)
{
	log_info("pcpnat flushed: all mappings gone, epoch restarts");
	pcpd_epoch_state_reset(&d->nl.ep);
	pcpd_state_clear_maps(&d->storage.mirror);
	d->storage.mirror.state_id = state_id;
	pcpd_storage_compact_soon(&d->storage);
	d->state_id = state_id;
	d->flushed_state_id = state_id;
	pcpd_store_dirty(d);
	pcpd_announce_state_lost(d);
}

/* A new instance appeared (or we just started): resume or restore. */
static void new_instance(struct pcpd *d, uint64_t state_id, bool at_start)
{
	log_info("pcpnat state %016llx%s", (unsigned long long)state_id,
		 at_start ? "" : " (the previous state is gone)");
	pcpd_store_resume(d, state_id, !at_start);
	d->state_id = state_id;
}

static int connect_module(struct pcpd *d)
{
	struct pcpnl_config cfg;
	char err[256];
	int rc;

	rc = pcpnl_client_open(&d->nl.c, err, sizeof(err));
	if (rc) {
		d->nl.c = NULL;
		return rc;
	}
	/*
	 * Not the implicit mappings' group: traffic makes thousands a
	 * second, none of which pcpd acts on, and they would overrun the
	 * socket and lose the events it needs. Except with [sync]: the
	 * standby needs the flows' mappings too.
	 */
	rc = pcpnl_events_open(&d->ev, d->conf.sync.enabled, err, sizeof(err));
	if (rc) {
		log_warnx("events: %s", err);
		pcpnl_client_close(d->nl.c);
		d->nl.c = NULL;
		d->ev = NULL;
		return rc;
	}
	struct epoll_event ee = {
		.events = EPOLLIN,
		.data.fd = pcpnl_events_fd(d->ev),
	};
	if (d->conf.events_buffer)
		pcpnl_events_set_rcvbuf(d->ev, (int)d->conf.events_buffer);
	epoll_ctl(d->ep, EPOLL_CTL_ADD, ee.data.fd, &ee);
	d->connected = true;
	log_info("connected to pcpnat");
	pcpd_push_nat_config(d);
	pcpd_sync_push_role(d);
	rc = pcpnl_config_get(d->nl.c, &cfg);
	if (rc) {
		pcpd_link_close(d);
		return rc;
	}
	pcpd_nl_config_seen(&d->nl, &cfg);
	d->nat_addr = pool_read(d, &d->pool_one);
	new_instance(d, cfg.state_id, !d->state_id);
	/* RFC 6886 3.2.1: the gateway's start-up (a state loss announces too). */
	if (!d->nat_ann.left)
		pcpd_announce_start(d, &d->nat_ann);
	return 0;
}

void pcpd_link_tick(struct pcpd *d)
{
	static bool warned;
	struct pcpnl_config cfg;
	int rc;

	if (!d->connected) {
		rc = connect_module(d);
		if (rc && !warned)
			log_warnx("pcpnat module not reachable (%s); retrying",
				  strerror(-rc));
		warned = rc != 0;
		return;
	}
	rc = pcpnl_config_get(d->nl.c, &cfg);
	if (rc) {
		/* The family went with the module: start over later. */
		log_warnx("lost pcpnat (%s)", strerror(-rc));
		pcpd_link_close(d);
		return;
	}
	/* The module's epoch, for the replies until the next tick (epoch.h). */
	pcpd_nl_config_seen(&d->nl, &cfg);
	if (cfg.state_id != d->state_id) {
		/* Fresh module without an instance yet: configure it. */
		if (!cfg.state_id && d->conf.nat.fields) {
			pcpd_push_nat_config(d);
			if (pcpnl_config_get(d->nl.c, &cfg))
				return;
			pcpd_nl_config_seen(&d->nl, &cfg);
		}
		switch (pcpd_state_change(d->state_id, cfg.state_id)) {
		case PCPD_SC_NONE:
			break;
		case PCPD_SC_NEW_INSTANCE:
			new_instance(d, cfg.state_id, false);
			break;
		case PCPD_SC_FLUSHED:
			state_flushed(d, cfg.state_id);
			break;
		}
	}
}

/*
 * The subscriber's mappings are gone: its epoch restarts
 * (draft-boucadair-pcp-failure 3.2), and it is told once however many
 * mappings went at that second.
 */
static void subscriber_lost(struct pcpd *d, uint32_t sub, int64_t now,
			    const char *why)
{
	const struct pcpd_epoch *ep = &d->nl.ep;
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; i < ep->nresets; i++)
		if (ep->resets[i].subscriber == sub && ep->resets[i].at == now)
			return;
	pcpd_epoch_subscriber_reset(&d->nl.ep, sub, now);
	if (d->sync)
		pcpd_sync_record_sub_reset(d->sync, sub);
	/* The resets are in the snapshot, not in the journal. */
	pcpd_storage_compact_soon(&d->storage);
	pcpd_store_dirty(d);
	inet_ntop(AF_INET, &sub, a, sizeof(a));
	log_info("subscriber %s %s: its epoch restarts", a, why);
	pcpd_send_announce_to(d, sub);
}

/*
 * Re-read the pool: NAT-PMP clients hear of a change of their address.
 * With several addresses any change may be some host's address (paired
 * pooling): each is told its own again.
 */
static void pool_addr_check(struct pcpd *d)
{
	bool was_one = d->pool_one;
	uint32_t addr = pool_read(d, &d->pool_one);
	char a[INET_ADDRSTRLEN];

	if (addr == d->nat_addr && was_one && d->pool_one)
		return;
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	log_info("external address now %s%s: telling NAT-PMP clients", a,
		 d->pool_one ? "" : " and others, each host its own");
	d->nat_addr = addr;
	pcpd_announce_start(d, &d->nat_ann);
}

static int on_event(const struct pcpnl_event *e, void *arg)
{
	struct pcpd *d = arg;
	struct pcpd_mapping m;
	struct pcpnl_config cfg;
	const struct pcpd_state_map *sm;
	int64_t now = pcpd_boot_now();
	uint32_t left;

	switch (e->cmd) {
	case PCPNAT_CMD_EVENT_STATE_RESET:
		if (pcpnl_config_get(d->nl.c, &cfg))
			cfg.state_id = d->state_id;
		else
			pcpd_nl_config_seen(&d->nl, &cfg);
		/* The poll may have seen this flush first: handled once. */
		if (cfg.state_id && cfg.state_id == d->flushed_state_id)
			break;
		state_flushed(d, cfg.state_id);
		break;
	case PCPNAT_CMD_EVENT_MAP_DEL:
		pcpd_nl_from_lib(&e->map, &m);
		pcpd_sync_map_event(d, true, &m);
		if (e->has_reason && e->reason == PCPNAT_REASON_FLUSHED) {
			/*
			 * This subscriber's state is new
			 * (draft-boucadair-pcp-failure 3.2).
			 */
			subscriber_lost(d, m.subscriber, now, "flushed");
		}
		if (m.kind != PCPNAT_KIND_EXPLICIT)
			break;
		/* Its stored expiry, found by key: O(1) a mapping. */
		sm = pcpd_store_find(d, m.proto, m.int_addr, m.int_port);
		left = sm && sm->expires > now ? sm->expires - now :
		       d->pol.lifetime_min;
		pcpd_storage_event_del(&d->storage, &m);
		if (e->has_reason && e->reason == PCPNAT_REASON_ADDR_REMOVED) {
			struct pcpd_mapping want = m, got;

			/* Make it again on what the pool still has (14.2). */
			want.ext_addr = 0;
			want.ext_port = 0;
			want.lifetime = left;
			if (!d->srv.ops->map_add(d->srv.be, &want,
						 want.nfilters ?
						 PCPNAT_MAP_F_SET_FILTERS : 0,
						 &got))
				pcpd_send_map_update(d, &got, got.lifetime);
			else
				pcpd_send_map_update(d, &m, 0);
		}
		pcpd_store_dirty(d);
		break;
	case PCPNAT_CMD_EVENT_MAP_NEW:
		pcpd_nl_from_lib(&e->map, &m);
		pcpd_sync_map_event(d, false, &m);
		pcpd_storage_event_new(&d->storage, &m);
		pcpd_store_dirty(d);
		break;
	case PCPNAT_CMD_EVENT_ADDR_ADD:
	case PCPNAT_CMD_EVENT_ADDR_DEL:
		pool_addr_check(d);
		break;
	}
	return 0;
}

/*
 * Events were lost: find again from the module what they said. A flush or
 * a new instance shows in the state id (the tick's check); the pool is
 * re-read; and a stored mapping still within its lifetime that the module
 * no longer has was lost whatever removed it (a subscriber flush, most
 * likely), so its owner's epoch restarts. Then a fresh snapshot. The
 * standby missed them too: the active restates its table ([sync]).
 */
static void resync(struct pcpd *d)
{
	int64_t now = pcpd_boot_now();
	struct pcpd_mapping cur;
	unsigned int i;

	pcpd_sync_events_lost(d);
	pcpd_link_tick(d);
	if (!d->connected)
		return;
	pool_addr_check(d);
	for (i = 0; i < d->storage.mirror.nmaps; i++) {
		const struct pcpd_mapping *m = &d->storage.mirror.maps[i].m;

		if (d->storage.mirror.maps[i].expires <= now ||
		    d->srv.ops->map_get(d->srv.be, m->proto, m->int_addr,
					m->int_port, &cur) != -ENOENT)
			continue;
		subscriber_lost(d, m->subscriber ? m->subscriber : m->int_addr,
				now, "lost mappings while events were lost");
	}
	/* What the lost events said is in the table: a snapshot of it. */
	pcpd_storage_compact_soon(&d->storage);
	pcpd_store_dirty(d);
}

void pcpd_link_events(struct pcpd *d)
{
	int rc;

	if (!d->ev)
		return;
	rc = pcpnl_events_read(d->ev, on_event, d);
	if (rc == -ENOBUFS) {
		log_warnx("events lost (the socket overran); resynchronising");
		resync(d);
	} else if (rc) {
		log_warnx("events: %s", strerror(-rc));
	}
}
