// SPDX-License-Identifier: GPL-2.0
/* pcpd.conf parsing (pcpd/conf.c): values, defaults, and every refusal. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pcpd/conf.h"
#include "pcpd/ratelimit.h"
#include "pcpd/sync_key.h"
#include <sys/stat.h>

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

TEST(full_file)
{
	struct pcpd_conf c;
	char err[256] = "";

	ASSERT_EQ(0, pcpd_conf_parse_string(
		"# comment\n"
		"[pcpd]\n"
		"listen = 10.0.1.1, 10.0.2.1\n"
		"nonce = strict\n"
		"lifetime_min = 60\n"
		"lifetime_max = 7200\n"
		"error_lifetime_short = 10\n"
		"error_lifetime_long = 600\n"
		"third_party = 10.0.0.0/8\n"
		"max_filters = 2\n"
		"natpmp = off\n"
		"announce_interfaces = br-int eth1\n"
		"state_file = /run/pcpd.state\n"
		"rate_limit = 50\n"
		"rate_limit_total = 0\n"
		"events_buffer = 65536\n"
		"user = pcpd\n"
		"[nat]\n"
		"pool = 198.51.100.0/30\n"
		"internal = 10.0.0.0/8\n"
		"ext_dev = eth0\n"
		"ports = 2000-3000\n"
		"filtering = eif\n"
		"quota = 100\n"
		"all_ports = on\n", &c, err, sizeof(err)));
	EXPECT_STREQ("", err);
	EXPECT_EQ(2u, c.nlisten);
	EXPECT_EQ(ip("10.0.2.1"), c.listen[1]);
	EXPECT_TRUE(c.pol.nonce_strict);
	EXPECT_EQ(60u, c.pol.lifetime_min);
	EXPECT_EQ(7200u, c.pol.lifetime_max);
	EXPECT_EQ(10u, c.pol.err_lifetime_short);
	EXPECT_EQ(600u, c.pol.err_lifetime_long);
	EXPECT_EQ(1u, c.pol.n_third_party);
	EXPECT_EQ(8u, c.pol.third_party[0].plen);
	EXPECT_EQ(2u, c.pol.max_filters);
	EXPECT_FALSE(c.natpmp);
	EXPECT_EQ(2u, c.nannounce);
	EXPECT_STREQ("eth1", c.announce_if[1]);
	EXPECT_STREQ("/run/pcpd.state", c.state_file);
	EXPECT_EQ(50u, c.rate_limit);
	EXPECT_EQ(0u, c.rate_limit_total);
	EXPECT_EQ(65536u, c.events_buffer);
	EXPECT_STREQ("pcpd", c.user);
	EXPECT_EQ(1u, c.nat.npool);
	EXPECT_EQ(30u, c.nat.pool[0].len);
	EXPECT_STREQ("eth0", c.ext_dev);
	EXPECT_EQ(2000u, c.nat.port_min);
	EXPECT_EQ(3000u, c.nat.port_max);
	EXPECT_EQ((uint8_t)PCPNAT_FILTER_ENDPOINT_INDEPENDENT, c.nat.filtering);
	EXPECT_TRUE(c.nat.all_ports);
	EXPECT_TRUE(!!(c.nat.fields & PCPNL_CF_EXT_IFINDEX));
	EXPECT_FALSE(!!(c.nat.fields & PCPNL_CF_UDP_TIMEOUT));
}

TEST(defaults)
{
	struct pcpd_conf c;
	char err[256];

	ASSERT_EQ(0, pcpd_conf_parse_string("[pcpd]\nlisten = 10.0.0.1\n", &c,
					    err, sizeof(err)));
	/* Relaxed: draft-boucadair-pcp-flow-examples 2.8. */
	EXPECT_FALSE(c.pol.nonce_strict);
	EXPECT_TRUE(c.natpmp);
	EXPECT_TRUE(c.announce);
	EXPECT_EQ(0u, c.pol.n_third_party);	/* THIRD_PARTY off */
	EXPECT_STREQ(PCPD_DEFAULT_STATE, c.state_file);
	EXPECT_STREQ("", c.user);			/* keeps its user */
	EXPECT_EQ((uint32_t)PCPD_RATE_LIMIT_DEFAULT, c.rate_limit);
	EXPECT_EQ((uint32_t)PCPD_RATE_LIMIT_TOTAL_DEFAULT, c.rate_limit_total);
	EXPECT_EQ(0u, c.events_buffer);
	EXPECT_EQ(0u, c.nat.fields);		/* nothing pushed */
}

