// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the external port allocator, paired pooling and the subscriber
 * quota (alloc.c).
 *
 * The secret is fixed (kt.h), so the pseudo-random starts, and with them
 * every result here, are the same on every run.
 */
#include <linux/bitmap.h>
#include <linux/in.h>
#include <linux/bottom_half.h>
#include "kt.h"

#define INT_HOST	0x0a000001U	/* 10.0.0.1 */

/* The allocator runs under the internal stripe lock, a _bh lock: so here. */
static int alloc(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		 int aidx, const struct pcpnat_key *key, u16 want, bool exact,
		 bool all, u16 *port)
{
	__be16 p = 0;
	int err;

	local_bh_disable();
	err = pcpnat_port_alloc(pn, cfg, aidx, key, htons(want), exact, all, &p);
	local_bh_enable();
	*port = ntohs(p);
	return err;
}

static void release(const struct pcpnat_config *cfg, int aidx, u8 proto, u16 port)
{
	pcpnat_port_release(cfg, proto, cfg->addrs[aidx], htons(port));
}

static u32 used(const struct pcpnat_config *cfg, int aidx, u8 proto)
{
	return cfg->pms[aidx]->p[pcpnat_pm_index(proto)].used;
}

static const unsigned long *bits(const struct pcpnat_config *cfg, int aidx,
				 u8 proto)
{
	return cfg->pms[aidx]->p[pcpnat_pm_index(proto)].bits;
}

/* Take every port of [from, to] with exact requests. */
static void take_range(struct kunit *test, struct pcpnat_net *pn,
		       const struct pcpnat_config *cfg, u8 proto,
		       unsigned int from, unsigned int to, unsigned int step)
{
	struct pcpnat_key k = kt_key(proto, INT_HOST, 1);
	unsigned int p;
	u16 got;

	for (p = from; p <= to; p += step) {
		KUNIT_ASSERT_EQ(test, alloc(pn, cfg, 0, &k, p, true, false, &got), 0);
		KUNIT_ASSERT_EQ(test, got, p);
	}
}

/* A suggested port that is free is what the request gets, exact or not. */
static void alloc_suggested_port(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_key k = kt_key(IPPROTO_UDP, INT_HOST, 5000);
	u16 p;

	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 40000, false, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 40000);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 40001, true, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 40001);
	/* The range's ends are in it. */
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 1024, true, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 1024);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 65535, true, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 65535);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), 4U);
	KUNIT_EXPECT_TRUE(test, test_bit(40000, bits(cfg, 0, IPPROTO_UDP)));
	/* The suggestion comes before the internal port. */
	k.port = htons(6000);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 7000, false, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 7000);
}

/*
 * A suggested port that is taken: an exact request fails with EADDRINUSE
 * (PREFER_FAILURE, uapi) and changes nothing; a plain one gets another
 * port of the same parity (RFC 4787 REQ-4).
 */
static void alloc_suggested_port_taken(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_key k = kt_key(IPPROTO_TCP, INT_HOST, 100);
	u16 p, want;

	for (want = 40000; want <= 40001; want++) {
		KUNIT_ASSERT_EQ(test, alloc(pn, cfg, 0, &k, want, true, false, &p), 0);
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, want, true, false, &p),
				-EADDRINUSE);
		KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_TCP), want - 39999U);
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, want, false, false, &p), 0);
		KUNIT_EXPECT_NE(test, p, want);
		KUNIT_EXPECT_GE(test, p, 1024);
		KUNIT_EXPECT_EQ(test, p & 1, want & 1);
		release(cfg, 0, IPPROTO_TCP, p);
	}
}

/*
 * A suggestion outside the range cannot be had: exact fails, a plain
 * request gets a port of the range with the suggestion's parity.
 */
static void alloc_suggested_port_outside_range(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 20000, 29999);
	struct pcpnat_key k = kt_key(IPPROTO_UDP, INT_HOST, 81);
	u16 p;

	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 80, true, false, &p), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 30000, true, false, &p),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), 0U);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 80, false, false, &p), 0);
	KUNIT_EXPECT_GE(test, p, 20000);
	KUNIT_EXPECT_LE(test, p, 29999);
	KUNIT_EXPECT_EQ(test, p & 1, 0);
}

