// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: configuration checks and the pool's expansion (config.c):
 * config_validate, config_build (the pool expanded to sorted unique
 * addresses, each with its port allocator), pcpnat_config_index and
 * pcpnat_addr_internal.
 */
#include <linux/netlink.h>
#include "kt.h"

/* A valid request: the defaults, 192.0.2.0/24 outside, 10.0.0.0/8 inside. */
static struct pcpnat_config *request(struct kunit *test)
{
	struct pcpnat_config *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	pcpnat_config_defaults(c);
	c->npool = 1;
	c->pool[0].addr = htonl(KT_POOL_BASE);
	c->pool[0].len = 24;
	c->nint = 1;
	c->internal[0].addr = htonl(0x0a000000);
	c->internal[0].len = 8;
	return c;
}

static void pool(struct pcpnat_config *c, unsigned int n, u32 addr, u8 len)
{
	c->pool[n].addr = htonl(addr);
	c->pool[n].len = len;
	if (c->npool <= n)
		c->npool = n + 1;
}

struct validate_case {
	const char *desc;
	void (*edit)(struct pcpnat_config *c);
	int err;
};

#define EDIT(name, ...) \
	static void name(struct pcpnat_config *c) { __VA_ARGS__; }

EDIT(as_is)
EDIT(no_pool, c->npool = 0)
EDIT(no_internal, c->nint = 0)
EDIT(one_port, c->port_min = 40000; c->port_max = 40000)
EDIT(widest_ports, c->port_min = 1; c->port_max = 65535)
EDIT(ports_reversed, c->port_min = 40001; c->port_max = 40000)
EDIT(pool_slash32, pool(c, 0, KT_POOL_BASE + 7, 32))
EDIT(pool_slash23, pool(c, 0, 0xc0000000, 23))
EDIT(pool_host_bits, pool(c, 0, KT_POOL_BASE + 1, 24))
EDIT(pool_host_bits_slash31, pool(c, 0, KT_POOL_BASE + 1, 31))
EDIT(pool_256_in_four, pool(c, 0, KT_POOL_BASE, 26);
     pool(c, 1, KT_POOL_BASE + 64, 26); pool(c, 2, 0xc6336400, 26);
     pool(c, 3, 0xcb007100, 26))
EDIT(pool_257, pool(c, 1, 0xc6336401, 32))
EDIT(pool_257_overlapping, pool(c, 1, KT_POOL_BASE + 1, 32))
EDIT(pool_512, pool(c, 1, 0xc6336400, 24))
EDIT(pool_64_slash32, for (int i = 0; i < PCPNAT_POOL_MAX; i++)
			      pool(c, i, KT_POOL_BASE + 2 * i, 32))
EDIT(internal_everything, c->internal[0].addr = 0; c->internal[0].len = 0)
EDIT(internal_slash32, c->internal[0].addr = htonl(0x0a000001);
     c->internal[0].len = 32)
EDIT(internal_host_bits, c->internal[0].addr = htonl(0x0a000001))
EDIT(internal_host_bits_second, c->nint = 2;
     c->internal[1].addr = htonl(0xc0a80101); c->internal[1].len = 24)
EDIT(internal_16, c->nint = PCPNAT_INTERNAL_MAX;
     for (int i = 0; i < PCPNAT_INTERNAL_MAX; i++) {
	     c->internal[i].addr = htonl(0xac100000 + (i << 8));
	     c->internal[i].len = 24;
     })
EDIT(timeouts_minimal, c->udp_timeout = PCPNAT_UDP_TIMEOUT_MIN;
     c->tcp_est_timeout = PCPNAT_TCP_EST_TIMEOUT_MIN;
     c->tcp_trans_timeout = PCPNAT_TCP_TRANS_TIMEOUT_MIN;
     c->icmp_timeout = PCPNAT_ICMP_TIMEOUT_MIN)
EDIT(timeouts_huge, c->udp_timeout = U32_MAX; c->tcp_est_timeout = U32_MAX;
     c->tcp_trans_timeout = U32_MAX; c->icmp_timeout = U32_MAX)
