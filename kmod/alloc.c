// SPDX-License-Identifier: GPL-2.0
/*
 * pcpnat external port allocator (the per-subscriber quota is
 * subscriber.c's).
 *
 * One bitmap per external address and protocol, indexed by port number.
 * A port is chosen in this order:
 *   1. the suggested external port (PCP MAP), or with PREFER_FAILURE only it;
 *   2. the internal port (port preservation, RFC 4787 REQ-3);
 *   3. a keyed pseudo-random start, RFC 6056 algorithm 3: siphash of the
 *      internal endpoint under the instance secret plus a per-address
 *      counter, so a host cannot predict another host's ports; from there
 *      find_next_zero_bit() moves a word (64 ports) at a time, looking for
 *      the parity of the preferred port (RFC 4787 REQ-4) for a bounded
 *      number of probes and then taking any free port.
 * So an allocation succeeds while any port of the range is free, with a few
 * word scans even at 99 % occupancy; every probe is counted (ALLOC_PROBES).
 *
 * A port free in the bitmap may still be held by a socket of the router
 * itself (the pool is often its own address): such a port is skipped, and
 * a suggested or preserved one is then not available (local.c).
 */
#include <linux/vmalloc.h>
#include <linux/bitmap.h>
#include "control.h"

/* Free-bit finds spent looking for the right parity before giving it up. */
#define PCPNAT_PARITY_PROBES	16
/*
 * Free ports found held by a local socket before the allocation gives up:
 * the router listens on a handful of ports, not on thousands.
 */
#define PCPNAT_LOCAL_TRIES	32

struct pcpnat_portmap *pcpnat_portmap_alloc(__be32 addr)
{
	struct pcpnat_portmap *pm = kvzalloc(sizeof(*pm), GFP_KERNEL);
	int i;

	if (!pm)
		return NULL;
	for (i = 0; i < PCPNAT_PM_N; i++)
		spin_lock_init(&pm->p[i].lock);
	pm->addr = addr;
	return pm;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_portmap_alloc);

void pcpnat_portmap_free(struct pcpnat_portmap *pm)
{
	kvfree(pm);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_portmap_free);

/* Paired pooling (RFC 4787 REQ-2): a host's address, stable while the pool is. */
int pcpnat_addr_pick(const struct pcpnat_table *t, const struct pcpnat_config *cfg,
		     __be32 int_addr)
{
	if (cfg->naddrs <= 1)
		return 0;
	return siphash_1u32((__force u32)int_addr, &t->secret) % cfg->naddrs;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_addr_pick);

static unsigned int scan(const unsigned long *bits, unsigned int lo,
			 unsigned int hi, unsigned int start, int parity,
			 unsigned int *probes)
{
	unsigned int pos = start, bit, n;
	bool wrapped = false;

	if (parity >= 0) {
		for (n = 0; n < PCPNAT_PARITY_PROBES; n++) {
			bit = find_next_zero_bit(bits, hi + 1, pos);
			(*probes)++;
			if (bit > hi) {
				if (wrapped)
					break;
				wrapped = true;
				pos = lo;
				continue;
			}
			if (wrapped && bit >= start)
				break;
			if ((bit & 1) == parity)
				return bit;
			pos = bit + 1;
		}
	}
	bit = find_next_zero_bit(bits, hi + 1, start);
	(*probes)++;
	if (bit <= hi)
		return bit;
	bit = find_next_zero_bit(bits, start, lo);
	(*probes)++;
	return bit < start ? bit : 0;
}

/* Neither a mapping's nor held by a socket of the router (local.c). */
static bool port_free(struct pcpnat_net *pn, const struct pcpnat_portmap *pm,
		      u8 proto, const unsigned long *bits, unsigned int port)
{
	return !test_bit(port, bits) &&
	       !pcpnat_local_port_held(pn->net, proto, pm->addr, htons(port));
}