static void refused(struct __test_metadata *_metadata, const char *text,
		    const char *msg)
{
	struct pcpd_conf c;
	char err[256] = "";

	EXPECT_EQ(-1, pcpd_conf_parse_string(text, &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, msg)) {
		TH_LOG("'%s' lacks '%s'", err, msg);
	}
}

TEST(refusals)
{
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\nnonce = sloppy\n",
		"line 3: bad value for nonce");
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\nfoo = 1\n",
		"line 3: unknown key 'foo'");
	refused(_metadata, "[other]\nx = 1\n", "unknown section [other]");
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.256\n", "line 2");
	refused(_metadata, "[pcpd]\nlisten = 0.0.0.0\n", "line 2");
	refused(_metadata, "[pcpd]\nnonce = strict\n", "no internal address");
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\nlifetime_min = 10\n"
		"lifetime_max = 5\n", "lifetime_min is above");
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\nmax_filters = 9\n",
		"max_filters");
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\n[nat]\nudp_timeout = 5\n",
		"line 4");
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\n[nat]\nports = 9-2\n",
		"ports");
	/* The role is keepalived's, through [sync]: not a [nat] setting. */
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\n[nat]\nrole = standby\n",
		"unknown key 'role'");
	refused(_metadata, "[pcpd]\nlisten = 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 "
		"5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 9.9.9.9\n", "line 2");
	refused(_metadata, "[pcpd]\nlisten 10.0.0.1\n", "line 2: syntax");
}

TEST(missing_file)
{
	struct pcpd_conf c;
	char err[256] = "";

	EXPECT_EQ(-1, pcpd_conf_load("/nonexistent/pcpd.conf", &c, err,
				     sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "cannot read"));
}

/*
 * A list key may be repeated, and libinih hands an indented continuation
 * line to the handler as a repeat: every occurrence adds to the list.
 */
