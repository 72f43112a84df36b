// SPDX-License-Identifier: GPL-2.0
/*
 * MAP (RFC 6887 11): create, refresh and delete explicit mappings, with
 * the nonce rules of draft-boucadair-pcp-flow-examples 2.7/2.8,
 * PREFER_FAILURE (13.2), FILTER (13.3; the draft's section 6) and
 * THIRD_PARTY (13.1; its section 5).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "pcp/pcp_addr.h"
#include "pcpd/handler_int.h"
#include "pcpd/map_util.h"

/* Success response for MAP or PEER reporting mapping m. */
static int map_reply(struct pcpd_txn *t, uint32_t who,
		     const struct pcpd_mapping *m, uint32_t lifetime,
		     bool echo_all)
{
	const struct pcp_request *q = t->req;
	struct pcp_response r = {
		.opcode = q->opcode,
		.result = PCP_SUCCESS,
		.lifetime = lifetime,
		.epoch = pcpd_epoch(t, who),
		.u.map = q->u.map,	/* nonce, protocol, ports, peer */
	};

	if (m) {
		r.u.map.ext_port = m->ext_port;
		pcp_addr_from_v4(r.u.map.ext_addr, m->ext_addr);
	}
	/*
	 * Options the server acted on go back (RFC 6887 7.3); when the
	 * request changed nothing (nonce mismatch), only THIRD_PARTY, which
	 * says whose mapping this is.
	 */
	r.opt.third_party = q->opt.third_party;
	memcpy(r.opt.third_party_addr, q->opt.third_party_addr, 16);
	if (echo_all) {
		r.opt.prefer_failure = q->opt.prefer_failure;
		r.opt.nfilters = q->opt.nfilters;
		memcpy(r.opt.filters, q->opt.filters, sizeof(r.opt.filters));
		r.opt.description = q->opt.description;
		r.opt.description_len = q->opt.description_len;
		memcpy(r.opt.description_text, q->opt.description_text,
		       sizeof(r.opt.description_text));
	}
	t->out->result = PCP_SUCCESS;
	return pcp_build_response(t->resp, t->cap, &r);
}

/*
 * The key is held by an explicit mapping with another nonce: never touch
 * it. Strict: NOT_AUTHORIZED with the mapping's remaining lifetime
 * (draft-boucadair-pcp-flow-examples 2.7). Relaxed: its values under the
 * client's nonce (2.8).
 */
static int nonce_mismatch(struct pcpd_txn *t, uint32_t who,
			  const struct pcpd_mapping *cur)
{
	if (t->srv->pol->nonce_strict)
		return pcpd_error_lt(t, PCP_NOT_AUTHORIZED, cur->lifetime);
	return map_reply(t, who, cur, cur->lifetime, false);
}

/*
 * Lifetime 0 with protocol 0 or internal port 0 (RFC 6887 11.1, 15):
 * delete every explicit mapping of the subject that matches and carries
 * this nonce.
 */
static int delete_all(struct pcpd_txn *t, uint32_t who)
{
	const struct pcp_map *m = &t->req->u.map;
	/* The subject's own (pcpd makes them with subscriber = who). */
	struct pcpd_walk_filter f = {
		.proto = m->protocol, .int_addr = who, .subscriber = who,
		.kind = PCPNAT_KIND_EXPLICIT,
	};
	int err = pcpd_delete_matching(t->srv, &f, m->nonce);

	if (err < 0)
		return pcpd_error(t, pcpd_errno_result(err));
	return map_reply(t, who, NULL, 0, false);
}

static int delete_one(struct pcpd_txn *t, uint32_t who)
{
	const struct pcpd_server *s = t->srv;
	const struct pcp_map *m = &t->req->u.map;
	struct pcpd_mapping cur, key = {
		.proto = m->protocol, .int_addr = who, .int_port = m->int_port,
	}, after;
	int err;

	err = s->ops->map_get(s->be, m->protocol, who, m->int_port, &cur);
	if (err == -ENOENT)	/* deleting nothing succeeds (idempotent) */
		return map_reply(t, who, NULL, 0, false);
	if (err)
		return pcpd_error(t, pcpd_errno_result(err));
	/* PCP cannot delete what traffic made: report its idle lifetime. */
	if (cur.kind != PCPNAT_KIND_EXPLICIT)
		return map_reply(t, who, &cur, cur.lifetime, false);
	if (memcmp(cur.nonce, m->nonce, PCPNAT_NONCE_LEN))
		return nonce_mismatch(t, who, &cur);

	memcpy(key.nonce, m->nonce, PCPNAT_NONCE_LEN);
	err = s->ops->map_del(s->be, &key, 0, &after);
	if (err == -ENOENT)
		return map_reply(t, who, &cur, 0, false);
	if (err == -EACCES)	/* changed hands since the lookup */
		return nonce_mismatch(t, who, &cur);
	if (err)
		return pcpd_error(t, pcpd_errno_result(err));
	/*
	 * Still carrying traffic, it lives on as implicit (RFC 6887 15;
	 * draft-boucadair-pcp-flow-examples 2.13).
	 */
	return map_reply(t, who, &cur, after.lifetime, false);
}

