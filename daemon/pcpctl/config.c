// SPDX-License-Identifier: GPL-2.0
/* pcpctl config [set ...] */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include "pcpctl/pcpctl.h"

static const char *prefix_str(const struct pcpnat_prefix *p, char *buf,
			      size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

/* The interface name, or "if<N>" when it is not in this namespace. */
static const char *dev_str(uint32_t ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "if%u", ifindex);
	return buf;
}

static json_object *prefixes_json(const struct pcpnat_prefix *p, unsigned int n)
{
	json_object *a = json_object_new_array();
	char buf[32];
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(prefix_str(&p[i], buf, sizeof(buf))));
	return a;
}

static void print_json(const struct pcpnat_config *c)
{
	json_object *o = json_object_new_object();
	char dev[IF_NAMESIZE];

	json_object_object_add(o, "pool", prefixes_json(c->pool, c->npool));
	json_object_object_add(o, "internal", prefixes_json(c->internal, c->nint));
	json_object_object_add(o, "ext_dev", c->ext_ifindex ?
			       json_object_new_string(dev_str(c->ext_ifindex, dev)) : NULL);
	json_object_object_add(o, "port_min", json_object_new_int(c->port_min));
	json_object_object_add(o, "port_max", json_object_new_int(c->port_max));
	json_object_object_add(o, "udp_timeout", json_object_new_int64(c->udp_timeout));
	json_object_object_add(o, "tcp_est_timeout", json_object_new_int64(c->tcp_est_timeout));
	json_object_object_add(o, "tcp_trans_timeout", json_object_new_int64(c->tcp_trans_timeout));
	json_object_object_add(o, "icmp_timeout", json_object_new_int64(c->icmp_timeout));
	json_object_object_add(o, "filtering", json_object_new_string(
		c->filtering == PCPNAT_FILTER_ENDPOINT_INDEPENDENT ? "eif" : "adf"));
	json_object_object_add(o, "quota", json_object_new_int64(c->quota));
	json_object_object_add(o, "max_mappings", json_object_new_int64(c->max_mappings));
	json_object_object_add(o, "all_ports", json_object_new_boolean(c->all_ports));
	json_object_object_add(o, "epoch", json_object_new_int64(c->epoch));
	/* A u64: kept exact, not squeezed through int64. */
	json_object_object_add(o, "state_id", json_object_new_uint64(c->state_id));
	json_object_object_add(o, "mappings", json_object_new_int64(c->mappings));
	json_print(o, true);
}

static void print_list(const char *name, const struct pcpnat_prefix *p,
		       unsigned int n)
{
	char buf[32];
	unsigned int i;

	printf("%-18s", name);
	if (!n)
		printf("none");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", prefix_str(&p[i], buf, sizeof(buf)));
	putchar('\n');
}

static void print_human(const struct pcpnat_config *c)
{
	char dev[IF_NAMESIZE];

	print_list("pool", c->pool, c->npool);
	print_list("internal", c->internal, c->nint);
	printf("%-18s%s\n", "ext-dev", c->ext_ifindex ? dev_str(c->ext_ifindex, dev) : "none");
	printf("%-18s%u-%u\n", "ports", c->port_min, c->port_max);
	printf("%-18s%u\n", "udp-timeout", c->udp_timeout);
	printf("%-18s%u\n", "tcp-est-timeout", c->tcp_est_timeout);
	printf("%-18s%u\n", "tcp-trans-timeout", c->tcp_trans_timeout);
	printf("%-18s%u\n", "icmp-timeout", c->icmp_timeout);
	printf("%-18s%s\n", "filtering",
	       c->filtering == PCPNAT_FILTER_ENDPOINT_INDEPENDENT ? "eif" : "adf");
	printf("%-18s%u\n", "quota", c->quota);
	printf("%-18s%u\n", "max-mappings", c->max_mappings);
	printf("%-18s%s\n", "all-ports", c->all_ports ? "on" : "off");
	printf("%-18s%u\n", "epoch", c->epoch);
	printf("%-18s%llu\n", "state-id", (unsigned long long)c->state_id);
	printf("%-18s%u\n", "mappings", c->mappings);
}

/* The u32 settings: keyword, member, bit. Lower bounds are the module's. */
struct u32_opt {
	const char *kw;
	size_t off;
	uint32_t bit;
};

