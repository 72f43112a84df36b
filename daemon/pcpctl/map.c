// SPDX-License-Identifier: GPL-2.0
/* pcpctl map add|del|get */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "pcpctl/pcpctl.h"

/* s, when map add is given no lifetime. */
#define PCPCTL_DEFAULT_LIFETIME	3600

/* Keywords every map subcommand shares: proto, int, ext. */
static int parse_key(struct pcpnl_map *m, const char *kw, const char *v,
		     bool ext_port_optional, bool *handled)
{
	bool has_port;
	int rc;

	*handled = true;
	if (!strcmp(kw, "proto")) {
		if (pcpnl_parse_proto(v, &m->proto))
			return ctl_usage("invalid protocol \"%s\" (udp, tcp or icmp)", v);
		m->fields |= PCPNL_MF_PROTO;
	} else if (!strcmp(kw, "int")) {
		rc = pcpnl_parse_endpoint(v, false, &m->int_addr, &m->int_port, NULL);
		if (rc)
			return ctl_bad_value("internal endpoint (A:P)", v, rc);
		m->fields |= PCPNL_MF_INT_ADDR | PCPNL_MF_INT_PORT;
	} else if (!strcmp(kw, "ext")) {
		rc = pcpnl_parse_endpoint(v, ext_port_optional, &m->ext_addr,
					   &m->ext_port, &has_port);
		if (rc)
			return ctl_bad_value(ext_port_optional ?
					     "external endpoint (A[:P])" :
					     "external endpoint (A:P)", v, rc);
		m->fields |= PCPNL_MF_EXT_ADDR | (has_port ? PCPNL_MF_EXT_PORT : 0);
	} else if (!strcmp(kw, "nonce")) {
		if (pcpnl_parse_nonce(v, m->nonce))
			return ctl_usage("invalid nonce \"%s\" (%d hex digits)", v,
					 2 * PCPNAT_NONCE_LEN);
		m->fields |= PCPNL_MF_NONCE;
	} else {
		*handled = false;
	}
	return 0;
}

static void print_map(struct ctl *ctl, const struct pcpnl_map *m)
{
	if (ctl->json)
		json_print(map_json(m), true);
	else
		map_print_detail(m);
}

/* map add's own keywords with a value. */
static int parse_add_opt(struct pcpnl_map *m, const char *kw, const char *v)
{
	size_t n;
	int rc;

	if (!strcmp(kw, "lifetime")) {
		if ((rc = pcpnl_parse_u32(v, 0, UINT32_MAX, &m->lifetime)))
			return ctl_bad_value("lifetime", v, rc);
		m->fields |= PCPNL_MF_LIFETIME;
	} else if (!strcmp(kw, "subscriber")) {
		if (pcpnl_parse_addr(v, &m->subscriber))
			return ctl_bad_value("subscriber address", v, -EINVAL);
		m->fields |= PCPNL_MF_SUBSCRIBER;
	} else if (!strcmp(kw, "filter")) {
		if (m->nfilters == PCPNAT_FILTERS_MAX)
			return ctl_usage("at most %d filters", PCPNAT_FILTERS_MAX);
		if ((rc = pcpnl_parse_filter(v, &m->filters[m->nfilters])))
			return ctl_bad_value("filter (A/L[:P])", v, rc);
		m->nfilters++;
		m->fields |= PCPNL_MF_FILTERS;
	} else if (!strcmp(kw, "descr")) {
		n = strlen(v);
		if (n >= PCPNAT_DESCR_MAX)
			return ctl_usage("description longer than %d bytes",
					 PCPNAT_DESCR_MAX - 1);
		memcpy(m->descr, v, n + 1);
		m->fields |= PCPNL_MF_DESCR;
	} else {
		return ctl_usage("map add: unknown argument \"%s\"", kw);
	}
	return 0;
}

