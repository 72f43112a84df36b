// SPDX-License-Identifier: GPL-2.0
/*
 * The one table of the module's settings (lib/config_keys.c): every
 * attribute CONFIG_SET takes has exactly one setting, its two spellings
 * follow one rule, its bounds are the uapi's, and the module's extack is
 * named with the same word pcpctl takes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "lib/config_keys.h"
#include "lib/nl_internal.h"

static const struct pcpnl_config_key *key(const char *name)
{
	return pcpnl_config_key_find(name);
}

TEST(every_settable_attribute_once)
{
	uint16_t a;
	size_t i, n;

	for (a = PCPNAT_CFG_A_EXT_POOL; a <= PCPNAT_CFG_A_ALLOW_ALL_PORTS; a++) {
		for (i = 0, n = 0; i < pcpnl_config_nkeys; i++)
			n += pcpnl_config_keys[i].attr == a ||
			     pcpnl_config_keys[i].attr2 == a;
		EXPECT_EQ(1u, n) {
			TH_LOG("attribute %u is named by %zu settings", a, n);
		}
		EXPECT_NE(NULL, pcpnl_config_key_by_attr(a));
	}
	/* Read-only or no attribute: no setting. */
	EXPECT_EQ(NULL, pcpnl_config_key_by_attr(0));
	EXPECT_EQ(NULL, pcpnl_config_key_by_attr(PCPNAT_CFG_A_EPOCH));
	EXPECT_EQ(NULL, pcpnl_config_key_by_attr(PCPNAT_CFG_A_STATE_ID));
	EXPECT_EQ(NULL, pcpnl_config_key_by_attr(PCPNAT_CFG_A_MAPPINGS));
	EXPECT_STREQ("ports", pcpnl_config_key_by_attr(PCPNAT_CFG_A_PORT_MAX)->word);
	EXPECT_STREQ("role", pcpnl_config_key_by_attr(PCPNAT_CFG_A_STANDBY)->word);
}

/* pcpctl sets the role; pcpd.conf's [nat] may not (keepalived does). */
TEST(role_is_pcpctls)
{
	const struct pcpnl_config_key *k = pcpnl_config_key_find("role");
	struct pcpnl_config c = { 0 };
	char ifname[IF_NAMESIZE];

	ASSERT_NE(NULL, k);
	EXPECT_EQ(NULL, pcpnl_config_key_conf("role"));
	EXPECT_EQ(pcpnl_config_key_find("udp_timeout"),
		  pcpnl_config_key_conf("udp_timeout"));
	EXPECT_EQ(0, pcpnl_config_key_parse(k, "standby", 0, &c, ifname));
	EXPECT_TRUE(c.standby);
	EXPECT_EQ((uint32_t)PCPNL_CF_STANDBY, c.fields);
	EXPECT_EQ(0, pcpnl_config_key_parse(k, "active", 0, &c, ifname));
	EXPECT_FALSE(c.standby);
	EXPECT_EQ(-EINVAL, pcpnl_config_key_parse(k, "on", 0, &c, ifname));
}

TEST(one_spelling_rule)
{
	const struct pcpnl_config_key *k;
	char dashed[32];
	size_t i, j;

	for (i = 0; i < pcpnl_config_nkeys; i++) {
		k = &pcpnl_config_keys[i];
		ASSERT_LT(strlen(k->conf), sizeof(dashed));
		for (j = 0; k->conf[j]; j++)
			dashed[j] = k->conf[j] == '_' ? '-' : k->conf[j];
		dashed[j] = '\0';
		EXPECT_STREQ(dashed, k->word);
		EXPECT_EQ(NULL, strchr(k->conf, '-'));
		EXPECT_EQ(k, key(k->conf));
		EXPECT_EQ(k, key(k->word));
	}
	EXPECT_EQ(key("tcp_est_timeout"), key("tcp-est_timeout"));
	EXPECT_EQ(NULL, key("udp__timeout"));
	EXPECT_EQ(NULL, key("udp_timeout_"));
	EXPECT_EQ(NULL, key("udp"));
	EXPECT_EQ(NULL, key(""));
	EXPECT_EQ(NULL, key("epoch"));		/* read only */
}

