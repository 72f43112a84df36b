// SPDX-License-Identifier: GPL-2.0
/*
 * GET and NEXT (draft-boucadair-pcp-failure App. B): a client lists its
 * explicit mappings to recover after a crash; a NOC on the THIRD_PARTY
 * allow-list may list anyone's.
 *
 * Order: the module's walk order (uapi/linux/pcpnat.h), stable while the
 * table lives, so a walk resumes by internal key even if the Locator's
 * mapping went away meanwhile. A Locator that still exists is returned
 * again first: B.6 says the list "begins by the mapping equal to the
 * Locator", so clients drop that first repeat.
 */
#include <errno.h>
#include <string.h>

#include "pcp/pcp_addr.h"
#include "pcpd/handler_int.h"
#include "pcpd/map_util.h"

struct get_walk {
	struct pcpd_txn *t;
	const struct pcp_get *g;
	const struct pcp_next *loc;	/* NULL: GET without NEXT */
	bool end_form;
	bool show_nonce;
	size_t len;			/* response built so far */
	size_t last_more_end;		/* offset of last NEXT's MORE/END */
	unsigned int emitted;
	bool more;			/* a further match exists */
	bool full;
};

/* Zero in a filter field matches anything (App. B.1). */
static bool get_matches(const struct pcp_get *g, const struct pcpd_mapping *m)
{
	uint32_t a;

	if (m->kind != PCPNAT_KIND_EXPLICIT)
		return false;
	if (g->protocol && g->protocol != m->proto)
		return false;
	if (!pcp_addr_is_unspec(g->int_addr) &&
	    (!pcp_addr_to_v4(g->int_addr, &a) || a != m->int_addr))
		return false;
	if (!pcp_addr_is_unspec(g->ext_addr) &&
	    (!pcp_addr_to_v4(g->ext_addr, &a) || a != m->ext_addr))
		return false;
	if (g->int_port && g->int_port != m->int_port)
		return false;
	if (g->ext_port && g->ext_port != m->ext_port)
		return false;
	return true;
}

static bool wants_code(const struct pcp_next *loc, uint8_t code)
{
	unsigned int i;

	for (i = 0; i < loc->ncodes; i++)
		if (loc->codes[i] == code)
			return true;
	return false;
}

static int emit(struct get_walk *w, const struct pcpd_mapping *m)
{
	struct pcp_options emb;
	struct pcp_next n;
	int len;

	if (!w->loc || (w->emitted && w->end_form) || w->full) {
		/* Enough said; this match only proves the list goes on. */
		w->more = true;
		return 1;
	}
	memset(&n, 0, sizeof(n));
	memset(&emb, 0, sizeof(emb));
	if (w->show_nonce)
		memcpy(n.nonce, m->nonce, PCP_NONCE_LEN);
	n.protocol = m->proto;
	n.more_end = PCP_NEXT_MORE;
	pcp_addr_from_v4(n.int_addr, m->int_addr);
	pcp_addr_from_v4(n.ext_addr, m->ext_addr);
	n.lifetime = m->lifetime;
	n.int_port = m->int_port;
	n.ext_port = m->ext_port;
	if (wants_code(w->loc, PCP_OPT_THIRD_PARTY)) {
		emb.third_party = true;
		pcp_addr_from_v4(emb.third_party_addr, m->int_addr);
	}
	if (wants_code(w->loc, PCP_OPT_FILTER))
		pcpd_filters_to_opt(m, &emb);
	if (wants_code(w->loc, PCP_OPT_DESCRIPTION) && m->descr[0]) {
		emb.description = true;
		emb.description_len = (uint16_t)strnlen(m->descr, PCP_DESCR_MAX);
		memcpy(emb.description_text, m->descr, emb.description_len);
	}
	len = pcp_append_next(w->t->resp, w->len, w->t->cap, &n, &emb,
			      &w->last_more_end);
	if (len < 0) {
		w->full = true;
		w->more = true;
		return 1;
	}
	w->len = (size_t)len;
	w->emitted++;
	return 0;
}

static int get_cb(void *arg, const struct pcpd_mapping *m)
{
	struct get_walk *w = arg;

	if (!get_matches(w->g, m))
		return 0;
	return emit(w, m);
}

static bool locator_defined(const struct pcp_next *l)
{
	return l->protocol || !pcp_addr_is_unspec(l->int_addr) ||
	       l->int_port;
}

int pcpd_handle_get(struct pcpd_txn *t)
{
	const struct pcpd_server *s = t->srv;
	const struct pcp_request *q = t->req;
	struct pcpd_walk_filter f = { .kind = PCPNAT_KIND_EXPLICIT };
	struct pcp_response r = {
		.opcode = PCP_OP_GET,
		.result = PCP_SUCCESS,
		.u.get = q->u.get,
	};
	struct get_walk w = {
		.t = t, .g = &q->u.get,
		.loc = q->opt.next ? &q->opt.next_locator : NULL,
	};
	struct pcpd_key after, *from = NULL;
	uint32_t who, a;
	bool noc;
	uint8_t rc;
	int err, len;

	rc = pcpd_subject(t, &who, &noc);
	if (rc)
		return pcpd_error(t, rc);
	/* A subscriber sees its own; the NOC anyone's, or the one it names. */
	if (!noc || q->opt.third_party)
		f.subscriber = who;
	f.proto = q->u.get.protocol;
	if (pcp_addr_to_v4(q->u.get.int_addr, &a))
		f.int_addr = a;
	/*
	 * Nonces go out only where GET may recover them: under relaxed
	 * nonce validation (draft-boucadair-pcp-failure 2.3, 2.6), or to
	 * the NOC on the THIRD_PARTY allow-list, which manages everyone's.
	 */
	w.show_nonce = !s->pol->nonce_strict || noc;
	w.end_form = w.loc && w.loc->more_end != PCP_NEXT_MORE;

	r.epoch = pcpd_epoch(t, who);
	r.opt.third_party = q->opt.third_party;
	memcpy(r.opt.third_party_addr, q->opt.third_party_addr, 16);
	len = pcp_build_response(t->resp, t->cap, &r);
	if (len < 0)
		return -1;
	w.len = (size_t)len;

	if (w.loc && locator_defined(w.loc)) {
		struct pcpd_mapping m;
		uint32_t li = 0, le = 0;

		pcp_addr_to_v4(w.loc->int_addr, &li);
		pcp_addr_to_v4(w.loc->ext_addr, &le);
		after = (struct pcpd_key){ w.loc->protocol, li,
					   w.loc->int_port };
		from = &after;
		/* The Locator itself, if unchanged, heads the list (B.6). */
		if (!s->ops->map_get(s->be, w.loc->protocol, li,
				     w.loc->int_port, &m) &&
		    m.ext_addr == le && m.ext_port == w.loc->ext_port &&
		    (!f.subscriber || m.subscriber == f.subscriber) &&
		    get_matches(w.g, &m))
			emit(&w, &m);
	}
	if (!w.more) {
		err = s->ops->map_walk(s->be, &f, from, get_cb, &w);
		if (err < 0)
			return pcpd_error(t, pcpd_errno_result(err));
	}
	if (!w.emitted && !w.more) {
		/* B.6: NONEXIST_MAP carries no NEXT option. */
		r.result = PCP_NONEXIST_MAP;
		r.lifetime = s->pol->err_lifetime_long;
		t->out->result = r.result;
		return pcp_build_response(t->resp, t->cap, &r);
	}
	if (w.emitted && !w.more)
		t->resp[w.last_more_end] = PCP_NEXT_END;
	t->out->result = PCP_SUCCESS;
	return (int)w.len;
}
