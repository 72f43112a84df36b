// SPDX-License-Identifier: GPL-2.0
/*
 * The backend the request handler and the event code use: the table's
 * own, with every change of an explicit mapping recorded in stable
 * storage as it succeeds (storage.h), so that storage learns what
 * changed without dumping the table.
 */
#include "pcpd/storage.h"

/* What the table now holds for out's key, as far as storage cares. */
static void record(struct pcpd_storage *st, const struct pcpd_mapping *out)
{
	if (out->kind == PCPNAT_KIND_EXPLICIT)
		pcpd_storage_put(st, out);
	else
		pcpd_storage_del(st, out->proto, out->int_addr, out->int_port);
}

static int st_map_add(void *be, const struct pcpd_mapping *req,
		      uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_storage *st = be;
	int err = st->ops->map_add(st->be, req, flags, out);

	if (!err)
		record(st, out);
	return err;
}

static int st_map_peer(void *be, const struct pcpd_mapping *req,
		       uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_storage *st = be;
	int err = st->ops->map_peer(st->be, req, flags, out);

	/* An explicit mapping PEER kept alive longer is a refresh. */
	if (!err && out->kind == PCPNAT_KIND_EXPLICIT)
		pcpd_storage_put(st, out);
	return err;
}

static int st_map_del(void *be, const struct pcpd_mapping *key,
		      uint32_t flags, struct pcpd_mapping *out)
{
	struct pcpd_storage *st = be;
	int err = st->ops->map_del(st->be, key, flags, out);

	/* Gone, or implicit now (RFC 6887 15): not stored either way. */
	if (!err)
		pcpd_storage_del(st, key->proto, key->int_addr, key->int_port);
	return err;
}

static int st_map_get(void *be, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port, struct pcpd_mapping *out)
{
	struct pcpd_storage *st = be;

	return st->ops->map_get(st->be, proto, int_addr, int_port, out);
}

static int st_map_walk(void *be, const struct pcpd_walk_filter *f,
		       const struct pcpd_key *after, pcpd_walk_cb cb,
		       void *arg)
{
	struct pcpd_storage *st = be;

	return st->ops->map_walk(st->be, f, after, cb, arg);
}

static uint32_t st_epoch(void *be, uint32_t subscriber)
{
	struct pcpd_storage *st = be;

	return st->ops->epoch(st->be, subscriber);
}

static uint32_t st_ext_addr(void *be, uint32_t subscriber)
{
	struct pcpd_storage *st = be;

	return st->ops->ext_addr(st->be, subscriber);
}

const struct pcpd_backend_ops pcpd_storage_ops = {
	.map_add = st_map_add,
	.map_peer = st_map_peer,
	.map_del = st_map_del,
	.map_get = st_map_get,
	.map_walk = st_map_walk,
	.epoch = st_epoch,
	.ext_addr = st_ext_addr,
};
