/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpnat KUnit tests: what the suites share (helpers.c). Everything a
 * helper allocates is released when the test case ends, pass or fail, by
 * KUnit's deferred actions, so nothing leaks into kmemleak's view.
 */
#ifndef _PCPNAT_KT_H
#define _PCPNAT_KT_H

#include <kunit/test.h>
#include <linux/prandom.h>
#include "control.h"

/* The instance secret the tests use: results are the same on every run. */
#define KT_SECRET0	0x0706050403020100ULL
#define KT_SECRET1	0x0f0e0d0c0b0a0908ULL

/* 192.0.2.0/24 (TEST-NET-1), host order. */
#define KT_POOL_BASE	0xc0000200U

/*
 * An instance as far as the allocator and the table's hash need one: a
 * table with a fixed secret and bits buckets per index (the bucket arrays
 * themselves are not allocated), the counters, no configuration.
 */
struct pcpnat_net *kt_net(struct kunit *test, unsigned int bits);

/*
 * A configuration of naddrs pool addresses from KT_POOL_BASE with the
 * defaults but for the port range, each address with its port allocator.
 */
struct pcpnat_config *kt_config(struct kunit *test, unsigned int naddrs,
				u16 port_min, u16 port_max);

/* A counter of the instance, summed over the cpus. */
u64 kt_stat(struct kunit *test, struct pcpnat_net *pn, int idx);

/* Free pms[i] of every pool address, then the configuration (config_build). */
void kt_config_put(void *cfg);

/* A network-order value as a plain number, for KUNIT_EXPECT_EQ (sparse). */
#define KT_RAW(x)	((__force u32)(x))

/* A key, for initialisers; kt_key() elsewhere. Host order arguments. */
#define KT_KEY(pr, a, po) \
	{ .addr = cpu_to_be32(a), .port = cpu_to_be16(po), .proto = (pr) }

static inline struct pcpnat_key kt_key(u8 proto, u32 addr, u16 port)
{
	return (struct pcpnat_key){ .addr = htonl(addr), .port = htons(port),
				    .proto = proto };
}

#endif /* _PCPNAT_KT_H */
