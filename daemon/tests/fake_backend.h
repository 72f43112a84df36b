/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-memory stand-in for pcpnat.ko behind the pcpd backend interface,
 * following the semantics documented in pcpd/backend.h. Test code only;
 * tests #include fake_backend.c (the Makefile builds one .c per test).
 */
#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H

#include "pcpd/backend.h"

#define FAKE_MAX_MAPS	256

struct fake_be {
	struct pcpd_mapping maps[FAKE_MAX_MAPS];
	bool used[FAKE_MAX_MAPS];
	uint32_t pool[8];		/* network order */
	unsigned int npool;
	struct { uint32_t sub, ext; } pair[8];	/* paired pooling */
	unsigned int npair;
	uint16_t next_port;		/* handed out when a suggestion fails */
	uint32_t epoch;
	uint32_t quota;			/* mappings per subscriber, 0 = none */
	bool allow_all_ports;
	uint32_t idle_timeout;		/* implicit lifetime after last packet */
	int calls_add, calls_del;
};

extern const struct pcpd_backend_ops fake_ops;

void fake_init(struct fake_be *f);
/* Put a mapping in the table as the example's state demands. */
struct pcpd_mapping *fake_insert(struct fake_be *f, const struct pcpd_mapping *m);
struct pcpd_mapping *fake_find(struct fake_be *f, uint8_t proto, uint32_t a,
			       uint16_t port);
unsigned int fake_count(const struct fake_be *f);
uint32_t ip4(const char *s);	/* dotted quad -> network order */

#endif /* FAKE_BACKEND_H */
