// SPDX-License-Identifier: GPL-2.0
/* See map_util.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "pcp/pcp_addr.h"
#include "pcpd/handler.h"
#include "pcpd/map_util.h"

bool pcpd_proto_supported(uint8_t proto)
{
	return proto == IPPROTO_UDP || proto == IPPROTO_TCP ||
	       proto == IPPROTO_ICMP;
}

static uint32_t plen_mask(uint8_t plen)
{
	return plen ? htonl(~0u << (32 - plen)) : 0;
}

uint8_t pcpd_merge_filters(const struct pcpd_policy *p,
			   const struct pcpd_mapping *cur,
			   const struct pcp_options *o,
			   struct pcpd_mapping *want)
{
	struct pcpd_filter list[PCP_FILTERS_MAX_WIRE + PCPNAT_FILTERS_MAX];
	unsigned int n = 0, i, k;

	if (cur) {
		memcpy(list, cur->filters, cur->nfilters * sizeof(list[0]));
		n = cur->nfilters;
	}
	for (i = 0; i < o->nfilters; i++) {
		const struct pcp_filter *f = &o->filters[i];
		struct pcpd_filter nf = { 0 };
		bool dup = false;

		if (f->prefix_len == 0) {
			n = 0;
			continue;
		}
		/* The remote side of a NAT44 mapping is IPv4. */
		if (!pcp_addr_to_v4(f->addr, &nf.addr))
			return PCP_MALFORMED_OPTION;
		nf.plen = f->prefix_len - 96;
		nf.addr &= plen_mask(nf.plen);
		nf.port = f->port;
		for (k = 0; k < n; k++)
			dup |= list[k].addr == nf.addr &&
			       list[k].plen == nf.plen &&
			       list[k].port == nf.port;
		if (!dup)
			list[n++] = nf;
	}
	if (n > p->max_filters || n > PCPNAT_FILTERS_MAX)
		return PCP_EXCESSIVE_REMOTE_PEERS;
	memcpy(want->filters, list, n * sizeof(list[0]));
	want->nfilters = (uint8_t)n;
	return PCP_SUCCESS;
}

void pcpd_filters_to_opt(const struct pcpd_mapping *m, struct pcp_options *o)
{
	unsigned int i;

	for (i = 0; i < m->nfilters && i < PCP_FILTERS_MAX_WIRE; i++) {
		struct pcp_filter *f = &o->filters[i];

		f->prefix_len = m->filters[i].plen + 96;
		f->port = m->filters[i].port;
		pcp_addr_from_v4(f->addr, m->filters[i].addr);
	}
	o->nfilters = (uint8_t)i;
}

struct del_batch {
	const uint8_t *nonce;
	struct pcpd_key keys[64];
	unsigned int n;
	struct pcpd_key last;
	bool more;
};

static int del_batch_cb(void *arg, const struct pcpd_mapping *m)
{
	struct del_batch *d = arg;

	d->last = (struct pcpd_key){ m->proto, m->int_addr, m->int_port };
	if (m->kind != PCPNAT_KIND_EXPLICIT ||
	    memcmp(m->nonce, d->nonce, PCPNAT_NONCE_LEN))
		return 0;
	d->keys[d->n++] = d->last;
	if (d->n == sizeof(d->keys) / sizeof(d->keys[0])) {
		d->more = true;
		return 1;
	}
	return 0;
}

int pcpd_delete_matching(const struct pcpd_server *s,
			 const struct pcpd_walk_filter *f,
			 const uint8_t nonce[PCPNAT_NONCE_LEN])
{
	struct pcpd_key after;
	struct del_batch d;
	bool first = true;

	do {
		unsigned int i;
		int err;

		memset(&d, 0, sizeof(d));
		d.nonce = nonce;
		err = s->ops->map_walk(s->be, f, first ? NULL : &after,
				       del_batch_cb, &d);
		if (err < 0)
			return err;
		for (i = 0; i < d.n; i++) {
			struct pcpd_mapping key = {
				.proto = d.keys[i].proto,
				.int_addr = d.keys[i].int_addr,
				.int_port = d.keys[i].int_port,
			}, gone;

			memcpy(key.nonce, nonce, PCPNAT_NONCE_LEN);
			/* Gone meanwhile or re-owned: either way not ours. */
			s->ops->map_del(s->be, &key, 0, &gone);
		}
		after = d.last;
		first = false;
	} while (d.more);
	return 0;
}
