// SPDX-License-Identifier: GPL-2.0
/*
 * The records a replication batch carries (layout in sync_wire.h): a
 * mapping with everything the standby needs to install it as the active
 * has it (nonce, lifetime, FILTERs, DESCRIPTION, THIRD_PARTY owner, peer),
 * its removal, and the epoch bookkeeping (RFC 6887 §8.5,
 * draft-boucadair-pcp-failure §3.2 and §3.3).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "pcp/pcp_wire.h"
#include "sync/sync_wire.h"

#define MAP_FIXED_LEN	48
#define FILTER_LEN	8

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static bool proto_ok(uint8_t proto)
{
	return proto == IPPROTO_UDP || proto == IPPROTO_TCP ||
	       proto == IPPROTO_ICMP;
}

static bool filter_ok(const struct pcpd_filter *f)
{
	uint32_t host_mask;

	if (f->plen < 1 || f->plen > 32)
		return false;
	host_mask = f->plen == 32 ? 0 : 0xffffffffu >> f->plen;
	return !(ntohl(f->addr) & host_mask);
}

/* What the decoder takes, so that the sender never queues a record its
 * peer would refuse (a refused batch is never acknowledged). */
static bool map_ok(const struct pcpd_mapping *m, size_t dlen)
{
	unsigned int i;

	if (!proto_ok(m->proto) || (m->kind != PCPNAT_KIND_IMPLICIT &&
				    m->kind != PCPNAT_KIND_EXPLICIT) ||
	    m->nfilters > PCPNAT_FILTERS_MAX || dlen > PCPNAT_DESCR_LEN)
		return false;
	for (i = 0; i < m->nfilters; i++)
		if (!filter_ok(&m->filters[i]))
			return false;
	return true;
}

static size_t rec_len(const struct sync_record *r, size_t *dlen)
{
	*dlen = 0;
	switch (r->op) {
	case SYNC_REC_MAP:
		*dlen = strnlen(r->map.descr, sizeof(r->map.descr));
		return MAP_FIXED_LEN + FILTER_LEN * r->map.nfilters + pad4(*dlen);
	case SYNC_REC_UNMAP:
	case SYNC_REC_SUB_RESET:
		return 12;
	case SYNC_REC_EPOCH:
		return 8;
	}
	return 0;
}

static void put_map(uint8_t *p, const struct pcpd_mapping *m, size_t dlen)
{
	unsigned int i;
	uint8_t *f;

	p[4] = m->proto;
	p[5] = m->kind;
	pcp_put16(p + 6, m->int_port);
	memcpy(p + 8, &m->int_addr, 4);
	memcpy(p + 12, &m->ext_addr, 4);
	pcp_put16(p + 16, m->ext_port);
	p[18] = m->nfilters;
	p[19] = (uint8_t)dlen;
	pcp_put32(p + 20, m->lifetime);
	pcp_put32(p + 24, m->idle);
	memcpy(p + 28, &m->subscriber, 4);
	memcpy(p + 32, &m->peer, 4);
	memcpy(p + 36, m->nonce, PCPNAT_NONCE_LEN);
	f = p + MAP_FIXED_LEN;
	for (i = 0; i < m->nfilters; i++, f += FILTER_LEN) {
		memcpy(f, &m->filters[i].addr, 4);
		f[4] = m->filters[i].plen;
		pcp_put16(f + 6, m->filters[i].port);
	}
	memcpy(f, m->descr, dlen);
}

