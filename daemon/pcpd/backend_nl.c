// SPDX-License-Identifier: GPL-2.0
/*
 * backend.h over pcpnat.ko (through the client library). The module does
 * the work and answers with the errno values of uapi/linux/pcpnat.h,
 * which pass through unchanged: pcpd_errno_result() maps them onto PCP.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pcpd/backend_nl.h"
#include "pcpd/clock.h"

void pcpd_nl_from_lib(const struct pcpnl_map *m, struct pcpd_mapping *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->proto = m->proto;
	out->int_addr = m->int_addr.s_addr;
	out->int_port = m->int_port;
	out->ext_addr = m->ext_addr.s_addr;
	out->ext_port = m->ext_port;
	out->kind = m->kind;
	out->lifetime = m->lifetime;
	out->idle = m->idle;
	memcpy(out->nonce, m->nonce, PCPNAT_NONCE_LEN);
	out->subscriber = (m->fields & PCPNL_MF_SUBSCRIBER) ?
			  m->subscriber.s_addr : m->int_addr.s_addr;
	out->nfilters = m->nfilters > PCPNAT_FILTERS_MAX ? PCPNAT_FILTERS_MAX :
			m->nfilters;
	for (i = 0; i < out->nfilters; i++) {
		out->filters[i].addr = m->filters[i].addr.s_addr;
		out->filters[i].plen = m->filters[i].plen;
		out->filters[i].port = m->filters[i].port;
	}
	if (m->fields & PCPNL_MF_DESCR)
		memcpy(out->descr, m->descr, sizeof(out->descr));
	out->descr[sizeof(out->descr) - 1] = '\0';
}

void pcpd_nl_to_lib(const struct pcpd_mapping *m, struct pcpnl_map *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->fields = PCPNL_MF_INT_KEY | PCPNL_MF_KIND | PCPNL_MF_LIFETIME;
	out->proto = m->proto;
	out->int_addr.s_addr = m->int_addr;
	out->int_port = m->int_port;
	out->kind = m->kind ? m->kind : PCPNAT_KIND_EXPLICIT;
	/* The module wants >= 1 s; PEER's 0 means "leave it as it is". */
	out->lifetime = m->lifetime ? m->lifetime : 1;
	if (m->ext_addr) {
		out->fields |= PCPNL_MF_EXT_ADDR;
		out->ext_addr.s_addr = m->ext_addr;
	}
	if (m->ext_port) {
		out->fields |= PCPNL_MF_EXT_PORT;
		out->ext_port = m->ext_port;
	}
	if (m->subscriber) {
		out->fields |= PCPNL_MF_SUBSCRIBER;
		out->subscriber.s_addr = m->subscriber;
	}
	if (m->peer && out->kind == PCPNAT_KIND_IMPLICIT) {
		out->fields |= PCPNL_MF_PEER;
		out->peer.s_addr = m->peer;
	}
	if (out->kind == PCPNAT_KIND_EXPLICIT) {
		out->fields |= PCPNL_MF_NONCE;
		memcpy(out->nonce, m->nonce, PCPNAT_NONCE_LEN);
		if (m->descr[0]) {
			out->fields |= PCPNL_MF_DESCR;
			memcpy(out->descr, m->descr, sizeof(out->descr));
		}
	}
	out->nfilters = m->nfilters;
	for (i = 0; i < m->nfilters && i < PCPNAT_FILTERS_MAX; i++) {
		out->filters[i].addr.s_addr = m->filters[i].addr;
		out->filters[i].plen = m->filters[i].plen;
		out->filters[i].port = m->filters[i].port;
	}
}

static int nl_map_add(void *be, const struct pcpd_mapping *req,
		      uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_nl *nl = be;
	struct pcpnl_map m, got;
	int err;

	pcpd_nl_to_lib(req, &m);
	/* MF_FILTERS tells the lib to replace the list (SET_FILTERS). */
	if (flags & PCPNAT_MAP_F_SET_FILTERS)
		m.fields |= PCPNL_MF_FILTERS;
	flags &= ~PCPNAT_MAP_F_SET_FILTERS;
	if (flags) {
		m.fields |= PCPNL_MF_FLAGS;
		m.flags = flags;
	}
	err = pcpnl_map_add(nl->c, &m, &got);
	if (err)
		return err;
	pcpd_nl_from_lib(&got, out);
	return 0;
}

static int nl_map_peer(void *be, const struct pcpd_mapping *req,
		       uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_mapping r = *req;

	r.kind = PCPNAT_KIND_IMPLICIT;
	r.nfilters = 0;
	return nl_map_add(be, &r, flags & PCPNAT_MAP_F_PREFER_FAILURE, out);
}

