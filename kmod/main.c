// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat module: per-namespace instances and module lifetime.
 *
 * A namespace costs nothing until its first CONFIG_SET, which creates the
 * instance (table, counters, reaper) and registers the netfilter hooks. The
 * instance lives until the namespace goes away or the module is removed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/netdevice.h>
#include <net/netns/generic.h>
#include "control.h"

unsigned int pcpnat_hash_bits;
module_param_named(hash_bits, pcpnat_hash_bits, uint, 0444);
MODULE_PARM_DESC(hash_bits, "log2 of the buckets per index and namespace (8-22; default 0: half of max-mappings at the namespace's first configuration, rounded up to a power of two)");

struct kmem_cache *pcpnat_map_cache;
unsigned int pcpnat_net_id __read_mostly;

struct pcpnat_net *pcpnat_pernet(const struct net *net)
{
	return net_generic(net, pcpnat_net_id);
}

static int __net_init pcpnat_net_init(struct net *net)
{
	struct pcpnat_net *pn = pcpnat_pernet(net);

	pn->net = net;
	mutex_init(&pn->cfg_lock);
	pcpnat_egress_add(pn);
	return 0;
}

/* First configuration of the namespace; cfg becomes the instance's. */
int pcpnat_instance_create(struct pcpnat_net *pn, struct pcpnat_config *cfg)
{
	int err;

	lockdep_assert_held(&pn->cfg_lock);
	err = pcpnat_stats_init(pn);
	if (err)
		return err;
	pn->table = pcpnat_table_create(pn, cfg->max_mappings);
	if (!pn->table) {
		err = -ENOMEM;
		goto err_stats;
	}
	rcu_assign_pointer(pn->cfg, cfg);
	err = pcpnat_hooks_register(pn);
	if (err)
		goto err_table;
	/* Started last: stopping it needs cfg_lock free, which we hold. */
	pcpnat_gc_start(pn->table);
	pn->live = true;
	return 0;

err_table:
	RCU_INIT_POINTER(pn->cfg, NULL);
	pcpnat_table_destroy(pn->table);
	pn->table = NULL;
err_stats:
	free_percpu(pn->stats);
	pn->stats = NULL;
	return err;
}

static void __net_exit pcpnat_net_exit(struct net *net)
{
	struct pcpnat_net *pn = pcpnat_pernet(net);
	struct pcpnat_config *cfg;
	int i;

	pcpnat_egress_stop(pn);
	if (!pn->live)
		return;
	pcpnat_hooks_unregister(pn);
	pcpnat_gc_stop(pn->table);
	/* Packet path readers are done once the hooks are gone. */
	synchronize_net();

	mutex_lock(&pn->cfg_lock);
	pcpnat_table_destroy(pn->table);
	pn->table = NULL;
	cfg = pcpnat_cfg_locked(pn);
	RCU_INIT_POINTER(pn->cfg, NULL);
	for (i = 0; i < cfg->naddrs; i++)
		pcpnat_portmap_free(cfg->pms[i]);
	pcpnat_config_free(cfg);
	free_percpu(pn->stats);
	pn->stats = NULL;
	pn->live = false;
	mutex_unlock(&pn->cfg_lock);
}

static struct pernet_operations pcpnat_net_ops = {
	.init = pcpnat_net_init,
	.exit = pcpnat_net_exit,
	.id = &pcpnat_net_id,
	.size = sizeof(struct pcpnat_net),
};

static int __init pcpnat_init(void)
{
	int err;

	if (pcpnat_hash_bits && (pcpnat_hash_bits < PCPNAT_HASH_BITS_MIN ||
				 pcpnat_hash_bits > PCPNAT_HASH_BITS_MAX)) {
		pr_err("hash_bits must be 0 or %u to %u\n", PCPNAT_HASH_BITS_MIN,
		       PCPNAT_HASH_BITS_MAX);
		return -EINVAL;
	}
	/*
	 * The object's own size and alignment (80 and 8 on 64-bit): no
	 * SLAB_HWCACHE_ALIGN, which would make it 128 (pcpnat.h).
	 */
	pcpnat_map_cache = KMEM_CACHE(pcpnat_mapping, 0);
	if (!pcpnat_map_cache)
		return -ENOMEM;
	err = register_pernet_subsys(&pcpnat_net_ops);
	if (err)
		goto err_cache;
	err = pcpnat_ext_dev_init();
	if (err)
		goto err_pernet;
	err = pcpnat_egress_init();
	if (err)
		goto err_ext_dev;
	err = pcpnat_genl_init();
	if (err)
		goto err_egress;
	return 0;

err_egress:
	pcpnat_egress_exit();
err_ext_dev:
	pcpnat_ext_dev_exit();
err_pernet:
	unregister_pernet_subsys(&pcpnat_net_ops);
err_cache:
	kmem_cache_destroy(pcpnat_map_cache);
	return err;
}

static void __exit pcpnat_exit(void)
{
	/* No new requests first, then tear every instance down. */
	pcpnat_genl_exit();
	pcpnat_egress_exit();
	pcpnat_ext_dev_exit();
	unregister_pernet_subsys(&pcpnat_net_ops);
	/* Mappings and their extras are freed by RCU callbacks. */
	rcu_barrier();
	kmem_cache_destroy(pcpnat_map_cache);
}

module_init(pcpnat_init);
module_exit(pcpnat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcpnat: NAT44 with a PCP-controlled mapping table");
MODULE_ALIAS_GENL_FAMILY(PCPNAT_GENL_NAME);
