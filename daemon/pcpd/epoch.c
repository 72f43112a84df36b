// SPDX-License-Identifier: GPL-2.0
/*
 * The epoch rules pcpd adds to the module's epoch: see epoch.h. Pure: no
 * clock read, no I/O, so the unit tests drive them with chosen times.
 */
#include <stdint.h>

#include "pcpd/epoch.h"

void pcpd_epoch_subscriber_reset(struct pcpd_epoch *ep, uint32_t subscriber,
				 int64_t now)
{
	unsigned int i, oldest = 0;

	for (i = 0; i < ep->nresets; i++) {
		if (ep->resets[i].subscriber == subscriber) {
			ep->resets[i].at = now;
			return;
		}
		if (ep->resets[i].at < ep->resets[oldest].at)
			oldest = i;
	}
	/*
	 * Full: the oldest reset goes. Its subscriber's epoch then jumps up
	 * to the instance's, which a client takes as no loss at all; the
	 * table stays bounded whatever an operator does.
	 */
	if (ep->nresets == PCPD_SUB_RESETS_MAX)
		i = oldest;
	else
		i = ep->nresets++;
	ep->resets[i].subscriber = subscriber;
	ep->resets[i].at = now;
}

void pcpd_epoch_state_reset(struct pcpd_epoch *ep)
{
	ep->nresets = 0;
	ep->origin = 0;
	ep->origin_state_id = 0;
}

uint32_t pcpd_epoch_rule(const struct pcpd_epoch *ep, uint32_t subscriber,
			 uint32_t mod_epoch, uint64_t state_id, int64_t now)
{
	int64_t e = mod_epoch;
	unsigned int i;

	if (ep->origin && ep->origin_state_id == state_id && now >= ep->origin)
		e = now - ep->origin;
	for (i = 0; i < ep->nresets; i++) {
		if (ep->resets[i].subscriber != subscriber)
			continue;
		if (now - ep->resets[i].at < e)
			e = now - ep->resets[i].at < 0 ? 0 :
			    now - ep->resets[i].at;
		break;
	}
	return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

void pcpd_epoch_module_seen(struct pcpd_epoch *ep, uint32_t mod_epoch,
			    uint64_t state_id, int64_t now)
{
	int64_t origin = now - (int64_t)mod_epoch;

	/*
	 * pcpd reads its clock after the module read its own: a second's
	 * boundary in between makes the origin one late, never early. The
	 * earliest seen for this state is the module's own, and keeping it
	 * keeps the epoch from stepping back and forth between replies.
	 */
	if (ep->mod_known && ep->mod_state_id == state_id &&
	    ep->mod_origin <= origin)
		return;
	ep->mod_known = true;
	ep->mod_state_id = state_id;
	ep->mod_origin = origin;
}

void pcpd_epoch_module_forget(struct pcpd_epoch *ep)
{
	ep->mod_known = false;
}

uint32_t pcpd_epoch_now(const struct pcpd_epoch *ep, uint32_t subscriber,
			int64_t now)
{
	int64_t e;

	if (!ep->mod_known)
		return 0;
	e = now - ep->mod_origin;
	if (e < 0)
		e = 0;
	if (e > UINT32_MAX)
		e = UINT32_MAX;
	return pcpd_epoch_rule(ep, subscriber, (uint32_t)e, ep->mod_state_id,
			       now);
}
