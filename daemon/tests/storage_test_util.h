/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the stable storage tests (test_pcpd_journal.c,
 * test_pcpd_storage_faults.c): a mapping request, a change through the
 * daemon's recording backend, and what a second daemon loads from the
 * files. Test code only; include after fake_backend.c.
 */
#ifndef STORAGE_TEST_UTIL_H
#define STORAGE_TEST_UTIL_H

#include "pcpd/storage.h"

static struct pcpd_mapping req(const char *host, uint16_t port,
			       uint32_t lifetime, uint8_t fill)
{
	struct pcpd_mapping m = {
		.proto = IPPROTO_UDP, .int_addr = ip4(host), .int_port = port,
		.kind = PCPNAT_KIND_EXPLICIT, .lifetime = lifetime,
		.nfilters = 1,
		.filters = { { ip4("203.0.113.0"), 24, 53 } },
		.descr = "a \"game\"\n server",
	};

	memset(m.nonce, fill, sizeof(m.nonce));
	return m;
}

/* Through the daemon's backend: recorded as the request succeeds. */
static void change(struct pcpd_storage *st, const struct pcpd_mapping *m,
		   uint32_t flags)
{
	struct pcpd_mapping out;

	pcpd_storage_ops.map_add(st, m, flags, &out);
}

/* A second daemon's view: what the files give back. */
static int load(const char *path, struct pcpd_storage *out, size_t *torn)
{
	static struct pcpd_epoch none;
	char err[128];

	pcpd_storage_init(out, path, &fake_ops, NULL, &none);
	return pcpd_storage_load(out, err, sizeof(err), torn);
}

#endif /* STORAGE_TEST_UTIL_H */
