// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat counters: per-cpu, written with no atomic on the packet path
 * (pcpnat_stat_add in pcpnat.h), folded when read.
 */
#include "control.h"

int pcpnat_stats_init(struct pcpnat_net *pn)
{
	int cpu;

	pn->stats = alloc_percpu(struct pcpnat_pcpu_stats);
	if (!pn->stats)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pn->stats, cpu)->syncp);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_stats_init);

/* sum[] has PCPNAT_STATS_A_MAX + 1 entries. */
void pcpnat_stats_fold(struct pcpnat_net *pn, u64 *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * (PCPNAT_STATS_A_MAX + 1));
	if (!pn->stats)
		return;
	for_each_possible_cpu(cpu) {
		const struct pcpnat_pcpu_stats *s = per_cpu_ptr(pn->stats, cpu);
		u64 v[PCPNAT_STATS_A_MAX + 1];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i <= PCPNAT_STATS_A_MAX; i++)
				v[i] = u64_stats_read(&s->v[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i <= PCPNAT_STATS_A_MAX; i++)
			sum[i] += v[i];
	}
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_stats_fold);

/*
 * Zero every cpu's counters. A writer racing with this may lose or keep one
 * increment; a reset is an operator action, exactness at that instant is not
 * worth an atomic on the packet path.
 */
void pcpnat_stats_reset(struct pcpnat_net *pn)
{
	int cpu;

	if (!pn->stats)
		return;
	for_each_possible_cpu(cpu) {
		struct pcpnat_pcpu_stats *s = per_cpu_ptr(pn->stats, cpu);

		unsigned long flags;
		int i;

		flags = u64_stats_update_begin_irqsave(&s->syncp);
		for (i = 0; i <= PCPNAT_STATS_A_MAX; i++)
			u64_stats_set(&s->v[i], 0);
		u64_stats_update_end_irqrestore(&s->syncp, flags);
	}
}
