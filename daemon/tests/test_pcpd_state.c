// SPDX-License-Identifier: GPL-2.0
/*
 * Stable storage (pcpd/state_file.c) and the epoch rules (pcpd/backend_nl.c):
 * round trip, atomic save, every corruption refused and set aside, and
 * per-subscriber and restored epochs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pcpd/backend_nl.h"
#include "pcpd/state_file.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void sample(struct pcpd_state *s)
{
	struct pcpd_mapping m = {
		.proto = 17, .int_addr = ip("10.0.1.2"), .int_port = 7000,
		.ext_addr = ip("198.51.100.1"), .ext_port = 17000,
		.kind = PCPNAT_KIND_EXPLICIT, .subscriber = ip("10.0.1.2"),
		.nfilters = 2,
		.filters = { { ip("192.0.2.0"), 24, 0 },
			     { ip("203.0.113.7"), 32, 5000 } },
		.descr = "game server, with spaces",
	};
	unsigned int i;

	pcpd_state_init(s);
	s->state_id = 0x1234abcd5678ef00ull;
	s->origin = 1700000000;
	s->nresets = 1;
	s->resets[0].subscriber = ip("10.0.1.3");
	s->resets[0].at = 1700000100;
	for (i = 0; i < PCPNAT_NONCE_LEN; i++)
		m.nonce[i] = i * 17;
	pcpd_state_add(s, &m, 1700003600);
	m.proto = 6;
	m.nfilters = 0;
	memset(m.filters, 0, sizeof(m.filters));
	memset(m.descr, 0, sizeof(m.descr));
	pcpd_state_add(s, &m, 1700007200);
}

TEST(round_trip)
{
	struct pcpd_state a, b;
	char *buf, err[128] = "";
	size_t len;

	sample(&a);
	ASSERT_EQ(0, pcpd_state_format(&a, &buf, &len));
	pcpd_state_init(&b);
	ASSERT_EQ(0, pcpd_state_parse(buf, len, &b, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(a.state_id, b.state_id);
	EXPECT_EQ(a.origin, b.origin);
	EXPECT_EQ(1u, b.nresets);
	EXPECT_EQ(a.resets[0].subscriber, b.resets[0].subscriber);
	EXPECT_EQ(a.resets[0].at, b.resets[0].at);
	ASSERT_EQ(2u, b.nmaps);
	EXPECT_EQ(0, memcmp(&a.maps[0].m, &b.maps[0].m, sizeof(a.maps[0].m)));
	EXPECT_EQ(0, memcmp(&a.maps[1].m, &b.maps[1].m, sizeof(a.maps[1].m)));
	EXPECT_EQ(a.maps[1].expires, b.maps[1].expires);
	free(buf);
	pcpd_state_free(&a);
	pcpd_state_free(&b);
}

/* Every truncation and every single-byte change is caught. */
TEST(corruption_never_trusted)
{
	struct pcpd_state a, b;
	char *buf, err[128];
	size_t len, i;

	sample(&a);
	ASSERT_EQ(0, pcpd_state_format(&a, &buf, &len));
	pcpd_state_init(&b);
	for (i = 0; i < len; i++)
		EXPECT_EQ(-EBADMSG, pcpd_state_parse(buf, i, &b, err,
						     sizeof(err)));
	for (i = 0; i < len; i++) {
		char saved = buf[i];

		buf[i] = buf[i] == '1' ? '2' : '1';
		if (buf[i] != saved)
			EXPECT_EQ(-EBADMSG, pcpd_state_parse(buf, len, &b, err,
							     sizeof(err))) {
				TH_LOG("byte %zu accepted", i);
			}
		buf[i] = saved;
	}
	EXPECT_EQ(0u, b.nmaps);
	free(buf);
	pcpd_state_free(&a);
	pcpd_state_free(&b);
}

