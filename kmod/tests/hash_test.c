// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the table's hashes (pcpnat_int_bucket, ext_bucket) and the walk
 * order of keys (pcpnat_key_cmp), table.c.
 */
#include <linux/sort.h>
#include <linux/in.h>
#include "kt.h"

static struct pcpnat_key rand_key(struct rnd_state *rs)
{
	static const u8 protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };
	u32 r = prandom_u32_state(rs);

	return kt_key(protos[r % 3], prandom_u32_state(rs), r >> 16);
}

static const unsigned int bucket_bits[] = { 8, 12, 16, 22 };

static void bits_desc(const unsigned int *bits, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "bits=%u", *bits);
}

KUNIT_ARRAY_PARAM(bucket_bits, bucket_bits, bits_desc);

/* Both hashes stay inside the bucket array and depend on nothing else. */
static void hash_range_and_determinism(struct kunit *test)
{
	unsigned int bits = *(const unsigned int *)test->param_value;
	struct pcpnat_net *pn = kt_net(test, bits);
	struct pcpnat_table *t = pn->table;
	struct rnd_state rs;
	int i;

	prandom_seed_state(&rs, bits);
	for (i = 0; i < 5000; i++) {
		struct pcpnat_key k = rand_key(&rs), k2 = k;
		unsigned int b = pcpnat_int_bucket(t, &k);
		unsigned int e = ext_bucket(t, k.proto, k.addr, k.port);

		KUNIT_ASSERT_LT(test, b, 1U << bits);
		KUNIT_ASSERT_LT(test, e, 1U << bits);
		KUNIT_ASSERT_EQ(test, b, pcpnat_int_bucket(t, &k));
		KUNIT_ASSERT_EQ(test, e, ext_bucket(t, k.proto, k.addr, k.port));
		/* The padding byte is not part of the key. */
		k2.pad = 0xa5;
		KUNIT_ASSERT_EQ(test, b, pcpnat_int_bucket(t, &k2));
	}
}

/*
 * Every field of the key feeds the hash: changing one moves the key to
 * another bucket but for the odd collision (1 in 65536 with 16 bits).
 */
static void hash_uses_every_field(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16);
	struct pcpnat_table *t = pn->table;
	unsigned int same_addr = 0, same_port = 0, same_proto = 0;
	unsigned int ext_addr = 0, ext_port = 0, ext_proto = 0;
	struct rnd_state rs;
	int i;

	prandom_seed_state(&rs, 2);
	for (i = 0; i < 1000; i++) {
		struct pcpnat_key k = rand_key(&rs), o;
		unsigned int b = pcpnat_int_bucket(t, &k);
		unsigned int e = ext_bucket(t, k.proto, k.addr, k.port);

		o = k;
		o.addr = htonl(ntohl(k.addr) ^ 1);
		same_addr += pcpnat_int_bucket(t, &o) == b;
		ext_addr += ext_bucket(t, o.proto, o.addr, o.port) == e;
		o = k;
		o.port = htons(ntohs(k.port) ^ 1);
		same_port += pcpnat_int_bucket(t, &o) == b;
		ext_port += ext_bucket(t, o.proto, o.addr, o.port) == e;
		o = k;
		o.proto = k.proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP;
		same_proto += pcpnat_int_bucket(t, &o) == b;
		ext_proto += ext_bucket(t, o.proto, o.addr, o.port) == e;
	}
	KUNIT_EXPECT_LE(test, same_addr, 3U);
	KUNIT_EXPECT_LE(test, same_port, 3U);
	KUNIT_EXPECT_LE(test, same_proto, 3U);
	KUNIT_EXPECT_LE(test, ext_addr, 3U);
	KUNIT_EXPECT_LE(test, ext_port, 3U);
	KUNIT_EXPECT_LE(test, ext_proto, 3U);
}

/*
 * The two indexes hash the same triple differently (the 0x100 in
 * ext_bucket), and the secret is a real key: another secret, other buckets.
 */
