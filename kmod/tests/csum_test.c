// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the incremental checksum updates of the translation path, against
 * checksums computed from scratch, on pseudo-random packets:
 *  - pcpnat_l4_rewrite (xlate_l4.c): UDP and TCP, either end, with the
 *    checksum complete in the packet (CHECKSUM_NONE), also summed by the
 *    device (CHECKSUM_COMPLETE, skb->csum must follow), or left to the
 *    device (CHECKSUM_PARTIAL, the field holds the pseudo-header sum);
 *  - error_rewrite (xlate_icmp.c): an ICMP error and the packet it quotes,
 *    whole or truncated, UDP, TCP or ICMP echo;
 *  - echo_rewrite (xlate_icmp.c): ICMP echo.
 * Besides the checksums, every byte but the rewritten fields must be what
 * it was.
 */
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <linux/unaligned.h>
#include "kt.h"
#include "xlate.h"

#define ITERATIONS	300
#define MAX_PKT		512

KUNIT_DEFINE_ACTION_WRAPPER(kt_kfree_skb, kfree_skb, struct sk_buff *);

static struct sk_buff *new_skb(struct kunit *test, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(len + 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_kfree_skb, skb), 0);
	skb_reserve(skb, 32);
	skb_put(skb, len);
	skb_reset_network_header(skb);
	return skb;
}

static void free_skb(struct kunit *test, struct sk_buff *skb)
{
	kunit_release_action(test, kt_kfree_skb, skb);
}

/* 0x0000 and 0xffff are the same number in one's complement. */
static bool csum_same(__sum16 a, __sum16 b)
{
	u16 x = (__force u16)a, y = (__force u16)b;

	return x == y || ((x == 0 || x == 0xffff) && (y == 0 || y == 0xffff));
}

static __sum16 get16(const u8 *p)
{
	return (__force __sum16)get_unaligned((const u16 *)p);
}

static void put16(u8 *p, __sum16 v)
{
	put_unaligned((__force u16)v, (u16 *)p);
}

/* An IPv4 header's checksum from scratch (ihl words at h). */
static __sum16 ip_scratch(const u8 *h)
{
	u8 buf[60] __aligned(4);
	unsigned int ihl = h[0] & 0x0f;

	memcpy(buf, h, ihl * 4);
	put16(buf + 10, 0);
	return ip_fast_csum(buf, ihl);
}

/* A transport checksum from scratch; the field at check_off counts as 0. */
static __sum16 l4_scratch(u8 *scratch, const u8 *l4, unsigned int len,
			  unsigned int check_off, __be32 saddr, __be32 daddr,
			  u8 proto)
{
	__wsum sum;

	memcpy(scratch, l4, len);
	put16(scratch + check_off, 0);
	sum = csum_partial(scratch, len, 0);
	if (proto == IPPROTO_ICMP)
		return csum_fold(sum);
	return csum_tcpudp_magic(saddr, daddr, len, proto, sum);
}

static void fill_ip(u8 *h, unsigned int ihl, u8 proto, unsigned int tot_len,
		    struct rnd_state *rs)
{
	struct iphdr *iph = (struct iphdr *)h;

	prandom_bytes_state(rs, h, ihl * 4);
	iph->version = 4;
	iph->ihl = ihl;
	iph->tot_len = htons(tot_len);
	iph->frag_off = prandom_u32_state(rs) & 1 ? htons(IP_DF) : 0;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->check = 0;
	iph->check = ip_fast_csum(h, ihl);
}

/* A new endpoint; now and then the same address or port as before. */
static void new_endpoint(struct rnd_state *rs, __be32 old_addr, __be16 old_port,
			 __be32 *addr, __be16 *port)
{
	u32 r = prandom_u32_state(rs);

	*addr = r % 8 == 0 ? old_addr : (__force __be32)prandom_u32_state(rs);
	*port = r % 8 == 1 ? old_port : (__force __be16)(u16)(r >> 16);
}

static const char *const summed_name[] = {
	[CHECKSUM_NONE] = "none",
	[CHECKSUM_UNNECESSARY] = "unnecessary",
	[CHECKSUM_COMPLETE] = "complete",
	[CHECKSUM_PARTIAL] = "partial",
};