static int nl_map_del(void *be, const struct pcpd_mapping *key,
		      uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_nl *nl = be;
	struct pcpnl_map m = {
		.fields = PCPNL_MF_INT_KEY | PCPNL_MF_NONCE,
		.proto = key->proto,
		.int_addr.s_addr = key->int_addr,
		.int_port = key->int_port,
	}, got;
	int err;

	memcpy(m.nonce, key->nonce, PCPNAT_NONCE_LEN);
	if (flags) {
		m.fields |= PCPNL_MF_FLAGS;
		m.flags = flags;
	}
	memset(&got, 0, sizeof(got));
	err = pcpnl_map_del(nl->c, &m, &got);
	if (err)
		return err;
	pcpd_nl_from_lib(&got, out);
	/*
	 * Still carrying traffic: it lives on as implicit (RFC 6887 15;
	 * draft-boucadair-pcp-flow-examples 2.13).
	 */
	if (got.kind != PCPNAT_KIND_IMPLICIT)
		out->lifetime = 0;
	return 0;
}

static int nl_map_get(void *be, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port, struct pcpd_mapping *out)
{
	struct pcpd_nl *nl = be;
	struct pcpnl_map key = {
		.fields = PCPNL_MF_INT_KEY,
		.proto = proto,
		.int_addr.s_addr = int_addr,
		.int_port = int_port,
	}, got;
	int err;

	err = pcpnl_map_get(nl->c, &key, &got);
	if (err)
		return err;
	pcpd_nl_from_lib(&got, out);
	return 0;
}

struct walk_ctx {
	pcpd_walk_cb cb;
	void *arg;
	int ret;
};

static int walk_one(const struct pcpnl_map *m, void *arg)
{
	struct walk_ctx *w = arg;
	struct pcpd_mapping pm;

	pcpd_nl_from_lib(m, &pm);
	w->ret = w->cb(w->arg, &pm);
	return w->ret ? 1 : 0;	/* > 0 stops the lib's walk cleanly */
}

static int nl_map_walk(void *be, const struct pcpd_walk_filter *f,
		       const struct pcpd_key *after, pcpd_walk_cb cb, void *arg)
{
	struct pcpd_nl *nl = be;
	struct pcpnl_map_filter lf = { 0 };
	struct pcpnl_key k;
	struct walk_ctx w = { .cb = cb, .arg = arg };
	int err;

	if (f) {
		if (f->subscriber) {
			lf.fields |= PCPNL_MF_SUBSCRIBER;
			lf.subscriber.s_addr = f->subscriber;
		}
		if (f->proto) {
			lf.fields |= PCPNL_MF_PROTO;
			lf.proto = f->proto;
		}
		if (f->int_addr) {
			lf.fields |= PCPNL_MF_INT_ADDR;
			lf.int_addr.s_addr = f->int_addr;
		}
		if (f->kind) {
			lf.fields |= PCPNL_MF_KIND;
			lf.kind = f->kind;
		}
	}
	if (after) {
		k.proto = after->proto;
		k.addr.s_addr = after->int_addr;
		k.port = after->int_port;
	}
	err = pcpnl_map_dump(nl->c, &lf, after ? &k : NULL, walk_one, &w);
	if (err)
		return err;
	return w.ret;
}

void pcpd_nl_config_seen(struct pcpd_nl *nl, const struct pcpnl_config *cfg)
{
	if (!(cfg->fields & PCPNL_CF_EPOCH)) {
		pcpd_epoch_module_forget(&nl->ep);
		return;
	}
	pcpd_epoch_module_seen(&nl->ep, cfg->epoch,
			       (cfg->fields & PCPNL_CF_STATE_ID) ?
			       cfg->state_id : 0, pcpd_boot_now());
}

/*
 * From the cache (epoch.h): the link refreshes it where the module's
 * epoch can change. Read here only while it is unknown.
 */
static uint32_t nl_epoch(void *be, uint32_t subscriber)
{
	struct pcpd_nl *nl = be;
	struct pcpnl_config cfg;

	if (!nl->ep.mod_known && nl->c && !pcpnl_config_get(nl->c, &cfg))
		pcpd_nl_config_seen(nl, &cfg);
	return pcpd_epoch_now(&nl->ep, subscriber, pcpd_boot_now());
}

/*
 * The pool address the module gives this host's mappings (paired pooling,
 * RFC 4787 REQ-2): what NAT-PMP's opcode 0 must report (RFC 6886 3.2), so
 * that the client's mappings are where it was told they are. One request,
 * whatever the size of the table.
 */
static uint32_t nl_ext_addr(void *be, uint32_t subscriber)
{
	struct pcpd_nl *nl = be;
	struct in_addr host = { .s_addr = subscriber }, addr;

	if (pcpnl_config_addr_of(nl->c, host, &addr))
		return 0;
	return addr.s_addr;
}

const struct pcpd_backend_ops pcpd_nl_ops = {
	.map_add = nl_map_add,
	.map_peer = nl_map_peer,
	.map_del = nl_map_del,
	.map_get = nl_map_get,
	.map_walk = nl_map_walk,
	.epoch = nl_epoch,
	.ext_addr = nl_ext_addr,
};