static int map_add(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_map m = { 0 };
	bool handled;
	const char *v;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "prefer-failure")) {
			m.flags |= PCPNAT_MAP_F_PREFER_FAILURE;
			m.fields |= PCPNL_MF_FLAGS;
			continue;
		}
		if (!strcmp(argv[i], "implicit")) {
			m.kind = PCPNAT_KIND_IMPLICIT;
			m.fields |= PCPNL_MF_KIND;
			continue;
		}
		if (!(v = ctl_value(argc, argv, i)))
			return EXIT_USAGE;
		rc = parse_key(&m, argv[i], v, true, &handled);
		if (rc)
			return rc;
		if (!handled && (rc = parse_add_opt(&m, argv[i], v)))
			return rc;
		i++;
	}
	if ((m.fields & PCPNL_MF_INT_KEY) != PCPNL_MF_INT_KEY)
		return ctl_usage("map add: needs proto and int A:P");
	if (!(m.fields & PCPNL_MF_LIFETIME)) {
		m.lifetime = PCPCTL_DEFAULT_LIFETIME;
		m.fields |= PCPNL_MF_LIFETIME;
	}
	/*
	 * The operator's own mappings carry the all-zero nonce unless told
	 * otherwise, so that "map del" without a nonce undoes "map add"
	 * without one, while PCP clients' mappings (random nonces) stay
	 * protected unless "force" is given.
	 */
	if (m.kind != PCPNAT_KIND_IMPLICIT)
		m.fields |= PCPNL_MF_NONCE;
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnl_map_add(ctl->client, &m, &m);
	if (rc)
		return ctl_fail(ctl, "map add", rc);
	print_map(ctl, &m);
	return EXIT_OK;
}

static int map_del(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_map m = { 0 };
	bool handled;
	const char *v;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "force")) {
			m.flags |= PCPNAT_MAP_F_FORCE;
			m.fields |= PCPNL_MF_FLAGS;
			continue;
		}
		if (!(v = ctl_value(argc, argv, i)))
			return EXIT_USAGE;
		rc = parse_key(&m, argv[i], v, false, &handled);
		if (rc)
			return rc;
		if (!handled || !strcmp(argv[i], "ext"))
			return ctl_usage("map del: unknown argument \"%s\"", argv[i]);
		i++;
	}
	if ((m.fields & PCPNL_MF_INT_KEY) != PCPNL_MF_INT_KEY)
		return ctl_usage("map del: needs proto and int A:P");
	/* The zero nonce by default: see map_add(). */
	if (!(m.flags & PCPNAT_MAP_F_FORCE))
		m.fields |= PCPNL_MF_NONCE;
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnl_map_del(ctl->client, &m, NULL);
	return rc ? ctl_fail(ctl, "map del", rc) : EXIT_OK;
}

static int map_get(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_map m = { 0 };
	bool handled;
	const char *v;
	int i, rc;

	for (i = 1; i < argc; i += 2) {
		if (!(v = ctl_value(argc, argv, i)))
			return EXIT_USAGE;
		rc = parse_key(&m, argv[i], v, false, &handled);
		if (rc)
			return rc;
		if (!handled || !strcmp(argv[i], "nonce"))
			return ctl_usage("map get: unknown argument \"%s\"", argv[i]);
	}
	if (!(m.fields & PCPNL_MF_PROTO) ||
	    !(m.fields & (PCPNL_MF_INT_ADDR | PCPNL_MF_EXT_ADDR)) ||
	    (m.fields & PCPNL_MF_INT_ADDR && m.fields & PCPNL_MF_EXT_ADDR))
		return ctl_usage("map get: needs proto and either int A:P or ext A:P");
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnl_map_get(ctl->client, &m, &m);
	if (rc)
		return ctl_fail(ctl, "map get", rc);
	print_map(ctl, &m);
	return EXIT_OK;
}

int cmd_map(struct ctl *ctl, int argc, char **argv)
{
	if (argc < 2)
		return ctl_usage("map: add, del or get?");
	if (!strcmp(argv[1], "add"))
		return map_add(ctl, argc - 1, argv + 1);
	if (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))
		return map_del(ctl, argc - 1, argv + 1);
	if (!strcmp(argv[1], "get"))
		return map_get(ctl, argc - 1, argv + 1);
	return ctl_usage("map: unknown subcommand \"%s\"", argv[1]);
}