TEST(save_load_and_set_aside)
{
	char dir[] = "/tmp/pcpd-state-XXXXXX", path[64], aside[80], err[128];
	struct pcpd_state a, b;
	struct stat st;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	pcpd_state_init(&b);
	EXPECT_EQ(-ENOENT, pcpd_state_load(path, &b, err, sizeof(err)));

	sample(&a);
	ASSERT_EQ(0, pcpd_state_save(path, &a));
	ASSERT_EQ(0, pcpd_state_load(path, &b, err, sizeof(err)));
	EXPECT_EQ(2u, b.nmaps);
	EXPECT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600u, st.st_mode & 0777);

	/* Truncated by a crash of something else: reported, renamed. */
	ASSERT_EQ(0, truncate(path, 50));
	EXPECT_EQ(-EBADMSG, pcpd_state_load(path, &b, err, sizeof(err)));
	EXPECT_EQ(0u, b.nmaps);
	EXPECT_NE(0, stat(path, &st));
	EXPECT_EQ(0, stat(aside, &st));

	/* Garbage, binary. */
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fwrite("\0\1\2garbage\n", 1, 12, f);
	fclose(f);
	EXPECT_EQ(-EBADMSG, pcpd_state_load(path, &b, err, sizeof(err)));
	EXPECT_EQ(0, stat(aside, &st));

	unlink(aside);
	unlink(path);
	rmdir(dir);
	pcpd_state_free(&a);
	pcpd_state_free(&b);
}

/*
 * Whoever else can write in the state directory may plant a symlink
 * where the temporary file goes, or where the state file is read from:
 * pcpd neither writes through the first nor reads through the second.
 */
TEST(save_and_load_refuse_symlinks)
{
	char dir[] = "/tmp/pcpd-state-XXXXXX", path[64], tmp[72], victim[72];
	char err[128], buf[16] = "";
	struct pcpd_state a, b;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	ASSERT_NE(NULL, f);
	fputs("precious\n", f);
	fclose(f);
	ASSERT_EQ(0, symlink(victim, tmp));

	sample(&a);
	pcpd_state_init(&b);
	ASSERT_EQ(0, pcpd_state_save(path, &a));
	f = fopen(victim, "r");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("precious\n", buf);
	ASSERT_EQ(0, pcpd_state_load(path, &b, err, sizeof(err)));
	EXPECT_EQ(2u, b.nmaps);

	/* A state file that is a symlink is not followed (nor set aside). */
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, symlink(victim, path));
	EXPECT_EQ(-ELOOP, pcpd_state_load(path, &b, err, sizeof(err)));
	EXPECT_EQ(0u, b.nmaps);

	unlink(path);
	unlink(victim);
	rmdir(dir);
	pcpd_state_free(&a);
	pcpd_state_free(&b);
}

TEST(epoch_rules)
{
	static struct pcpd_nl nl;
	uint32_t a = ip("10.0.1.2"), b = ip("10.0.1.3");

	/* Nothing special: the module's epoch. */
	EXPECT_EQ(500u, pcpd_epoch_rule(&nl.ep, a, 500, 7, 10000));
	/*
	 * A flushed subscriber restarts, others go on
	 * (draft-boucadair-pcp-failure 3.2).
	 */
	pcpd_epoch_subscriber_reset(&nl.ep, a, 9990);
	EXPECT_EQ(10u, pcpd_epoch_rule(&nl.ep, a, 500, 7, 10000));
	EXPECT_EQ(500u, pcpd_epoch_rule(&nl.ep, b, 500, 7, 10000));
	/* Restored from storage: the stored origin, for that instance. */
	nl.ep.origin = 8000;
	nl.ep.origin_state_id = 7;
	EXPECT_EQ(2000u, pcpd_epoch_rule(&nl.ep, b, 3, 7, 10000));
	EXPECT_EQ(10u, pcpd_epoch_rule(&nl.ep, a, 3, 7, 10000));
	/* Another instance (state lost again): the module's. */
	EXPECT_EQ(3u, pcpd_epoch_rule(&nl.ep, b, 3, 8, 10000));
	pcpd_epoch_state_reset(&nl.ep);
	EXPECT_EQ(3u, pcpd_epoch_rule(&nl.ep, a, 3, 8, 10000));
}

TEST(subscriber_resets_bounded)
{
	static struct pcpd_nl nl;
	unsigned int i;

	for (i = 0; i < 3 * PCPD_SUB_RESETS_MAX; i++)
		pcpd_epoch_subscriber_reset(&nl.ep, htonl(0x0a000000 + i),
					    100 + i);
	EXPECT_EQ((unsigned int)PCPD_SUB_RESETS_MAX, nl.ep.nresets);
	/* The newest is kept. */
	EXPECT_EQ(0u, pcpd_epoch_rule(&nl.ep,
		  htonl(0x0a000000 + 3 * PCPD_SUB_RESETS_MAX - 1), 9999, 1,
		  100 + 3 * PCPD_SUB_RESETS_MAX - 1));
}

TEST_HARNESS_MAIN