/* CHECKSUM_COMPLETE: skb->csum sums the packet from skb->data. */
static void expect_complete_follows(struct kunit *test, struct sk_buff *skb)
{
	__wsum now = csum_partial(skb->data, skb->len, 0);

	KUNIT_ASSERT_TRUE_MSG(test, csum_same(csum_fold(skb->csum), csum_fold(now)),
			      "skb->csum folds to %04x, the packet to %04x",
			      (__force u16)csum_fold(skb->csum),
			      (__force u16)csum_fold(now));
}

struct l4_case {
	u8 proto;
	u8 side;
	u8 summed;
	bool no_csum;	/* UDP without checksum (0) */
};

static const struct l4_case l4_cases[] = {
	{ IPPROTO_UDP, PCPNAT_SRC, CHECKSUM_NONE },
	{ IPPROTO_UDP, PCPNAT_DST, CHECKSUM_NONE },
	{ IPPROTO_UDP, PCPNAT_SRC, CHECKSUM_COMPLETE },
	{ IPPROTO_UDP, PCPNAT_DST, CHECKSUM_COMPLETE },
	{ IPPROTO_UDP, PCPNAT_SRC, CHECKSUM_PARTIAL },
	{ IPPROTO_UDP, PCPNAT_DST, CHECKSUM_PARTIAL },
	{ IPPROTO_UDP, PCPNAT_SRC, CHECKSUM_NONE, true },
	{ IPPROTO_UDP, PCPNAT_DST, CHECKSUM_NONE, true },
	{ IPPROTO_TCP, PCPNAT_SRC, CHECKSUM_NONE },
	{ IPPROTO_TCP, PCPNAT_DST, CHECKSUM_NONE },
	{ IPPROTO_TCP, PCPNAT_SRC, CHECKSUM_COMPLETE },
	{ IPPROTO_TCP, PCPNAT_DST, CHECKSUM_COMPLETE },
	{ IPPROTO_TCP, PCPNAT_SRC, CHECKSUM_PARTIAL },
	{ IPPROTO_TCP, PCPNAT_DST, CHECKSUM_PARTIAL },
};

static void l4_desc(const struct l4_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s, %s%s",
		 c->proto == IPPROTO_TCP ? "TCP" : "UDP",
		 c->side == PCPNAT_SRC ? "source" : "destination",
		 summed_name[c->summed], c->no_csum ? ", no checksum" : "");
}

KUNIT_ARRAY_PARAM(l4, l4_cases, l4_desc);

