// SPDX-License-Identifier: GPL-2.0
/* The stored mappings, indexed by internal key (see state_table.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcpd/state_table.h"

void pcpd_state_init(struct pcpd_state *s)
{
	memset(s, 0, sizeof(*s));
}

void pcpd_state_free(struct pcpd_state *s)
{
	free(s->maps);
	free(s->slot);
	pcpd_state_init(s);
}

void pcpd_state_clear_maps(struct pcpd_state *s)
{
	s->nmaps = 0;
	if (s->slot)
		memset(s->slot, 0, s->nslots * sizeof(*s->slot));
}

static unsigned int key_hash(const struct pcpd_state *s, uint8_t proto,
			     uint32_t addr, uint16_t port)
{
	uint64_t h = ((uint64_t)addr << 24) ^ ((uint64_t)port << 8) ^ proto;

	/*
	 * Fibonacci hashing: the product's top bits are the ones every bit
	 * of the key reaches (its bits from 32 up left an address's last
	 * octet out below 2^24 slots: a /24's hosts on one port shared a
	 * home slot).
	 */
	h *= 0x9e3779b97f4a7c15ull;
	return s->nslots > 1 ?
	       (unsigned int)(h >> (64 - __builtin_ctz(s->nslots))) : 0;
}

static bool same_key(const struct pcpd_mapping *m, uint8_t proto,
		     uint32_t addr, uint16_t port)
{
	return m->proto == proto && m->int_addr == addr && m->int_port == port;
}

/* The slot that holds the key, or the empty one where it would go. */
static unsigned int probe(const struct pcpd_state *s, uint8_t proto,
			  uint32_t addr, uint16_t port)
{
	unsigned int i = key_hash(s, proto, addr, port);

	while (s->slot[i] &&
	       !same_key(&s->maps[s->slot[i] - 1].m, proto, addr, port))
		i = (i + 1) & (s->nslots - 1);
	return i;
}

static int reindex(struct pcpd_state *s, unsigned int nslots)
{
	uint32_t *slot = calloc(nslots, sizeof(*slot));
	unsigned int i;

	if (!slot)
		return -ENOMEM;
	free(s->slot);
	s->slot = slot;
	s->nslots = nslots;
	for (i = 0; i < s->nmaps; i++) {
		const struct pcpd_mapping *m = &s->maps[i].m;

		s->slot[probe(s, m->proto, m->int_addr, m->int_port)] = i + 1;
	}
	return 0;
}

/* Room for one more mapping, array and index. */
static int reserve(struct pcpd_state *s)
{
	struct pcpd_state_map *n;
	unsigned int cap;

	if (s->nmaps == PCPD_STATE_MAPS_MAX)
		return -E2BIG;
	if (s->nmaps == s->cap) {
		cap = s->cap ? 2 * s->cap : 64;
		n = realloc(s->maps, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->maps = n;
		s->cap = cap;
	}
	if (s->nslots <= 2 * s->cap) {
		unsigned int nslots = s->nslots ? s->nslots : 256;

		while (nslots <= 2 * s->cap)
			nslots *= 2;
		return reindex(s, nslots);
	}
	return 0;
}

struct pcpd_state_map *pcpd_state_find(const struct pcpd_state *s,
				       uint8_t proto, uint32_t int_addr,
				       uint16_t int_port)
{
	unsigned int i;

	if (!s->nslots)
		return NULL;
	i = probe(s, proto, int_addr, int_port);
	return s->slot[i] ? &s->maps[s->slot[i] - 1] : NULL;
}

static int insert(struct pcpd_state *s, const struct pcpd_mapping *m,
		  int64_t expires, bool replace)
{
	struct pcpd_state_map *sm;
	unsigned int i;
	int err;

	if (!replace && s->nmaps == PCPD_STATE_MAPS_MAX)
		return -E2BIG;
	sm = pcpd_state_find(s, m->proto, m->int_addr, m->int_port);
	if (sm) {
		if (!replace)
			return -EEXIST;
		sm->m = *m;
		sm->expires = expires;
		return 0;
	}
	err = reserve(s);
	if (err)
		return err;
	i = probe(s, m->proto, m->int_addr, m->int_port);
	s->maps[s->nmaps].m = *m;
	s->maps[s->nmaps].expires = expires;
	s->slot[i] = ++s->nmaps;
	return 0;
}

int pcpd_state_add(struct pcpd_state *s, const struct pcpd_mapping *m,
		   int64_t expires)
{
	return insert(s, m, expires, false);
}

int pcpd_state_put(struct pcpd_state *s, const struct pcpd_mapping *m,
		   int64_t expires)
{
	return insert(s, m, expires, true);
}

bool pcpd_state_del(struct pcpd_state *s, uint8_t proto, uint32_t int_addr,
		    uint16_t int_port)
{
	unsigned int i, j, home, hole, last;
	const struct pcpd_mapping *m;

	if (!s->nslots)
		return false;
	i = probe(s, proto, int_addr, int_port);
	if (!s->slot[i])
		return false;
	hole = s->slot[i] - 1;
	/* The last mapping fills the hole in the array ... */
	last = s->nmaps - 1;
	if (hole != last) {
		m = &s->maps[last].m;
		j = probe(s, m->proto, m->int_addr, m->int_port);
		s->maps[hole] = s->maps[last];
		s->slot[j] = hole + 1;
	}
	s->nmaps--;
	/* ... and the slots after the freed one move back (linear probing). */
	s->slot[i] = 0;
	for (j = (i + 1) & (s->nslots - 1); s->slot[j];
	     j = (j + 1) & (s->nslots - 1)) {
		m = &s->maps[s->slot[j] - 1].m;
		home = key_hash(s, m->proto, m->int_addr, m->int_port);
		/* Stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		s->slot[i] = s->slot[j];
		s->slot[j] = 0;
		i = j;
	}
	return true;
}