static const struct u32_opt u32_opts[] = {
	{ "udp-timeout", offsetof(struct pcpnat_config, udp_timeout), PCPNAT_CF_UDP_TIMEOUT },
	{ "tcp-est-timeout", offsetof(struct pcpnat_config, tcp_est_timeout), PCPNAT_CF_TCP_EST_TIMEOUT },
	{ "tcp-trans-timeout", offsetof(struct pcpnat_config, tcp_trans_timeout), PCPNAT_CF_TCP_TRANS_TIMEOUT },
	{ "icmp-timeout", offsetof(struct pcpnat_config, icmp_timeout), PCPNAT_CF_ICMP_TIMEOUT },
	{ "quota", offsetof(struct pcpnat_config, quota), PCPNAT_CF_QUOTA },
	{ "max-mappings", offsetof(struct pcpnat_config, max_mappings), PCPNAT_CF_MAX_MAPPINGS },
};

static int parse_one(struct pcpnat_config *cfg, const char *kw, const char *v)
{
	size_t i;
	int rc;

	for (i = 0; i < sizeof(u32_opts) / sizeof(u32_opts[0]); i++) {
		if (strcmp(kw, u32_opts[i].kw))
			continue;
		rc = pcpnat_parse_u32(v, 0, UINT32_MAX,
				      (uint32_t *)((char *)cfg + u32_opts[i].off));
		if (rc)
			return ctl_bad_value(kw, v, rc);
		cfg->fields |= u32_opts[i].bit;
		return 0;
	}
	if (!strcmp(kw, "pool")) {
		rc = pcpnat_parse_prefix_list(v, cfg->pool, PCPNAT_POOL_MAX, &cfg->npool);
		if (rc)
			return ctl_bad_value("pool prefix list", v, rc);
		cfg->fields |= PCPNAT_CF_POOL;
	} else if (!strcmp(kw, "internal")) {
		rc = pcpnat_parse_prefix_list(v, cfg->internal, PCPNAT_INTERNAL_MAX,
					      &cfg->nint);
		if (rc)
			return ctl_bad_value("internal prefix list", v, rc);
		cfg->fields |= PCPNAT_CF_INTERNAL;
	} else if (!strcmp(kw, "ext-dev")) {
		if (!strcmp(v, "none"))
			cfg->ext_ifindex = 0;
		else if (!(cfg->ext_ifindex = if_nametoindex(v)))
			return ctl_usage("no interface \"%s\" in this namespace", v);
		cfg->fields |= PCPNAT_CF_EXT_IFINDEX;
	} else if (!strcmp(kw, "ports")) {
		if ((rc = pcpnat_parse_port_range(v, &cfg->port_min, &cfg->port_max)))
			return ctl_bad_value("port range", v, rc);
		cfg->fields |= PCPNAT_CF_PORT_MIN | PCPNAT_CF_PORT_MAX;
	} else if (!strcmp(kw, "filtering")) {
		if (!strcmp(v, "eif"))
			cfg->filtering = PCPNAT_FILTER_ENDPOINT_INDEPENDENT;
		else if (!strcmp(v, "adf"))
			cfg->filtering = PCPNAT_FILTER_ADDRESS_DEPENDENT;
		else
			return ctl_usage("invalid filtering \"%s\" (eif or adf)", v);
		cfg->fields |= PCPNAT_CF_FILTERING;
	} else if (!strcmp(kw, "all-ports")) {
		if (!strcmp(v, "on"))
			cfg->all_ports = true;
		else if (!strcmp(v, "off"))
			cfg->all_ports = false;
		else
			return ctl_usage("invalid all-ports \"%s\" (on or off)", v);
		cfg->fields |= PCPNAT_CF_ALL_PORTS;
	} else {
		return ctl_usage("unknown config setting \"%s\"", kw);
	}
	return 0;
}

static int config_set(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnat_config cfg = { 0 };
	const char *v;
	int i, rc;

	if (argc < 2)
		return ctl_usage("config set: nothing to set");
	for (i = 1; i < argc; i += 2) {
		v = ctl_value(argc, argv, i);
		if (!v)
			return EXIT_USAGE;
		rc = parse_one(&cfg, argv[i], v);
		if (rc)
			return rc;
	}
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnat_config_set(ctl->client, &cfg);
	if (rc)
		return ctl_fail(ctl, "config set", rc);
	/* Applied, but the module has something to say (a port range clash). */
	if (*pcpnat_client_warning(ctl->client))
		fprintf(stderr, "pcpctl: warning: config set: %s\n",
			pcpnat_client_warning(ctl->client));
	return EXIT_OK;
}

int cmd_config(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnat_config cfg;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "set"))
		return config_set(ctl, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "show"))
		return ctl_usage("config: unknown argument \"%s\"", argv[1]);
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnat_config_get(ctl->client, &cfg);
	if (rc)
		return ctl_fail(ctl, "config", rc);
	if (ctl->json)
		print_json(&cfg);
	else
		print_human(&cfg);
	return EXIT_OK;
}