static void l4_rewrite_csum(struct kunit *test)
{
	const struct l4_case *c = test->param_value;
	bool tcp = c->proto == IPPROTO_TCP;
	unsigned int check_off = tcp ? offsetof(struct tcphdr, check) :
				       offsetof(struct udphdr, check);
	unsigned int aoff = c->side == PCPNAT_SRC ? offsetof(struct iphdr, saddr) :
						    offsetof(struct iphdr, daddr);
	unsigned int poff = c->side == PCPNAT_SRC ? 0 : 2;
	u8 *want = kunit_kmalloc(test, MAX_PKT, GFP_KERNEL);
	u8 *scratch = kunit_kmalloc(test, MAX_PKT, GFP_KERNEL);
	struct rnd_state rs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	prandom_seed_state(&rs, 1000 + (c - l4_cases));
	for (i = 0; i < ITERATIONS; i++) {
		unsigned int hl = tcp ? 20 + 4 * (prandom_u32_state(&rs) % 11) : 8;
		unsigned int l4len = hl + prandom_u32_state(&rs) % 300;
		unsigned int len = 20 + l4len;
		struct sk_buff *skb = new_skb(test, len);
		u8 *d = skb->data, *l4 = d + 20;
		struct iphdr *iph = (struct iphdr *)d;
		__be32 addr, old_addr;
		__be16 port, old_port;
		__sum16 sum;

		prandom_bytes_state(&rs, d, len);
		fill_ip(d, 5, c->proto, len, &rs);
		if (tcp)
			((struct tcphdr *)l4)->doff = hl / 4;
		else
			((struct udphdr *)l4)->len = htons(l4len);
		put16(l4 + check_off, 0);
		if (c->summed == CHECKSUM_PARTIAL) {
			/* What the stack leaves for the device. */
			sum = ~csum_tcpudp_magic(iph->saddr, iph->daddr, l4len,
						 c->proto, 0);
			skb->csum_start = skb_headroom(skb) + 20;
			skb->csum_offset = check_off;
		} else if (c->no_csum) {
			sum = 0;
		} else {
			sum = l4_scratch(scratch, l4, l4len, check_off, iph->saddr,
					 iph->daddr, c->proto);
			if (!tcp && !sum)
				sum = CSUM_MANGLED_0;
		}
		put16(l4 + check_off, sum);
		skb->ip_summed = c->summed;
		if (c->summed == CHECKSUM_COMPLETE)
			skb->csum = csum_partial(d, len, 0);

		old_addr = get_unaligned((__be32 *)(d + aoff));
		old_port = get_unaligned((__be16 *)(l4 + poff));
		new_endpoint(&rs, old_addr, old_port, &addr, &port);
		memcpy(want, d, len);
		put_unaligned(addr, (__be32 *)(want + aoff));
		put_unaligned(port, (__be16 *)(want + 20 + poff));

		KUNIT_ASSERT_EQ(test, pcpnat_l4_rewrite(skb, 20, c->proto, c->side,
							addr, port), 0);
		d = skb->data;
		l4 = d + 20;
		iph = (struct iphdr *)d;

		/* The fields, and nothing else but the two checksums. */
		put16(want + 10, get16(d + 10));
		put16(want + 20 + check_off, get16(l4 + check_off));
		KUNIT_ASSERT_MEMEQ_MSG(test, d, want, len, "packet %d", i);

		KUNIT_ASSERT_EQ_MSG(test, KT_RAW(ip_fast_csum(d, 5)), 0, "packet %d", i);
		KUNIT_ASSERT_TRUE(test, csum_same(iph->check, ip_scratch(d)));
		sum = get16(l4 + check_off);
		if (c->summed == CHECKSUM_PARTIAL) {
			KUNIT_ASSERT_TRUE_MSG(test, csum_same(sum,
					~csum_tcpudp_magic(iph->saddr, iph->daddr, l4len,
							   c->proto, 0)),
					"packet %d: pseudo-header sum %04x", i,
					(__force u16)sum);
		} else if (c->no_csum) {
			/* No checksum stays none. */
			KUNIT_ASSERT_EQ(test, (__force u16)sum, 0);
		} else {
			KUNIT_ASSERT_EQ_MSG(test,
				KT_RAW(csum_tcpudp_magic(iph->saddr, iph->daddr, l4len,
							 c->proto,
							 csum_partial(l4, l4len, 0))), 0,
				"packet %d: checksum %04x does not verify", i,
				(__force u16)sum);
			KUNIT_ASSERT_TRUE(test, csum_same(sum,
				l4_scratch(scratch, l4, l4len, check_off, iph->saddr,
					   iph->daddr, c->proto)));
			/* UDP sends a computed 0 as 0xffff: 0 means none. */
			if (!tcp)
				KUNIT_ASSERT_NE(test, (__force u16)sum, 0);
		}
		if (c->summed == CHECKSUM_COMPLETE)
			expect_complete_follows(test, skb);
		free_skb(test, skb);
	}
}

