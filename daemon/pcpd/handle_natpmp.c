// SPDX-License-Identifier: GPL-2.0
/*
 * NAT-PMP v0 (RFC 6886) on the same socket and the same table as PCP.
 * NAT-PMP has no nonce: its mappings carry the all-zero nonce, so a PCP
 * mapping (random nonce) is never changed by a NAT-PMP request and the
 * configured nonce mode decides what the NAT-PMP client is told.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "pcp/natpmp.h"
#include "pcpd/handler_int.h"
#include "pcpd/map_util.h"

static uint16_t natpmp_errno_result(int err)
{
	switch (err) {
	case -ENOSPC:
	case -ENOBUFS:
	case -ENOMEM:
	case -EDQUOT:
		return NATPMP_NO_RESOURCES;
	case -EACCES:
	case -EPERM:
	case -EEXIST:
	case -EADDRNOTAVAIL:
	case -EOPNOTSUPP:
	case -EPROTONOSUPPORT:
		return NATPMP_REFUSED;
	default:
		return NATPMP_NETWORK_FAILURE;
	}
}

static int np_map_reply(uint8_t *resp, size_t cap, struct pcpd_outcome *out,
			const struct natpmp_request *q, uint16_t result,
			uint32_t epoch, uint16_t ext_port, uint32_t lifetime)
{
	out->result = (uint8_t)result;
	return natpmp_build_map(resp, cap, q->opcode, result, epoch,
				q->int_port, ext_port, lifetime);
}

/* RFC 6886 3.4: lifetime 0 deletes; internal port 0 too: all of them. */
static int np_delete(const struct pcpd_server *s, uint32_t src, uint8_t proto,
		     const struct natpmp_request *q, uint8_t *resp,
		     size_t cap, struct pcpd_outcome *out, uint32_t epoch)
{
	struct pcpd_mapping key = {
		.proto = proto, .int_addr = src, .int_port = q->int_port,
	}, cur, gone;
	int err;

	if (q->int_port == 0) {
		/*
		 * A NAT-PMP client's mappings are its own (subscriber =
		 * src): the module walks that subscriber's alone.
		 */
		struct pcpd_walk_filter f = {
			.proto = proto, .int_addr = src, .subscriber = src,
			.kind = PCPNAT_KIND_EXPLICIT,
		};
		static const uint8_t zero_nonce[PCPNAT_NONCE_LEN];

		err = pcpd_delete_matching(s, &f, zero_nonce);
		return np_map_reply(resp, cap, out, q, err ?
				    natpmp_errno_result(err) : NATPMP_SUCCESS,
				    epoch, 0, 0);
	}
	err = s->ops->map_get(s->be, proto, src, q->int_port, &cur);
	if (!err && cur.kind == PCPNAT_KIND_EXPLICIT) {
		err = s->ops->map_del(s->be, &key, 0, &gone);
		if (err == -EACCES)
			return np_map_reply(resp, cap, out, q, NATPMP_REFUSED,
					    epoch, 0, 0);
	}
	return np_map_reply(resp, cap, out, q, NATPMP_SUCCESS, epoch, 0, 0);
}

int pcpd_handle_natpmp(const struct pcpd_server *s, const uint8_t *buf,
		       size_t len, uint32_t src, uint8_t *resp, size_t cap,
		       struct pcpd_outcome *out)
{
	struct natpmp_request q;
	struct pcpd_mapping want, got, cur;
	uint32_t epoch = s->ops->epoch(s->be, src), addr;
	uint8_t proto, result;
	int err;

	switch (natpmp_parse_request(buf, len, &q, &result)) {
	case NATPMP_V_DROP:
		out->dropped = true;
		return 0;
	case NATPMP_V_ERROR:
		out->result = result;
		return natpmp_build_error(resp, cap, q.opcode, result, epoch);
	case NATPMP_V_OK:
		break;
	}
	if (q.opcode == NATPMP_OP_ADDR) {
		addr = s->ops->ext_addr(s->be, src);
		out->result = addr ? NATPMP_SUCCESS : NATPMP_NETWORK_FAILURE;
		return natpmp_build_addr(resp, cap, out->result, epoch, addr);
	}
	proto = q.opcode == NATPMP_OP_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	if (q.lifetime == 0)
		return np_delete(s, src, proto, &q, resp, cap, out, epoch);
	if (q.int_port == 0)
		return np_map_reply(resp, cap, out, &q, NATPMP_REFUSED, epoch,
				    0, 0);

	memset(&want, 0, sizeof(want));
	want.proto = proto;
	want.int_addr = src;
	want.int_port = q.int_port;
	want.ext_port = q.ext_port;
	want.kind = PCPNAT_KIND_EXPLICIT;
	want.lifetime = pcpd_clamp_lifetime(s->pol, q.lifetime);
	want.subscriber = src;
	err = s->ops->map_add(s->be, &want, 0, &got);
	if (err == -EEXIST && !s->pol->nonce_strict &&
	    !s->ops->map_get(s->be, proto, src, q.int_port, &cur))
		/*
		 * Relaxed: report the PCP mapping, untouched
		 * (draft-boucadair-pcp-flow-examples 2.8).
		 */
		return np_map_reply(resp, cap, out, &q, NATPMP_SUCCESS, epoch,
				    cur.ext_port, cur.lifetime);
	if (err) {
		out->backend_err = err;
		return np_map_reply(resp, cap, out, &q,
				    natpmp_errno_result(err), epoch, 0, 0);
	}
	return np_map_reply(resp, cap, out, &q, NATPMP_SUCCESS, epoch,
			    got.ext_port, got.lifetime);
}
