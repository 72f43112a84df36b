// SPDX-License-Identifier: GPL-2.0
/* The module's settings, once (see config_keys.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lib/config_keys.h"
#include "lib/pcpnl_text.h"

#define MEMBER(m)	offsetof(struct pcpnl_config, m)

#define PREFIXES(c, w, a, f, m, n, max)					\
	{ c, w, PCPNL_KEY_PREFIXES, a, 0, f, MEMBER(m), MEMBER(n), 0, max }
#define U32(c, w, a, f, m, lo, hi)					\
	{ c, w, PCPNL_KEY_U32, a, 0, f, MEMBER(m), 0, lo, hi }

/* In the order of the attributes, which is that of `pcpctl config`. */
const struct pcpnl_config_key pcpnl_config_keys[] = {
	PREFIXES("pool", "pool", PCPNAT_CFG_A_EXT_POOL, PCPNL_CF_POOL,
		 pool, npool, PCPNAT_POOL_MAX),
	PREFIXES("internal", "internal", PCPNAT_CFG_A_INT_PREFIXES,
		 PCPNL_CF_INTERNAL, internal, nint, PCPNAT_INTERNAL_MAX),
	{ "ext_dev", "ext-dev", PCPNL_KEY_IFNAME, PCPNAT_CFG_A_EXT_IFINDEX, 0,
	  PCPNL_CF_EXT_IFINDEX, MEMBER(ext_ifindex), 0, 0, 0 },
	{ "ports", "ports", PCPNL_KEY_PORTS, PCPNAT_CFG_A_PORT_MIN,
	  PCPNAT_CFG_A_PORT_MAX, PCPNL_CF_PORT_MIN | PCPNL_CF_PORT_MAX,
	  MEMBER(port_min), 0, 0, 0 },
	U32("udp_timeout", "udp-timeout", PCPNAT_CFG_A_UDP_TIMEOUT,
	    PCPNL_CF_UDP_TIMEOUT, udp_timeout,
	    PCPNAT_UDP_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX),
	U32("tcp_est_timeout", "tcp-est-timeout", PCPNAT_CFG_A_TCP_EST_TIMEOUT,
	    PCPNL_CF_TCP_EST_TIMEOUT, tcp_est_timeout,
	    PCPNAT_TCP_EST_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX),
	U32("tcp_trans_timeout", "tcp-trans-timeout",
	    PCPNAT_CFG_A_TCP_TRANS_TIMEOUT, PCPNL_CF_TCP_TRANS_TIMEOUT,
	    tcp_trans_timeout, PCPNAT_TCP_TRANS_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX),
	U32("icmp_timeout", "icmp-timeout", PCPNAT_CFG_A_ICMP_TIMEOUT,
	    PCPNL_CF_ICMP_TIMEOUT, icmp_timeout,
	    PCPNAT_ICMP_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX),
	{ "filtering", "filtering", PCPNL_KEY_FILTERING, PCPNAT_CFG_A_FILTERING,
	  0, PCPNL_CF_FILTERING, MEMBER(filtering), 0, 0, 0 },
	/* 0 = no limit (RFC 6888 REQ-4): any u32. */
	U32("quota", "quota", PCPNAT_CFG_A_SUBSCRIBER_QUOTA, PCPNL_CF_QUOTA,
	    quota, 0, UINT32_MAX),
	/*
	 * The module's policy says at least 1 (pcpnat.yaml "checks: min: 1");
	 * the uapi has no name for that one.
	 */
	U32("max_mappings", "max-mappings", PCPNAT_CFG_A_MAX_MAPPINGS,
	    PCPNL_CF_MAX_MAPPINGS, max_mappings, 1, UINT32_MAX),
	{ "all_ports", "all-ports", PCPNL_KEY_BOOL,
	  PCPNAT_CFG_A_ALLOW_ALL_PORTS, 0, PCPNL_CF_ALL_PORTS,
	  MEMBER(all_ports), 0, 0, 0 },
	{ "role", "role", PCPNL_KEY_ROLE, PCPNAT_CFG_A_STANDBY, 0,
	  PCPNL_CF_STANDBY, MEMBER(standby), 0, 0, 0 },
};

const size_t pcpnl_config_nkeys =
	sizeof(pcpnl_config_keys) / sizeof(pcpnl_config_keys[0]);

/* Equal, a '-' in one matching a '_' in the other. */
static int same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		if (*a != *b && !((*a == '-' || *a == '_') &&
				  (*b == '-' || *b == '_')))
			return 0;
	}
	return !*a && !*b;
}

const struct pcpnl_config_key *pcpnl_config_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < pcpnl_config_nkeys; i++)
		if (same_name(name, pcpnl_config_keys[i].conf))
			return &pcpnl_config_keys[i];
	return NULL;
}