/* pcpnat_ip_rewrite alone (ICMP's outer header): the header checksum. */
static void ip_rewrite_csum(struct kunit *test)
{
	struct rnd_state rs;
	int i, side;

	prandom_seed_state(&rs, 7);
	for (i = 0; i < ITERATIONS; i++) {
		for (side = PCPNAT_SRC; side <= PCPNAT_DST; side++) {
			struct sk_buff *skb = new_skb(test, 20 + 8);
			unsigned int aoff = side == PCPNAT_SRC ? 12 : 16;
			u8 want[28];
			__be32 addr = (__force __be32)prandom_u32_state(&rs);

			prandom_bytes_state(&rs, skb->data, 28);
			fill_ip(skb->data, 5, IPPROTO_ICMP, 28, &rs);
			skb->ip_summed = CHECKSUM_COMPLETE;
			skb->csum = csum_partial(skb->data, 28, 0);
			memcpy(want, skb->data, 28);
			put_unaligned(addr, (__be32 *)(want + aoff));
			KUNIT_ASSERT_EQ(test, pcpnat_ip_rewrite(skb, side, addr), 0);
			put16(want + 10, get16(skb->data + 10));
			KUNIT_ASSERT_MEMEQ(test, skb->data, want, 28);
			KUNIT_ASSERT_EQ(test, KT_RAW(ip_fast_csum(skb->data, 5)), 0);
			KUNIT_ASSERT_TRUE(test, csum_same(ip_hdr(skb)->check,
							  ip_scratch(skb->data)));
			expect_complete_follows(test, skb);
			free_skb(test, skb);
		}
	}
}

/* The packets an ICMP error may quote, whole or cut short. */
struct quote_case {
	const char *desc;
	u8 proto;
	bool no_csum;		/* UDP without checksum */
	unsigned int qlen;	/* transport bytes quoted, 0 = all of them */
	unsigned int ihl;	/* of the quoted header */
};

static const struct quote_case quote_cases[] = {
	{ "UDP whole", IPPROTO_UDP, false, 0, 5 },
	{ "UDP 8 bytes", IPPROTO_UDP, false, 8, 5 },
	{ "UDP no checksum", IPPROTO_UDP, true, 0, 5 },
	{ "UDP whole, IP options", IPPROTO_UDP, false, 0, 7 },
	{ "TCP whole", IPPROTO_TCP, false, 0, 5 },
	{ "TCP 8 bytes", IPPROTO_TCP, false, 8, 5 },
	{ "TCP 16 bytes", IPPROTO_TCP, false, 16, 5 },
	{ "TCP 17 bytes (half a checksum)", IPPROTO_TCP, false, 17, 5 },
	{ "TCP 18 bytes (to the checksum)", IPPROTO_TCP, false, 18, 5 },
	{ "TCP whole, IP options", IPPROTO_TCP, false, 0, 6 },
	{ "ICMP echo whole", IPPROTO_ICMP, false, 0, 5 },
	{ "ICMP echo 8 bytes", IPPROTO_ICMP, false, 8, 5 },
};

KUNIT_ARRAY_PARAM_DESC(quote, quote_cases, desc);

static const u8 error_types[] = {
	ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB,
};

/*
 * An ICMP error: one end of the quoted packet (address, port or echo
 * identifier), the other end of the outer header, and the four checksums
 * involved: outer IP, outer ICMP over the whole message, quoted IP, and
 * the quoted transport checksum where the quote holds it (computed over
 * the whole original packet, which the test keeps aside).
 */
