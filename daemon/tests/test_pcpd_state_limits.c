// SPDX-License-Identifier: GPL-2.0
/*
 * Stable storage at its size limits: whatever the writer can write, the
 * loader takes back, so a big table is never renamed .corrupt and lost
 * on the next start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pcpd/state_journal.h"

/* The longest record the writer can produce for one mapping. */
static void worst_map(struct pcpd_mapping *m, unsigned int i)
{
	unsigned int j;

	memset(m, 0, sizeof(*m));
	m->proto = 255;
	m->int_addr = htonl(0xfe000000u | i);
	m->int_port = 65535;
	m->ext_addr = htonl(0xfefefefeu);
	m->ext_port = 65535;
	m->kind = PCPNAT_KIND_EXPLICIT;
	m->subscriber = htonl(0xfe000000u | i);
	memset(m->nonce, 0xff, sizeof(m->nonce));
	m->nfilters = PCPNAT_FILTERS_MAX;
	for (j = 0; j < PCPNAT_FILTERS_MAX; j++)
		m->filters[j] = (struct pcpd_filter){ htonl(0xfefefe00u | j),
						      32, 65535 };
	memset(m->descr, 0xfe, PCPNAT_DESCR_MAX - 1);
}

/*
 * 40,000 explicit mappings with every field at its longest: a file well
 * over 16 MiB that must load back whole.
 */
TEST(big_table_loads_back)
{
	char dir[] = "/tmp/pcpd-state-XXXXXX", path[64], aside[80], err[128] = "";
	const unsigned int n = 40000;
	struct pcpd_state a, b;
	struct pcpd_mapping m;
	struct stat st;
	unsigned int i;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	pcpd_state_init(&a);
	a.state_id = 1;
	a.origin = INT64_MIN;
	for (i = 0; i < n; i++) {
		worst_map(&m, i);
		ASSERT_EQ(0, pcpd_state_add(&a, &m, INT64_MIN));
	}
	ASSERT_EQ(0, pcpd_state_save(path, &a));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_LT((off_t)(16 << 20), st.st_size);
	pcpd_state_init(&b);
	EXPECT_EQ(0, pcpd_state_load(path, &b, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(n, b.nmaps);
	EXPECT_NE(0, stat(aside, &st));
	if (b.nmaps == n)
		EXPECT_EQ(0, memcmp(&a.maps[n - 1].m, &b.maps[n - 1].m,
				    sizeof(m)));
	unlink(path);
	unlink(aside);
	rmdir(dir);
	pcpd_state_free(&a);
	pcpd_state_free(&b);
}

/*
 * At the limit: the header, PCPD_SUB_RESETS_MAX resets and
 * PCPD_STATE_MAPS_MAX mappings at their longest fit in what the loader
 * accepts, each record fits its line buffer, and one mapping more is
 * refused by the writer, not written.
 */
TEST(limits_agree)
{
	struct pcpd_state s;
	struct pcpd_mapping m;
	size_t base, one, line;
	char *buf, *p;
	unsigned int i;

	pcpd_state_init(&s);
	s.state_id = UINT64_MAX;
	s.origin = INT64_MIN;
	for (i = 0; i < PCPD_SUB_RESETS_MAX; i++) {
		s.resets[i].subscriber = htonl(0xfe000000u | i);
		s.resets[i].at = INT64_MIN;
	}
	s.nresets = PCPD_SUB_RESETS_MAX;
	ASSERT_EQ(0, pcpd_state_format(&s, &buf, &base));
	free(buf);
	worst_map(&m, 1);
	ASSERT_EQ(0, pcpd_state_add(&s, &m, INT64_MIN));
	ASSERT_EQ(0, pcpd_state_format(&s, &buf, &one));
	p = strstr(buf, "\nmap ");
	ASSERT_NE(NULL, p);
	line = strchr(p + 1, '\n') - p;
	EXPECT_GT((size_t)PCPD_STATE_LINE_MAX, line);
	free(buf);
	/* The end record grows with the count: allow its digits too. */
	EXPECT_GE(PCPD_STATE_FILE_MAX,
		  base + 8 + (size_t)PCPD_STATE_MAPS_MAX * (one - base)) {
		TH_LOG("file max %zu, worst %zu", PCPD_STATE_FILE_MAX,
		       base + 8 + (size_t)PCPD_STATE_MAPS_MAX * (one - base));
	}
	/* The table cannot grow past what the loader takes. */
	s.nmaps = PCPD_STATE_MAPS_MAX;
	EXPECT_EQ(-E2BIG, pcpd_state_add(&s, &m, 0));
	s.nmaps = 1;
	pcpd_state_free(&s);
}

/*
 * The journal: its longest record (a map record at its longest, sealed
 * with its hash) fits what the replay takes, and is applied; the file
 * limit is that of the snapshot, so a journal the writer let grow to its
 * limit is still read.
 */
TEST(journal_limits_agree)
{
	char rec[PCPD_STATE_LINE_MAX], buf[PCPD_JOURNAL_HEADER_LEN + 1 +
					     PCPD_STATE_LINE_MAX];
	struct pcpd_journal_replay r;
	struct pcpd_state s;
	struct pcpd_mapping m;
	uint64_t chain = 7;
	int n, h;

	worst_map(&m, 1);
	n = pcpd_journal_map(rec, sizeof(rec), &chain, &m, INT64_MIN);
	ASSERT_LT(0, n);
	EXPECT_GT(PCPD_STATE_LINE_MAX, n);
	h = pcpd_journal_header(buf, sizeof(buf), 7);
	ASSERT_EQ((int)PCPD_JOURNAL_HEADER_LEN, h);
	memcpy(buf + h, rec, n);
	pcpd_state_init(&s);
	ASSERT_EQ(0, pcpd_journal_replay(buf, h + n, 7, &s, &r));
	EXPECT_EQ(1u, r.records);
	EXPECT_EQ(0u, r.ignored);
	ASSERT_EQ(1u, s.nmaps);
	EXPECT_EQ(0, memcmp(&m, &s.maps[0].m, sizeof(m)));
	pcpd_state_free(&s);
	/* A buffer one octet short is refused, never overrun. */
	chain = 7;
	EXPECT_EQ(-E2BIG, pcpd_journal_map(rec, n - 1, &chain, &m, INT64_MIN));
	EXPECT_GE(PCPD_JOURNAL_FILE_MAX, PCPD_STATE_FILE_MAX);
}

TEST_HARNESS_MAIN