/* No suggestion: the internal port if free (REQ-3), else its parity. */
static void alloc_port_preservation(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_key a = kt_key(IPPROTO_UDP, INT_HOST, 5555);
	struct pcpnat_key b = kt_key(IPPROTO_UDP, INT_HOST + 1, 5555);
	struct pcpnat_key c = kt_key(IPPROTO_UDP, INT_HOST, 80);
	u16 p;

	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &a, 0, false, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 5555);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &b, 0, false, false, &p), 0);
	KUNIT_EXPECT_NE(test, p, 5555);
	KUNIT_EXPECT_EQ(test, p & 1, 1);
	/* An internal port below the range is not preserved, its parity is. */
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &c, 0, false, false, &p), 0);
	KUNIT_EXPECT_GE(test, p, 1024);
	KUNIT_EXPECT_EQ(test, p & 1, 0);
}

/*
 * Parity is a preference, not a condition: with every even port taken an
 * even request still gets a port (an odd one).
 */
static void alloc_parity_given_up(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 2047);
	struct pcpnat_key k = kt_key(IPPROTO_UDP, INT_HOST, 2);
	u16 p;
	int i;

	take_range(test, pn, cfg, IPPROTO_UDP, 1024, 2046, 2);
	for (i = 0; i < 8; i++) {
		k.port = htons(2 * i);
		KUNIT_ASSERT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0);
		KUNIT_EXPECT_EQ(test, p & 1, 1);
	}
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), 512U + 8U);
}

/*
 * Fill levels of a 4096-port range, by plain requests from many internal
 * endpoints whose ports are outside the range (so every port comes from
 * the keyed scan), alternately even and odd.
 */
static const unsigned int fill_levels[] = { 0, 1, 10, 25, 50, 75, 90, 99, 100 };

static void fill_desc(const unsigned int *pct, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u%% full", *pct);
}

KUNIT_ARRAY_PARAM(fill_levels, fill_levels, fill_desc);

#define FILL_LO		20000U
#define FILL_N		4096U
#define FILL_HI		(FILL_LO + FILL_N - 1)

static void alloc_fill_level(struct kunit *test)
{
	unsigned int pct = *(const unsigned int *)test->param_value;
	unsigned int n = FILL_N * pct / 100, i, odd_breaks = 0, low_half = 0;
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, FILL_LO, FILL_HI);
	unsigned long *shadow = kunit_kzalloc(test, BITS_TO_LONGS(65536) *
					      sizeof(long), GFP_KERNEL);
	u16 *ports = kunit_kcalloc(test, FILL_N, sizeof(*ports), GFP_KERNEL);
	struct pcpnat_key k;
	struct rnd_state rs;
	u16 p, q;

	KUNIT_ASSERT_NOT_NULL(test, shadow);
	KUNIT_ASSERT_NOT_NULL(test, ports);
	for (i = 0; i < n; i++) {
		k = kt_key(IPPROTO_UDP, INT_HOST + i / 1000, i % 1000);
		KUNIT_ASSERT_EQ_MSG(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0,
				    "allocation %u of %u", i, FILL_N);
		KUNIT_ASSERT_GE(test, p, FILL_LO);
		KUNIT_ASSERT_LE(test, p, FILL_HI);
		KUNIT_ASSERT_FALSE_MSG(test, test_bit(p, shadow), "port %u twice", p);
		__set_bit(p, shadow);
		ports[i] = p;
		/*
		 * Parity: kept without fail while the range is nearly empty;
		 * the scan gives it up after a bounded number of probes, so
		 * up to half full a rare miss is fine, not more.
		 */
		if (i < FILL_N / 10)
			KUNIT_ASSERT_EQ_MSG(test, p & 1, i & 1, "allocation %u", i);
		if (i < FILL_N / 2) {
			low_half++;
			odd_breaks += (p & 1) != (i & 1);
		}
	}
	KUNIT_EXPECT_LE(test, odd_breaks * 100, low_half);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), n);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(shadow, bits(cfg, 0, IPPROTO_UDP), 65536));

	k = kt_key(IPPROTO_UDP, 0x0a0000ff, 7);
	if (n < FILL_N) {
		/* Not full: a plain request gets a free port... */
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0);
		KUNIT_EXPECT_FALSE(test, test_bit(p, shadow));
		release(cfg, 0, IPPROTO_UDP, p);
		/* ...and so does an exact request for one. */
		q = find_next_zero_bit(shadow, FILL_HI + 1, FILL_LO);
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, q, true, false, &p), 0);
		KUNIT_EXPECT_EQ(test, p, q);
		release(cfg, 0, IPPROTO_UDP, p);
	} else {
		/* Full: no port, with the documented errno, and nothing changed. */
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, FILL_LO, false, false, &p),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, true, &p),
				-ENOSPC);
		KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), FILL_N);
	}
	if (n) {
		/* A taken port cannot be had exactly... */
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, ports[n / 2], true, false,
					    &p), -EADDRINUSE);
		/* ...until it is given back; full, it is the only one there is. */
		release(cfg, 0, IPPROTO_UDP, ports[n / 2]);
		KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), n - 1);
		if (n == FILL_N) {
			KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0);
			KUNIT_EXPECT_EQ(test, p, ports[n / 2]);
		} else {
			KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, ports[n / 2], true,
						    false, &p), 0);
			KUNIT_EXPECT_EQ(test, p, ports[n / 2]);
		}
	}
	/* Everything given back, in random order: the map is empty again. */
	prandom_seed_state(&rs, pct);
	for (i = n; i > 1; i--) {
		unsigned int j = prandom_u32_state(&rs) % i;

		swap(ports[i - 1], ports[j]);
	}
	for (i = 0; i < n; i++)
		release(cfg, 0, IPPROTO_UDP, ports[i]);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), 0U);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits(cfg, 0, IPPROTO_UDP), 65536));
}

