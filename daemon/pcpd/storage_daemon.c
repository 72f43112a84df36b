// SPDX-License-Identifier: GPL-2.0
/*
 * Stable storage in pcpd's event loop: the save timer, and what to do with
 * the stored state when the module is (re)connected. What is written when
 * is storage.c's policy; the formats are state_file.c (snapshot) and
 * state_journal.c (journal).
 *
 * Changes are recorded as they happen (d->srv's backend is
 * pcpd_storage_ops over the module's); the one-shot save timer fsyncs the
 * journal, so a burst of requests costs one fsync, and compacts it when
 * it grew too long.
 *
 * Nothing is dumped while the module is unreachable, so a reload or a
 * reboot never overwrites the snapshot with an empty table before pcpd
 * had a chance to restore from it.
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
	pcpd_storage_init(&d->storage, d->conf.state_file, d->srv.ops,
			  d->srv.be, &d->nl.ep);
	d->srv.ops = &pcpd_storage_ops;
	d->srv.be = &d->storage;
}

void pcpd_store_close(struct pcpd *d)
{
	pcpd_storage_close(&d->storage);
}

void pcpd_store_dirty(struct pcpd *d)
{
	struct itimerspec its = {
		.it_value.tv_nsec = PCPD_SAVE_DELAY_MS * 1000000L,
	};

	if (d->save_armed || !pcpd_storage_pending(&d->storage))
		return;
	d->save_armed = true;
	timerfd_settime(d->save_fd, 0, &its, NULL);
}

void pcpd_store_save_now(struct pcpd *d)
{
	uint64_t compactions = d->storage.stats.compactions;
	int err;

	d->save_armed = false;
	err = pcpd_storage_flush(&d->storage, d->connected);
	if (err)
		log_warnx("state: cannot write %s (%s)", d->storage.path,
			  strerror(-err));
	else if (d->storage.stats.compactions != compactions)
		log_debug("state: %u mappings saved",
			  d->storage.mirror.nmaps);
	if (d->storage.stats.compactions != compactions && d->storage.dir_err)
		log_warnx("state: %s written, but its directory could not be synced (%s): a crash may bring back the one before",
			  d->storage.path, strerror(-d->storage.dir_err));
}

const struct pcpd_state_map *pcpd_store_find(struct pcpd *d, uint8_t proto,
					     uint32_t int_addr,
					     uint16_t int_port)
{
	return pcpd_storage_find(&d->storage, proto, int_addr, int_port);
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

	/* The table's own backend: the compaction after records it all. */
	pcpd_restore(d->storage.ops, d->storage.be, &d->storage.mirror,
		     pcpd_boot_now(),
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

	for (i = 0; i < d->storage.mirror.nmaps; i++) {
		m = &d->storage.mirror.maps[i].m;
		if (!memcmp(m->nonce, no_nonce, sizeof(no_nonce)))
			pcpd_natpmp_hosts_add(&d->natpmp_hosts, m->subscriber ?
					      m->subscriber : m->int_addr);
	}
}

void pcpd_store_resume(struct pcpd *d, uint64_t state_id, bool lost)
{
	char err[200];
	size_t torn;
	int rc;

	/* Whatever follows, the next flush writes what the table holds. */
	pcpd_storage_compact_soon(&d->storage);
	if (d->storage.path[0] && !d->storage.mirror.state_id) {
		rc = pcpd_storage_load(&d->storage, err, sizeof(err), &torn);
		if (!rc)
			note_natpmp_hosts(d);
		if (!rc && torn)
			log_warnx("state: the last %zu bytes of %s.journal are incomplete (a write the system did not finish): ignored",
				  torn, d->storage.path);
		if (rc == -EBADMSG)
			log_warnx("state: %s is corrupt (%s): set aside as %s.corrupt, not used",
				  d->storage.path, err, d->storage.path);
		else if (rc && rc != -ENOENT)
			log_warnx("state: cannot read %s (%s)",
				  d->storage.path, strerror(-rc));
	}
	if (d->storage.mirror.state_id && d->storage.mirror.state_id == state_id) {
		/* pcpd restarted, the table lived on: nothing was lost. */
		d->nl.ep.origin = d->storage.mirror.origin;
		d->nl.ep.origin_state_id = state_id;
		d->nl.ep.nresets = d->storage.mirror.nresets;
		memcpy(d->nl.ep.resets, d->storage.mirror.resets,
		       d->storage.mirror.nresets * sizeof(d->nl.ep.resets[0]));
		log_info("state: the table is intact, epoch continues");
		pcpd_store_dirty(d);
		return;
	}
	pcpd_epoch_state_reset(&d->nl.ep);
	if (state_id) {
		/*
		 * Storage makes the chain whole
		 * (draft-boucadair-pcp-failure App. A); restore() then
		 * restarts the epochs of those it could not make whole.
		 */
		d->nl.ep.origin = d->storage.mirror.origin;
		d->nl.ep.origin_state_id = state_id;
		d->nl.ep.nresets = d->storage.mirror.nresets;
		memcpy(d->nl.ep.resets, d->storage.mirror.resets,
		       d->storage.mirror.nresets * sizeof(d->nl.ep.resets[0]));
		if (restore(d)) {
			d->storage.mirror.state_id = state_id;
			pcpd_store_dirty(d);
			return;
		}
		pcpd_epoch_state_reset(&d->nl.ep);
	}
	d->storage.mirror.state_id = state_id;
	pcpd_state_clear_maps(&d->storage.mirror);
	if (state_id)
		pcpd_store_dirty(d);
	/* The clients' mappings are gone: tell them (RFC 6887 14.1.3). */
	if (lost || state_id)
		pcpd_announce_state_lost(d);
}
