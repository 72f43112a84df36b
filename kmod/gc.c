// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat reaper. No timer per mapping: one delayed work per instance scans
 * a slice of the internal index per run, so a full pass over the table
 * takes about a second whatever its size, and a run never holds a lock for
 * more than one bucket.
 */
#include <linux/workqueue.h>
#include "control.h"

/* Runs per full pass; one pass a second. */
#define PCPNAT_GC_SLICES	10

struct gc_arg {
	const struct pcpnat_config *cfg;
	unsigned long now;
};

static bool gc_match(const struct pcpnat_mapping *m, const void *arg)
{
	const struct gc_arg *a = arg;

	return pcpnat_map_reapable(a->cfg, m, a->now);
}

static void gc_work(struct work_struct *work)
{
	struct pcpnat_table *t = container_of(to_delayed_work(work),
					      struct pcpnat_table, gc_work);
	struct pcpnat_net *pn = t->pn;
	unsigned int n = 1U << t->bits;
	unsigned int slice = DIV_ROUND_UP(n, PCPNAT_GC_SLICES);
	unsigned int from = t->gc_next, to = min(from + slice, n);
	struct gc_arg arg;
	u32 gone;

	/* cfg_lock keeps the configuration from being freed under us. */
	mutex_lock(&pn->cfg_lock);
	arg.cfg = pcpnat_cfg_locked(pn);
	arg.now = jiffies;
	/* Explicit mappings still in use become implicit, not expired. */
	pcpnat_table_demote_range(pn, arg.cfg, from, to, arg.now);
	gone = pcpnat_table_remove_range(pn, from, to, gc_match, &arg,
					 PCPNAT_REASON_EXPIRED, true);
	mutex_unlock(&pn->cfg_lock);
	if (gone)
		pcpnat_stat_add(pn, PCPNAT_STATS_A_MAP_EXPIRED, gone);
	t->gc_next = to == n ? 0 : to;
	queue_delayed_work(system_power_efficient_wq, &t->gc_work,
			   HZ / PCPNAT_GC_SLICES);
}

/*
 * Leaving standby (config.c, under cfg_lock, which keeps the reaper out
 * until every implicit mapping's idle time starts again at now). A bucket
 * at a time under RCU: last_used and the peers' times are written without
 * a lock on the packet path too, and a packet's newer time is as good.
 */
void pcpnat_gc_restart_idle(struct pcpnat_net *pn)
{
	struct pcpnat_table *t = pn->table;
	unsigned long now = jiffies;
	struct pcpnat_mapping *m;
	unsigned int b;

	lockdep_assert_held(&pn->cfg_lock);
	if (!t)
		return;
	for (b = 0; b < 1U << t->bits; b++) {
		rcu_read_lock();
		for (m = rcu_dereference(t->int_hash[b].first); m;
		     m = rcu_dereference(m->int_next))
			pcpnat_map_restart(m, now);
		rcu_read_unlock();
		if (!(b % 1024))
			cond_resched();
	}
}

void pcpnat_gc_start(struct pcpnat_table *t)
{
	INIT_DELAYED_WORK(&t->gc_work, gc_work);
	queue_delayed_work(system_power_efficient_wq, &t->gc_work,
			   HZ / PCPNAT_GC_SLICES);
}

/* Never called under cfg_lock: the work takes it. */
void pcpnat_gc_stop(struct pcpnat_table *t)
{
	cancel_delayed_work_sync(&t->gc_work);
}
