// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the table sized from max-mappings and its singly linked chains
 * (table.c): mappings made the packet path's way into a table of 256
 * buckets, so chains are a dozen long, then every other one removed
 * (heads, middles and tails of chains), and both indexes, the chains'
 * order and the count checked after each step.
 */
#include <linux/in.h>
#include "kt.h"
#include "table_locked.h"

/* Half of max-mappings rounded up to a power of two, within 2^8..2^22. */
static void chain_table_bits(struct kunit *test)
{
	/* The suites load pcpnat.ko without hash_bits: sized per table. */
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(1000000), 19U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(1U << 20), 19U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits((1U << 20) + 1), 20U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(65536), 15U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(1000), 9U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(512), 8U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(100), 8U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(1), 8U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(0), 8U);
	KUNIT_EXPECT_EQ(test, pcpnat_table_bits(U32_MAX), 22U);
}

#define CHAIN_N		3000
#define CHAIN_HOSTS	30

static struct pcpnat_key chain_key(unsigned int i)
{
	return kt_key(IPPROTO_UDP, 0x0a000001 + i % CHAIN_HOSTS,
		      2000 + i / CHAIN_HOSTS);
}

/* Removes the mappings of odd index: i / CHAIN_HOSTS is the port's offset. */
static bool chain_odd(const struct pcpnat_mapping *m, const void *arg)
{
	unsigned int i = (ntohs(m->key.port) - 2000) * CHAIN_HOSTS +
			 (ntohl(m->key.addr) - 0x0a000001);

	return i & 1;
}

/* Every chain sorted, in its own bucket; how many mappings in all. */
static unsigned int chain_check(struct kunit *test, struct pcpnat_table *t)
{
	struct pcpnat_mapping *m, *prev;
	unsigned int b, n = 0;

	rcu_read_lock();
	for (b = 0; b < 1U << t->bits; b++) {
		prev = NULL;
		for (m = rcu_dereference(t->int_hash[b].first); m;
		     m = rcu_dereference(m->int_next)) {
			KUNIT_EXPECT_EQ(test, pcpnat_int_bucket(t, &m->key), b);
			if (prev)
				KUNIT_EXPECT_LT(test, pcpnat_key_cmp(&prev->key, &m->key), 0);
			prev = m;
			n++;
		}
	}
	rcu_read_unlock();
	return n;
}

static void chain_table_free(void *p)
{
	pcpnat_table_destroy(p);
	/* The mappings go in batches after a grace period: wait for them. */
	rcu_barrier();
}

static void chain_insert_remove(struct kunit *test)
{
	struct pcpnat_net *pn = kt_net(test, 8);
	struct pcpnat_config *cfg = kt_config(test, 1, 1024, 65535);
	struct pcpnat_mapping *m, *got;
	struct pcpnat_table *t;
	__be16 *ext_port;
	struct pcpnat_key k;
	unsigned int i;

	ext_port = kunit_kcalloc(test, CHAIN_N, sizeof(*ext_port), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ext_port);
	cfg->subscriber_quota = 0;
	cfg->max_mappings = CHAIN_N;
	t = pcpnat_table_create(pn, 256);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, chain_table_free, t), 0);
	KUNIT_ASSERT_EQ(test, t->bits, 8U);
	pn->table = t;
	RCU_INIT_POINTER(pn->cfg, cfg);

	rcu_read_lock();
	for (i = 0; i < CHAIN_N; i++) {
		k = chain_key(i);
		m = pcpnat_create_implicit(pn, k.proto, k.addr, k.port);
		if (IS_ERR(m))
			break;
		ext_port[i] = m->ext_port;
	}
	/* max-mappings holds exactly on one cpu. */
	k = chain_key(CHAIN_N);
	m = pcpnat_create_implicit(pn, k.proto, k.addr, k.port);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, i, CHAIN_N);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(m), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, pcpnat_table_count(t), CHAIN_N);
	KUNIT_EXPECT_EQ(test, chain_check(test, t), CHAIN_N);

	KUNIT_EXPECT_EQ(test, pcpnat_table_remove(pn, chain_odd, NULL,
						  PCPNAT_REASON_FLUSHED, false),
			CHAIN_N / 2);
	KUNIT_EXPECT_EQ(test, pcpnat_table_count(t), CHAIN_N / 2);
	KUNIT_EXPECT_EQ(test, chain_check(test, t), CHAIN_N / 2);
	rcu_read_lock();
	for (i = 0; i < CHAIN_N; i++) {
		k = chain_key(i);
		m = pcpnat_lookup_int_exact(t, k.proto, k.addr, k.port);
		got = pcpnat_lookup_ext_exact(t, k.proto, cfg->addrs[0],
					      ext_port[i]);
		if (i & 1) {
			KUNIT_EXPECT_NULL(test, m);
			KUNIT_EXPECT_NULL(test, got);
		} else {
			KUNIT_EXPECT_NOT_NULL(test, m);
			KUNIT_EXPECT_PTR_EQ(test, got, m);
		}
	}
	rcu_read_unlock();
}

static struct kunit_case chain_cases[] = {
	KUNIT_CASE(chain_table_bits),
	KUNIT_CASE(chain_insert_remove),
	{}
};

static struct kunit_suite chain_suite = {
	.name = "pcpnat_chain",
	.test_cases = chain_cases,
};

kunit_test_suite(chain_suite);
