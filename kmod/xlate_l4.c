// SPDX-License-Identifier: GPL-2.0
/*
 * UDP and TCP translation: the source of outbound packets becomes the
 * mapping's external endpoint, the destination of inbound packets its
 * internal endpoint, and a hairpinned packet gets both.
 *
 * Checksums are updated incrementally (RFC 1624) through
 * inet_proto_csum_replace*(), which also keeps CHECKSUM_PARTIAL (the
 * checksum field holds the pseudo-header sum) and CHECKSUM_COMPLETE
 * (skb->csum must follow the data) right, so hardware offloads survive.
 */
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "xlate.h"

/*
 * Rewrite the IPv4 header's source or destination address. Only the header
 * checksum depends on it, unless a transport pseudo-header does too (see
 * pcpnat_l4_rewrite), which ICMP has not.
 */
int pcpnat_ip_rewrite(struct sk_buff *skb, enum pcpnat_side side, __be32 addr)
{
	struct iphdr *iph;
	__be32 *pa;

	if (skb_ensure_writable(skb, sizeof(*iph)))
		return -ENOMEM;
	iph = ip_hdr(skb);
	pa = side == PCPNAT_SRC ? &iph->saddr : &iph->daddr;
	csum_replace4(&iph->check, *pa, addr);
	*pa = addr;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_ip_rewrite);

/* Rewrite one end (address and port) of a UDP or TCP packet. */
int pcpnat_l4_rewrite(struct sk_buff *skb, unsigned int l4off, u8 proto,
		      enum pcpnat_side side, __be32 addr, __be16 port)
{
	unsigned int hlen = proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
						   sizeof(struct udphdr);
	__sum16 *check;
	__be16 *pp;
	__be32 *pa;
	bool csum;

	if (skb_ensure_writable(skb, l4off + hlen))
		return -ENOMEM;
	/* skb_ensure_writable() may have moved the data: derive pointers now. */
	pa = side == PCPNAT_SRC ? &ip_hdr(skb)->saddr : &ip_hdr(skb)->daddr;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)(skb->data + l4off);

		pp = side == PCPNAT_SRC ? &th->source : &th->dest;
		check = &th->check;
		csum = true;
	} else {
		struct udphdr *uh = (struct udphdr *)(skb->data + l4off);

		pp = side == PCPNAT_SRC ? &uh->source : &uh->dest;
		check = &uh->check;
		/*
		 * A zero UDP checksum means "none" and must stay zero; with
		 * CHECKSUM_PARTIAL the field holds the pseudo-header sum,
		 * which can be anything and must follow the address.
		 */
		csum = *check || skb->ip_summed == CHECKSUM_PARTIAL;
	}

	if (csum) {
		inet_proto_csum_replace4(check, skb, *pa, addr, true);
		inet_proto_csum_replace2(check, skb, *pp, port, false);
		/* A computed zero is sent as all ones: zero means "none". */
		if (proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	*pp = port;

	csum_replace4(&ip_hdr(skb)->check, *pa, addr);
	*pa = addr;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_l4_rewrite);

/* What translation needs of a UDP or TCP header. */
struct l4_ports {
	u8 proto;
	u8 flags;		/* TCP byte 13: CWR ECE URG ACK PSH RST SYN FIN */
	__be16 sport, dport;
};

static int l4_parse(const struct pcpnat_pkt *p, struct l4_ports *l4)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	struct udphdr _uh;
	const struct udphdr *uh;

	l4->proto = ip_hdr(p->skb)->protocol;
	if (l4->proto == IPPROTO_TCP) {
		th = skb_header_pointer(p->skb, p->l4off, sizeof(_th), &_th);
		if (!th)
			return -EINVAL;
		l4->sport = th->source;
		l4->dport = th->dest;
		/* The flags byte as it is, which is what the table wants. */
		l4->flags = tcp_flag_byte(th);
		return 0;
	}
	uh = skb_header_pointer(p->skb, p->l4off, sizeof(_uh), &_uh);
	if (!uh)
		return -EINVAL;
	l4->sport = uh->source;
	l4->dport = uh->dest;
	l4->flags = 0;
	return 0;
}

static enum pcpnat_res drop(struct pcpnat_pkt *p, int idx)
{
	pcpnat_stat_inc(p->pn, idx);
	return PCPNAT_DROP;
}

