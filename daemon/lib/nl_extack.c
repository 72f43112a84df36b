// SPDX-License-Identifier: GPL-2.0
/*
 * An extack as one line a person can act on.
 *
 * The kernel's own policy checks speak in general terms ("integer out of
 * range") and leave the rest in attributes: NLMSGERR_ATTR_OFFS, where the
 * offending attribute sits in our request, and NLMSGERR_ATTR_POLICY, the
 * bounds it broke (both since Linux 5.10). The offset is walked down the
 * request's nests to the attribute's path, which names the pcpctl keyword
 * (a setting's through lib/config_keys.c, the table pcpd.conf's keys come
 * from too), and the bounds are said in numbers:
 *
 *   udp-timeout: integer out of range (minimum 120)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "lib/config_keys.h"
#include "lib/nl_internal.h"

/* Deep enough for MAP > FILTERS > FILTER > attribute. */
#define PATH_MAX_DEPTH	4

static const char *const map_words[PCPNAT_MAP_A_MAX + 1] = {
	[PCPNAT_MAP_A_PROTO] = "proto",
	[PCPNAT_MAP_A_INT_ADDR] = "int",
	[PCPNAT_MAP_A_INT_PORT] = "int",
	[PCPNAT_MAP_A_EXT_ADDR] = "ext",
	[PCPNAT_MAP_A_EXT_PORT] = "ext",
	[PCPNAT_MAP_A_KIND] = "kind",
	[PCPNAT_MAP_A_LIFETIME] = "lifetime",
	[PCPNAT_MAP_A_NONCE] = "nonce",
	[PCPNAT_MAP_A_SUBSCRIBER] = "subscriber",
	[PCPNAT_MAP_A_FILTERS] = "filter",
	[PCPNAT_MAP_A_DESCR] = "descr",
	[PCPNAT_MAP_A_FLAGS] = "flags",
};

/* The keyword for an attribute path from the top level, or NULL. */
static const char *path_word(const uint16_t *path, int depth)
{
	const struct pcpnl_config_key *k;

	if (depth == 1 && path[0] == PCPNAT_A_SUBSCRIBER)
		return "subscriber";
	if (depth < 2)
		return NULL;	/* a whole nest: no one setting to name */
	switch (path[0]) {
	case PCPNAT_A_CONFIG:
		k = pcpnl_config_key_by_attr(path[1]);
		return k ? k->word : NULL;
	case PCPNAT_A_MAP:
		return path[1] <= PCPNAT_MAP_A_MAX ? map_words[path[1]] : NULL;
	case PCPNAT_A_CURSOR:
		return "cursor";
	}
	return NULL;
}

/*
 * The types of the attributes, outermost first, that enclose or start at
 * offset off of req (a genl request). An offset strictly inside an
 * attribute's payload can only be that of a nested attribute, so every
 * attribute passed through is a nest. Returns the depth, 0 if not found.
 */
static int offset_path(const struct nlmsghdr *req, uint32_t off, uint16_t *path)
{
	const char *base = (const char *)req;
	const struct nlattr *a;
	int depth = 0, rem;
	uint32_t start;

	if (req->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || off >= req->nlmsg_len)
		return 0;
	a = (const struct nlattr *)(base + NLMSG_HDRLEN + GENL_HDRLEN);
	rem = req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	while (nla_ok(a, rem) && depth < PATH_MAX_DEPTH) {
		start = (uint32_t)((const char *)a - base);
		if (off < start || off >= start + a->nla_len) {
			a = nla_next(a, &rem);
			continue;
		}
		path[depth++] = nla_type(a);
		if (off == start)
			return depth;
		if (off < start + NLA_HDRLEN)
			return 0;	/* inside a header: not a real offset */
		rem = nla_len(a);
		a = nla_data(a);
	}
	return 0;
}

static uint64_t type_max(uint32_t type)
{
	switch (type) {
	case NL_ATTR_TYPE_U8:	return UINT8_MAX;
	case NL_ATTR_TYPE_U16:	return UINT16_MAX;
	case NL_ATTR_TYPE_U32:	return UINT32_MAX;
	default:		return UINT64_MAX;
	}
}

/* " (minimum 120)", " (range 1-32)", " (length 12)" ... or "". */
static void policy_bounds(const struct nlattr *pol, char *out, size_t len)
{
	struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];
	uint64_t min, max, tmax;
	uint32_t type, lmin, lmax;

	out[0] = '\0';
	if (nla_parse_nested(tb, NL_POLICY_TYPE_ATTR_MAX, (struct nlattr *)pol,
			     NULL) < 0 || !pcpnl_attr_u32(tb[NL_POLICY_TYPE_ATTR_TYPE], &type))
		return;
	if (pcpnl_attr_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &min) &&
	    pcpnl_attr_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &max)) {
		tmax = type_max(type);
		if (min && max < tmax)
			snprintf(out, len, " (range %" PRIu64 "-%" PRIu64 ")", min, max);
		else if (min)
			snprintf(out, len, " (minimum %" PRIu64 ")", min);
		else if (max < tmax)
			snprintf(out, len, " (maximum %" PRIu64 ")", max);
		return;
	}
	if (pcpnl_attr_u32(tb[NL_POLICY_TYPE_ATTR_MIN_LENGTH], &lmin) &&
	    pcpnl_attr_u32(tb[NL_POLICY_TYPE_ATTR_MAX_LENGTH], &lmax)) {
		if (lmin == lmax)
			snprintf(out, len, " (length %" PRIu32 ")", lmin);
		else
			snprintf(out, len, " (length %" PRIu32 "-%" PRIu32 ")", lmin, lmax);
	}
}

void pcpnl_extack_text(char *out, size_t len, const struct nlmsghdr *req,
			const struct nlattr *tlvs, int tlvlen, int error)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	uint16_t path[PATH_MAX_DEPTH];
	const char *word = NULL, *msg = NULL;
	char bounds[64] = "";
	uint32_t off;
	int depth, n = 0;

	out[0] = '\0';
	if (tlvlen <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)tlvs,
				     tlvlen, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
		n = (int)strnlen(msg, nla_len(tb[NLMSGERR_ATTR_MSG]));
	}
	if (req && pcpnl_attr_u32(tb[NLMSGERR_ATTR_OFFS], &off)) {
		depth = offset_path(req, off, path);
		word = depth ? path_word(path, depth) : NULL;
	}
	if (tb[NLMSGERR_ATTR_POLICY])
		policy_bounds(tb[NLMSGERR_ATTR_POLICY], bounds, sizeof(bounds));
	if (!n && !word)
		return;
	if (!n) {
		/* Named but unexplained: the errno says what kind of wrong. */
		msg = strerror(error < 0 ? -error : error);
		n = (int)strlen(msg);
	}
	snprintf(out, len, "%s%s%.*s%s", word ? word : "", word ? ": " : "",
		 n, msg, bounds);
}
