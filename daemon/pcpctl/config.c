// SPDX-License-Identifier: GPL-2.0
/* pcpctl config [set ...] */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include "lib/config_keys.h"
#include "pcpctl/pcpctl.h"

static const char *prefix_str(const struct pcpnl_prefix *p, char *buf,
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

static json_object *prefixes_json(const struct pcpnl_prefix *p, unsigned int n)
{
	json_object *a = json_object_new_array();
	char buf[32];
	unsigned int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(prefix_str(&p[i], buf, sizeof(buf))));
	return a;
}

/* A member of cfg that a U32 or PREFIXES key describes. */
#define MEMBER_AT(cfg, k, off)	((const void *)((const char *)(cfg) + (k)->off))

static json_object *value_json(const struct pcpnl_config_key *k,
			       const struct pcpnl_config *c)
{
	char dev[IF_NAMESIZE];

	switch (k->kind) {
	case PCPNL_KEY_PREFIXES:
		return prefixes_json(MEMBER_AT(c, k, off),
				     *(const unsigned int *)MEMBER_AT(c, k, count_off));
	case PCPNL_KEY_IFNAME:
		return c->ext_ifindex ?
			json_object_new_string(dev_str(c->ext_ifindex, dev)) : NULL;
	case PCPNL_KEY_U32:
		return json_object_new_int64(*(const uint32_t *)MEMBER_AT(c, k, off));
	case PCPNL_KEY_FILTERING:
		return json_object_new_string(
			c->filtering == PCPNAT_FILTER_ENDPOINT_INDEPENDENT ? "eif" : "adf");
	case PCPNL_KEY_BOOL:
		return json_object_new_boolean(c->all_ports);
	case PCPNL_KEY_ROLE:
		return json_object_new_string(c->standby ? "standby" : "active");
	case PCPNL_KEY_PORTS:
		break;		/* two members: see print_json() */
	}
	return NULL;
}

/* The settings under pcpd.conf's keys (ports as port_min and port_max). */
static void print_json(const struct pcpnl_config *c)
{
	json_object *o = json_object_new_object();
	const struct pcpnl_config_key *k;
	size_t i;

	for (i = 0; i < pcpnl_config_nkeys; i++) {
		k = &pcpnl_config_keys[i];
		if (k->kind == PCPNL_KEY_PORTS) {
			json_object_object_add(o, "port_min", json_object_new_int(c->port_min));
			json_object_object_add(o, "port_max", json_object_new_int(c->port_max));
		} else {
			json_object_object_add(o, k->conf, value_json(k, c));
		}
	}
	json_object_object_add(o, "epoch", json_object_new_int64(c->epoch));
	/* A u64: kept exact, not squeezed through int64. */
	json_object_object_add(o, "state_id", json_object_new_uint64(c->state_id));
	json_object_object_add(o, "mappings", json_object_new_int64(c->mappings));
	json_print(o, true);
}

static void print_list(const struct pcpnl_prefix *p, unsigned int n)
{
	char buf[32];
	unsigned int i;

	if (!n)
		printf("none");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", prefix_str(&p[i], buf, sizeof(buf)));
}

static void print_value(const struct pcpnl_config_key *k,
			const struct pcpnl_config *c)
{
	char dev[IF_NAMESIZE];

	switch (k->kind) {
	case PCPNL_KEY_PREFIXES:
		print_list(MEMBER_AT(c, k, off),
			   *(const unsigned int *)MEMBER_AT(c, k, count_off));
		break;
	case PCPNL_KEY_IFNAME:
		printf("%s", c->ext_ifindex ? dev_str(c->ext_ifindex, dev) : "none");
		break;
	case PCPNL_KEY_PORTS:
		printf("%u-%u", c->port_min, c->port_max);
		break;
	case PCPNL_KEY_U32:
		printf("%u", *(const uint32_t *)MEMBER_AT(c, k, off));
		break;
	case PCPNL_KEY_FILTERING:
		printf("%s", c->filtering == PCPNAT_FILTER_ENDPOINT_INDEPENDENT ?
		       "eif" : "adf");
		break;
	case PCPNL_KEY_BOOL:
		printf("%s", c->all_ports ? "on" : "off");
		break;
	case PCPNL_KEY_ROLE:
		printf("%s", c->standby ? "standby" : "active");
		break;
	}
}

/* One setting a line, under the words `pcpctl config set` takes. */
static void print_human(const struct pcpnl_config *c)
{
	size_t i;

	for (i = 0; i < pcpnl_config_nkeys; i++) {
		printf("%-18s", pcpnl_config_keys[i].word);
		print_value(&pcpnl_config_keys[i], c);
		putchar('\n');
	}
	printf("%-18s%u\n", "epoch", c->epoch);
	printf("%-18s%llu\n", "state-id", (unsigned long long)c->state_id);
	printf("%-18s%u\n", "mappings", c->mappings);
}

/*
 * One WORD VALUE pair. The module's bounds are left to the module: its
 * extack names the setting and the bound (lib/nl_extack.c), and only what
 * is not of the form is refused here.
 */
static int parse_one(struct pcpnl_config *cfg, const char *kw, const char *v)
{
	const struct pcpnl_config_key *k = pcpnl_config_key_find(kw);
	char name[IF_NAMESIZE], syntax[64];
	int rc;

	if (!k)
		return ctl_usage("unknown config setting \"%s\"", kw);
	rc = pcpnl_config_key_parse(k, v, 0, cfg, name);
	if (rc)
		return ctl_usage("invalid %s \"%s\"%s (%s)", k->word, v,
				 rc == -ERANGE ? ": out of range" : "",
				 pcpnl_config_key_syntax(k, syntax, sizeof(syntax)));
	if (k->kind == PCPNL_KEY_IFNAME && !*name)
		cfg->ext_ifindex = 0;
	else if (k->kind == PCPNL_KEY_IFNAME &&
		 !(cfg->ext_ifindex = if_nametoindex(name)))
		return ctl_usage("no interface \"%s\" in this namespace", name);
	return 0;
}

static int config_set(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_config cfg = { 0 };
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
	rc = pcpnl_config_set(ctl->client, &cfg);
	if (rc)
		return ctl_fail(ctl, "config set", rc);
	/* Applied, but the module has something to say (a port range clash). */
	if (*pcpnl_client_warning(ctl->client))
		fprintf(stderr, "pcpctl: warning: config set: %s\n",
			pcpnl_client_warning(ctl->client));
	return EXIT_OK;
}

int cmd_config(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_config cfg;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "set"))
		return config_set(ctl, argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "show"))
		return ctl_usage("config: unknown argument \"%s\"", argv[1]);
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnl_config_get(ctl->client, &cfg);
	if (rc)
		return ctl_fail(ctl, "config", rc);
	if (ctl->json)
		print_json(&cfg);
	else
		print_human(&cfg);
	return EXIT_OK;
}