static void hash_indexes_and_secret_independent(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 16), *pn2 = kt_net(test, 16);
	unsigned int same_index = 0, same_secret = 0, same_ext_secret = 0;
	struct rnd_state rs;
	int i;

	pn2->table->secret.key[0] ^= 1;
	prandom_seed_state(&rs, 3);
	for (i = 0; i < 1000; i++) {
		struct pcpnat_key k = rand_key(&rs);
		unsigned int b = pcpnat_int_bucket(pn->table, &k);
		unsigned int e = ext_bucket(pn->table, k.proto, k.addr, k.port);

		same_index += b == e;
		same_secret += b == pcpnat_int_bucket(pn2->table, &k);
		same_ext_secret += e == ext_bucket(pn2->table, k.proto, k.addr,
						   k.port);
	}
	KUNIT_EXPECT_LE(test, same_index, 3U);
	KUNIT_EXPECT_LE(test, same_secret, 3U);
	KUNIT_EXPECT_LE(test, same_ext_secret, 3U);
}

/*
 * The likeliest real load, one host's every port (and one external
 * address's every port), spreads evenly: 65536 keys in 256 buckets, 256 a
 * bucket on average, standard deviation 16.
 */
static void hash_spread(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 8);
	unsigned int *ib, *eb, i, imin = UINT_MAX, imax = 0, emin = UINT_MAX, emax = 0;

	ib = kunit_kcalloc(test, 256, sizeof(*ib), GFP_KERNEL);
	eb = kunit_kcalloc(test, 256, sizeof(*eb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ib);
	KUNIT_ASSERT_NOT_NULL(test, eb);
	for (i = 0; i < 65536; i++) {
		struct pcpnat_key k = kt_key(IPPROTO_TCP, 0x0a000001, i);

		ib[pcpnat_int_bucket(pn->table, &k)]++;
		eb[ext_bucket(pn->table, IPPROTO_TCP, htonl(KT_POOL_BASE),
			      htons(i))]++;
	}
	for (i = 0; i < 256; i++) {
		imin = min(imin, ib[i]);
		imax = max(imax, ib[i]);
		emin = min(emin, eb[i]);
		emax = max(emax, eb[i]);
	}
	KUNIT_EXPECT_GE(test, imin, 128U);
	KUNIT_EXPECT_LE(test, imax, 384U);
	KUNIT_EXPECT_GE(test, emin, 128U);
	KUNIT_EXPECT_LE(test, emax, 384U);
}

/* The documented walk order, as one number: (address, protocol, port). */
static u64 key_rank(const struct pcpnat_key *k)
{
	return (u64)ntohl(k->addr) << 24 | (u64)k->proto << 16 | ntohs(k->port);
}

struct key_cmp_case {
	const char *desc;
	struct pcpnat_key a, b;
	int sign;
};

static const struct key_cmp_case key_cmp_cases[] = {
	{ "equal", KT_KEY(IPPROTO_TCP, 0x0a000001, 80),
	  KT_KEY(IPPROTO_TCP, 0x0a000001, 80), 0 },
	{ "pad ignored", KT_KEY(IPPROTO_TCP, 0x0a000001, 80),
	  { .addr = cpu_to_be32(0x0a000001), .port = cpu_to_be16(80),
	    .proto = IPPROTO_TCP, .pad = 0xff }, 0 },
	/* Host order: in memory 10.0.0.1 is 0x0100000a on little endian. */
	{ "address host order", KT_KEY(IPPROTO_UDP, 0x09ffffff, 1),
	  KT_KEY(IPPROTO_UDP, 0x0a000001, 1), -1 },
	{ "address before protocol", KT_KEY(IPPROTO_UDP, 0x0a000001, 1),
	  KT_KEY(IPPROTO_TCP, 0x0a000002, 1), -1 },
	{ "address before port", KT_KEY(IPPROTO_TCP, 0x0a000001, 65535),
	  KT_KEY(IPPROTO_TCP, 0x0a000002, 0), -1 },
	{ "protocol", KT_KEY(IPPROTO_ICMP, 0x0a000001, 9),
	  KT_KEY(IPPROTO_TCP, 0x0a000001, 9), -1 },
	{ "protocol before port", KT_KEY(IPPROTO_TCP, 0x0a000001, 65535),
	  KT_KEY(IPPROTO_UDP, 0x0a000001, 1), -1 },
	/* Host order: 256 is 0x0001 in memory, 1 is 0x0100. */
	{ "port host order", KT_KEY(IPPROTO_TCP, 0x0a000001, 1),
	  KT_KEY(IPPROTO_TCP, 0x0a000001, 256), -1 },
	{ "port 0 first", KT_KEY(IPPROTO_TCP, 0x0a000001, 0),
	  KT_KEY(IPPROTO_TCP, 0x0a000001, 1), -1 },
	{ "highest address", KT_KEY(IPPROTO_TCP, 0xffffffff, 0),
	  KT_KEY(IPPROTO_TCP, 0x7fffffff, 65535), 1 },
};

