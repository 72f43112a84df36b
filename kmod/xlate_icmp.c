// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP translation.
 *
 * Echo: the identifier plays the part of the port (RFC 5508), so an echo
 * request going out gets a mapping of protocol ICMP keyed by its identifier,
 * and the echo reply coming back is mapped through it. Echo requests to a
 * pool address are the router's own business and are left alone.
 *
 * Errors (destination unreachable, source quench, time exceeded, parameter
 * problem) quote the IP header and at least 8 bytes of the packet that
 * caused them. Coming in, the quoted packet is one we sent out, so its
 * source is an external endpoint: it and the outer destination become the
 * internal host. Going out, an internal host complains about a packet we
 * delivered to it: the quoted destination and the outer source become the
 * external endpoint. The quote may be truncated, so its transport checksum
 * is adjusted only for the fields changed, when it is there at all, and the
 * outer ICMP checksum follows every byte changed in the quote.
 *
 * An error is about the flow it quotes, and gets no further than a packet
 * of that flow would (RFC 5508 REQ-4 and REQ-5): coming in, the quoted
 * remote must be one the mapping's filtering admits (RFC 4787 REQ-8, the
 * FILTER list of RFC 6887 §13.3); going out, the quoted packet must have
 * been delivered to the host that complains, through a mapping that
 * admitted its sender.
 *
 * The router's own errors about a packet translated inbound (Time
 * Exceeded, Fragmentation Needed) quote it as delivered, to the internal
 * endpoint; on their way out the quote gets the external endpoint back,
 * as nf_nat_icmp_reply_translation() does.
 */
#include <linux/icmp.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include "xlate.h"

static bool icmp_is_error(u8 type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	}
	return false;
}

static enum pcpnat_res drop(struct pcpnat_pkt *p, int idx)
{
	pcpnat_stat_inc(p->pn, idx);
	return PCPNAT_DROP;
}

/* Is the quote something we could have translated? */
VISIBLE_IF_KUNIT int inner_parse(const struct pcpnat_pkt *p,
				 struct icmp_inner *in)
{
	struct sk_buff *skb = p->skb;
	const struct iphdr *ih;
	struct iphdr _ih;

	/* Addresses first: pcpnat_icmp_quote_out() wants them in any case. */
	in->saddr = 0;
	in->daddr = 0;
	in->ioff = p->l4off + sizeof(struct icmphdr);
	ih = skb_header_pointer(skb, in->ioff, sizeof(_ih), &_ih);
	if (!ih || ih->version != 4 || ih->ihl < 5)
		return -EINVAL;
	in->saddr = ih->saddr;
	in->daddr = ih->daddr;
	/* A later fragment has no transport header to map by. */
	if (ih->frag_off & htons(IP_OFFSET))
		return -EINVAL;
	in->l4off = in->ioff + ih->ihl * 4;
	if (skb->len < in->l4off + 8)
		return -EINVAL;
	in->l4len = skb->len - in->l4off;
	in->proto = ih->protocol;

	switch (in->proto) {
	case IPPROTO_UDP:
	case IPPROTO_TCP: {
		__be16 _ports[2];
		const __be16 *ports;

		ports = skb_header_pointer(skb, in->l4off, sizeof(_ports), _ports);
		if (!ports)
			return -EINVAL;
		in->sport = ports[0];
		in->dport = ports[1];
		return 0;
	}
	case IPPROTO_ICMP: {
		const struct icmphdr *ich;
		struct icmphdr _ich;

		ich = skb_header_pointer(skb, in->l4off, sizeof(_ich), &_ich);
		if (!ich)
			return -EINVAL;
		if (ich->type != ICMP_ECHO && ich->type != ICMP_ECHOREPLY)
			return -EPROTONOSUPPORT;
		in->sport = ich->un.echo.id;
		in->dport = ich->un.echo.id;
		return 0;
	}
	}
	return -EPROTONOSUPPORT;
}
EXPORT_SYMBOL_IF_KUNIT(inner_parse);

/* The outer checksum follows a 16-bit field of the ICMP payload. */
static void outer_csum2(__sum16 *icsum, struct sk_buff *skb, __be16 from,
			__be16 to)
{
	inet_proto_csum_replace2(icsum, skb, from, to, false);
}

/*
 * Change one end of the quoted packet: its address, its port (or echo
 * identifier), the quoted IP header checksum and, where the quote holds it
 * and it is in use, the quoted transport checksum. Every field changed is
 * also accounted in the outer ICMP checksum, so with CHECKSUM_COMPLETE the
 * sum over the message, and so skb->csum, does not change.
 */