/*
 * Inbound to a pool address and a port we own with no mapping: nobody
 * inside asked for it. Ports outside the allocator's range are left to the
 * router itself (its own services on that address), unless an all-ports
 * mapping holds the address: the lookup found that one already. So is a
 * packet a local socket would take, in the range or not: the reply to the
 * router's own query from an ephemeral port, or its service on a port the
 * allocator never hands out while the socket is there (local.c).
 */
static enum pcpnat_res no_mapping(struct pcpnat_pkt *p, const struct l4_ports *l4)
{
	const struct iphdr *iph = ip_hdr(p->skb);

	if (!pcpnat_port_owned(p->cfg, l4->dport) ||
	    pcpnat_local_rx(p->pn->net, l4->proto, iph->saddr, l4->sport,
			    iph->daddr, l4->dport, p->in))
		return PCPNAT_PASS;
	return drop(p, PCPNAT_STATS_A_DROP_NO_MAPPING);
}

/*
 * The outbound mapping of an internal endpoint, made on first use, or an
 * ERR_PTR.
 */
static struct pcpnat_mapping *out_mapping(struct pcpnat_pkt *p, u8 proto,
					 __be32 addr, __be16 port)
{
	struct pcpnat_mapping *m;

	m = pcpnat_lookup_int(p->pn, proto, addr, port);
	if (m)
		return m;
	return pcpnat_create_implicit(p->pn, proto, addr, port);
}

/* The source becomes m's external endpoint: m is the sender's mapping. */
static int src_to_external(struct pcpnat_pkt *p, const struct l4_ports *l4,
			   const struct pcpnat_mapping *m)
{
	return pcpnat_l4_rewrite(p->skb, p->l4off, l4->proto, PCPNAT_SRC,
				 m->ext_addr, pcpnat_m_ext_port(m, l4->sport));
}

/*
 * Through mapping m to its internal endpoint, filtered by who sends (RFC
 * 4787 REQ-8): the last step of every packet that reaches an inside host
 * through a pool address.
 */
static enum pcpnat_res to_internal(struct pcpnat_pkt *p,
				   const struct l4_ports *l4,
				   struct pcpnat_mapping *m, int stat)
{
	const struct iphdr *iph = ip_hdr(p->skb);

	if (!pcpnat_inbound_allowed(p->pn, p->cfg, m, iph->saddr, l4->sport))
		return drop(p, PCPNAT_STATS_A_DROP_FILTERED);
	if (pcpnat_l4_rewrite(p->skb, p->l4off, l4->proto, PCPNAT_DST, m->key.addr,
			      pcpnat_m_int_port(m, l4->dport)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_touch_in(m, l4->flags);
	pcpnat_stat_inc(p->pn, stat);
	return PCPNAT_DONE;
}

enum pcpnat_res pcpnat_l4_in(struct pcpnat_pkt *p)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	struct pcpnat_mapping *m;
	struct l4_ports l4;

	if (l4_parse(p, &l4))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	m = pcpnat_lookup_ext(p->pn, l4.proto, iph->daddr, l4.dport);
	if (!m)
		return no_mapping(p, &l4);
	return to_internal(p, &l4, m, PCPNAT_STATS_A_PKTS_IN);
}

/*
 * The router's own packet to a pool address (LOCAL_OUT): through a mapping
 * it reaches the internal host as an outsider's packet would, filtered the
 * same way. Without one it is the router talking to itself.
 */
enum pcpnat_res pcpnat_l4_local_out(struct pcpnat_pkt *p)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	struct pcpnat_mapping *m;
	struct l4_ports l4;

	if (l4_parse(p, &l4))
		return PCPNAT_PASS;
	m = pcpnat_lookup_ext(p->pn, l4.proto, iph->daddr, l4.dport);
	if (!m)
		return PCPNAT_PASS;
	return to_internal(p, &l4, m, PCPNAT_STATS_A_PKTS_HAIRPIN);
}

/*
 * The internal host's answer to pcpnat_l4_local_out(): a local socket is
 * connected to the external endpoint of the sender's mapping. Returns that
 * mapping, or NULL when the packet is anything else (a host using the
 * router's own services on a pool address keeps its internal source).
 */
static struct pcpnat_mapping *to_local_peer(struct pcpnat_pkt *p,
					    const struct l4_ports *l4)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	struct pcpnat_mapping *m;

	m = pcpnat_lookup_int(p->pn, l4->proto, iph->saddr, l4->sport);
	if (!m || !pcpnat_local_peer(p->pn->net, l4->proto, m->ext_addr,
				     pcpnat_m_ext_port(m, l4->sport),
				     iph->daddr, l4->dport))
		return NULL;
	return m;
}