int sync_rec_encode(uint8_t *p, size_t cap, const struct sync_record *r)
{
	size_t len, dlen;

	len = rec_len(r, &dlen);
	if (!len || r->flags & ~SYNC_RECF_BULK)
		return -EINVAL;
	if ((r->op == SYNC_REC_MAP && !map_ok(&r->map, dlen)) ||
	    (r->op == SYNC_REC_UNMAP && !proto_ok(r->map.proto)))
		return -EINVAL;
	if (len > cap)
		return -ENOSPC;
	memset(p, 0, len);
	p[0] = r->op;
	p[1] = r->flags;
	pcp_put16(p + 2, (uint16_t)len);
	switch (r->op) {
	case SYNC_REC_MAP:
		put_map(p, &r->map, dlen);
		break;
	case SYNC_REC_UNMAP:
		p[4] = r->map.proto;
		pcp_put16(p + 6, r->map.int_port);
		memcpy(p + 8, &r->map.int_addr, 4);
		break;
	case SYNC_REC_EPOCH:
		pcp_put32(p + 4, r->age);
		break;
	case SYNC_REC_SUB_RESET:
		memcpy(p + 4, &r->subscriber, 4);
		pcp_put32(p + 8, r->age);
		break;
	}
	return (int)len;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static int get_map(const uint8_t *p, size_t len, struct pcpd_mapping *m)
{
	const uint8_t *f;
	size_t dlen;
	unsigned int i;

	if (len < MAP_FIXED_LEN)
		return -EBADMSG;
	m->proto = p[4];
	m->kind = p[5];
	m->int_port = pcp_get16(p + 6);
	memcpy(&m->int_addr, p + 8, 4);
	memcpy(&m->ext_addr, p + 12, 4);
	m->ext_port = pcp_get16(p + 16);
	m->nfilters = p[18];
	dlen = p[19];
	m->lifetime = pcp_get32(p + 20);
	m->idle = pcp_get32(p + 24);
	memcpy(&m->subscriber, p + 28, 4);
	memcpy(&m->peer, p + 32, 4);
	memcpy(m->nonce, p + 36, PCPNAT_NONCE_LEN);
	if (m->nfilters > PCPNAT_FILTERS_MAX ||
	    len != MAP_FIXED_LEN + FILTER_LEN * m->nfilters + pad4(dlen))
		return -EBADMSG;
	f = p + MAP_FIXED_LEN;
	for (i = 0; i < m->nfilters; i++, f += FILTER_LEN) {
		memcpy(&m->filters[i].addr, f, 4);
		m->filters[i].plen = f[4];
		m->filters[i].port = pcp_get16(f + 6);
		if (f[5])
			return -EBADMSG;
	}
	if (!map_ok(m, dlen))
		return -EBADMSG;
	/* A NUL inside would silently shorten it: refused. */
	if (memchr(f, 0, dlen) || !all_zero(f + dlen, pad4(dlen) - dlen))
		return -EBADMSG;
	memcpy(m->descr, f, dlen);
	m->descr[dlen] = '\0';
	return 0;
}

int sync_rec_decode(const uint8_t *p, size_t len, struct sync_record *r)
{
	size_t rlen;

	if (len < 4)
		return -EBADMSG;
	rlen = pcp_get16(p + 2);
	if (rlen < 8 || rlen > len)
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->op = p[0];
	r->flags = p[1];
	if (r->flags & ~SYNC_RECF_BULK)
		return -EBADMSG;
	switch (r->op) {
	case SYNC_REC_MAP:
		if (get_map(p, rlen, &r->map))
			return -EBADMSG;
		break;
	case SYNC_REC_UNMAP:
		/* The length first: rlen >= 8 alone lets p + 8 be past it. */
		if (rlen != 12 || p[5] || !proto_ok(p[4]))
			return -EBADMSG;
		r->map.proto = p[4];
		r->map.int_port = pcp_get16(p + 6);
		memcpy(&r->map.int_addr, p + 8, 4);
		break;
	case SYNC_REC_EPOCH:
		if (rlen != 8)
			return -EBADMSG;
		r->age = pcp_get32(p + 4);
		break;
	case SYNC_REC_SUB_RESET:
		if (rlen != 12)
			return -EBADMSG;
		memcpy(&r->subscriber, p + 4, 4);
		r->age = pcp_get32(p + 8);
		break;
	default:
		return -EBADMSG;
	}
	return (int)rlen;
}
