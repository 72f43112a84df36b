/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pcpd's decision logic needs from the mapping table. The real one
 * (backend_nl.c) talks to pcpnat.ko over generic netlink; tests use an
 * in-memory fake. Both follow the semantics written here.
 *
 * Byte order: IPv4 addresses (int_addr, ext_addr, subscriber, filter
 * addresses) are network order, as in the genl ABI; ports, lifetimes and
 * other integers are HOST order (the netlink adapter converts ports).
 *
 * Errors are -errno with the meanings listed at the bottom of
 * uapi/linux/pcpnat.h (ENOSPC, ENOBUFS, EDQUOT, EADDRINUSE, EEXIST,
 * EPROTONOSUPPORT, EOPNOTSUPP, ENETDOWN, E2BIG, ENOENT, EACCES).
 */
#ifndef PCPD_BACKEND_H
#define PCPD_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/pcpnat.h>

struct pcpd_filter {
	uint32_t addr;		/* network order, host bits zero */
	uint8_t plen;		/* 1..32 */
	uint16_t port;		/* 0 = any */
};

struct pcpd_mapping {
	uint8_t proto;		/* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP */
	uint32_t int_addr;
	uint16_t int_port;	/* 0 = all ports */
	uint32_t ext_addr;	/* suggestion on add (0 = none), else assigned */
	uint16_t ext_port;	/* suggestion on add (0 = none), else assigned */
	uint8_t kind;		/* enum pcpnat_map_kind */
	uint32_t lifetime;	/* requested on add, remaining in results */
	uint32_t idle;		/* seconds since the last packet (results) */
	uint8_t nonce[PCPNAT_NONCE_LEN];
	uint32_t subscriber;	/* owner; 0 on add = the internal address */
	uint8_t nfilters;
	struct pcpd_filter filters[PCPNAT_FILTERS_MAX];
	char descr[PCPNAT_DESCR_MAX];	/* "" = none */
	uint32_t peer;		/* PEER on add: the remote address it admits */
};

/* Walk selection: zero fields match anything. */
struct pcpd_walk_filter {
	uint32_t subscriber;
	uint8_t proto;
	uint32_t int_addr;
	uint8_t kind;		/* 0 = both kinds */
};

/* Position in the walk: the internal key (PCPNAT_A_CURSOR). */
struct pcpd_key {
	uint8_t proto;
	uint32_t int_addr;
	uint16_t int_port;
};

/* Return non-zero to stop the walk. */
typedef int (*pcpd_walk_cb)(void *arg, const struct pcpd_mapping *m);

struct pcpd_backend_ops {
	/*
	 * MAP_ADD. No mapping for the internal key: make an explicit one,
	 * honouring the suggested external address/port when free (with
	 * PCPNAT_MAP_F_PREFER_FAILURE: -EADDRINUSE when not). An implicit
	 * mapping holds the key: it becomes explicit and keeps its external
	 * endpoint (RFC 6887 11.3; draft-boucadair-pcp-flow-examples 2.12).
	 * An explicit one with the same nonce: refreshed (lifetime set,
	 * external endpoint kept, filters replaced only with
	 * PCPNAT_MAP_F_SET_FILTERS). Another nonce: -EEXIST, nothing changed.
	 * *out = the mapping as installed.
	 */
	int (*map_add)(void *be, const struct pcpd_mapping *req,
		       uint32_t flags, struct pcpd_mapping *out);
	/*
	 * PEER (RFC 6887 12.3): create the implicit mapping for the internal
	 * key if none exists (suggestion as for map_add, honouring
	 * PREFER_FAILURE), otherwise leave its endpoint alone; in both cases
	 * keep it alive at least req->lifetime seconds. *out as it stands.
	 */
	int (*map_peer)(void *be, const struct pcpd_mapping *req,
			uint32_t flags, struct pcpd_mapping *out);
	/*
	 * MAP_DEL of the explicit mapping with key->{proto,int_addr,int_port}
	 * and key->nonce: -ENOENT, -EACCES (nonce differs, no FORCE). When
	 * traffic still uses it, the module keeps it as an implicit mapping
	 * (RFC 6887 15; draft-boucadair-pcp-flow-examples 2.13): *out then
	 * has kind IMPLICIT and the remaining idle lifetime; otherwise
	 * out->lifetime is 0.
	 */
	int (*map_del)(void *be, const struct pcpd_mapping *key,
		       uint32_t flags, struct pcpd_mapping *out);
	/* MAP_GET by internal key. -ENOENT if none. */
	int (*map_get)(void *be, uint8_t proto, uint32_t int_addr,
		       uint16_t int_port, struct pcpd_mapping *out);
	/*
	 * Dump in the module's stable order (uapi header), from the start or
	 * strictly after *after. Returns 0, a -errno, or cb's non-zero value.
	 */
	int (*map_walk)(void *be, const struct pcpd_walk_filter *f,
			const struct pcpd_key *after, pcpd_walk_cb cb,
			void *arg);
	/*
	 * Epoch seconds for a subscriber: since the state its mappings live
	 * in began (it survives pcpd restarts, restarts with state loss).
	 */
	uint32_t (*epoch)(void *be, uint32_t subscriber);
	/*
	 * The external address a subscriber is seen with (NAT-PMP opcode 0):
	 * its mappings' address, or the first of the pool. 0 if none.
	 */
	uint32_t (*ext_addr)(void *be, uint32_t subscriber);
};

#endif /* PCPD_BACKEND_H */
