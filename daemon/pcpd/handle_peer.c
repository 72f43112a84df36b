// SPDX-License-Identifier: GPL-2.0
/*
 * PEER (RFC 6887 12): create or keep alive the implicit mapping a flow
 * uses and report it. A suggestion that cannot be met when the mapping is
 * new fails with CANNOT_PROVIDE_EXTERNAL (draft-boucadair-pcp-flow-examples
 * 8.2, 8.3): the client asks for that endpoint because a peer expects it,
 * another one is useless.
 */
#include <errno.h>
#include <string.h>

#include "pcp/pcp_addr.h"
#include "pcpd/handler_int.h"
#include "pcpd/map_util.h"

int pcpd_handle_peer(struct pcpd_txn *t)
{
	const struct pcpd_server *s = t->srv;
	const struct pcp_request *q = t->req;
	const struct pcp_map *m = &q->u.map;
	struct pcpd_mapping cur, want, got;
	uint32_t who, sug_addr, peer, flags = 0;
	bool have;
	uint8_t rc;
	int err;

	rc = pcpd_subject(t, &who, NULL);
	if (rc)
		return pcpd_error(t, rc);
	if (!pcp_addr_to_v4(m->ext_addr, &sug_addr) ||
	    !pcp_addr_to_v4(m->peer_addr, &peer))
		return pcpd_error(t, PCP_UNSUPP_FAMILY);
	if (!pcpd_proto_supported(m->protocol))
		return pcpd_error(t, PCP_UNSUPP_PROTOCOL);

	err = s->ops->map_get(s->be, m->protocol, who, m->int_port, &cur);
	if (err && err != -ENOENT)
		return pcpd_error(t, pcpd_errno_result(err));
	have = !err;

	memset(&want, 0, sizeof(want));
	want.proto = m->protocol;
	want.int_addr = who;
	want.int_port = m->int_port;
	want.kind = PCPNAT_KIND_IMPLICIT;
	want.subscriber = who;
	/* Lifetime 0 cannot shorten a flow's mapping (12.3): keep as is. */
	want.lifetime = q->lifetime ?
			pcpd_clamp_lifetime(s->pol, q->lifetime) : 0;
	memcpy(want.nonce, m->nonce, PCPNAT_NONCE_LEN);
	/*
	 * As if the host had sent to the peer (RFC 6887 12;
	 * draft-boucadair-pcp-flow-examples 8.1): under address-dependent
	 * filtering the peer's first packet must get in.
	 */
	want.peer = peer;
	if (!have) {
		want.ext_addr = sug_addr;
		want.ext_port = m->ext_port;
		if (sug_addr || m->ext_port)
			flags |= PCPNAT_MAP_F_PREFER_FAILURE;
	}
	err = s->ops->map_peer(s->be, &want, flags, &got);
	if (err)
		return pcpd_error(t, pcpd_errno_result(err));
	return pcpd_map_reply(t, who, &got, got.lifetime);
}