/*
 * Allocate a port on cfg->addrs[aidx] for key. want: a suggested port or 0;
 * exact: want or nothing (EADDRINUSE). all: an explicit internal-port-0
 * mapping, which takes the whole address for the protocol (external port
 * 0). Port 0 seen in a packet is not that: it gets an ordinary port. Called under the key's internal stripe lock.
 */
int pcpnat_port_alloc(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		      int aidx, const struct pcpnat_key *key,
		      __be16 want, bool exact, bool all, __be16 *port)
{
	struct pcpnat_portmap *pm = cfg->pms[aidx];
	unsigned int lo = cfg->port_min, hi = cfg->port_max, range = hi - lo + 1;
	unsigned int w = ntohs(want), ip = ntohs(key->port), start, bit;
	unsigned int probes = 0, tries;
	int pi = pcpnat_pm_index(key->proto), err = 0, parity;
	unsigned long *bits;

	if (pi < 0)
		return -EPROTONOSUPPORT;
	bits = pm->p[pi].bits;
	spin_lock(&pm->p[pi].lock);
	if (pm->p[pi].whole) {
		err = exact ? -EADDRINUSE : -ENOSPC;
		goto out;
	}
	if (all) {
		if (pm->p[pi].used) {
			err = exact ? -EADDRINUSE : -ENOSPC;
		} else {
			pm->p[pi].whole = true;
			*port = 0;
		}
		goto out;
	}
	if (w >= lo && w <= hi) {
		probes++;
		if (port_free(pn, pm, key->proto, bits, w)) {
			bit = w;
			goto take;
		}
	}
	if (exact) {
		err = -EADDRINUSE;
		goto out;
	}
	if (ip != w && ip >= lo && ip <= hi) {
		probes++;
		if (port_free(pn, pm, key->proto, bits, ip)) {
			bit = ip;
			goto take;
		}
	}
	start = lo + (u32)(siphash_3u32((__force u32)key->addr,
					(__force u32)key->port, key->proto,
					&pn->table->secret) + pm->p[pi].counter++) % range;
	parity = (w ? w : ip) & 1;
	for (tries = 0; tries < PCPNAT_LOCAL_TRIES; tries++) {
		bit = scan(bits, lo, hi, start, parity, &probes);
		if (!bit)
			break;
		if (!pcpnat_local_port_held(pn->net, key->proto, pm->addr,
					    htons(bit)))
			goto take;
		/* Held by the router: look on from the next port, any parity. */
		start = bit == hi ? lo : bit + 1;
		parity = -1;
	}
	err = -ENOSPC;
	goto out;
take:
	__set_bit(bit, bits);
	pm->p[pi].used++;
	*port = htons(bit);
out:
	spin_unlock(&pm->p[pi].lock);
	if (!err) {
		pcpnat_stat_inc(pn, PCPNAT_STATS_A_ALLOC_OK);
		pcpnat_stat_add(pn, PCPNAT_STATS_A_ALLOC_PROBES, probes);
	}
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_port_alloc);

/*
 * Give a port back. The address may have left the pool meanwhile: its
 * allocator is then gone and there is nothing to give back to.
 */
void pcpnat_port_release(const struct pcpnat_config *cfg, u8 proto,
			 __be32 addr, __be16 port)
{
	int i = pcpnat_config_index(cfg, addr), pi = pcpnat_pm_index(proto);
	struct pcpnat_portmap *pm;

	if (i < 0 || pi < 0)
		return;
	pm = cfg->pms[i];
	spin_lock_bh(&pm->p[pi].lock);
	if (!port) {
		pm->p[pi].whole = false;
	} else if (__test_and_clear_bit(ntohs(port), pm->p[pi].bits)) {
		pm->p[pi].used--;
	}
	spin_unlock_bh(&pm->p[pi].lock);
}
EXPORT_SYMBOL_IF_KUNIT(pcpnat_port_release);