/*
 * The default range, 1024-65535, to the last port: 64512 allocations
 * succeed, every port once (port preservation for some, the scan for the
 * others), and the next fails with ENOSPC.
 */
static void alloc_full_default_range(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_key k;
	unsigned int i;
	u16 p;

	for (i = 0; i < 64512; i++) {
		k = kt_key(IPPROTO_TCP, INT_HOST + i / 65536, i % 65536);
		KUNIT_ASSERT_EQ_MSG(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0,
				    "allocation %u", i);
	}
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_TCP), 64512U);
	KUNIT_EXPECT_EQ(test, bitmap_weight(bits(cfg, 0, IPPROTO_TCP), 65536), 64512U);
	KUNIT_EXPECT_EQ(test, find_next_zero_bit(bits(cfg, 0, IPPROTO_TCP), 65536,
						 1024), 65536UL);
	k = kt_key(IPPROTO_TCP, INT_HOST + 1, 5000);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), -ENOSPC);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 5000, true, false, &p), -EADDRINUSE);
	/* Counted: each success once, the failures not. */
	KUNIT_EXPECT_EQ(test, kt_stat(test, pn, PCPNAT_STATS_A_ALLOC_OK), 64512ULL);
	KUNIT_EXPECT_GE(test, kt_stat(test, pn, PCPNAT_STATS_A_ALLOC_PROBES), 64512ULL);
	for (i = 1024; i <= 65535; i++)
		release(cfg, 0, IPPROTO_TCP, i);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_TCP), 0U);
}

/*
 * One free port left, anywhere in the range: every request finds it,
 * whatever its parity and pseudo-random start.
 */
static const unsigned int last_free[] = { 1024, 1025, 1536, 1537, 2046, 2047 };

static void last_free_desc(const unsigned int *port, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "port %u", *port);
}

KUNIT_ARRAY_PARAM(last_free, last_free, last_free_desc);

static void alloc_last_free_port(struct kunit *test)
{
	unsigned int free_port = *(const unsigned int *)test->param_value;
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 2047);
	struct pcpnat_key k;
	u16 p;
	int i;

	take_range(test, pn, cfg, IPPROTO_UDP, 1024, 2047, 1);
	release(cfg, 0, IPPROTO_UDP, free_port);
	for (i = 0; i < 64; i++) {
		k = kt_key(IPPROTO_UDP, INT_HOST + i, 3000 + i);
		KUNIT_ASSERT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0);
		KUNIT_ASSERT_EQ(test, p, free_port);
		KUNIT_ASSERT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p),
				-ENOSPC);
		release(cfg, 0, IPPROTO_UDP, free_port);
	}
}