TEST(lists_append)
{
	struct pcpd_conf c;
	char err[256] = "";

	ASSERT_EQ(0, pcpd_conf_parse_string(
		"[pcpd]\n"
		"listen = 10.0.0.1\n"
		"  10.0.0.2, 10.0.0.3\n"
		"listen = 10.0.0.4\n"
		"third_party = 10.1.0.0/16\n"
		"    10.2.0.0/16\n"
		"third_party = 10.3.0.0/16\n"
		"announce_interfaces = br0\n"
		"  br1\n"
		"[nat]\n"
		"pool = 198.51.100.1/32\n"
		"  198.51.100.2/32\n"
		"pool = 198.51.100.3/32\n"
		"internal = 10.0.0.0/8\n"
		"internal = 172.16.0.0/12\n", &c, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	ASSERT_EQ(4u, c.nlisten);
	EXPECT_EQ(ip("10.0.0.1"), c.listen[0]);
	EXPECT_EQ(ip("10.0.0.2"), c.listen[1]);
	EXPECT_EQ(ip("10.0.0.3"), c.listen[2]);
	EXPECT_EQ(ip("10.0.0.4"), c.listen[3]);
	ASSERT_EQ(3u, c.pol.n_third_party);
	EXPECT_EQ(ip("10.1.0.0"), c.pol.third_party[0].addr);
	EXPECT_EQ(ip("10.2.0.0"), c.pol.third_party[1].addr);
	EXPECT_EQ(ip("10.3.0.0"), c.pol.third_party[2].addr);
	ASSERT_EQ(2u, c.nannounce);
	EXPECT_STREQ("br0", c.announce_if[0]);
	EXPECT_STREQ("br1", c.announce_if[1]);
	ASSERT_EQ(3u, c.nat.npool);
	EXPECT_EQ(ip("198.51.100.3"), c.nat.pool[2].addr.s_addr);
	EXPECT_EQ(2u, c.nat.nint);

	/* Appending cannot pass the limit: the ninth address is refused. */
	refused(_metadata, "[pcpd]\nlisten = 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4\n"
		"listen = 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8\n  9.9.9.9\n",
		"line 4");
}

/*
 * libinih (Debian's, 200-byte lines, fixed at its build) would cut a long
 * line and report a wrong "bad value": a line too long is named as such.
 */
TEST(long_line_named)
{
	char text[600], path[] = "/tmp/pcpd-conf-XXXXXX";
	struct pcpd_conf c;
	char err[256] = "";
	size_t n;
	FILE *f;
	int fd;

	n = (size_t)snprintf(text, sizeof(text), "[pcpd]\nlisten = 10.0.0.1\n"
			     "third_party = ");
	while (n < 400)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "10.%zu.0.0/16, ", n % 250);
	snprintf(text + n, sizeof(text) - n, "10.9.0.0/16\nnonce = strict\n");
	EXPECT_EQ(-1, pcpd_conf_parse_string(text, &c, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 3: longer than")) {
		TH_LOG("'%s'", err);
	}

	/* The same from a file. */
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	ASSERT_NE(NULL, f);
	fputs(text, f);
	fclose(f);
	err[0] = 0;
	EXPECT_EQ(-1, pcpd_conf_load(path, &c, err, sizeof(err)));
	unlink(path);
	EXPECT_NE(NULL, strstr(err, "line 3: longer than")) {
		TH_LOG("'%s'", err);
	}

	/* A line just within the limit still parses. */
	memset(text, 0, sizeof(text));
	n = (size_t)snprintf(text, sizeof(text), "[pcpd]\nlisten = 10.0.0.1");
	while (n < 7 + 190)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " 10.0.0.1");
	snprintf(text + n, sizeof(text) - n, "\n");
	/* Nine times the same address is over the listen limit, not long. */
	EXPECT_EQ(-1, pcpd_conf_parse_string(text, &c, err, sizeof(err)));
	EXPECT_EQ(NULL, strstr(err, "longer than")) {
		TH_LOG("'%s'", err);
	}
}

/*
 * [nat] values are checked against the module's bounds (the uapi's
 * PCPNAT_*_MIN and PCPNAT_TIMEOUT_MAX), so `pcpd -n` refuses what
 * CONFIG_SET would, instead of pcpd starting and its push failing.
 */
TEST(nat_bounds_are_the_modules)
{
	static const struct {
		const char *line;
		bool ok;
	} cases[] = {
		{ "udp_timeout = 119", false },
		{ "udp_timeout = 120", true },
		{ "udp_timeout = 604800", true },
		{ "udp_timeout = 604801", false },
		{ "tcp_est_timeout = 7439", false },
		{ "tcp_est_timeout = 604801", false },
		{ "tcp_trans_timeout = 239", false },
		{ "tcp_trans_timeout = 604801", false },
		{ "icmp_timeout = 59", false },
		{ "icmp_timeout = 604801", false },
		{ "max_mappings = 0", false },
		{ "max_mappings = 1", true },
		{ "quota = 0", true },
		{ "filtering = xyz", false },
		{ "all_ports = yes", true },
		{ "all_ports = maybe", false },
		{ "ext_dev = a/b", false },
	};
	struct pcpd_conf c;
	char text[128], err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[pcpd]\nlisten = 10.0.0.1\n"
			 "[nat]\n%s\n", cases[i].line);
		err[0] = 0;
		EXPECT_EQ(cases[i].ok ? 0 : -1,
			  pcpd_conf_parse_string(text, &c, err, sizeof(err))) {
			TH_LOG("'%s': '%s'", cases[i].line, err);
		}
		if (!cases[i].ok)
			EXPECT_NE(NULL, strstr(err, "line 4: bad value for "));
	}
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\n[nat]\n"
		"udp_timeout = 604801\n", "(120-604800)");
}

/*
 * pcpd.conf documents "ext_dev", pcpctl "ext-dev": each takes the other's
 * spelling, so an admin who copies a pcpctl word is not refused.
 */