/*
 * LOCAL_IN, after conntrack saw the internal source both ways: the answer
 * gets the mapping's external endpoint as its source, the endpoint the
 * router's socket is connected to.
 */
enum pcpnat_res pcpnat_l4_local_in(struct pcpnat_pkt *p)
{
	__be32 daddr = ip_hdr(p->skb)->daddr;
	struct pcpnat_mapping *m;
	struct l4_ports l4;

	if (l4_parse(p, &l4))
		return PCPNAT_PASS;
	m = to_local_peer(p, &l4);
	if (!m)
		return PCPNAT_PASS;
	if (src_to_external(p, &l4, m))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_touch_out(m, daddr, l4.flags);
	return PCPNAT_DONE;
}

enum pcpnat_res pcpnat_l4_out(struct pcpnat_pkt *p)
{
	/* Kept: the rewrite may move the header. */
	__be32 daddr = ip_hdr(p->skb)->daddr;
	struct pcpnat_mapping *m;
	struct l4_ports l4;

	if (l4_parse(p, &l4))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	m = out_mapping(p, l4.proto, ip_hdr(p->skb)->saddr, l4.sport);
	if (IS_ERR(m))
		return drop(p, pcpnat_create_drop(m));
	if (src_to_external(p, &l4, m))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_touch_out(m, daddr, l4.flags);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_OUT);
	return PCPNAT_DONE;
}

/*
 * RFC 4787 REQ-9: an internal host sends to the external endpoint of
 * another (or its own) mapping. The target must see the sender's external
 * endpoint, as it would from outside, so the filtering of the target's
 * mapping is asked about that endpoint, and both ends are rewritten, in
 * two steps on either side of conntrack (PRE_ROUTING -200): here the
 * destination, and the route while the source is still internal (with the
 * pool address as source the router would take the packet for a martian);
 * then pcpnat_l4_hairpin_src() the source. Conntrack thus sees internal
 * addresses both ways, "c2 -> c1" and "c1 -> c2", one connection, as for
 * every other flow: with both rewritten first it would see the answer
 * come from another endpoint than the one asked, and take a TCP SYN-ACK
 * for an invalid packet.
 */
enum pcpnat_res pcpnat_l4_hairpin(struct pcpnat_pkt *p)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	__be32 daddr = iph->daddr;
	struct pcpnat_mapping *md, *ms;
	struct l4_ports l4;

	if (l4_parse(p, &l4))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	md = pcpnat_lookup_ext(p->pn, l4.proto, daddr, l4.dport);
	if (!md)
		return to_local_peer(p, &l4) ? PCPNAT_PASS : no_mapping(p, &l4);
	ms = out_mapping(p, l4.proto, iph->saddr, l4.sport);
	if (IS_ERR(ms))
		return drop(p, pcpnat_create_drop(ms));
	if (!pcpnat_inbound_allowed(p->pn, p->cfg, md, ms->ext_addr,
				    pcpnat_m_ext_port(ms, l4.sport)))
		return drop(p, PCPNAT_STATS_A_DROP_FILTERED);

	if (pcpnat_l4_rewrite(p->skb, p->l4off, l4.proto, PCPNAT_DST, md->key.addr,
			      pcpnat_m_int_port(md, l4.dport)) ||
	    pcpnat_hairpin_route(p))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);

	pcpnat_touch_out(ms, daddr, l4.flags);
	pcpnat_touch_in(md, l4.flags);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_HAIRPIN);
	return PCPNAT_DONE;
}

/* The second step of a hairpin: the sender's external endpoint as source. */
enum pcpnat_res pcpnat_l4_hairpin_src(struct pcpnat_pkt *p)
{
	struct pcpnat_mapping *ms;
	struct l4_ports l4;

	/*
	 * The first step parsed the packet and made the mapping; it is gone
	 * only if flushed in between, and the packet then stays internal.
	 */
	if (l4_parse(p, &l4))
		return PCPNAT_PASS;
	ms = pcpnat_lookup_int(p->pn, l4.proto, ip_hdr(p->skb)->saddr, l4.sport);
	if (!ms)
		return PCPNAT_PASS;
	if (src_to_external(p, &l4, ms))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	return PCPNAT_DONE;
}