/*
 * An all-ports mapping (internal port 0, explicit) takes the whole address
 * for its protocol: port 0, nothing else while it lives, and only on an
 * address with no port in use.
 */
static void alloc_all_ports(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_key k = kt_key(IPPROTO_UDP, INT_HOST, 0);
	struct pcpnat_key t = kt_key(IPPROTO_TCP, INT_HOST, 4000);
	u16 p = 1;

	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, true, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 0);
	KUNIT_EXPECT_TRUE(test, cfg->pms[0]->p[PCPNAT_PM_UDP].whole);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), 0U);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, true, &p), -ENOSPC);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, true, true, &p), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 5000, false, false, &p), -ENOSPC);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 5000, true, false, &p),
			-EADDRINUSE);
	/* Another protocol is another map. */
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &t, 0, false, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 4000);
	/* Port 0 given back ends it. */
	release(cfg, 0, IPPROTO_UDP, 0);
	KUNIT_EXPECT_FALSE(test, cfg->pms[0]->p[PCPNAT_PM_UDP].whole);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 5000, true, false, &p), 0);
	/* With a port in use the whole address cannot be had. */
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, true, &p), -ENOSPC);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, true, true, &p), -EADDRINUSE);
	KUNIT_EXPECT_FALSE(test, cfg->pms[0]->p[PCPNAT_PM_UDP].whole);
}

/* UDP, TCP and ICMP identifiers are separate spaces; nothing else is one. */
static void alloc_protocols(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 1055);
	struct pcpnat_key k;
	unsigned int i;
	u16 p;

	take_range(test, pn, cfg, IPPROTO_UDP, 1024, 1055, 1);
	k = kt_key(IPPROTO_UDP, INT_HOST, 1030);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), -ENOSPC);
	for (i = 1; i < ARRAY_SIZE(protos); i++) {
		k = kt_key(protos[i], INT_HOST, 1030);
		KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p), 0);
		KUNIT_EXPECT_EQ(test, p, 1030);
		KUNIT_EXPECT_EQ(test, used(cfg, 0, protos[i]), 1U);
	}
	k = kt_key(IPPROTO_SCTP, INT_HOST, 1030);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 0, false, false, &p),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 1031, true, false, &p),
			-EPROTONOSUPPORT);
	/* Giving back an unknown protocol's port is harmless. */
	release(cfg, 0, IPPROTO_SCTP, 1030);
}

/*
 * Release: a port given back is free again (the same request gets it);
 * giving back twice, a port never taken, or on an address that left the
 * pool does no harm and never underflows the count.
 */
static void alloc_release(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 2, 1024, 65535);
	struct pcpnat_key k = kt_key(IPPROTO_UDP, INT_HOST, 30000);
	u16 p;

	KUNIT_ASSERT_EQ(test, alloc(pn, cfg, 1, &k, 0, false, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 30000);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 1, &k, 30000, true, false, &p),
			-EADDRINUSE);
	/* Another address's map is another map. */
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 0, &k, 30000, true, false, &p), 0);
	release(cfg, 0, IPPROTO_UDP, 30000);
	KUNIT_EXPECT_EQ(test, used(cfg, 0, IPPROTO_UDP), 0U);
	KUNIT_EXPECT_EQ(test, used(cfg, 1, IPPROTO_UDP), 1U);

	release(cfg, 1, IPPROTO_UDP, 30000);
	KUNIT_EXPECT_EQ(test, used(cfg, 1, IPPROTO_UDP), 0U);
	KUNIT_EXPECT_FALSE(test, test_bit(30000, bits(cfg, 1, IPPROTO_UDP)));
	release(cfg, 1, IPPROTO_UDP, 30000);
	release(cfg, 1, IPPROTO_UDP, 30002);
	release(cfg, 1, IPPROTO_TCP, 30000);
	KUNIT_EXPECT_EQ(test, used(cfg, 1, IPPROTO_UDP), 0U);
	KUNIT_EXPECT_EQ(test, used(cfg, 1, IPPROTO_TCP), 0U);
	pcpnat_port_release(cfg, IPPROTO_UDP, htonl(0xc6336401), htons(30000));

	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 1, &k, 0, false, false, &p), 0);
	KUNIT_EXPECT_EQ(test, p, 30000);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 1, &k, 30000, true, false, &p),
			-EADDRINUSE);
	release(cfg, 1, IPPROTO_UDP, 30000);
	KUNIT_EXPECT_EQ(test, alloc(pn, cfg, 1, &k, 30000, true, false, &p), 0);
}