EDIT(filter_eif, c->filtering = PCPNAT_FILTER_ENDPOINT_INDEPENDENT)
EDIT(filter_max, c->filtering = PCPNAT_FILTER_MAX)
EDIT(max_mappings_1, c->max_mappings = 1)
EDIT(quota_and_all_ports, c->subscriber_quota = 1; c->allow_all_ports = 1;
     c->ext_ifindex = 7)

/*
 * Combinations only: the bounds of single values (timeouts' RFC minima,
 * filtering modes, max-mappings, prefix lengths up to 32) are the netlink
 * policy's, generated from the family's spec and tested through netlink by
 * selftests/pcpnat_genl.c.
 */
static const struct validate_case validate_cases[] = {
	{ "defaults with a /24 pool", as_is, 0 },
	{ "no pool", no_pool, 0 },
	{ "no internal prefix", no_internal, 0 },
	{ "one port", one_port, 0 },
	{ "ports 1-65535", widest_ports, 0 },
	{ "port minimum above maximum", ports_reversed, -EINVAL },
	{ "pool /32", pool_slash32, 0 },
	{ "pool /23", pool_slash23, -EINVAL },
	{ "pool host bits", pool_host_bits, -EINVAL },
	{ "pool host bits /31", pool_host_bits_slash31, -EINVAL },
	{ "pool 256 addresses in four /26", pool_256_in_four, 0 },
	{ "pool 64 /32", pool_64_slash32, 0 },
	{ "pool 257 addresses", pool_257, -EINVAL },
	/*
	 * Counted before duplicates go: config_build() expands into an array
	 * of PCPNAT_POOL_ADDRS_MAX before it sorts and dedups, so this bound
	 * is what keeps it in its array.
	 */
	{ "pool 257 addresses overlapping", pool_257_overlapping, -EINVAL },
	{ "pool 512 addresses", pool_512, -EINVAL },
	{ "internal 0.0.0.0/0", internal_everything, 0 },
	{ "internal /32", internal_slash32, 0 },
	{ "internal host bits", internal_host_bits, -EINVAL },
	{ "internal host bits, second prefix", internal_host_bits_second, -EINVAL },
	{ "16 internal prefixes", internal_16, 0 },
	{ "timeouts at the RFC minima", timeouts_minimal, 0 },
	{ "timeouts at U32_MAX", timeouts_huge, 0 },
	{ "endpoint-independent filtering", filter_eif, 0 },
	{ "filtering, last mode", filter_max, 0 },
	{ "max-mappings 1", max_mappings_1, 0 },
	{ "quota, all ports, interface", quota_and_all_ports, 0 },
};

KUNIT_ARRAY_PARAM_DESC(validate, validate_cases, desc);

/* Each error comes with a message for the administrator (extack). */
static void config_validate_case(struct kunit *test)
{
	const struct validate_case *v = test->param_value;
	struct pcpnat_config *c = request(test);
	struct netlink_ext_ack extack = {};

	v->edit(c);
	KUNIT_EXPECT_EQ(test, config_validate(c, &extack), v->err);
	if (v->err)
		KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	else
		KUNIT_EXPECT_NULL(test, extack._msg);
	/* No extack (not from netlink): the same answer. */
	KUNIT_EXPECT_EQ(test, config_validate(c, NULL), v->err);
}

KUNIT_DEFINE_ACTION_WRAPPER(kt_config_put_action, kt_config_put, void *);

static struct pcpnat_config *build(struct kunit *test,
				   const struct pcpnat_config *req,
				   const struct pcpnat_config *old, bool managed)
{
	struct pcpnat_config *cfg;

	KUNIT_ASSERT_EQ(test, config_validate(req, NULL), 0);
	cfg = config_build(req, old);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	if (managed)
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
				kt_config_put_action, cfg), 0);
	return cfg;
}

/* The pool's addresses in host order ascending, once each, each its own map. */
static void expect_expanded(struct kunit *test, const struct pcpnat_config *cfg,
			    const u32 *want, unsigned int n)
{
	unsigned int i, j;

	KUNIT_ASSERT_EQ(test, cfg->naddrs, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, ntohl(cfg->addrs[i]), want[i]);
		KUNIT_ASSERT_NOT_NULL(test, cfg->pms[i]);
		KUNIT_EXPECT_EQ(test, KT_RAW(cfg->pms[i]->addr), KT_RAW(cfg->addrs[i]));
		KUNIT_EXPECT_EQ(test, pcpnat_config_index(cfg, htonl(want[i])), (int)i);
		KUNIT_EXPECT_TRUE(test, pcpnat_addr_in_pool(cfg, htonl(want[i])));
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, cfg->pms[i], cfg->pms[j]);
	}
}