static void icmp_error_rewrite_csum(struct kunit *test)
{
	const struct quote_case *c = test->param_value;
	unsigned int check_off = c->proto == IPPROTO_TCP ? 16 :
				 c->proto == IPPROTO_UDP ? 6 : 2;
	unsigned int hl = c->proto == IPPROTO_TCP ? 20 : 8;
	u8 *want = kunit_kmalloc(test, MAX_PKT, GFP_KERNEL);
	u8 *orig = kunit_kmalloc(test, MAX_PKT, GFP_KERNEL);
	u8 *scratch = kunit_kmalloc(test, MAX_PKT, GFP_KERNEL);
	struct rnd_state rs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_NOT_NULL(test, orig);
	KUNIT_ASSERT_NOT_NULL(test, scratch);
	prandom_seed_state(&rs, 2000 + (c - quote_cases));
	for (i = 0; i < ITERATIONS; i++) {
		enum pcpnat_side side = i & 1 ? PCPNAT_DST : PCPNAT_SRC;
		u8 summed = i & 2 ? CHECKSUM_COMPLETE : CHECKSUM_NONE;
		unsigned int olen = hl + prandom_u32_state(&rs) % 64;
		unsigned int qlen = c->qlen ? min(c->qlen, olen) : olen;
		unsigned int qip = 28, ql4 = qip + c->ihl * 4;
		unsigned int len = ql4 + qlen;
		unsigned int qaoff = qip + (side == PCPNAT_SRC ? 12 : 16);
		unsigned int oaoff = side == PCPNAT_SRC ? 16 : 12;
		unsigned int poff = c->proto == IPPROTO_ICMP ? 4 :
				    side == PCPNAT_SRC ? 0 : 2;
		bool l4check = c->proto == IPPROTO_TCP ? qlen >= 18 :
			       c->proto == IPPROTO_UDP ? !c->no_csum : true;
		struct pcpnat_pkt p = {};
		struct icmp_inner in;
		struct sk_buff *skb;
		__be32 qsaddr, qdaddr, addr, old_addr;
		__be16 port, old_port;
		__sum16 sum;
		u8 *d;

		skb = new_skb(test, len);
		d = skb->data;

		/*
		 * The packet the error is about: its header, quoted, and all of
		 * its transport part, kept aside in orig.
		 */
		fill_ip(d + qip, c->ihl, c->proto, c->ihl * 4 + olen, &rs);
		qsaddr = ((struct iphdr *)(d + qip))->saddr;
		qdaddr = ((struct iphdr *)(d + qip))->daddr;
		prandom_bytes_state(&rs, orig, olen);
		if (c->proto == IPPROTO_TCP)
			((struct tcphdr *)orig)->doff = 5;
		else if (c->proto == IPPROTO_UDP)
			((struct udphdr *)orig)->len = htons(olen);
		else
			orig[0] = prandom_u32_state(&rs) & 1 ? ICMP_ECHO : ICMP_ECHOREPLY;
		if (c->proto == IPPROTO_ICMP)
			orig[1] = 0;
		if (c->no_csum) {
			put16(orig + check_off, 0);
		} else {
			sum = l4_scratch(scratch, orig, olen, check_off, qsaddr, qdaddr,
					 c->proto);
			if (c->proto == IPPROTO_UDP && !sum)
				sum = CSUM_MANGLED_0;
			put16(orig + check_off, sum);
		}
		memcpy(d + ql4, orig, qlen);

		/* The error around it: outer header, ICMP header. */
		prandom_bytes_state(&rs, d + 20, 8);
		d[20] = error_types[prandom_u32_state(&rs) % ARRAY_SIZE(error_types)];
		fill_ip(d, 5, IPPROTO_ICMP, len, &rs);
		put16(d + 22, 0);
		put16(d + 22, csum_fold(csum_partial(d + 20, len - 20, 0)));
		skb->ip_summed = summed;
		if (summed == CHECKSUM_COMPLETE)
			skb->csum = csum_partial(d, len, 0);

		p.skb = skb;
		p.l4off = 20;
		KUNIT_ASSERT_EQ(test, inner_parse(&p, &in), 0);
		KUNIT_EXPECT_EQ(test, in.ioff, qip);
		KUNIT_EXPECT_EQ(test, in.l4off, ql4);
		KUNIT_EXPECT_EQ(test, in.l4len, qlen);
		KUNIT_EXPECT_EQ(test, in.proto, c->proto);
		KUNIT_EXPECT_EQ(test, KT_RAW(in.saddr), KT_RAW(qsaddr));
		KUNIT_EXPECT_EQ(test, KT_RAW(in.daddr), KT_RAW(qdaddr));
		if (c->proto == IPPROTO_ICMP) {
			KUNIT_EXPECT_EQ(test, KT_RAW(in.sport),
					KT_RAW(get_unaligned((__be16 *)(orig + 4))));
			KUNIT_EXPECT_EQ(test, KT_RAW(in.dport), KT_RAW(in.sport));
		} else {
			KUNIT_EXPECT_EQ(test, KT_RAW(in.sport),
					KT_RAW(get_unaligned((__be16 *)orig)));
			KUNIT_EXPECT_EQ(test, KT_RAW(in.dport),
					KT_RAW(get_unaligned((__be16 *)(orig + 2))));
		}

		old_addr = get_unaligned((__be32 *)(d + qaoff));
		old_port = get_unaligned((__be16 *)(orig + poff));
		new_endpoint(&rs, old_addr, old_port, &addr, &port);
		memcpy(want, d, len);
		put_unaligned(addr, (__be32 *)(want + qaoff));
		put_unaligned(addr, (__be32 *)(want + oaoff));
		put_unaligned(port, (__be16 *)(want + ql4 + poff));
		/* The original packet as it would be after the same rewrite. */
		put_unaligned(port, (__be16 *)(orig + poff));
		if (side == PCPNAT_SRC)
			qsaddr = addr;
		else
			qdaddr = addr;

		KUNIT_ASSERT_EQ(test, error_rewrite(&p, &in, side, addr, port), 0);
		d = skb->data;

		put16(want + 10, get16(d + 10));
		put16(want + 22, get16(d + 22));
		put16(want + qip + 10, get16(d + qip + 10));
		if (l4check)
			put16(want + ql4 + check_off, get16(d + ql4 + check_off));
		KUNIT_ASSERT_MEMEQ_MSG(test, d, want, len, "packet %d", i);

		KUNIT_ASSERT_EQ(test, KT_RAW(ip_fast_csum(d, 5)), 0);
		KUNIT_ASSERT_TRUE(test, csum_same(get16(d + 10), ip_scratch(d)));
		KUNIT_ASSERT_EQ(test, KT_RAW(ip_fast_csum(d + qip, c->ihl)), 0);
		KUNIT_ASSERT_TRUE(test, csum_same(get16(d + qip + 10),
						  ip_scratch(d + qip)));
		KUNIT_ASSERT_EQ_MSG(test,
				    KT_RAW(csum_fold(csum_partial(d + 20, len - 20, 0))), 0,
				    "packet %d: ICMP checksum does not verify", i);
		if (l4check) {
			sum = l4_scratch(scratch, orig, olen, check_off, qsaddr, qdaddr,
					 c->proto);
			if (c->proto == IPPROTO_UDP && !sum)
				sum = CSUM_MANGLED_0;
			KUNIT_ASSERT_TRUE_MSG(test, csum_same(get16(d + ql4 + check_off), sum),
					      "packet %d: quoted checksum %04x, want %04x",
					      i, (__force u16)get16(d + ql4 + check_off),
					      (__force u16)sum);
			if (c->proto == IPPROTO_UDP)
				KUNIT_ASSERT_NE(test, (__force u16)get16(d + ql4 + check_off), 0);
		}
		if (summed == CHECKSUM_COMPLETE)
			expect_complete_follows(test, skb);
		free_skb(test, skb);
	}
}