static int inner_rewrite(struct pcpnat_pkt *p, const struct icmp_inner *in,
			 enum pcpnat_side side, __be32 addr, __be16 port)
{
	struct sk_buff *skb = p->skb;
	unsigned int need = in->l4off + 8;
	__sum16 *icsum, *check = NULL;
	bool pseudo = true;
	struct iphdr *ih;
	__be16 *pp;
	__be32 *pa;
	__sum16 old;

	if (in->proto == IPPROTO_TCP &&
	    in->l4len >= offsetofend(struct tcphdr, check))
		need = in->l4off + offsetofend(struct tcphdr, check);
	if (skb_ensure_writable(skb, need))
		return -ENOMEM;

	icsum = &((struct icmphdr *)(skb->data + p->l4off))->checksum;
	ih = (struct iphdr *)(skb->data + in->ioff);
	pa = side == PCPNAT_SRC ? &ih->saddr : &ih->daddr;

	switch (in->proto) {
	case IPPROTO_UDP: {
		struct udphdr *uh = (struct udphdr *)(skb->data + in->l4off);

		pp = side == PCPNAT_SRC ? &uh->source : &uh->dest;
		if (uh->check)
			check = &uh->check;
		break;
	}
	case IPPROTO_TCP: {
		struct tcphdr *th = (struct tcphdr *)(skb->data + in->l4off);

		pp = side == PCPNAT_SRC ? &th->source : &th->dest;
		if (need > in->l4off + 8)
			check = &th->check;
		break;
	}
	default: {
		struct icmphdr *ich = (struct icmphdr *)(skb->data + in->l4off);

		pp = &ich->un.echo.id;
		check = &ich->checksum;
		pseudo = false;
		break;
	}
	}

	if (check) {
		old = *check;
		if (pseudo)
			csum_replace4(check, *pa, addr);
		csum_replace2(check, *pp, port);
		if (in->proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
		outer_csum2(icsum, skb, (__force __be16)old, (__force __be16)*check);
	}
	outer_csum2(icsum, skb, *pp, port);
	*pp = port;

	old = ih->check;
	csum_replace4(&ih->check, *pa, addr);
	outer_csum2(icsum, skb, (__force __be16)old, (__force __be16)ih->check);
	inet_proto_csum_replace4(icsum, skb, *pa, addr, false);
	*pa = addr;
	return 0;
}

/*
 * One end of an ICMP error: that end of the quote, and the opposite end of
 * the outer header, which is the same host (the quote is the packet the
 * error answers, so its source is where the error goes).
 */
VISIBLE_IF_KUNIT int error_rewrite(struct pcpnat_pkt *p,
				   const struct icmp_inner *in,
				   enum pcpnat_side side, __be32 addr,
				   __be16 port)
{
	int err = inner_rewrite(p, in, side, addr, port);

	return err ?: pcpnat_ip_rewrite(p->skb, side == PCPNAT_SRC ? PCPNAT_DST :
								     PCPNAT_SRC, addr);
}
EXPORT_SYMBOL_IF_KUNIT(error_rewrite);

/* Echo: one end's address and the identifier. */
VISIBLE_IF_KUNIT int echo_rewrite(struct pcpnat_pkt *p, enum pcpnat_side side,
				  __be32 addr, __be16 id)
{
	struct icmphdr *ich;

	if (skb_ensure_writable(p->skb, p->l4off + sizeof(*ich)))
		return -ENOMEM;
	ich = (struct icmphdr *)(p->skb->data + p->l4off);
	inet_proto_csum_replace2(&ich->checksum, p->skb, ich->un.echo.id, id,
				 false);
	ich->un.echo.id = id;
	return pcpnat_ip_rewrite(p->skb, side, addr);
}
EXPORT_SYMBOL_IF_KUNIT(echo_rewrite);

static const struct icmphdr *icmp_header(const struct pcpnat_pkt *p,
					 struct icmphdr *buf)
{
	return skb_header_pointer(p->skb, p->l4off, sizeof(*buf), buf);
}

/* An echo reply coming in: to the host whose echo request went out. */
static enum pcpnat_res echo_in(struct pcpnat_pkt *p, __be16 id)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	struct pcpnat_mapping *m;