static void config_build_slash24(struct kunit *test)
{
	struct pcpnat_config *req = request(test), *cfg;
	u32 *want = kunit_kcalloc(test, 256, sizeof(*want), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, want);
	req->port_min = 2000;
	req->port_max = 3000;
	req->udp_timeout = 600;
	req->subscriber_quota = 9;
	cfg = build(test, req, NULL, true);
	for (i = 0; i < 256; i++)
		want[i] = KT_POOL_BASE + i;
	expect_expanded(test, cfg, want, 256);
	KUNIT_EXPECT_EQ(test, pcpnat_config_index(cfg, htonl(KT_POOL_BASE - 1)), -1);
	KUNIT_EXPECT_EQ(test, pcpnat_config_index(cfg, htonl(KT_POOL_BASE + 256)), -1);
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_in_pool(cfg, htonl(0x0a000001)));
	/* The rest of the request is copied. */
	KUNIT_EXPECT_EQ(test, cfg->port_min, 2000);
	KUNIT_EXPECT_EQ(test, cfg->port_max, 3000);
	KUNIT_EXPECT_EQ(test, cfg->udp_timeout, 600U);
	KUNIT_EXPECT_EQ(test, cfg->subscriber_quota, 9U);
	KUNIT_EXPECT_EQ(test, cfg->nint, 1);
	KUNIT_EXPECT_EQ(test, ntohl(cfg->internal[0].addr), 0x0a000000U);
	KUNIT_EXPECT_EQ(test, cfg->npool, 1);
}

/* Sorted in host order (not memory order), duplicates and overlaps once. */
static void config_build_sorts_and_dedups(struct kunit *test)
{
	static const u32 want[] = {
		0x0a010203, 0x0b000001, 0xc0000200, 0xc0000201, 0xc0000202,
		0xc0000203, 0xc6336407,
	};
	struct pcpnat_config *req = request(test), *cfg;

	pool(req, 0, 0xc6336407, 32);
	pool(req, 1, KT_POOL_BASE, 30);
	pool(req, 2, KT_POOL_BASE + 1, 32);
	pool(req, 3, 0x0b000001, 32);
	pool(req, 4, 0x0a010203, 32);
	pool(req, 5, KT_POOL_BASE, 30);
	pool(req, 6, KT_POOL_BASE + 2, 31);
	cfg = build(test, req, NULL, true);
	expect_expanded(test, cfg, want, ARRAY_SIZE(want));
}

static void config_build_empty_pool(struct kunit *test)
{
	struct pcpnat_config *req = request(test), *cfg;

	req->npool = 0;
	cfg = build(test, req, NULL, true);
	KUNIT_EXPECT_EQ(test, cfg->naddrs, 0);
	KUNIT_EXPECT_EQ(test, pcpnat_config_index(cfg, htonl(KT_POOL_BASE)), -1);
}

/*
 * The next configuration takes over the port allocators of the addresses
 * it keeps, ports in use and all, and gets new ones for new addresses.
 */
static void config_build_keeps_allocators(struct kunit *test)
{
	struct pcpnat_config *req = request(test), *old, *cfg;
	int i, k;

	pool(req, 0, KT_POOL_BASE, 30);
	old = build(test, req, NULL, false);
	__set_bit(4242, old->pms[1]->p[PCPNAT_PM_TCP].bits);
	old->pms[1]->p[PCPNAT_PM_TCP].used = 1;

	req->npool = 0;
	pool(req, 0, 0xcb007105, 32);
	pool(req, 1, KT_POOL_BASE + 1, 32);
	pool(req, 2, KT_POOL_BASE + 2, 32);
	cfg = build(test, req, old, false);

	KUNIT_EXPECT_EQ(test, cfg->naddrs, 3);
	KUNIT_EXPECT_PTR_EQ(test, cfg->pms[0], old->pms[1]);
	KUNIT_EXPECT_PTR_EQ(test, cfg->pms[1], old->pms[2]);
	KUNIT_EXPECT_EQ(test, ntohl(cfg->addrs[2]), 0xcb007105);
	for (i = 0; i < old->naddrs; i++)
		KUNIT_EXPECT_PTR_NE(test, cfg->pms[2], old->pms[i]);
	KUNIT_EXPECT_EQ(test, ntohl(cfg->pms[2]->addr), 0xcb007105U);
	KUNIT_EXPECT_TRUE(test, test_bit(4242, cfg->pms[0]->p[PCPNAT_PM_TCP].bits));
	KUNIT_EXPECT_EQ(test, cfg->pms[0]->p[PCPNAT_PM_TCP].used, 1U);

	/* As pcpnat_config_set() does: the old's leavers, then the new whole. */
	for (i = 0; i < old->naddrs; i++) {
		k = pcpnat_config_index(cfg, old->addrs[i]);
		if (k < 0)
			pcpnat_portmap_free(old->pms[i]);
	}
	pcpnat_config_free(old);
	kt_config_put(cfg);
}

