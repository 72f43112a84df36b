// SPDX-License-Identifier: GPL-2.0
/* See restore.h. */
#include <string.h>

#include "pcpd/restore.h"

void pcpd_restore(const struct pcpd_backend_ops *ops, void *be,
		  const struct pcpd_state *st, int64_t now, struct pcpd_nl *nl,
		  pcpd_restore_cb cb, void *arg, struct pcpd_restore_result *r)
{
	struct pcpd_mapping want, got;
	unsigned int i;
	int err;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < st->nmaps; i++) {
		if (st->maps[i].expires <= now)
			continue;
		want = st->maps[i].m;
		want.kind = PCPNAT_KIND_EXPLICIT;
		want.lifetime = st->maps[i].expires - now;
		/* Same external endpoint where still free, another if not. */
		err = ops->map_add(be, &want,
				   want.nfilters ? PCPNAT_MAP_F_SET_FILTERS : 0,
				   &got);
		if (err) {
			r->failed++;
			pcpd_epoch_subscriber_reset(&nl->ep, want.subscriber ?
						    want.subscriber :
						    want.int_addr, now);
			if (cb)
				cb(arg, &want, true);
			continue;
		}
		r->restored++;
		if (got.ext_addr != want.ext_addr ||
		    got.ext_port != want.ext_port) {
			r->moved++;
			if (cb)
				cb(arg, &got, false);
		}
	}
}