TEST(nat_keys_take_pcpctl_spelling)
{
	struct pcpd_conf c;
	char err[256] = "";

	ASSERT_EQ(0, pcpd_conf_parse_string(
		"[pcpd]\nlisten = 10.0.0.1\n[nat]\n"
		"ext-dev = eth0\n"
		"udp-timeout = 300\n"
		"tcp_est_timeout = 7500\n"
		"max-mappings = 1000\n"
		"all-ports = off\n", &c, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_STREQ("eth0", c.ext_dev);
	EXPECT_EQ(300u, c.nat.udp_timeout);
	EXPECT_EQ(7500u, c.nat.tcp_est_timeout);
	EXPECT_EQ(1000u, c.nat.max_mappings);
	EXPECT_EQ((uint32_t)(PCPNL_CF_EXT_IFINDEX | PCPNL_CF_UDP_TIMEOUT |
			     PCPNL_CF_TCP_EST_TIMEOUT | PCPNL_CF_MAX_MAPPINGS |
			     PCPNL_CF_ALL_PORTS), c.nat.fields);
	/* Still one setting: no near-miss is taken. */
	refused(_metadata, "[pcpd]\nlisten = 10.0.0.1\n[nat]\nudp__timeout = 300\n",
		"line 4: unknown key 'udp__timeout'");
}

/* Without [sync] nothing of replication is enabled (pcpd as before). */
TEST(sync_absent)
{
	struct pcpd_conf c;
	char err[256] = "";

	ASSERT_EQ(0, pcpd_conf_parse_string("[pcpd]\nlisten = 10.0.0.1\n", &c,
					    err, sizeof(err)));
	EXPECT_FALSE(c.sync.enabled);
	EXPECT_EQ(0u, c.sync.peer_addr);
	EXPECT_EQ(0u, c.sync.listen_addr);
}

TEST(sync_section)
{
	struct pcpd_conf c;
	char err[256] = "";

	ASSERT_EQ(0, pcpd_conf_parse_string(
		"[pcpd]\nlisten = 10.0.0.1\n[sync]\n"
		"listen = 192.168.9.1:6000\npeer = 192.168.9.2\n"
		"node_id = 1\npeer_node_id = 2\n"
		"key_file = /etc/pcpd/sync.key\ninterval = 250\nmtu = 1400\n"
		"role_file = /run/k/role\nqueue = 65536\n",
		&c, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_TRUE(c.sync.enabled);
	EXPECT_EQ(ip("192.168.9.1"), c.sync.listen_addr);
	EXPECT_EQ(6000, c.sync.listen_port);
	EXPECT_EQ(ip("192.168.9.2"), c.sync.peer_addr);
	EXPECT_EQ(PCPD_SYNC_PORT, c.sync.peer_port);	/* default port */
	EXPECT_EQ(1u, c.sync.node_id);
	EXPECT_EQ(2u, c.sync.peer_node_id);
	EXPECT_STREQ("/etc/pcpd/sync.key", c.sync.key_file);
	EXPECT_STREQ("/run/k/role", c.sync.role_file);
	EXPECT_EQ(250u, c.sync.interval_ms);
	EXPECT_EQ(1400u, c.sync.mtu);
	EXPECT_EQ(65536u, c.sync.queue);
}

#define SYNC_BASE "[pcpd]\nlisten = 10.0.0.1\n[sync]\n"
#define SYNC_OK SYNC_BASE "listen = 10.9.0.1\npeer = 10.9.0.2\n" \
	"node_id = 1\npeer_node_id = 2\nkey_file = /k\n"

TEST(sync_refusals)
{
	struct pcpd_conf c;
	char err[256] = "";

	ASSERT_EQ(0, pcpd_conf_parse_string(SYNC_OK, &c, err, sizeof(err)));
	EXPECT_EQ((uint32_t)PCPD_SYNC_INTERVAL_MS, c.sync.interval_ms);
	EXPECT_STREQ(PCPD_SYNC_ROLE_FILE, c.sync.role_file);
	EXPECT_EQ((uint32_t)PCPD_SYNC_QUEUE_DEFAULT, c.sync.queue);
	refused(_metadata, SYNC_BASE "peer = 10.9.0.2\n", "[sync] listen: missing");
	refused(_metadata, SYNC_BASE "listen = 10.9.0.1\n", "[sync] peer: missing");
	refused(_metadata, SYNC_BASE "listen = 10.9.0.1\npeer = 10.9.0.2\n"
		"node_id = 1\npeer_node_id = 2\n", "[sync] key_file: missing");
	refused(_metadata, SYNC_BASE "listen = 10.9.0.1\npeer = 10.9.0.2\n"
		"peer_node_id = 2\nkey_file = /k\n", "[sync] node_id: missing");
	refused(_metadata, SYNC_OK "peer_node_id = 1\n", "are equal");
	refused(_metadata, SYNC_OK "node_id = 0\n", "bad value for node_id");
	refused(_metadata, SYNC_OK "peer = 0.0.0.0:5352\n", "bad value for peer");
	refused(_metadata, SYNC_OK "peer = 10.9.0.2:0\n", "bad value for peer");
	refused(_metadata, SYNC_OK "listen = 10.9.0.1:x\n", "bad value for listen");
	refused(_metadata, SYNC_OK "interval = 5\n", "bad value for interval");
	refused(_metadata, SYNC_OK "mtu = 335\n", "bad value for mtu");
	refused(_metadata, SYNC_OK "mtu = 8193\n", "bad value for mtu");
	refused(_metadata, SYNC_OK "key_file = relative.key\n",
		"bad value for key_file");
	refused(_metadata, SYNC_OK "queue = 2047\n", "bad value for queue");
	refused(_metadata, SYNC_OK "queue = 1048577\n", "bad value for queue");
	refused(_metadata, SYNC_OK "role_file = run/role\n",
		"bad value for role_file");
	refused(_metadata, SYNC_OK "secret = 1\n", "unknown key 'secret' in [sync]");
}

static void key_file(struct __test_metadata *_metadata, char *path,
		     const char *text, mode_t mode)
{
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	ASSERT_EQ(0, fchmod(fd, mode));
	close(fd);
}

#define HEX64 "000102030405060708090a0b0c0d0e0f" \
	      "101112131415161718191A1B1C1D1E1F"

TEST(sync_key_file)
{
	static const struct { const char *text; mode_t mode; const char *msg; }
	cases[] = {
		{ HEX64 "\n", 0600, NULL },
		{ "  " HEX64 "  \n\n", 0640, NULL },
		{ HEX64 "\n", 0644, "others may read" },
		{ HEX64 "\n", 0604, "others may read" },
		{ HEX64 "\n", 0620, "others may read" },	/* group writes */
		{ HEX64 "00\n", 0600, "not 64 hex digits" },
		{ "00" "\n", 0600, "not 64 hex digits" },
		{ "g0" HEX64 "\n", 0600, "not 64 hex digits" },
		{ "", 0600, "not 64 hex digits" },
	};
	uint8_t key[PCPD_SYNC_KEY_LEN];
	char err[256], path[64];
	unsigned int i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "/tmp/pcpd-key-XXXXXX");
		key_file(_metadata, path, cases[i].text, cases[i].mode);
		err[0] = 0;
		memset(key, 0xee, sizeof(key));
		if (!cases[i].msg) {
			EXPECT_EQ(0, pcpd_sync_key_load(path, key, err,
							sizeof(err))) {
				TH_LOG("case %u: %s", i, err);
			}
			for (j = 0; j < PCPD_SYNC_KEY_LEN; j++)
				EXPECT_EQ(j, key[j]);
		} else {
			EXPECT_EQ(-1, pcpd_sync_key_load(path, key, err,
							 sizeof(err)));
			EXPECT_NE(NULL, strstr(err, cases[i].msg)) {
				TH_LOG("case %u: '%s'", i, err);
			}
		}
		unlink(path);
	}
	EXPECT_EQ(-1, pcpd_sync_key_load("/nonexistent/key", key, err,
					 sizeof(err)));
}

TEST_HARNESS_MAIN
