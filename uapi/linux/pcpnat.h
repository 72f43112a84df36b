/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * pcpnat generic netlink ABI.
 *
 * This is the one definition of the interface between pcpnat.ko and its
 * userspace (pcpd, pcpctl). Nothing else defines these numbers. The family
 * is also described in Documentation/netlink/specs/pcpnat.yaml, from which
 * the module's request policies and op table are generated; the check
 * proves that every name and number here agrees with it.
 *
 * Conventions
 * - IPv4 addresses are __be32 (struct in_addr order), ports are __be16,
 *   exactly as they appear in packets, so neither side has to convert.
 * - Lifetimes and timeouts are in seconds (u32).
 * - Every command that changes state needs CAP_NET_ADMIN in the initial
 *   user namespace, whichever network namespace it is sent in (root of an
 *   unprivileged user namespace is refused: an instance's memory is not
 *   charged to its creator). So does MAP_GET, single
 *   or dump: mappings carry other subscribers' addresses and nonces, and
 *   pcpd (root) is the one that filters per subscriber for PCP GET.
 *   CONFIG_GET and STATS_GET are open to all; joining the events group
 *   needs CAP_NET_ADMIN too.
 * - Refusals carry an extack message; errno values are part of the ABI
 *   where listed below so that pcpd can map them onto PCP result codes.
 * - Malformed input (missing required attribute, unknown or read-only
 *   attribute, wrong type) is refused with EINVAL. A value outside the
 *   range, or an exact length, that a command's policy states (UDP timeout
 *   below 120, nonce not 12 bytes, kind out of range ...) is refused by the
 *   netlink core itself with ERANGE, as for every netlink family; its
 *   extack points at the attribute (NLMSGERR_ATTR_OFFS) and, for ranges,
 *   gives the bounds (NLMSGERR_ATTR_POLICY). The mapping commands share
 *   one policy for the MAP nest: an attribute a command does not take is
 *   refused with EINVAL, unless its value is outside the policy's range
 *   (ERANGE comes first then).
 * - A MAP_GET dump's own refusals (a filter attribute it does not take, a
 *   cursor without its key) end the dump: NLMSG_DONE carries the negative
 *   errno and the extack message, as strict rtnetlink dumps do.
 *
 * Ordering of mappings (dumps, cursors, PCP GET/NEXT)
 *   Mappings are walked in the order of (bucket of the keyed hash of the
 *   internal key, internal key), the internal key being compared as
 *   (internal address, protocol, internal port) in host byte order. That
 *   order is total and stays fixed while the instance lives, so a walk that
 *   resumes after PCPNAT_A_CURSOR sees every mapping that existed for the
 *   whole walk exactly once, whatever is added or removed meanwhile. It is
 *   deliberately not numeric order: it costs nothing on the packet path.
 *   A dump whose filter names a subscriber (PCPNAT_MAP_A_SUBSCRIBER) and
 *   kind EXPLICIT walks that subscriber's own explicit mappings only, in
 *   internal key order alone (the same comparison, no bucket), so its cost
 *   is that of the subscriber's mappings, not of the table: the walk of
 *   PCP GET/NEXT and of a client's delete-all. A cursor resumes strictly
 *   after its key in that order, with the same guarantee; it belongs to
 *   the filter it came from (another filter's cursor resumes, but in that
 *   filter's order).
 */
#ifndef _UAPI_LINUX_PCPNAT_H
#define _UAPI_LINUX_PCPNAT_H

#include <linux/types.h>

#define PCPNAT_GENL_NAME	"pcpnat"
/* Bumped on any incompatible change; userspace refuses a mismatch. */
#define PCPNAT_GENL_VERSION	1
#define PCPNAT_MCGRP_EVENTS	"events"
/*
 * Implicit mappings' MAP_NEW, and their MAP_DEL when deleted or expired:
 * traffic's own, thousands a second on a busy router, so a group of their
 * own. "events" keeps the rest, implicit mappings' flushes and address
 * removals included (what a PCP server must tell clients of).
 */
#define PCPNAT_MCGRP_IMPLICIT	"implicit"

/* Limits shared by both sides. */
#define PCPNAT_NONCE_LEN	12
#define PCPNAT_DESCR_LEN	127	/* characters of a description */
#define PCPNAT_DESCR_MAX	(PCPNAT_DESCR_LEN + 1)	/* bytes, with the NUL */
#define PCPNAT_FILTERS_MAX	8	/* FILTER entries per mapping */
#define PCPNAT_POOL_MAX		64	/* prefixes in the external pool */
#define PCPNAT_INTERNAL_MAX	16	/* internal prefixes */
#define PCPNAT_POOL_ADDRS_MAX	256	/* addresses the pool may expand to */

enum pcpnat_cmd {
	PCPNAT_CMD_UNSPEC,
	/*
	 * -> PCPNAT_A_CONFIG. With PCPNAT_A_SUBSCRIBER (an internal address)
	 * also PCPNAT_A_ADDR: the pool address that host's mappings take
	 * (paired pooling, RFC 4787 REQ-2), what NAT-PMP tells it.
	 */
	PCPNAT_CMD_CONFIG_GET,
	PCPNAT_CMD_CONFIG_SET,	/* PCPNAT_A_CONFIG: only the attributes given change */
	PCPNAT_CMD_MAP_ADD,	/* PCPNAT_A_MAP -> PCPNAT_A_MAP as installed */
	PCPNAT_CMD_MAP_DEL,	/* PCPNAT_A_MAP (key, nonce) -> PCPNAT_A_MAP */
	/*
	 * doit: PCPNAT_A_MAP with the internal key, or with the external key.
	 * dumpit: optional PCPNAT_A_MAP as a filter (any subset of protocol,
	 * addresses, ports, subscriber, kind) and optional PCPNAT_A_CURSOR.
	 */
	PCPNAT_CMD_MAP_GET,
	PCPNAT_CMD_FLUSH,	/* optional PCPNAT_A_SUBSCRIBER -> PCPNAT_A_FLUSHED */
	PCPNAT_CMD_STATS_GET,	/* -> PCPNAT_A_STATS */
	PCPNAT_CMD_STATS_RESET,
	/* Notifications on PCPNAT_MCGRP_EVENTS, carrying PCPNAT_A_MAP. */
	PCPNAT_CMD_EVENT_MAP_NEW,
	PCPNAT_CMD_EVENT_MAP_DEL,	/* PCPNAT_A_REASON says why */
	/* Carries PCPNAT_A_ADDR; sent when the external pool changes. */
	PCPNAT_CMD_EVENT_ADDR_ADD,
	PCPNAT_CMD_EVENT_ADDR_DEL,
	/* Whole-instance state loss (flush all, instance destroyed). */
	PCPNAT_CMD_EVENT_STATE_RESET,

	__PCPNAT_CMD_MAX,
	PCPNAT_CMD_MAX = __PCPNAT_CMD_MAX - 1
};

enum pcpnat_attr {
	PCPNAT_A_UNSPEC,
	PCPNAT_A_CONFIG,	/* nest, enum pcpnat_config_attr */
	PCPNAT_A_MAP,		/* nest, enum pcpnat_map_attr */
	PCPNAT_A_CURSOR,	/* nest, enum pcpnat_map_attr: PROTO, INT_ADDR, INT_PORT */
	PCPNAT_A_STATS,		/* nest, enum pcpnat_stats_attr */
	PCPNAT_A_SUBSCRIBER,	/* __be32 */
	PCPNAT_A_FLUSHED,	/* u32: mappings removed */
	PCPNAT_A_REASON,	/* u8, enum pcpnat_del_reason */
	PCPNAT_A_ADDR,		/* __be32 */
	PCPNAT_A_VERSION,	/* u32, PCPNAT_GENL_VERSION of the module */

	__PCPNAT_A_MAX,
	PCPNAT_A_MAX = __PCPNAT_A_MAX - 1
};

enum pcpnat_filtering {
	PCPNAT_FILTER_ENDPOINT_INDEPENDENT,	/* RFC 4787 EIF */
	PCPNAT_FILTER_ADDRESS_DEPENDENT,	/* RFC 4787 ADF (default) */
	__PCPNAT_FILTER_MAX,
	PCPNAT_FILTER_MAX = __PCPNAT_FILTER_MAX - 1
};

/*
 * Upper bounds of timeouts and lifetimes, in seconds: one week. Above it
 * nothing is gained (RFC 6887 §15 recommends 24 hours as the longest PCP
 * lifetime, RFC 5382 REQ-5 asks for 2 h 4 min), and expiry times must stay
 * well inside the range where jiffies comparisons hold on 32-bit kernels.
 */
#define PCPNAT_TIMEOUT_MAX	604800
#define PCPNAT_LIFETIME_MAX	604800

/*
 * Lower bounds of the timeouts, in seconds, from the RFCs: CONFIG_SET
 * refuses less with ERANGE.
 */
#define PCPNAT_UDP_TIMEOUT_MIN		120	/* RFC 4787 REQ-5 */
#define PCPNAT_TCP_EST_TIMEOUT_MIN	7440	/* RFC 5382 REQ-5 */
#define PCPNAT_TCP_TRANS_TIMEOUT_MIN	240	/* RFC 5382 REQ-5, RFC 7857 2.2 */
#define PCPNAT_ICMP_TIMEOUT_MIN		60	/* RFC 5508 REQ-1 */

enum pcpnat_config_attr {
	PCPNAT_CFG_A_UNSPEC,
	PCPNAT_CFG_A_EXT_POOL,		/* nest of PCPNAT_LIST_A_PREFIX */
	PCPNAT_CFG_A_INT_PREFIXES,	/* nest of PCPNAT_LIST_A_PREFIX */
	/*
	 * u32, 0 = none: translation off. Names the external device when
	 * set; pcpnat then follows it by name (a PPPoE ppp0 re-created on
	 * reconnect is it again), and CONFIG_GET says its ifindex now, 0
	 * while no device of that name exists.
	 */
	PCPNAT_CFG_A_EXT_IFINDEX,
	PCPNAT_CFG_A_PORT_MIN,		/* u16, >= 1, default 1024 */
	PCPNAT_CFG_A_PORT_MAX,		/* u16, default 65535 */
	PCPNAT_CFG_A_UDP_TIMEOUT,	/* u32 s, UDP_TIMEOUT_MIN..TIMEOUT_MAX, default 300 */
	PCPNAT_CFG_A_TCP_EST_TIMEOUT,	/* u32 s, TCP_EST_TIMEOUT_MIN.., default 7440 */
	PCPNAT_CFG_A_TCP_TRANS_TIMEOUT,	/* u32 s, TCP_TRANS_TIMEOUT_MIN.., default 240 */
	PCPNAT_CFG_A_ICMP_TIMEOUT,	/* u32 s, ICMP_TIMEOUT_MIN.., default 60 */
	PCPNAT_CFG_A_FILTERING,		/* u8, enum pcpnat_filtering */
	PCPNAT_CFG_A_SUBSCRIBER_QUOTA,	/* u32 mappings per subscriber, 0 = no limit;
					 * default 4096 (RFC 6888 REQ-4) */
	PCPNAT_CFG_A_MAX_MAPPINGS,	/* u32, table size limit */
	PCPNAT_CFG_A_ALLOW_ALL_PORTS,	/* u8 0/1: permit internal port 0 mappings */
	/* Read only. */
	PCPNAT_CFG_A_EPOCH,		/* u32 s since this instance's state began */
	PCPNAT_CFG_A_STATE_ID,		/* u64, changes whenever state is lost */
	PCPNAT_CFG_A_MAPPINGS,		/* u32, mappings now */
	PCPNAT_CFG_A_PAD,
	/*
	 * u8 0/1, default 0: the standby role of a replicated pair
	 * (Documentation/pcpd-sync.md). While 1 the reaper never ends an
	 * implicit mapping by idleness (the active's MAP_DEL, replicated,
	 * does), and traffic makes no new mapping (DROP_STANDBY); existing
	 * mappings translate as ever. Going to 0 restarts every implicit
	 * mapping's idle time from now.
	 */
	PCPNAT_CFG_A_STANDBY,

	__PCPNAT_CFG_A_MAX,
	PCPNAT_CFG_A_MAX = __PCPNAT_CFG_A_MAX - 1
};

/* Elements of the address lists above. */
enum pcpnat_list_attr {
	PCPNAT_LIST_A_UNSPEC,
	PCPNAT_LIST_A_PREFIX,		/* nest, enum pcpnat_prefix_attr; repeated */

	__PCPNAT_LIST_A_MAX,
	PCPNAT_LIST_A_MAX = __PCPNAT_LIST_A_MAX - 1
};

enum pcpnat_prefix_attr {
	PCPNAT_PFX_A_UNSPEC,
	PCPNAT_PFX_A_ADDR,		/* __be32, host bits must be zero */
	PCPNAT_PFX_A_LEN,		/* u8, 0..32 (pool: 24..32) */

	__PCPNAT_PFX_A_MAX,
	PCPNAT_PFX_A_MAX = __PCPNAT_PFX_A_MAX - 1
};

enum pcpnat_map_kind {
	PCPNAT_KIND_IMPLICIT = 1,	/* made by traffic, idle timeout */
	PCPNAT_KIND_EXPLICIT = 2,	/* made over genl (PCP MAP), lifetime */
};

/* PCPNAT_MAP_A_FLAGS */
enum pcpnat_map_flags {
	/* Fail with EADDRINUSE rather than pick another external port or address. */
	PCPNAT_MAP_F_PREFER_FAILURE	= 1 << 0,
	/* MAP_DEL: delete whatever the nonce (operator action, needs admin). */
	PCPNAT_MAP_F_FORCE		= 1 << 1,
	/* MAP_ADD: replace the filter list (an empty FILTERS nest clears it). */
	PCPNAT_MAP_F_SET_FILTERS	= 1 << 2,
};
#define PCPNAT_MAP_F_ALL	((1 << 3) - 1)

enum pcpnat_map_attr {
	PCPNAT_MAP_A_UNSPEC,
	PCPNAT_MAP_A_PROTO,		/* u8: IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP */
	PCPNAT_MAP_A_INT_ADDR,		/* __be32 */
	PCPNAT_MAP_A_INT_PORT,		/* __be16; ICMP: echo identifier; 0 = all ports */
	PCPNAT_MAP_A_EXT_ADDR,		/* __be32: suggestion on ADD, assigned in replies */
	PCPNAT_MAP_A_EXT_PORT,		/* __be16: suggestion on ADD, assigned in replies */
	PCPNAT_MAP_A_KIND,		/* u8, enum pcpnat_map_kind */
	PCPNAT_MAP_A_LIFETIME,		/* u32 s: requested on ADD, remaining in replies */
	PCPNAT_MAP_A_NONCE,		/* binary, PCPNAT_NONCE_LEN */
	PCPNAT_MAP_A_SUBSCRIBER,	/* __be32, default: the internal address */
	PCPNAT_MAP_A_FILTERS,		/* nest of PCPNAT_FILTERS_A_FILTER */
	PCPNAT_MAP_A_DESCR,		/* NUL-terminated, PCPNAT_DESCR_LEN characters at most */
	PCPNAT_MAP_A_FLAGS,		/* u32, enum pcpnat_map_flags */
	PCPNAT_MAP_A_IDLE,		/* u32 s since the last packet (replies) */
	PCPNAT_MAP_A_PAD,
	/*
	 * __be32, MAP_ADD of an implicit mapping (PCP PEER): a remote peer
	 * it admits as if the host had sent to it (RFC 6887 12), so that
	 * address-dependent filtering lets the peer's first packet in.
	 */
	PCPNAT_MAP_A_PEER,

	__PCPNAT_MAP_A_MAX,
	PCPNAT_MAP_A_MAX = __PCPNAT_MAP_A_MAX - 1
};

enum pcpnat_filters_attr {
	PCPNAT_FILTERS_A_UNSPEC,
	PCPNAT_FILTERS_A_FILTER,	/* nest, enum pcpnat_filter_attr; repeated */

	__PCPNAT_FILTERS_A_MAX,
	PCPNAT_FILTERS_A_MAX = __PCPNAT_FILTERS_A_MAX - 1
};

/* PCP FILTER option: admit inbound traffic only from these remote peers. */
enum pcpnat_filter_attr {
	PCPNAT_FILTER_A_UNSPEC,
	PCPNAT_FILTER_A_ADDR,		/* __be32 remote prefix */
	PCPNAT_FILTER_A_PLEN,		/* u8, 1..32 (0 is "clear", said with SET_FILTERS) */
	PCPNAT_FILTER_A_PORT,		/* __be16 remote port, 0 = any */

	__PCPNAT_FILTER_A_MAX,
	PCPNAT_FILTER_A_MAX = __PCPNAT_FILTER_A_MAX - 1
};

enum pcpnat_del_reason {
	PCPNAT_REASON_DELETED,		/* MAP_DEL */
	PCPNAT_REASON_EXPIRED,		/* lifetime or idle timeout */
	PCPNAT_REASON_FLUSHED,		/* FLUSH */
	PCPNAT_REASON_ADDR_REMOVED,	/* its external address left the pool */
};

enum pcpnat_stats_attr {
	PCPNAT_STATS_A_UNSPEC,
	PCPNAT_STATS_A_PAD,
	PCPNAT_STATS_A_PKTS_OUT,	/* u64 translated internal -> external */
	PCPNAT_STATS_A_PKTS_IN,		/* u64 translated external -> internal */
	PCPNAT_STATS_A_PKTS_HAIRPIN,	/* u64 internal -> internal via external */
	PCPNAT_STATS_A_DROP_NO_MAPPING,	/* u64 inbound to the pool, no mapping */
	PCPNAT_STATS_A_DROP_FILTERED,	/* u64 refused by filtering or FILTER */
	PCPNAT_STATS_A_DROP_INVALID,	/* u64 malformed or untranslatable */
	PCPNAT_STATS_A_DROP_NO_RESOURCES, /* u64 no mapping could be made */
	PCPNAT_STATS_A_MAP_CREATED,	/* u64 */
	PCPNAT_STATS_A_MAP_DELETED,	/* u64 */
	PCPNAT_STATS_A_MAP_EXPIRED,	/* u64 */
	PCPNAT_STATS_A_ALLOC_OK,	/* u64 port allocations */
	PCPNAT_STATS_A_ALLOC_PROBES,	/* u64 ports probed by those allocations */
	PCPNAT_STATS_A_ALLOC_NO_PORT,	/* u64 failures: no free port */
	PCPNAT_STATS_A_ALLOC_QUOTA,	/* u64 failures: subscriber over quota */
	PCPNAT_STATS_A_TABLE_FULL,	/* u64 failures: MAX_MAPPINGS reached */
	PCPNAT_STATS_A_MAPPINGS,	/* u64 gauge */
	PCPNAT_STATS_A_MAPPING_BYTES,	/* u64: bytes one mapping occupies */
	PCPNAT_STATS_A_DROP_HAIRPIN_WAIT, /* u64 hairpinned while the hook after
					   * conntrack was being added */
	PCPNAT_STATS_A_DROP_STANDBY,	/* u64 a new outbound flow while standby */

	__PCPNAT_STATS_A_MAX,
	PCPNAT_STATS_A_MAX = __PCPNAT_STATS_A_MAX - 1
};

/*
 * errno values of MAP_ADD that pcpd maps onto PCP result codes:
 *   ENOSPC        no free external port          -> NO_RESOURCES
 *   ENOBUFS       table full (MAX_MAPPINGS)       -> NO_RESOURCES
 *   EDQUOT        subscriber over its quota       -> USER_EX_QUOTA
 *   EADDRINUSE    PREFER_FAILURE and the suggested external port or
 *                 address cannot be had           -> CANNOT_PROVIDE_EXTERNAL
 *   EEXIST        an explicit mapping with another nonce holds the key
 *   EPROTONOSUPPORT  protocol not translated      -> UNSUPP_PROTOCOL
 *   EOPNOTSUPP    internal port 0 not allowed     -> UNSUPP_PROTOCOL / NOT_AUTHORIZED
 *   ENETDOWN      no external pool configured     -> NETWORK_FAILURE
 *   E2BIG         more than PCPNAT_FILTERS_MAX    -> EXCESSIVE_REMOTE_PEERS
 *   EADDRNOTAVAIL internal address outside the configured internal
 *                 prefixes (never translated)     -> NOT_AUTHORIZED
 * MAP_DEL:
 *   ENOENT        no such mapping
 *   EACCES        explicit mapping, nonce differs (and no FORCE)
 */

#endif /* _UAPI_LINUX_PCPNAT_H */
