// SPDX-License-Identifier: GPL-2.0
/* In-memory pcpd backend for tests (see fake_backend.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "fake_backend.h"

uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return 0;
	return a.s_addr;
}

void fake_init(struct fake_be *f)
{
	memset(f, 0, sizeof(*f));
	f->pool[0] = ip4("192.0.2.1");
	f->npool = 1;
	f->next_port = 20000;
	f->idle_timeout = 300;
}

struct pcpd_mapping *fake_find(struct fake_be *f, uint8_t proto, uint32_t a,
			       uint16_t port)
{
	unsigned int i;

	for (i = 0; i < FAKE_MAX_MAPS; i++)
		if (f->used[i] && f->maps[i].proto == proto &&
		    f->maps[i].int_addr == a && f->maps[i].int_port == port)
			return &f->maps[i];
	return NULL;
}

struct pcpd_mapping *fake_insert(struct fake_be *f, const struct pcpd_mapping *m)
{
	unsigned int i;

	for (i = 0; i < FAKE_MAX_MAPS; i++) {
		if (!f->used[i]) {
			f->used[i] = true;
			f->maps[i] = *m;
			if (!f->maps[i].subscriber)
				f->maps[i].subscriber = m->int_addr;
			return &f->maps[i];
		}
	}
	return NULL;
}

unsigned int fake_count(const struct fake_be *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_MAX_MAPS; i++)
		n += f->used[i];
	return n;
}

static bool in_pool(const struct fake_be *f, uint32_t a)
{
	unsigned int i;

	for (i = 0; i < f->npool; i++)
		if (f->pool[i] == a)
			return true;
	return false;
}

static bool ext_taken(const struct fake_be *f, uint8_t proto, uint32_t a,
		      uint16_t port)
{
	unsigned int i;

	for (i = 0; i < FAKE_MAX_MAPS; i++)
		if (f->used[i] && f->maps[i].proto == proto &&
		    f->maps[i].ext_addr == a && f->maps[i].ext_port == port)
			return true;
	return false;
}

static uint32_t paired(const struct fake_be *f, uint32_t sub)
{
	unsigned int i;

	for (i = 0; i < f->npair; i++)
		if (f->pair[i].sub == sub)
			return f->pair[i].ext;
	return f->npool ? f->pool[0] : 0;
}

/* Endpoint for a new mapping, like the module's allocator would. */
static int fake_alloc(struct fake_be *f, const struct pcpd_mapping *req,
		      uint32_t flags, struct pcpd_mapping *m)
{
	bool pf = flags & PCPNAT_MAP_F_PREFER_FAILURE;
	uint32_t sub = req->subscriber ? req->subscriber : req->int_addr;
	unsigned int i, n = 0;

	if (!f->npool)
		return -ENETDOWN;
	if (req->proto != IPPROTO_UDP && req->proto != IPPROTO_TCP &&
	    req->proto != IPPROTO_ICMP)
		return -EPROTONOSUPPORT;
	if (!req->int_port && !f->allow_all_ports)
		return -EOPNOTSUPP;
	for (i = 0; i < FAKE_MAX_MAPS; i++)
		n += f->used[i] && f->maps[i].subscriber == sub;
	if (f->quota && n >= f->quota)
		return -EDQUOT;
	if (req->nfilters > PCPNAT_FILTERS_MAX)
		return -E2BIG;

	*m = *req;
	m->subscriber = sub;
	if (req->ext_addr && in_pool(f, req->ext_addr))
		m->ext_addr = req->ext_addr;
	else if (req->ext_addr && pf)
		return -EADDRINUSE;
	else
		m->ext_addr = paired(f, sub);
	if (req->ext_port && !ext_taken(f, req->proto, m->ext_addr,
					req->ext_port)) {
		m->ext_port = req->ext_port;
	} else if (req->ext_port && pf) {
		return -EADDRINUSE;
	} else {
		while (ext_taken(f, req->proto, m->ext_addr, f->next_port))
			f->next_port++;
		m->ext_port = f->next_port++;
	}
	/* No packet yet: a delete removes it outright (RFC 6887 15). */
	m->idle = UINT32_MAX;
	return 0;
}

static int fake_map_add(void *be, const struct pcpd_mapping *req,
			uint32_t flags, struct pcpd_mapping *out)
{
	struct fake_be *f = be;
	struct pcpd_mapping *m, nm;
	int err;

	f->calls_add++;
	m = fake_find(f, req->proto, req->int_addr, req->int_port);
	if (m) {
		if (m->kind == PCPNAT_KIND_EXPLICIT &&
		    memcmp(m->nonce, req->nonce, PCPNAT_NONCE_LEN))
			return -EEXIST;
		m->kind = PCPNAT_KIND_EXPLICIT;
		memcpy(m->nonce, req->nonce, PCPNAT_NONCE_LEN);
		m->lifetime = req->lifetime;
		if (flags & PCPNAT_MAP_F_SET_FILTERS) {
			m->nfilters = req->nfilters;
			memcpy(m->filters, req->filters, sizeof(m->filters));
		}
		memcpy(m->descr, req->descr, sizeof(m->descr));
		*out = *m;
		return 0;
	}
	err = fake_alloc(f, req, flags, &nm);
	if (err)
		return err;
	nm.kind = PCPNAT_KIND_EXPLICIT;
	if (!(flags & PCPNAT_MAP_F_SET_FILTERS))
		nm.nfilters = 0;
	m = fake_insert(f, &nm);
	if (!m)
		return -ENOBUFS;
	*out = *m;
	return 0;
}