	/*
	 * No mapping: a reply to the router's own ping, whose identifiers we
	 * cannot tell from ours. Leave it alone.
	 */
	m = pcpnat_lookup_ext(p->pn, IPPROTO_ICMP, iph->daddr, id);
	if (!m)
		return PCPNAT_PASS;
	if (!pcpnat_inbound_allowed(p->pn, p->cfg, m, iph->saddr, 0))
		return drop(p, PCPNAT_STATS_A_DROP_FILTERED);
	if (echo_rewrite(p, PCPNAT_DST, m->key.addr, pcpnat_m_int_port(m, id)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_touch_in(m, 0);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_IN);
	return PCPNAT_DONE;
}

/* An echo request going out: its identifier is mapped like a port. */
static enum pcpnat_res echo_out(struct pcpnat_pkt *p, __be16 id)
{
	const struct iphdr *iph = ip_hdr(p->skb);
	__be32 daddr = iph->daddr;	/* kept: the rewrite may move it */
	struct pcpnat_mapping *m;

	m = pcpnat_lookup_int(p->pn, IPPROTO_ICMP, iph->saddr, id);
	if (!m)
		m = pcpnat_create_implicit(p->pn, IPPROTO_ICMP, iph->saddr, id);
	if (IS_ERR(m))
		return drop(p, pcpnat_create_drop(m));
	if (echo_rewrite(p, PCPNAT_SRC, m->ext_addr, pcpnat_m_ext_port(m, id)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_touch_out(m, daddr, 0);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_OUT);
	return PCPNAT_DONE;
}

/* An error coming in about a packet that went out through a mapping. */
static enum pcpnat_res error_in(struct pcpnat_pkt *p)
{
	struct pcpnat_mapping *m;
	struct icmp_inner in;

	/* Not about a packet of ours (maybe one of the router's own). */
	if (inner_parse(p, &in) || !pcpnat_addr_in_pool(p->cfg, in.saddr))
		return PCPNAT_PASS;
	m = pcpnat_lookup_ext(p->pn, in.proto, in.saddr, in.sport);
	if (!m)
		return PCPNAT_PASS;
	/*
	 * The outer source is whoever saw the packet fail, often a router on
	 * the path; the quoted destination is the remote the flow went to.
	 */
	if (!pcpnat_inbound_allowed(p->pn, p->cfg, m, in.daddr, in.dport))
		return drop(p, PCPNAT_STATS_A_DROP_FILTERED);
	if (error_rewrite(p, &in, PCPNAT_SRC, m->key.addr,
			  pcpnat_m_int_port(m, in.sport)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_IN);
	return PCPNAT_DONE;
}

/*
 * The quoted packet was delivered to the host the error comes from, through
 * a mapping that admits its sender: otherwise one internal host could speak
 * for another's mapping. (An error from an internal router about a host
 * behind it is refused too: the quote cannot prove which host it is about.)
 */
static bool error_from_owner(const struct pcpnat_pkt *p,
			     const struct icmp_inner *in,
			     const struct pcpnat_mapping *m)
{
	return ip_hdr(p->skb)->saddr == in->daddr &&
	       pcpnat_inbound_allowed(p->pn, p->cfg, m, in->saddr, in->sport);
}

/*
 * An error going out from inside is about a packet that came in through a
 * mapping; without one it would leak internal addresses.
 */
static enum pcpnat_res error_out(struct pcpnat_pkt *p)
{
	struct pcpnat_mapping *m;
	struct icmp_inner in;

	if (inner_parse(p, &in))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	m = pcpnat_lookup_int(p->pn, in.proto, in.daddr, in.dport);
	if (!m)
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	if (!error_from_owner(p, &in, m))
		return drop(p, PCPNAT_STATS_A_DROP_FILTERED);
	if (error_rewrite(p, &in, PCPNAT_DST, m->ext_addr,
			  pcpnat_m_ext_port(m, in.dport)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_OUT);
	return PCPNAT_DONE;
}

enum pcpnat_res pcpnat_icmp_in(struct pcpnat_pkt *p)
{
	const struct icmphdr *ich;
	struct icmphdr _ich;

	ich = icmp_header(p, &_ich);
	if (!ich)
		return PCPNAT_PASS;
	if (ich->type == ICMP_ECHOREPLY)
		return echo_in(p, ich->un.echo.id);
	return icmp_is_error(ich->type) ? error_in(p) : PCPNAT_PASS;
}

enum pcpnat_res pcpnat_icmp_out(struct pcpnat_pkt *p)
{
	const struct icmphdr *ich;
	struct icmphdr _ich;

