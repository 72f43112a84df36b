// SPDX-License-Identifier: GPL-2.0
/*
 * Stable storage in the running daemon (the file format is state_file.c).
 *
 * What is written is a snapshot of the module's explicit mappings, taken
 * by a dump when the save timer fires: the table is the truth, pcpd keeps
 * no mirror that could drift from it. Changes (requests that succeeded,
 * MAP_NEW/MAP_DEL events) only mark the snapshot dirty and arm a one-shot
 * timer, so a burst of requests costs one dump and one write.
 *
 * Nothing is written while the module is unreachable, so a reload or a
 * reboot never overwrites the file with an empty table before pcpd had a
 * chance to restore from it.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#include "pcpd/daemon.h"
#include "pcpd/log.h"
#include "pcpd/restore.h"

void pcpd_store_init(struct pcpd *d)
{
	pcpd_state_init(&d->stored);
}

void pcpd_store_close(struct pcpd *d)
{
	pcpd_state_free(&d->stored);
}

void pcpd_store_dirty(struct pcpd *d)
{
	struct itimerspec its = {
		.it_value.tv_nsec = PCPD_SAVE_DELAY_MS * 1000000L,
	};

	if (!d->conf.state_file[0] || d->save_armed)
		return;
	d->save_armed = true;
	timerfd_settime(d->save_fd, 0, &its, NULL);
}

static int snap_one(void *arg, const struct pcpd_mapping *m)
{
	struct pcpd_state *s = arg;

	return pcpd_state_add(s, m, pcpd_boot_now() + m->lifetime) ?
	       -ENOMEM : 0;
}

void pcpd_store_save_now(struct pcpd *d)
{
	struct pcpd_walk_filter f = { .kind = PCPNAT_KIND_EXPLICIT };
	struct pcpd_state s;
	int64_t now = pcpd_boot_now();
	int err;

	d->save_armed = false;
	if (!d->conf.state_file[0] || !d->connected)
		return;
	pcpd_state_init(&s);
	err = d->srv.ops->map_walk(d->srv.be, &f, NULL, snap_one, &s);
	if (err) {
		log_warnx("state: cannot list the mappings (%s)", strerror(-err));
		pcpd_state_free(&s);
		return;
	}
	s.state_id = d->state_id;
	/* The instance-wide epoch's origin, whichever rule gives it. */
	s.origin = now - d->srv.ops->epoch(d->srv.be, 0);
	s.nresets = d->nl.ep.nresets;
	memcpy(s.resets, d->nl.ep.resets, s.nresets * sizeof(s.resets[0]));
	pcpd_state_times_to_file(&s);
	err = pcpd_state_save(d->conf.state_file, &s);
	pcpd_state_times_from_file(&s);
	if (err) {
		log_warnx("state: cannot write %s (%s)", d->conf.state_file,
			  strerror(-err));
		pcpd_state_free(&s);
		return;
	}
	log_debug("state: %u mappings saved", s.nmaps);
	pcpd_state_free(&d->stored);
	d->stored = s;
}

const struct pcpd_state_map *pcpd_store_find(struct pcpd *d, uint8_t proto,
					     uint32_t int_addr,
					     uint16_t int_port)
{
	unsigned int i;

	for (i = 0; i < d->stored.nmaps; i++) {
		const struct pcpd_mapping *m = &d->stored.maps[i].m;

		if (m->proto == proto && m->int_addr == int_addr &&
		    m->int_port == int_port)
			return &d->stored.maps[i];
	}
	return NULL;
}

/* What a restore changed is told to the clients concerned. */
static void restored_cb(void *arg, const struct pcpd_mapping *m, bool lost)
{
	struct pcpd *d = arg;

	if (lost)
		/* Its epoch restarted: say so now (RFC 6887 14.1.3). */
		pcpd_send_announce_to(d, m->subscriber ? m->subscriber :
				      m->int_addr);
	else
		pcpd_send_map_update(d, m, m->lifetime);	/* 14.2 */
}

/*
 * Re-install the stored mappings that have not expired, into d->nl whose
 * origin and resets are the stored ones.
 */
static unsigned int restore(struct pcpd *d)
{
	struct pcpd_restore_result r;

	pcpd_restore(d->srv.ops, d->srv.be, &d->stored, pcpd_boot_now(),
		     &d->nl, restored_cb, d, &r);
	if (r.failed)
		log_warnx("state: %u mappings could not be restored: their "
			  "owners' epochs restart", r.failed);
	if (r.restored)
		log_info("state: %u mappings restored (%u on another endpoint)",
			 r.restored, r.moved);
	return r.restored;
}

/* The owners of stored NAT-PMP mappings (no nonce) are NAT-PMP hosts. */
static void note_natpmp_hosts(struct pcpd *d)
{
	static const uint8_t no_nonce[PCPNAT_NONCE_LEN];
	const struct pcpd_mapping *m;
	unsigned int i;

	for (i = 0; i < d->stored.nmaps; i++) {
		m = &d->stored.maps[i].m;
		if (!memcmp(m->nonce, no_nonce, sizeof(no_nonce)))
			pcpd_natpmp_hosts_add(&d->natpmp_hosts, m->subscriber ?
					      m->subscriber : m->int_addr);
	}
}

void pcpd_store_resume(struct pcpd *d, uint64_t state_id, bool lost)
{
	char err[200];
	int rc;

	if (d->conf.state_file[0] && !d->stored.state_id) {
		rc = pcpd_state_load(d->conf.state_file, &d->stored, err,
				     sizeof(err));
		if (!rc) {
			pcpd_state_times_from_file(&d->stored);
			note_natpmp_hosts(d);
		}
		if (rc == -EBADMSG)
			log_warnx("state: %s is corrupt (%s): set aside as %s.corrupt, not used",
				  d->conf.state_file, err, d->conf.state_file);
		else if (rc && rc != -ENOENT)
			log_warnx("state: cannot read %s (%s)",
				  d->conf.state_file, strerror(-rc));
	}
	if (d->stored.state_id && d->stored.state_id == state_id) {
		/* pcpd restarted, the table lived on: nothing was lost. */
		d->nl.ep.origin = d->stored.origin;
		d->nl.ep.origin_state_id = state_id;
		d->nl.ep.nresets = d->stored.nresets;
		memcpy(d->nl.ep.resets, d->stored.resets,
		       d->stored.nresets * sizeof(d->nl.ep.resets[0]));
		log_info("state: the table is intact, epoch continues");
		return;
	}
	pcpd_epoch_state_reset(&d->nl.ep);
	if (state_id) {
		/*
		 * Storage makes the chain whole
		 * (draft-boucadair-pcp-failure App. A); restore() then
		 * restarts the epochs of those it could not make whole.
		 */
		d->nl.ep.origin = d->stored.origin;
		d->nl.ep.origin_state_id = state_id;
		d->nl.ep.nresets = d->stored.nresets;
		memcpy(d->nl.ep.resets, d->stored.resets,
		       d->stored.nresets * sizeof(d->nl.ep.resets[0]));
		if (restore(d)) {
			d->stored.state_id = state_id;
			pcpd_store_dirty(d);
			return;
		}
		pcpd_epoch_state_reset(&d->nl.ep);
	}
	d->stored.state_id = state_id;
	d->stored.nmaps = 0;
	if (state_id)
		pcpd_store_dirty(d);
	/* The clients' mappings are gone: tell them (RFC 6887 14.1.3). */
	if (lost || state_id)
		pcpd_announce_state_lost(d);
}