/* Membership of the internal prefixes, at their edges. */
static void config_addr_internal(struct kunit *test)
{
	struct pcpnat_config *c = request(test);

	c->nint = 3;
	c->internal[1].addr = htonl(0xc0a80100);	/* 192.168.1.0/24 */
	c->internal[1].len = 24;
	c->internal[2].addr = htonl(0xac100005);	/* 172.16.0.5/32 */
	c->internal[2].len = 32;
	KUNIT_EXPECT_TRUE(test, pcpnat_addr_internal(c, htonl(0x0a000000)));
	KUNIT_EXPECT_TRUE(test, pcpnat_addr_internal(c, htonl(0x0affffff)));
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_internal(c, htonl(0x0b000000)));
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_internal(c, htonl(0x09ffffff)));
	KUNIT_EXPECT_TRUE(test, pcpnat_addr_internal(c, htonl(0xc0a801ff)));
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_internal(c, htonl(0xc0a80200)));
	KUNIT_EXPECT_TRUE(test, pcpnat_addr_internal(c, htonl(0xac100005)));
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_internal(c, htonl(0xac100004)));
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_internal(c, htonl(KT_POOL_BASE)));
	c->nint = 0;
	KUNIT_EXPECT_FALSE(test, pcpnat_addr_internal(c, htonl(0x0a000001)));
	c->nint = 1;
	c->internal[0].addr = 0;
	c->internal[0].len = 0;
	KUNIT_EXPECT_TRUE(test, pcpnat_addr_internal(c, htonl(0xffffffff)));
	KUNIT_EXPECT_TRUE(test, pcpnat_addr_internal(c, 0));
}

/* The defaults are valid and at least the RFC minima. */
static void config_defaults(struct kunit *test)
{
	struct pcpnat_config *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	pcpnat_config_defaults(c);
	KUNIT_EXPECT_EQ(test, config_validate(c, NULL), 0);
	KUNIT_EXPECT_EQ(test, c->port_min, 1024);
	KUNIT_EXPECT_EQ(test, c->port_max, 65535);
	KUNIT_EXPECT_GE(test, c->udp_timeout, 120U);
	KUNIT_EXPECT_GE(test, c->tcp_est_timeout, 7440U);
	KUNIT_EXPECT_GE(test, c->tcp_trans_timeout, 240U);
	KUNIT_EXPECT_GE(test, c->icmp_timeout, 60U);
	KUNIT_EXPECT_EQ(test, c->filtering, PCPNAT_FILTER_ADDRESS_DEPENDENT);
	KUNIT_EXPECT_EQ(test, c->allow_all_ports, 0);
	KUNIT_EXPECT_GT(test, c->max_mappings, 0U);
}

static struct kunit_case config_cases[] = {
	KUNIT_CASE_PARAM(config_validate_case, validate_gen_params),
	KUNIT_CASE(config_build_slash24),
	KUNIT_CASE(config_build_sorts_and_dedups),
	KUNIT_CASE(config_build_empty_pool),
	KUNIT_CASE(config_build_keeps_allocators),
	KUNIT_CASE(config_addr_internal),
	KUNIT_CASE(config_defaults),
	{}
};

static struct kunit_suite config_suite = {
	.name = "pcpnat_config",
	.test_cases = config_cases,
};

kunit_test_suite(config_suite);