	ich = icmp_header(p, &_ich);
	if (!ich)
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	if (ich->type == ICMP_ECHO)
		return echo_out(p, ich->un.echo.id);
	if (icmp_is_error(ich->type))
		return error_out(p);
	/*
	 * Echo replies (echo requests to the pool are never passed inside,
	 * so these answer traffic that reached the host untranslated) and
	 * the other queries (timestamp, address mask, ...: RFC 5508 §3 leaves
	 * them to the NAT's policy) would leave with the internal source.
	 */
	return drop(p, PCPNAT_STATS_A_DROP_INVALID);
}

/*
 * From inside to a pool address: only an error about a hairpinned packet
 * is ours (echo requests are for the router). Its quote reads "external
 * endpoint of the sender -> internal endpoint of the complainer"; both
 * become what each side saw, in pcpnat_l4_hairpin()'s two steps: here the
 * end towards the sender (the outer destination, the quote's source) and
 * the route, so that conntrack finds the connection the quote is about.
 */
enum pcpnat_res pcpnat_icmp_hairpin(struct pcpnat_pkt *p)
{
	struct pcpnat_mapping *md, *ms;
	const struct icmphdr *ich;
	struct icmp_inner in;
	struct icmphdr _ich;

	ich = icmp_header(p, &_ich);
	if (!ich || !icmp_is_error(ich->type))
		return PCPNAT_PASS;
	if (inner_parse(p, &in) || !pcpnat_addr_in_pool(p->cfg, in.saddr))
		return PCPNAT_PASS;
	md = pcpnat_lookup_ext(p->pn, in.proto, in.saddr, in.sport);
	if (!md)
		return PCPNAT_PASS;
	ms = pcpnat_lookup_int(p->pn, in.proto, in.daddr, in.dport);
	if (!ms)
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	if (!error_from_owner(p, &in, ms))
		return drop(p, PCPNAT_STATS_A_DROP_FILTERED);
	if (error_rewrite(p, &in, PCPNAT_SRC, md->key.addr,
			  pcpnat_m_int_port(md, in.sport)) ||
	    pcpnat_hairpin_route(p))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_HAIRPIN);
	return PCPNAT_DONE;
}

/*
 * The second step, after conntrack: the complainer's end (the outer
 * source, the quote's destination) becomes its external endpoint.
 */
enum pcpnat_res pcpnat_icmp_hairpin_src(struct pcpnat_pkt *p)
{
	const struct icmphdr *ich;
	struct pcpnat_mapping *ms;
	struct icmp_inner in;
	struct icmphdr _ich;

	ich = icmp_header(p, &_ich);
	if (!ich || !icmp_is_error(ich->type) || inner_parse(p, &in))
		return PCPNAT_PASS;
	ms = pcpnat_lookup_int(p->pn, in.proto, in.daddr, in.dport);
	if (!ms)
		return PCPNAT_PASS;
	if (error_rewrite(p, &in, PCPNAT_DST, ms->ext_addr,
			  pcpnat_m_ext_port(ms, in.dport)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	return PCPNAT_DONE;
}

/*
 * An ICMP error leaving the external interface from an address that is not
 * internal, normally the router's own: icmp_send() for an inbound packet
 * already translated (TTL 1, Fragmentation Needed, a reject rule) quotes
 * it with the internal endpoint as destination. That end of the quote
 * becomes the external endpoint again; the outer header is the router's
 * and stays. Without a mapping, or for a quote that cannot be translated,
 * the error is dropped: it would show an internal address outside.
 * RFC 5508 REQ-6: the mapping is not refreshed.
 */
enum pcpnat_res pcpnat_icmp_quote_out(struct pcpnat_pkt *p)
{
	const struct icmphdr *ich;
	struct pcpnat_mapping *m;
	struct icmp_inner in;
	struct icmphdr _ich;
	int err;

	ich = icmp_header(p, &_ich);
	if (!ich || !icmp_is_error(ich->type))
		return PCPNAT_PASS;
	/* A quote too short for its addresses leaves them at 0, not internal. */
	err = inner_parse(p, &in);
	if (pcpnat_addr_internal(p->cfg, in.saddr))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	if (!pcpnat_addr_internal(p->cfg, in.daddr))
		return PCPNAT_PASS;
	if (err)
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	m = pcpnat_lookup_int(p->pn, in.proto, in.daddr, in.dport);
	if (!m)
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	if (inner_rewrite(p, &in, PCPNAT_DST, m->ext_addr,
			  pcpnat_m_ext_port(m, in.dport)))
		return drop(p, PCPNAT_STATS_A_DROP_INVALID);
	pcpnat_stat_inc(p->pn, PCPNAT_STATS_A_PKTS_OUT);
	return PCPNAT_DONE;
}
