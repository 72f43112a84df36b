// SPDX-License-Identifier: GPL-2.0
/*
 * Entry point of the decision logic: the RFC 6887 8.3 pipeline of checks
 * common to every opcode, then dispatch. Errors copy the request.
 */
#include <errno.h>
#include <string.h>

#include "pcp/pcp_addr.h"
#include "pcpd/handler_int.h"

uint32_t pcpd_epoch(struct pcpd_txn *t, uint32_t subscriber)
{
	return t->srv->ops->epoch(t->srv->be, subscriber);
}

int pcpd_error_lt(struct pcpd_txn *t, uint8_t result, uint32_t lifetime)
{
	t->out->result = result;
	return pcp_build_error(t->resp, t->cap, t->raw, t->raw_len, result,
			       lifetime, pcpd_epoch(t, t->src));
}

int pcpd_error(struct pcpd_txn *t, uint8_t result)
{
	const struct pcpd_policy *p = t->srv->pol;

	return pcpd_error_lt(t, result, pcp_result_is_short(result) ?
			     p->err_lifetime_short : p->err_lifetime_long);
}

uint8_t pcpd_errno_result(int err)
{
	switch (err) {
	case -ENOSPC:
	case -ENOBUFS:
	case -ENOMEM:
		return PCP_NO_RESOURCES;
	case -EDQUOT:
		return PCP_USER_EX_QUOTA;
	case -EADDRINUSE:
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	case -EPROTONOSUPPORT:
	case -EOPNOTSUPP:
		/*
		 * Internal port 0 refused: draft-boucadair-pcp-flow-examples
		 * 2.14 names UNSUPP_PROTOCOL.
		 */
		return PCP_UNSUPP_PROTOCOL;
	case -E2BIG:
		return PCP_EXCESSIVE_REMOTE_PEERS;
	case -EACCES:
	case -EPERM:
	case -EEXIST:
	case -EADDRNOTAVAIL:	/* internal address outside the internal prefixes */
		return PCP_NOT_AUTHORIZED;
	case -ENETDOWN:
	default:
		/* Anything unexpected is the device's trouble: retry soon. */
		return PCP_NETWORK_FAILURE;
	}
}

uint8_t pcpd_subject(struct pcpd_txn *t, uint32_t *who, bool *noc)
{
	const struct pcpd_policy *p = t->srv->pol;
	const struct pcp_options *o = &t->req->opt;
	bool allowed = pcpd_third_party_allowed(p, t->src);

	*who = t->src;
	if (noc)
		*noc = allowed;
	if (!o->third_party)
		return PCP_SUCCESS;
	/*
	 * Disabled on this server, as if we did not know it
	 * (draft-boucadair-pcp-flow-examples 5.2).
	 */
	if (!p->n_third_party)
		return PCP_UNSUPP_OPTION;
	/*
	 * The internal host named has the client's family (RFC 6887 13.1):
	 * an IPv6 address from an IPv4 client is a bad option, whoever sent
	 * it.
	 */
	if (!pcp_addr_to_v4(o->third_party_addr, who)) {
		*who = t->src;
		return PCP_MALFORMED_OPTION;
	}
	/*
	 * Only authorised clients may use the option at all (RFC 6887 13.1),
	 * so an unauthorised one learns that first, not how its request
	 * could be better formed.
	 */
	if (!allowed)
		return PCP_NOT_AUTHORIZED;
	/*
	 * Naming oneself is malformed (RFC 6887 13.1;
	 * draft-boucadair-pcp-flow-examples 5.3).
	 */
	if (*who == t->src)
		return PCP_MALFORMED_REQUEST;
	return PCP_SUCCESS;
}

static int handle_announce(struct pcpd_txn *t)
{
	struct pcp_response r = {
		.opcode = PCP_OP_ANNOUNCE,
		.result = PCP_SUCCESS,
		.lifetime = 0,	/* RFC 6887 14.1: always 0 */
		.epoch = pcpd_epoch(t, t->src),
	};

	return pcp_build_response(t->resp, t->cap, &r);
}

int pcpd_handle(const struct pcpd_server *srv, const uint8_t *buf,
		size_t len, uint32_t src, uint8_t *resp, size_t cap,
		struct pcpd_outcome *out)
{
	struct pcpd_outcome dummy;
	struct pcp_parse_result res;
	struct pcp_request req;
	struct pcpd_txn t = {
		.srv = srv, .raw = buf, .raw_len = len, .src = src,
		.req = &req, .resp = resp, .cap = cap,
	};
	uint8_t src6[16];
	int n;

	if (!out)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	t.out = out;
	pcp_parse_request(buf, len, &req, &res);
	out->version = req.version;
	out->opcode = req.opcode;

	switch (res.verdict) {
	case PCP_V_DROP:
		out->dropped = true;
		return 0;
	case PCP_V_NATPMP:
		return pcpd_handle_natpmp(srv, buf, len, src, resp, cap, out);
	case PCP_V_ERROR:
	case PCP_V_OK:
		break;
	}

	/* RFC 6887 8.3: a NAT between client and server shows up here. */
	pcp_addr_from_v4(src6, src);
	if (res.header_ok && !pcp_addr_equal(req.client_addr, src6))
		return pcpd_error(&t, PCP_ADDRESS_MISMATCH);
	if (res.verdict == PCP_V_ERROR)
		return pcpd_error(&t, res.result);

	switch (req.opcode) {
	case PCP_OP_ANNOUNCE:
		n = handle_announce(&t);
		break;
	case PCP_OP_MAP:
		n = pcpd_handle_map(&t);
		break;
	case PCP_OP_PEER:
		n = pcpd_handle_peer(&t);
		break;
	case PCP_OP_GET:
		n = pcpd_handle_get(&t);
		break;
	default:
		n = pcpd_error(&t, PCP_UNSUPP_OPCODE);	/* parser knows better */
		break;
	}
	if (n <= 0) {
		out->dropped = true;
		return 0;
	}
	return n;
}