static int fake_map_peer(void *be, const struct pcpd_mapping *req,
			 uint32_t flags, struct pcpd_mapping *out)
{
	struct fake_be *f = be;
	struct pcpd_mapping *m, nm;
	int err;

	m = fake_find(f, req->proto, req->int_addr, req->int_port);
	if (!m) {
		err = fake_alloc(f, req, flags, &nm);
		if (err)
			return err;
		nm.kind = PCPNAT_KIND_IMPLICIT;
		nm.nfilters = 0;
		memset(nm.nonce, 0, sizeof(nm.nonce));
		if (!nm.lifetime)
			nm.lifetime = f->idle_timeout;
		m = fake_insert(f, &nm);
		if (!m)
			return -ENOBUFS;
	} else if (req->lifetime > m->lifetime) {
		m->lifetime = req->lifetime;
	}
	*out = *m;
	return 0;
}

static int fake_map_del(void *be, const struct pcpd_mapping *key,
			uint32_t flags, struct pcpd_mapping *out)
{
	struct fake_be *f = be;
	struct pcpd_mapping *m;

	f->calls_del++;
	m = fake_find(f, key->proto, key->int_addr, key->int_port);
	if (!m || m->kind != PCPNAT_KIND_EXPLICIT)
		return -ENOENT;
	if (!(flags & PCPNAT_MAP_F_FORCE) &&
	    memcmp(m->nonce, key->nonce, PCPNAT_NONCE_LEN))
		return -EACCES;
	if (m->idle < f->idle_timeout) {
		/* Traffic still flows: it lives on as an implicit mapping. */
		m->kind = PCPNAT_KIND_IMPLICIT;
		m->lifetime = f->idle_timeout - m->idle;
		*out = *m;
		return 0;
	}
	*out = *m;
	out->lifetime = 0;
	f->used[m - f->maps] = false;
	return 0;
}

static int fake_map_get(void *be, uint8_t proto, uint32_t a, uint16_t port,
			struct pcpd_mapping *out)
{
	struct pcpd_mapping *m = fake_find(be, proto, a, port);

	if (!m)
		return -ENOENT;
	*out = *m;
	return 0;
}

/* Walk order: (internal address, protocol, port), host order. */
static int key_cmp(uint32_t a1, uint8_t p1, uint16_t o1,
		   uint32_t a2, uint8_t p2, uint16_t o2)
{
	if (ntohl(a1) != ntohl(a2))
		return ntohl(a1) < ntohl(a2) ? -1 : 1;
	if (p1 != p2)
		return p1 < p2 ? -1 : 1;
	if (o1 != o2)
		return o1 < o2 ? -1 : 1;
	return 0;
}

static int fake_map_walk(void *be, const struct pcpd_walk_filter *flt,
			 const struct pcpd_key *after, pcpd_walk_cb cb,
			 void *arg)
{
	struct fake_be *f = be;
	struct pcpd_key pos;
	bool have_pos = after != NULL;

	if (after)
		pos = *after;
	for (;;) {
		struct pcpd_mapping *best = NULL, copy;
		unsigned int i;
		int rc;

		for (i = 0; i < FAKE_MAX_MAPS; i++) {
			struct pcpd_mapping *m = &f->maps[i];

			if (!f->used[i])
				continue;
			if (have_pos && key_cmp(m->int_addr, m->proto,
						m->int_port, pos.int_addr,
						pos.proto, pos.int_port) <= 0)
				continue;
			if (!best || key_cmp(m->int_addr, m->proto,
					     m->int_port, best->int_addr,
					     best->proto, best->int_port) < 0)
				best = m;
		}
		if (!best)
			return 0;
		pos = (struct pcpd_key){ best->proto, best->int_addr,
					 best->int_port };
		have_pos = true;
		if ((flt->subscriber && best->subscriber != flt->subscriber) ||
		    (flt->proto && best->proto != flt->proto) ||
		    (flt->int_addr && best->int_addr != flt->int_addr) ||
		    (flt->kind && best->kind != flt->kind))
			continue;
		copy = *best;	/* cb may delete it */
		rc = cb(arg, &copy);
		if (rc)
			return rc;
	}
}

static uint32_t fake_epoch(void *be, uint32_t subscriber)
{
	(void)subscriber;
	return ((struct fake_be *)be)->epoch;
}

static uint32_t fake_ext_addr(void *be, uint32_t subscriber)
{
	return paired(be, subscriber);
}

const struct pcpd_backend_ops fake_ops = {
	.map_add = fake_map_add,
	.map_peer = fake_map_peer,
	.map_del = fake_map_del,
	.map_get = fake_map_get,
	.map_walk = fake_map_walk,
	.epoch = fake_epoch,
	.ext_addr = fake_ext_addr,
};