KUNIT_ARRAY_PARAM_DESC(key_cmp, key_cmp_cases, desc);

static void key_cmp_order(struct kunit *test)
{
	const struct key_cmp_case *c = test->param_value;
	int r = pcpnat_key_cmp(&c->a, &c->b), s = pcpnat_key_cmp(&c->b, &c->a);

	KUNIT_EXPECT_EQ(test, (r > 0) - (r < 0), c->sign);
	/* Antisymmetric, and a key equals itself. */
	KUNIT_EXPECT_EQ(test, (s > 0) - (s < 0), -c->sign);
	KUNIT_EXPECT_EQ(test, pcpnat_key_cmp(&c->a, &c->a), 0);
}

static int key_cmp_void(const void *a, const void *b)
{
	return pcpnat_key_cmp(a, b);
}

/*
 * Random keys from a small space (so that equal keys and equal prefixes
 * occur): the comparison agrees with the rank for every pair, and sorting
 * with it gives the rank's order.
 */
static void key_cmp_total_order(struct kunit *test)
{
	const unsigned int n = 2000;
	struct pcpnat_key *k;
	struct rnd_state rs;
	unsigned int i;

	k = kunit_kcalloc(test, n, sizeof(*k), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	prandom_seed_state(&rs, 4);
	for (i = 0; i < n; i++) {
		u32 r = prandom_u32_state(&rs);

		k[i] = kt_key(r & 1 ? IPPROTO_TCP : IPPROTO_UDP,
			      (r >> 1 & 3) << 30 | (r >> 3 & 3) << 8 | (r >> 5 & 3),
			      (r >> 7 & 3) << 8 | (r >> 9 & 3));
		k[i].pad = r >> 24;
	}
	for (i = 0; i < 20000; i++) {
		const struct pcpnat_key *a = &k[prandom_u32_state(&rs) % n];
		const struct pcpnat_key *b = &k[prandom_u32_state(&rs) % n];
		u64 ra = key_rank(a), rb = key_rank(b);
		int r = pcpnat_key_cmp(a, b);

		KUNIT_ASSERT_EQ_MSG(test, (r > 0) - (r < 0), (ra > rb) - (ra < rb),
				    "rank %llx vs %llx", ra, rb);
	}
	sort(k, n, sizeof(*k), key_cmp_void, NULL);
	for (i = 1; i < n; i++)
		KUNIT_ASSERT_LE(test, key_rank(&k[i - 1]), key_rank(&k[i]));
}

static struct kunit_case hash_cases[] = {
	KUNIT_CASE_PARAM(hash_range_and_determinism, bucket_bits_gen_params),
	KUNIT_CASE(hash_uses_every_field),
	KUNIT_CASE(hash_indexes_and_secret_independent),
	KUNIT_CASE(hash_spread),
	KUNIT_CASE_PARAM(key_cmp_order, key_cmp_gen_params),
	KUNIT_CASE(key_cmp_total_order),
	{}
};

static struct kunit_suite hash_suite = {
	.name = "pcpnat_hash",
	.test_cases = hash_cases,
};

kunit_test_suite(hash_suite);