int pcpd_handle_map(struct pcpd_txn *t)
{
	const struct pcpd_server *s = t->srv;
	const struct pcp_request *q = t->req;
	const struct pcp_map *m = &q->u.map;
	struct pcpd_mapping cur, want, got;
	uint32_t who, sug_addr = 0, flags = 0;
	bool have;
	uint8_t rc;
	int err;

	rc = pcpd_subject(t, &who, NULL);
	if (rc)
		return pcpd_error(t, rc);
	/* "::" asks for an IPv6 external address: NAT44 has none (2.18). */
	if (!pcp_addr_to_v4(m->ext_addr, &sug_addr))
		return pcpd_error(t, PCP_UNSUPP_FAMILY);
	if (q->lifetime == 0) {
		/*
		 * FILTER only makes sense on a mapping that lives: with
		 * lifetime 0 it is MALFORMED_OPTION and nothing changes
		 * (RFC 6887 13.3).
		 */
		if (q->opt.nfilters)
			return pcpd_error(t, PCP_MALFORMED_OPTION);
		if (m->protocol == 0 || m->int_port == 0)
			return delete_all(t, who);
		return delete_one(t, who);
	}
	/* All protocols (2.15) or one the module does not translate (2.19). */
	if (!pcpd_proto_supported(m->protocol))
		return pcpd_error(t, PCP_UNSUPP_PROTOCOL);

	err = s->ops->map_get(s->be, m->protocol, who, m->int_port, &cur);
	if (err && err != -ENOENT)
		return pcpd_error(t, pcpd_errno_result(err));
	have = !err;
	if (have && cur.kind == PCPNAT_KIND_EXPLICIT &&
	    memcmp(cur.nonce, m->nonce, PCPNAT_NONCE_LEN))
		return nonce_mismatch(t, who, &cur);
	/* An existing mapping keeps its endpoint: a different demand fails. */
	if (have && q->opt.prefer_failure &&
	    ((m->ext_port && m->ext_port != cur.ext_port) ||
	     (sug_addr && sug_addr != cur.ext_addr)))
		return pcpd_error(t, PCP_CANNOT_PROVIDE_EXTERNAL);

	memset(&want, 0, sizeof(want));
	want.proto = m->protocol;
	want.int_addr = who;
	want.int_port = m->int_port;
	want.ext_addr = sug_addr;
	want.ext_port = m->ext_port;
	want.kind = PCPNAT_KIND_EXPLICIT;
	want.lifetime = pcpd_clamp_lifetime(s->pol, q->lifetime);
	want.subscriber = who;
	memcpy(want.nonce, m->nonce, PCPNAT_NONCE_LEN);
	if (have)
		memcpy(want.descr, cur.descr, sizeof(want.descr));
	if (q->opt.description)
		memcpy(want.descr, q->opt.description_text,
		       q->opt.description_len + 1);
	if (q->opt.nfilters) {
		rc = pcpd_merge_filters(s->pol, have ? &cur : NULL, &q->opt,
					&want);
		if (rc)
			return pcpd_error(t, rc);
		flags |= PCPNAT_MAP_F_SET_FILTERS;
	}
	if (q->opt.prefer_failure)
		flags |= PCPNAT_MAP_F_PREFER_FAILURE;

	err = s->ops->map_add(s->be, &want, flags, &got);
	if (err == -EEXIST &&
	    !s->ops->map_get(s->be, m->protocol, who, m->int_port, &cur))
		return nonce_mismatch(t, who, &cur);
	if (err)
		return pcpd_error(t, pcpd_errno_result(err));
	return map_reply(t, who, &got, got.lifetime, true);
}

int pcpd_map_reply(struct pcpd_txn *t, uint32_t who,
		   const struct pcpd_mapping *m, uint32_t lifetime)
{
	return map_reply(t, who, m, lifetime, true);
}
