/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plain C views of what the pcpnat genl family carries, so that pcpd and
 * pcpctl never touch a netlink attribute.
 *
 * Byte order: addresses are struct in_addr (network order, as in packets
 * and in PCP), ports are host order (they are printed, compared and put
 * into PCP messages through the codec, which converts anyway).
 *
 * Optional fields: a struct carries a `fields` bitmask saying which members
 * are meaningful. In requests it says which attributes to send; in replies
 * which ones the module sent.
 */
#ifndef PCPNL_TYPES_H
#define PCPNL_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/pcpnat.h>

struct pcpnl_prefix {
	struct in_addr addr;
	uint8_t len;
};

/* struct pcpnl_config.fields */
enum pcpnl_config_field {
	PCPNL_CF_POOL		= 1 << 0,
	PCPNL_CF_INTERNAL	= 1 << 1,
	PCPNL_CF_EXT_IFINDEX	= 1 << 2,
	PCPNL_CF_PORT_MIN	= 1 << 3,
	PCPNL_CF_PORT_MAX	= 1 << 4,
	PCPNL_CF_UDP_TIMEOUT	= 1 << 5,
	PCPNL_CF_TCP_EST_TIMEOUT = 1 << 6,
	PCPNL_CF_TCP_TRANS_TIMEOUT = 1 << 7,
	PCPNL_CF_ICMP_TIMEOUT	= 1 << 8,
	PCPNL_CF_FILTERING	= 1 << 9,
	PCPNL_CF_QUOTA		= 1 << 10,
	PCPNL_CF_MAX_MAPPINGS	= 1 << 11,
	PCPNL_CF_ALL_PORTS	= 1 << 12,
	/* Read only: ignored by pcpnl_config_set(). */
	PCPNL_CF_EPOCH		= 1 << 13,
	PCPNL_CF_STATE_ID	= 1 << 14,
	PCPNL_CF_MAPPINGS	= 1 << 15,
	PCPNL_CF_STANDBY	= 1 << 16,
};

struct pcpnl_config {
	uint32_t fields;		/* enum pcpnl_config_field */
	unsigned int npool, nint;
	struct pcpnl_prefix pool[PCPNAT_POOL_MAX];
	struct pcpnl_prefix internal[PCPNAT_INTERNAL_MAX];
	uint32_t ext_ifindex;		/* 0: none, translation off */
	uint16_t port_min, port_max;
	uint32_t udp_timeout, tcp_est_timeout, tcp_trans_timeout, icmp_timeout;
	uint8_t filtering;		/* enum pcpnat_filtering */
	uint32_t quota;			/* per subscriber, 0 = no limit */
	uint32_t max_mappings;
	bool all_ports;
	bool standby;			/* the standby role (pcpd-sync.md) */
	uint32_t epoch;
	uint64_t state_id;
	uint32_t mappings;
};

/* A PCP FILTER: remote peers admitted inbound. */
struct pcpnl_filter {
	struct in_addr addr;
	uint8_t plen;
	uint16_t port;			/* 0 = any */
};

/* struct pcpnl_map.fields, and struct pcpnl_map_filter.fields */
enum pcpnl_map_field {
	PCPNL_MF_PROTO		= 1 << 0,
	PCPNL_MF_INT_ADDR	= 1 << 1,
	PCPNL_MF_INT_PORT	= 1 << 2,
	PCPNL_MF_EXT_ADDR	= 1 << 3,
	PCPNL_MF_EXT_PORT	= 1 << 4,
	PCPNL_MF_KIND		= 1 << 5,
	PCPNL_MF_LIFETIME	= 1 << 6,
	PCPNL_MF_NONCE		= 1 << 7,
	PCPNL_MF_SUBSCRIBER	= 1 << 8,
	PCPNL_MF_FILTERS	= 1 << 9,	/* request: sets SET_FILTERS too */
	PCPNL_MF_DESCR		= 1 << 10,
	PCPNL_MF_FLAGS		= 1 << 11,
	PCPNL_MF_IDLE		= 1 << 12,
	PCPNL_MF_PEER		= 1 << 13,	/* request only */
};

#define PCPNL_MF_INT_KEY (PCPNL_MF_PROTO | PCPNL_MF_INT_ADDR | PCPNL_MF_INT_PORT)
#define PCPNL_MF_EXT_KEY (PCPNL_MF_PROTO | PCPNL_MF_EXT_ADDR | PCPNL_MF_EXT_PORT)

struct pcpnl_map {
	uint32_t fields;		/* enum pcpnl_map_field */
	uint8_t proto;			/* IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP */
	struct in_addr int_addr;
	uint16_t int_port;		/* ICMP: echo identifier; 0: all ports */
	struct in_addr ext_addr;
	uint16_t ext_port;
	uint8_t kind;			/* enum pcpnat_map_kind */
	uint32_t lifetime;		/* s: requested, or remaining */
	uint32_t idle;			/* s since the last packet */
	uint8_t nonce[PCPNAT_NONCE_LEN];
	struct in_addr subscriber;
	uint32_t flags;			/* enum pcpnat_map_flags */
	unsigned int nfilters;
	struct pcpnl_filter filters[PCPNAT_FILTERS_MAX];
	char descr[PCPNAT_DESCR_MAX];
	struct in_addr peer;		/* implicit ADD: a peer it admits */
};

/*
 * Selects mappings in a dump: every member named in `fields` must match.
 * Allowed fields: PROTO, INT_ADDR, INT_PORT, EXT_ADDR, EXT_PORT,
 * SUBSCRIBER, KIND.
 */
struct pcpnl_map_filter {
	uint32_t fields;
	uint8_t proto;
	struct in_addr int_addr;
	uint16_t int_port;
	struct in_addr ext_addr;
	uint16_t ext_port;
	struct in_addr subscriber;
	uint8_t kind;
};

/* The internal key: the resume cursor of dumps (PCP GET/NEXT). */
struct pcpnl_key {
	uint8_t proto;
	struct in_addr addr;
	uint16_t port;
};

/* Counters, indexed by enum pcpnat_stats_attr. */
struct pcpnl_stats {
	uint64_t present;		/* bit i: v[i] was reported */
	uint64_t v[PCPNAT_STATS_A_MAX + 1];
};

/* A notification from the events group. */
struct pcpnl_event {
	uint8_t cmd;			/* PCPNAT_CMD_EVENT_* */
	bool has_reason;
	uint8_t reason;			/* enum pcpnat_del_reason (MAP_DEL) */
	struct in_addr addr;		/* ADDR_ADD / ADDR_DEL */
	struct pcpnl_map map;		/* MAP_NEW / MAP_DEL */
};

#endif /* PCPNL_TYPES_H */