/* ICMP echo: the identifier and one address; the ICMP checksum follows. */
static void icmp_echo_rewrite_csum(struct kunit *test)
{
	u8 *want = kunit_kmalloc(test, MAX_PKT, GFP_KERNEL);
	struct rnd_state rs;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, want);
	prandom_seed_state(&rs, 3000);
	for (i = 0; i < ITERATIONS * 2; i++) {
		enum pcpnat_side side = i & 1 ? PCPNAT_DST : PCPNAT_SRC;
		u8 summed = i & 2 ? CHECKSUM_COMPLETE : CHECKSUM_NONE;
		unsigned int len = 28 + prandom_u32_state(&rs) % 200;
		unsigned int aoff = side == PCPNAT_SRC ? 12 : 16;
		struct sk_buff *skb = new_skb(test, len);
		struct pcpnat_pkt p = { .skb = skb, .l4off = 20 };
		u8 *d = skb->data;
		__be32 addr, old_addr;
		__be16 id, old_id;

		prandom_bytes_state(&rs, d, len);
		fill_ip(d, 5, IPPROTO_ICMP, len, &rs);
		d[20] = i & 4 ? ICMP_ECHO : ICMP_ECHOREPLY;
		d[21] = 0;
		put16(d + 22, 0);
		put16(d + 22, csum_fold(csum_partial(d + 20, len - 20, 0)));
		skb->ip_summed = summed;
		if (summed == CHECKSUM_COMPLETE)
			skb->csum = csum_partial(d, len, 0);

		old_addr = get_unaligned((__be32 *)(d + aoff));
		old_id = get_unaligned((__be16 *)(d + 24));
		new_endpoint(&rs, old_addr, old_id, &addr, &id);
		memcpy(want, d, len);
		put_unaligned(addr, (__be32 *)(want + aoff));
		put_unaligned(id, (__be16 *)(want + 24));

		KUNIT_ASSERT_EQ(test, echo_rewrite(&p, side, addr, id), 0);
		d = skb->data;
		put16(want + 10, get16(d + 10));
		put16(want + 22, get16(d + 22));
		KUNIT_ASSERT_MEMEQ_MSG(test, d, want, len, "packet %d", i);
		KUNIT_ASSERT_EQ(test, KT_RAW(ip_fast_csum(d, 5)), 0);
		KUNIT_ASSERT_EQ_MSG(test,
				    KT_RAW(csum_fold(csum_partial(d + 20, len - 20, 0))), 0,
				    "packet %d: ICMP checksum does not verify", i);
		if (summed == CHECKSUM_COMPLETE)
			expect_complete_follows(test, skb);
		free_skb(test, skb);
	}
}

