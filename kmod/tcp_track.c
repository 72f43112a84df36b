// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat TCP tracking: just enough state to pick the RFC 5382 REQ-5
 * timeout of a mapping, the established one (2 h 4 min) or the transitory
 * one (4 min, for opening and closing connections).
 *
 * RFC 7857 §2.2: the transitory timeout applies once a FIN went each way
 * or an RST was seen, and a later ACK must not undo that, so FINs are
 * remembered per direction and only a SYN, the start of a new connection,
 * clears them.
 *
 * The state follows what the internal host sends. From outside only a FIN
 * counts, and only together with the host's own FIN: an outside party that
 * passes the filter can neither make a mapping established (an ACK) nor
 * cut its life short (an RST). The table keeps no sequence numbers, so an
 * inbound RST cannot be validated (RFC 5961 §3.2) and is ignored for
 * lifetime purposes; the host answers a real one with silence and the
 * mapping then ages out from its last outbound packet.
 *
 * Both directions may update the byte on different cpus at once (FINs
 * crossing), so it changes by cmpxchg, and only when it changes: an
 * established connection's packets read it and write nothing. A byte,
 * beside the mapping's kind, keeps the mapping within 80 bytes (x86
 * has a one-byte cmpxchg).
 */
#include <linux/atomic.h>
#include <net/tcp.h>
#include "pcpnat.h"

static void tcp_update(struct pcpnat_mapping *m, u8 set, u8 clear)
{
	u8 old = READ_ONCE(m->tcp), new, seen;

	for (;;) {
		new = (old & ~clear) | set;
		if (new == old)
			return;
		seen = cmpxchg(&m->tcp, old, new);
		if (seen == old)
			return;
		old = seen;
	}
}

void pcpnat_tcp_out(struct pcpnat_mapping *m, u8 flags)
{
	u8 st = READ_ONCE(m->tcp);

	if (flags & TCPHDR_SYN) {
		/* A new connection (or the host accepting one): opening. */
		tcp_update(m, 0, PCPNAT_TCP_EST | PCPNAT_TCP_FIN_OUT |
			   PCPNAT_TCP_FIN_IN | PCPNAT_TCP_RST);
		return;
	}
	if (flags & TCPHDR_RST) {
		tcp_update(m, PCPNAT_TCP_RST, 0);
		return;
	}
	if (flags & TCPHDR_FIN) {
		tcp_update(m, PCPNAT_TCP_FIN_OUT, 0);
		return;
	}
	/* An ACK after the handshake; closing states stay until a SYN. */
	if ((flags & TCPHDR_ACK) && !(st & (PCPNAT_TCP_EST | PCPNAT_TCP_FIN_OUT |
					  PCPNAT_TCP_FIN_IN | PCPNAT_TCP_RST)))
		tcp_update(m, PCPNAT_TCP_EST, 0);
}

void pcpnat_tcp_in(struct pcpnat_mapping *m, u8 flags)
{
	if ((flags & (TCPHDR_FIN | TCPHDR_SYN | TCPHDR_RST)) == TCPHDR_FIN)
		tcp_update(m, PCPNAT_TCP_FIN_IN, 0);
}

bool pcpnat_tcp_transitory(const struct pcpnat_mapping *m)
{
	u8 st = READ_ONCE(m->tcp);

	if (!(st & PCPNAT_TCP_EST) || (st & PCPNAT_TCP_RST))
		return true;
	return (st & (PCPNAT_TCP_FIN_OUT | PCPNAT_TCP_FIN_IN)) ==
	       (PCPNAT_TCP_FIN_OUT | PCPNAT_TCP_FIN_IN);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_tcp_transitory);