/*
 * Paired pooling (RFC 4787 REQ-2): a host always gets the same address of
 * the pool, and the hosts spread over all of them.
 */
static void addr_pick(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *c0 = kt_config(test, 0, 1024, 65535);
	struct pcpnat_config *c1 = kt_config(test, 1, 1024, 65535);
	struct pcpnat_config *c4 = kt_config(test, 4, 1024, 65535);
	unsigned int seen[4] = {}, i;

	for (i = 0; i < 256; i++) {
		__be32 h = htonl(INT_HOST + i);
		int a = pcpnat_addr_pick(pn->table, c4, h);

		KUNIT_EXPECT_EQ(test, pcpnat_addr_pick(pn->table, c0, h), 0);
		KUNIT_EXPECT_EQ(test, pcpnat_addr_pick(pn->table, c1, h), 0);
		KUNIT_ASSERT_GE(test, a, 0);
		KUNIT_ASSERT_LT(test, a, 4);
		KUNIT_EXPECT_EQ(test, pcpnat_addr_pick(pn->table, c4, h), a);
		seen[a]++;
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_GE(test, seen[i], 32U);
}

/*
 * The subscriber quota: a subscriber gets quota mappings, then EDQUOT;
 * others are not affected; a NULL configuration does not enforce it; a
 * subscriber whose count falls to 0 is forgotten.
 */
static void sub_quota(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_table *t = pn->table;
	__be32 a = htonl(INT_HOST), b = htonl(INT_HOST + 1);
	unsigned int i;

	cfg->subscriber_quota = 3;
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, a), 0);
	KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, a), -EDQUOT);
	KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, b), 0);
	/* Over the quota without enforcement (4), then back under it. */
	KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, NULL, a), 0);
	KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, a), -EDQUOT);
	pcpnat_sub_uncharge(t, a);
	KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, a), -EDQUOT);
	pcpnat_sub_uncharge(t, a);
	KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, a), 0);
	/* Quota 0: no limit. */
	cfg->subscriber_quota = 0;
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, pcpnat_sub_charge(t, cfg, b), 0);
	for (i = 0; i < 101; i++)
		pcpnat_sub_uncharge(t, b);
	for (i = 0; i < 3; i++)
		pcpnat_sub_uncharge(t, a);
	for (i = 0; i < (1U << t->sub_bits); i++)
		KUNIT_EXPECT_TRUE(test, hlist_empty(&t->subs[i]));
}

static struct kunit_case alloc_cases[] = {
	KUNIT_CASE(alloc_suggested_port),
	KUNIT_CASE(alloc_suggested_port_taken),
	KUNIT_CASE(alloc_suggested_port_outside_range),
	KUNIT_CASE(alloc_port_preservation),
	KUNIT_CASE(alloc_parity_given_up),
	KUNIT_CASE_PARAM(alloc_fill_level, fill_levels_gen_params),
	KUNIT_CASE_SLOW(alloc_full_default_range),
	KUNIT_CASE_PARAM(alloc_last_free_port, last_free_gen_params),
	KUNIT_CASE(alloc_all_ports),
	KUNIT_CASE(alloc_protocols),
	KUNIT_CASE(alloc_release),
	KUNIT_CASE(addr_pick),
	KUNIT_CASE(sub_quota),
	{}
};

static struct kunit_suite alloc_suite = {
	.name = "pcpnat_alloc",
	.test_cases = alloc_cases,
};

kunit_test_suite(alloc_suite);