/* Quotes the translation must leave alone. */
struct bad_quote {
	const char *desc;
	int err;
	unsigned int qlen;	/* transport bytes after the quoted header */
	unsigned int ihl;	/* 0: the quote ends inside the IP header */
	u8 version, proto, type;
	__be16 frag_off;
};

static const struct bad_quote bad_quotes[] = {
	{ "IP header cut short", -EINVAL, 0, 0, 4, IPPROTO_UDP },
	{ "7 transport bytes", -EINVAL, 7, 5, 4, IPPROTO_UDP },
	{ "IPv6 header", -EINVAL, 8, 5, 6, IPPROTO_UDP },
	{ "IHL below 5", -EINVAL, 8, 4, 4, IPPROTO_UDP },
	{ "later fragment", -EINVAL, 8, 5, 4, IPPROTO_UDP, 0, cpu_to_be16(1) },
	{ "GRE", -EPROTONOSUPPORT, 8, 5, 4, IPPROTO_GRE },
	{ "ICMP error quoted", -EPROTONOSUPPORT, 8, 5, 4, IPPROTO_ICMP,
	  ICMP_DEST_UNREACH },
	/* The first fragment has the ports: accepted. */
	{ "first fragment", 0, 8, 5, 4, IPPROTO_UDP, 0, cpu_to_be16(IP_MF) },
};

KUNIT_ARRAY_PARAM_DESC(bad_quote, bad_quotes, desc);

static void icmp_inner_parse(struct kunit *test)
{
	const struct bad_quote *c = test->param_value;
	unsigned int len = c->ihl ? 28 + max(c->ihl, 5U) * 4 + c->qlen : 28 + 12;
	struct sk_buff *skb = new_skb(test, len);
	struct pcpnat_pkt p = { .skb = skb, .l4off = 20 };
	struct iphdr *q = (struct iphdr *)(skb->data + 28);
	struct icmp_inner in;
	struct rnd_state rs;

	prandom_seed_state(&rs, 4000);
	memset(skb->data, 0, len);
	fill_ip(skb->data, 5, IPPROTO_ICMP, len, &rs);
	skb->data[20] = ICMP_DEST_UNREACH;
	if (c->ihl) {
		q->version = c->version;
		q->ihl = c->ihl;
		q->protocol = c->proto;
		q->frag_off = c->frag_off;
		skb->data[28 + max(c->ihl, 5U) * 4] = c->type;
	}
	KUNIT_EXPECT_EQ(test, inner_parse(&p, &in), c->err);
}

static struct kunit_case csum_cases[] = {
	KUNIT_CASE_PARAM(l4_rewrite_csum, l4_gen_params),
	KUNIT_CASE(ip_rewrite_csum),
	KUNIT_CASE_PARAM(icmp_error_rewrite_csum, quote_gen_params),
	KUNIT_CASE(icmp_echo_rewrite_csum),
	KUNIT_CASE_PARAM(icmp_inner_parse, bad_quote_gen_params),
	{}
};

static struct kunit_suite csum_suite = {
	.name = "pcpnat_csum",
	.test_cases = csum_cases,
};

kunit_test_suite(csum_suite);