/* Strict (pcpd.conf): the uapi's bounds. Lax (pcpctl): any u32. */
TEST(u32_bounds_are_the_uapis)
{
	static const struct {
		const char *name;
		uint32_t min, max;
	} b[] = {
		{ "udp_timeout", PCPNAT_UDP_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX },
		{ "tcp_est_timeout", PCPNAT_TCP_EST_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX },
		{ "tcp_trans_timeout", PCPNAT_TCP_TRANS_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX },
		{ "icmp_timeout", PCPNAT_ICMP_TIMEOUT_MIN, PCPNAT_TIMEOUT_MAX },
		{ "max_mappings", 1, UINT32_MAX },
		{ "quota", 0, UINT32_MAX },
	};
	const struct pcpnl_config_key *k;
	struct pcpnl_config cfg;
	char v[16];
	size_t i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		k = key(b[i].name);
		ASSERT_NE(NULL, k);
		memset(&cfg, 0, sizeof(cfg));
		snprintf(v, sizeof(v), "%u", b[i].min);
		EXPECT_EQ(0, pcpnl_config_key_parse(k, v, PCPNL_KEY_CHECK_BOUNDS,
						     &cfg, NULL));
		EXPECT_EQ(k->fields, cfg.fields);
		snprintf(v, sizeof(v), "%u", b[i].max);
		EXPECT_EQ(0, pcpnl_config_key_parse(k, v, PCPNL_KEY_CHECK_BOUNDS,
						     &cfg, NULL));
		if (b[i].min) {
			snprintf(v, sizeof(v), "%u", b[i].min - 1);
			EXPECT_EQ(-ERANGE, pcpnl_config_key_parse(
				k, v, PCPNL_KEY_CHECK_BOUNDS, &cfg, NULL));
			/* pcpctl sends it: the module's extack says why not. */
			EXPECT_EQ(0, pcpnl_config_key_parse(k, v, 0, &cfg, NULL));
		}
		if (b[i].max != UINT32_MAX) {
			snprintf(v, sizeof(v), "%u", b[i].max + 1);
			EXPECT_EQ(-ERANGE, pcpnl_config_key_parse(
				k, v, PCPNL_KEY_CHECK_BOUNDS, &cfg, NULL));
		}
		EXPECT_EQ(-EINVAL, pcpnl_config_key_parse(k, "12x", 0, &cfg, NULL));
	}
	EXPECT_STREQ("120-604800", pcpnl_config_key_syntax(key("udp-timeout"),
							    v, sizeof(v)));
}

TEST(prefix_lists_add_up)
{
	const struct pcpnl_config_key *pool = key("pool");
	struct pcpnl_config cfg = { 0 };
	char many[PCPNAT_POOL_MAX * 20];
	size_t n = 0;
	int i;

	ASSERT_EQ(0, pcpnl_config_key_parse(pool, "198.51.100.1/32", 0, &cfg, NULL));
	ASSERT_EQ(0, pcpnl_config_key_parse(pool, "198.51.100.2/32,198.51.100.4/31",
					     0, &cfg, NULL));
	EXPECT_EQ(3u, cfg.npool);
	EXPECT_EQ(31u, cfg.pool[2].len);
	EXPECT_EQ((uint32_t)PCPNL_CF_POOL, cfg.fields);
	EXPECT_EQ(0u, cfg.nint);
	ASSERT_EQ(0, pcpnl_config_key_parse(pool, "none", 0, &cfg, NULL));
	EXPECT_EQ(0u, cfg.npool);
	EXPECT_EQ(-ERANGE, pcpnl_config_key_parse(pool, "198.51.100.0/33", 0,
						   &cfg, NULL));
	/* Full, then one more: refused, the list as it was. */
	for (i = 0; i < PCPNAT_POOL_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s10.0.%d.0/24",
				      i ? "," : "", i);
	ASSERT_EQ(0, pcpnl_config_key_parse(pool, many, 0, &cfg, NULL));
	EXPECT_EQ((unsigned int)PCPNAT_POOL_MAX, cfg.npool);
	EXPECT_EQ(-ERANGE, pcpnl_config_key_parse(pool, "10.9.9.0/24", 0, &cfg, NULL));
	EXPECT_EQ((unsigned int)PCPNAT_POOL_MAX, cfg.npool);
}

