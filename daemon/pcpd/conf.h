/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd.conf: an INI file (parsed by Debian's libinih), see pcpd.conf(5).
 * [pcpd] says how pcpd answers; the optional [nat] section is pushed into
 * pcpnat.ko at start, on SIGHUP and whenever the module lost its state.
 */
#ifndef PCPD_CONF_H
#define PCPD_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/pcpnl_types.h"
#include "pcpd/policy.h"

#define PCPD_LISTEN_MAX		8
#define PCPD_ANNOUNCE_MAX	8
#define PCPD_DEFAULT_CONF	"/etc/pcpd.conf"
#define PCPD_DEFAULT_STATE	"/var/lib/pcpd/state"
/* [sync] defaults: the port pcpd's replication listens on. */
#define PCPD_SYNC_PORT		5352
#define PCPD_SYNC_INTERVAL_MS	1000
/* [sync] queue: records the active keeps unacknowledged (280 octets each). */
#define PCPD_SYNC_QUEUE_MIN	2048
/* 18 MiB of address space, touched only as a burst fills it. */
#define PCPD_SYNC_QUEUE_DEFAULT	65536
#define PCPD_SYNC_QUEUE_MAX	(1u << 20)
/* Where etc/keepalived-pcpd-notify.sh leaves the VRRP state by default. */
#define PCPD_SYNC_ROLE_FILE	"/run/pcpd/vrrp-role"
/* The core's bounds (sync/sync_wire.h SYNC_MTU_MIN, SYNC_MSG_MAX). */
#define PCPD_SYNC_MTU_MIN	336
#define PCPD_SYNC_MTU_MAX	8192

/*
 * [sync]: state replication to the standby router
 * (draft-boucadair-pcp-failure §3.3, Documentation/pcpd-sync.md).
 * enabled is false when the section is absent: pcpd then does nothing of
 * it. Addresses are network order, ports host order.
 */
struct pcpd_sync_conf {
	bool enabled;
	uint32_t listen_addr, peer_addr;
	uint16_t listen_port, peer_port;
	uint32_t node_id, peer_node_id;
	char key_file[256];
	/* The VRRP state keepalived's notify script last wrote: the role a
	 * (re)started pcpd begins in. */
	char role_file[256];
	uint32_t interval_ms;		/* HELLO and heartbeat period */
	uint32_t mtu;			/* 0: the core's default */
	uint32_t queue;			/* records kept unacknowledged */
};

struct pcpd_conf {
	struct pcpd_policy pol;
	/* Internal addresses (network order) the PCP socket listens on. */
	unsigned int nlisten;
	uint32_t listen[PCPD_LISTEN_MAX];
	bool natpmp;			/* answer version 0 (RFC 6886) */
	/* Unsolicited messages: on/off, and where (empty: listen ifaces). */
	bool announce;
	unsigned int nannounce;
	char announce_if[PCPD_ANNOUNCE_MAX][IF_NAMESIZE];
	char state_file[256];		/* "" = no stable storage */
	char user[64];			/* run as this user ("" = stay) */
	uint32_t rate_limit;		/* requests/s per client, 0 = none */
	uint32_t rate_limit_total;	/* requests/s in all, 0 = none */
	uint32_t events_buffer;		/* octets, 0 = the library's 8 MiB */
	/* [nat]: module configuration; nat.fields == 0 when absent. */
	struct pcpnl_config nat;
	char ext_dev[IF_NAMESIZE];	/* resolved to nat.ext_ifindex later */
	struct pcpd_sync_conf sync;
};

void pcpd_conf_defaults(struct pcpd_conf *c);
/*
 * Parse a whole file (or string) into c, starting from the defaults.
 * 0, or -1 with one line "LINE: what is wrong" in err.
 */
int pcpd_conf_load(const char *path, struct pcpd_conf *c, char *err,
		   size_t errlen);
int pcpd_conf_parse_string(const char *text, struct pcpd_conf *c, char *err,
			   size_t errlen);

#endif /* PCPD_CONF_H */
