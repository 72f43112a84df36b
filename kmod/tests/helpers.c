// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat KUnit tests: the module and the helpers the suites share.
 *
 * The suites call into pcpnat.ko, which must be loaded first; its functions
 * that are otherwise static or not exported are exported to this module
 * only, in the EXPORTED_FOR_KUNIT_TESTING namespace (kmod/compat.h).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>
#include "kt.h"

static void kt_table_free(void *p)
{
	struct pcpnat_table *t = p;
	struct pcpnat_sub *s;
	struct hlist_node *tmp;
	unsigned int i;

	/* A test that failed halfway may have left quota entries. */
	for (i = 0; t->subs && i < (1U << t->sub_bits); i++)
		hlist_for_each_entry_safe(s, tmp, &t->subs[i], node) {
			hlist_del(&s->node);
			kfree(s);
		}
	kvfree(t->subs);
	kvfree(t);
}

static void kt_stats_free(void *p)
{
	struct pcpnat_net *pn = p;

	free_percpu(pn->stats);
	pn->stats = NULL;
}

struct pcpnat_net *kt_net(struct kunit *test, unsigned int bits)
{
	unsigned int i;
	struct pcpnat_net *pn;
	struct pcpnat_table *t;

	pn = kunit_kzalloc(test, sizeof(*pn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pn);
	/* With lockdep the stripe locks make this over 100 KiB. */
	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_table_free, t), 0);
	t->secret.key[0] = KT_SECRET0;
	t->secret.key[1] = KT_SECRET1;
	t->bits = bits;
	for (i = 0; i < ARRAY_SIZE(t->sub_locks); i++)
		spin_lock_init(&t->sub_locks[i]);
	t->sub_bits = 8;
	t->subs = kvcalloc(1U << t->sub_bits, sizeof(*t->subs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->subs);
	t->pn = pn;
	pn->table = t;
	/*
	 * The allocator asks the namespace's socket tables whether the router
	 * holds a port (local.c); the test pool's addresses are on no
	 * interface of init_net, so no socket there holds one of them.
	 */
	pn->net = &init_net;
	KUNIT_ASSERT_EQ(test, pcpnat_stats_init(pn), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_stats_free, pn), 0);
	return pn;
}

static void kt_portmap_free(void *pm)
{
	pcpnat_portmap_free(pm);
}

struct pcpnat_config *kt_config(struct kunit *test, unsigned int naddrs,
				u16 port_min, u16 port_max)
{
	struct pcpnat_config *cfg;
	unsigned int i;

	cfg = kunit_kzalloc(test, struct_size(cfg, addrs, naddrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg);
	pcpnat_config_defaults(cfg);
	cfg->port_min = port_min;
	cfg->port_max = port_max;
	cfg->naddrs = naddrs;
	if (!naddrs)
		return cfg;
	cfg->pms = kunit_kcalloc(test, naddrs, sizeof(*cfg->pms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cfg->pms);
	for (i = 0; i < naddrs; i++) {
		cfg->addrs[i] = htonl(KT_POOL_BASE + i);
		cfg->pms[i] = pcpnat_portmap_alloc(cfg->addrs[i]);
		KUNIT_ASSERT_NOT_NULL(test, cfg->pms[i]);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, kt_portmap_free,
								cfg->pms[i]), 0);
	}
	return cfg;
}

u64 kt_stat(struct kunit *test, struct pcpnat_net *pn, int idx)
{
	u64 *sum = kunit_kcalloc(test, PCPNAT_STATS_A_MAX + 1, sizeof(*sum),
				 GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sum);
	pcpnat_stats_fold(pn, sum);
	return sum[idx];
}

void kt_config_put(void *p)
{
	struct pcpnat_config *cfg = p;
	unsigned int i;

	for (i = 0; i < cfg->naddrs; i++)
		pcpnat_portmap_free(cfg->pms[i]);
	pcpnat_config_free(cfg);
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of pcpnat");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