TEST(other_kinds)
{
	struct pcpnl_config cfg = { 0 };
	char name[IF_NAMESIZE] = "x";

	ASSERT_EQ(0, pcpnl_config_key_parse(key("ext-dev"), "eth0", 0, &cfg, name));
	EXPECT_STREQ("eth0", name);
	ASSERT_EQ(0, pcpnl_config_key_parse(key("ext-dev"), "none", 0, &cfg, name));
	EXPECT_STREQ("", name);
	EXPECT_EQ(-EINVAL, pcpnl_config_key_parse(key("ext-dev"), "a/b", 0, &cfg, name));
	EXPECT_EQ(-EINVAL, pcpnl_config_key_parse(key("ext-dev"), "", 0, &cfg, name));
	EXPECT_EQ(-EINVAL, pcpnl_config_key_parse(key("ext-dev"),
						   "sixteen-chars-xx", 0, &cfg, name));
	ASSERT_EQ(0, pcpnl_config_key_parse(key("ports"), "2000-3000", 0, &cfg, NULL));
	EXPECT_EQ(2000, cfg.port_min);
	EXPECT_EQ(3000, cfg.port_max);
	ASSERT_EQ(0, pcpnl_config_key_parse(key("filtering"), "eif", 0, &cfg, NULL));
	EXPECT_EQ(PCPNAT_FILTER_ENDPOINT_INDEPENDENT, cfg.filtering);
	EXPECT_EQ(-EINVAL, pcpnl_config_key_parse(key("filtering"), "EIF", 0, &cfg, NULL));
	ASSERT_EQ(0, pcpnl_config_key_parse(key("all_ports"), "yes", 0, &cfg, NULL));
	EXPECT_TRUE(cfg.all_ports);
	EXPECT_EQ((uint32_t)(PCPNL_CF_EXT_IFINDEX | PCPNL_CF_PORT_MIN |
			     PCPNL_CF_PORT_MAX | PCPNL_CF_FILTERING |
			     PCPNL_CF_ALL_PORTS), cfg.fields);
}

/*
 * The line pcpctl prints when the module refuses a CONFIG_SET at attribute
 * attr (after a PORT_MIN, so the offset is not that of the nest's start),
 * from a hand-made extack.
 */
static void refusal_text(char *out, size_t len, uint16_t attr)
{
	struct nl_msg *req = nlmsg_alloc(), *ack = nlmsg_alloc();
	struct genlmsghdr *g;
	struct nlmsghdr *h;
	struct nlattr *nest;
	uint32_t off;

	h = nlmsg_put(req, 0, 0, 0x10, GENL_HDRLEN, 0);
	g = nlmsg_data(h);
	g->cmd = PCPNAT_CMD_CONFIG_SET;
	nest = nla_nest_start(req, PCPNAT_A_CONFIG);
	nla_put_u16(req, PCPNAT_CFG_A_PORT_MIN, 3000);
	off = NLMSG_ALIGN(h->nlmsg_len);
	nla_put_u32(req, attr, 1);
	nla_nest_end(req, nest);
	nlmsg_put(ack, 0, 0, NLMSG_ERROR, 0, 0);
	nla_put_string(ack, NLMSGERR_ATTR_MSG, "integer out of range");
	nla_put_u32(ack, NLMSGERR_ATTR_OFFS, off);
	pcpnl_extack_text(out, len, h, nlmsg_attrdata(nlmsg_hdr(ack), 0),
			   nlmsg_attrlen(nlmsg_hdr(ack), 0), -ERANGE);
	nlmsg_free(req);
	nlmsg_free(ack);
}

/* The module's refusals are named with pcpctl's words, from the table. */
TEST(extack_names_the_word)
{
	char out[128];

	refusal_text(out, sizeof(out), PCPNAT_CFG_A_UDP_TIMEOUT);
	EXPECT_STREQ("udp-timeout: integer out of range", out);
	refusal_text(out, sizeof(out), PCPNAT_CFG_A_PORT_MAX);
	EXPECT_STREQ("ports: integer out of range", out);
	refusal_text(out, sizeof(out), PCPNAT_CFG_A_MAX_MAPPINGS);
	EXPECT_STREQ("max-mappings: integer out of range", out);
	refusal_text(out, sizeof(out), PCPNAT_CFG_A_SUBSCRIBER_QUOTA);
	EXPECT_STREQ("quota: integer out of range", out);
	/* Read only: no setting to name. */
	refusal_text(out, sizeof(out), PCPNAT_CFG_A_EPOCH);
	EXPECT_STREQ("integer out of range", out);
}

TEST_HARNESS_MAIN