const struct pcpnl_config_key *pcpnl_config_key_conf(const char *name)
{
	const struct pcpnl_config_key *k = pcpnl_config_key_find(name);

	return k && k->kind != PCPNL_KEY_ROLE ? k : NULL;
}

const struct pcpnl_config_key *pcpnl_config_key_by_attr(uint16_t attr)
{
	size_t i;

	for (i = 0; attr && i < pcpnl_config_nkeys; i++)
		if (pcpnl_config_keys[i].attr == attr ||
		    pcpnl_config_keys[i].attr2 == attr)
			return &pcpnl_config_keys[i];
	return NULL;
}

/* A name the kernel takes for a device (dev_valid_name()). */
static int parse_ifname(const char *v, char ifname[IF_NAMESIZE])
{
	if (!strcmp(v, "none")) {
		ifname[0] = '\0';
		return 0;
	}
	if (!*v || strlen(v) >= IF_NAMESIZE || !strcmp(v, ".") ||
	    !strcmp(v, "..") || strpbrk(v, "/: \t\n"))
		return -EINVAL;
	snprintf(ifname, IF_NAMESIZE, "%s", v);
	return 0;
}

static int parse_prefixes(const struct pcpnl_config_key *k, const char *v,
			  struct pcpnl_config *cfg)
{
	struct pcpnl_prefix *list = (void *)((char *)cfg + k->off);
	unsigned int *n = (void *)((char *)cfg + k->count_off);
	unsigned int more;
	int err;

	if (!strcmp(v, "none")) {
		*n = 0;
		return 0;
	}
	if (*n >= k->max)
		return -ERANGE;
	err = pcpnl_parse_prefix_list(v, list + *n, k->max - *n, &more);
	if (!err)
		*n += more;
	return err;
}

static int parse_role(const char *v, bool *standby)
{
	if (!strcmp(v, "standby"))
		*standby = true;
	else if (!strcmp(v, "active"))
		*standby = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_filtering(const char *v, uint8_t *out)
{
	if (!strcmp(v, "eif"))
		*out = PCPNAT_FILTER_ENDPOINT_INDEPENDENT;
	else if (!strcmp(v, "adf"))
		*out = PCPNAT_FILTER_ADDRESS_DEPENDENT;
	else
		return -EINVAL;
	return 0;
}

int pcpnl_config_key_parse(const struct pcpnl_config_key *k, const char *v,
			    unsigned int flags, struct pcpnl_config *cfg,
			    char ifname[IF_NAMESIZE])
{
	void *m = (char *)cfg + k->off;
	bool strict = flags & PCPNL_KEY_CHECK_BOUNDS;
	int err = -EINVAL;

	switch (k->kind) {
	case PCPNL_KEY_PREFIXES:
		err = parse_prefixes(k, v, cfg);
		break;
	case PCPNL_KEY_IFNAME:
		err = parse_ifname(v, ifname);
		break;
	case PCPNL_KEY_PORTS:
		err = pcpnl_parse_port_range(v, &cfg->port_min, &cfg->port_max);
		break;
	case PCPNL_KEY_U32:
		err = pcpnl_parse_u32(v, strict ? k->min : 0,
				       strict ? k->max : UINT32_MAX, m);
		break;
	case PCPNL_KEY_FILTERING:
		err = parse_filtering(v, m);
		break;
	case PCPNL_KEY_BOOL:
		err = pcpnl_parse_bool(v, m);
		break;
	case PCPNL_KEY_ROLE:
		err = parse_role(v, m);
		break;
	}
	if (!err)
		cfg->fields |= k->fields;
	return err;
}

const char *pcpnl_config_key_syntax(const struct pcpnl_config_key *k,
				     char *buf, size_t len)
{
	switch (k->kind) {
	case PCPNL_KEY_PREFIXES:
		snprintf(buf, len, "A/L[,A/L...] or none, at most %u", k->max);
		break;
	case PCPNL_KEY_IFNAME:
		snprintf(buf, len, "an interface or none");
		break;
	case PCPNL_KEY_PORTS:
		snprintf(buf, len, "MIN-MAX within 1-65535");
		break;
	case PCPNL_KEY_U32:
		if (!k->min && k->max == UINT32_MAX)
			snprintf(buf, len, "a number");
		else if (k->max == UINT32_MAX)
			snprintf(buf, len, "a number, at least %u", k->min);
		else
			snprintf(buf, len, "%u-%u", k->min, k->max);
		break;
	case PCPNL_KEY_FILTERING:
		snprintf(buf, len, "eif or adf");
		break;
	case PCPNL_KEY_BOOL:
		snprintf(buf, len, "on or off");
		break;
	case PCPNL_KEY_ROLE:
		snprintf(buf, len, "active or standby");
		break;
	}
	return buf;
}
