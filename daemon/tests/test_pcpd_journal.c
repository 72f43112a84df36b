// SPDX-License-Identifier: GPL-2.0
/*
 * The journal of stable storage (pcpd/state_journal.c, pcpd/storage.c)
 * over the fake backend: what a snapshot and its journal give back is
 * what the table held (draft-boucadair-pcp-failure App. A), refreshes and
 * deletes included; a torn last record is dropped, not fatal; a journal
 * of another snapshot is not replayed; compaction changes nothing of what
 * loads back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "kselftest_harness.h"
#include "pcpd/storage.h"
#include "fake_backend.c"
#include "storage_test_util.h"

FIXTURE(journal) {
	struct fake_be be;
	struct pcpd_epoch ep;
	struct pcpd_storage st;
	char dir[32], path[64];
};

FIXTURE_SETUP(journal)
{
	strcpy(self->dir, "/tmp/pcpd-journal-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/state", self->dir);
	fake_init(&self->be);
	memset(&self->ep, 0, sizeof(self->ep));
	self->ep.nresets = 1;
	self->ep.resets[0].subscriber = ip4("10.0.0.9");
	self->ep.resets[0].at = pcpd_boot_now() - 30;
	pcpd_storage_init(&self->st, self->path, &fake_ops, &self->be,
			  &self->ep);
	self->st.mirror.state_id = 0x1234;
	ASSERT_EQ(0, pcpd_storage_compact(&self->st));
}

FIXTURE_TEARDOWN(journal)
{
	char cmd[64];

	pcpd_storage_close(&self->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

/* The explicit mappings of the table, exactly, in what was loaded. */
static void same_as_table(struct __test_metadata *_metadata,
			  struct fake_be *be, const struct pcpd_state *s)
{
	const struct pcpd_state_map *sm;
	int64_t now = pcpd_boot_now();
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_MAX_MAPS; i++) {
		struct pcpd_mapping m = be->maps[i];

		if (!be->used[i] || m.kind != PCPNAT_KIND_EXPLICIT)
			continue;
		n++;
		sm = pcpd_state_find(s, m.proto, m.int_addr, m.int_port);
		ASSERT_NE(NULL, sm);
		EXPECT_EQ(m.ext_addr, sm->m.ext_addr);
		EXPECT_EQ(m.ext_port, sm->m.ext_port);
		EXPECT_EQ(0, memcmp(m.nonce, sm->m.nonce, sizeof(m.nonce)));
		EXPECT_EQ(m.nfilters, sm->m.nfilters);
		EXPECT_EQ(0, memcmp(m.filters, sm->m.filters,
				    m.nfilters * sizeof(m.filters[0])));
		EXPECT_STREQ(m.descr, sm->m.descr);
		EXPECT_EQ(m.subscriber, sm->m.subscriber);
		/* Within the second that may have turned meanwhile. */
		EXPECT_GE(1, llabs(now + m.lifetime - sm->expires));
	}
	EXPECT_EQ(n, s->nmaps);
}

TEST_F(journal, changes_replay_onto_the_snapshot)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1), key;
	struct pcpd_storage b;
	uint64_t compactions = self->st.stats.compactions;
	size_t torn;

	change(&self->st, &m, PCPNAT_MAP_F_SET_FILTERS);
	m = req("10.0.0.3", 4001, 700, 2);
	change(&self->st, &m, PCPNAT_MAP_F_SET_FILTERS);
	m = req("10.0.0.4", 4002, 800, 3);
	change(&self->st, &m, 0);
	/* A refresh with new filters and lifetime ... */
	m = req("10.0.0.2", 4000, 1200, 1);
	m.filters[0].port = 443;
	change(&self->st, &m, PCPNAT_MAP_F_SET_FILTERS);
	/* ... and a delete. */
	key = req("10.0.0.3", 4001, 0, 2);
	fake_find(&self->be, IPPROTO_UDP, ip4("10.0.0.3"), 4001)->idle = 1000;
	ASSERT_EQ(0, pcpd_storage_ops.map_del(&self->st, &key, 0, &m));
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	EXPECT_EQ(compactions, self->st.stats.compactions);
	EXPECT_EQ(5u, self->st.stats.records);
	EXPECT_EQ(1u, self->st.stats.fsyncs);

	ASSERT_EQ(0, load(self->path, &b, &torn));
	EXPECT_EQ(0u, torn);
	same_as_table(_metadata, &self->be, &b.mirror);
	EXPECT_EQ(2u, b.mirror.nmaps);
	EXPECT_EQ(0x1234u, b.mirror.state_id);
	EXPECT_EQ(1u, b.mirror.nresets);
	EXPECT_EQ(self->ep.resets[0].at, b.mirror.resets[0].at);
	EXPECT_EQ(443, pcpd_state_find(&b.mirror, IPPROTO_UDP,
				       ip4("10.0.0.2"), 4000)->m.filters[0].port);
	pcpd_storage_close(&b);
}

TEST_F(journal, torn_last_record_is_dropped)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1);
	struct pcpd_storage b;
	char jpath[80], rec[PCPD_STATE_LINE_MAX];
	uint64_t chain = 0;
	size_t torn;
	int fd, n;

	change(&self->st, &m, 0);
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	/* Half a record, as a crash in the middle of write(2) leaves it. */
	m = req("10.0.0.5", 4005, 600, 5);
	n = pcpd_journal_map(rec, sizeof(rec), &chain, &m, 1);
	ASSERT_LT(20, n);
	snprintf(jpath, sizeof(jpath), "%s.journal", self->path);
	fd = open(jpath, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(n / 2, write(fd, rec, n / 2));
	close(fd);
	ASSERT_EQ(0, load(self->path, &b, &torn));
	EXPECT_EQ((size_t)n / 2, torn);
	EXPECT_EQ(1u, b.mirror.nmaps);
	same_as_table(_metadata, &self->be, &b.mirror);
	pcpd_storage_close(&b);

	/* A whole record whose hash does not chain: dropped the same. */
	chain = 0;
	n = pcpd_journal_map(rec, sizeof(rec), &chain, &m, 1);
	fd = open(jpath, O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, pcpd_storage_compact(&self->st));
	fd = open(jpath, O_WRONLY | O_APPEND);
	ASSERT_EQ(n, write(fd, rec, n));
	close(fd);
	ASSERT_EQ(0, load(self->path, &b, &torn));
	EXPECT_EQ((size_t)n, torn);
	EXPECT_EQ(1u, b.mirror.nmaps);
	pcpd_storage_close(&b);
}

TEST_F(journal, compaction_loads_back_the_same)
{
	struct pcpd_storage before, after;
	struct pcpd_mapping m;
	unsigned int i, j;
	size_t torn;

	for (i = 0; i < 40; i++) {
		char host[16];

		snprintf(host, sizeof(host), "10.0.1.%u", i);
		m = req(host, 5000 + i, 300 + i, i);
		change(&self->st, &m, PCPNAT_MAP_F_SET_FILTERS);
	}
	for (i = 0; i < 40; i += 3) {
		m = req("10.0.1.0", 5000, 0, 0);
		m.int_addr = ip4("10.0.1.0") + htonl(i);
		m.int_port = 5000 + i;
		memset(m.nonce, i, sizeof(m.nonce));
		fake_find(&self->be, IPPROTO_UDP, m.int_addr, m.int_port)->idle = 1000;
		ASSERT_EQ(0, pcpd_storage_ops.map_del(&self->st, &m, 0, &m));
	}
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	ASSERT_EQ(0, load(self->path, &before, &torn));
	ASSERT_EQ(0, pcpd_storage_compact(&self->st));
	ASSERT_EQ(0, load(self->path, &after, &torn));
	ASSERT_EQ(before.mirror.nmaps, after.mirror.nmaps);
	EXPECT_EQ(26u, after.mirror.nmaps);
	for (i = 0; i < before.mirror.nmaps; i++) {
		const struct pcpd_state_map *a = &before.mirror.maps[i], *c;

		c = pcpd_state_find(&after.mirror, a->m.proto, a->m.int_addr,
				    a->m.int_port);
		ASSERT_NE(NULL, c);
		EXPECT_EQ(0, memcmp(&a->m, &c->m, sizeof(a->m)));
		EXPECT_GE(1, llabs(a->expires - c->expires));
	}
	EXPECT_EQ(before.mirror.origin, after.mirror.origin);
	EXPECT_EQ(before.mirror.nresets, after.mirror.nresets);
	for (j = 0; j < after.mirror.nresets; j++)
		EXPECT_EQ(before.mirror.resets[j].at, after.mirror.resets[j].at);
	same_as_table(_metadata, &self->be, &after.mirror);
	pcpd_storage_close(&before);
	pcpd_storage_close(&after);
}

/* A crash after the new snapshot, before its journal: the old journal's
 * records are already in the snapshot and are not replayed on it. */
TEST_F(journal, journal_of_another_snapshot_is_not_replayed)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1);
	struct pcpd_storage b;
	struct pcpd_state s;
	char err[64];
	size_t torn;

	change(&self->st, &m, 0);
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	/* Another snapshot, written without its journal, lacks the mapping. */
	pcpd_state_init(&s);
	ASSERT_EQ(0, pcpd_state_load(self->path, &s, err, sizeof(err)));
	s.origin++;
	ASSERT_EQ(0, pcpd_state_save(self->path, &s));
	pcpd_state_free(&s);
	ASSERT_EQ(0, load(self->path, &b, &torn));
	EXPECT_EQ(0u, b.mirror.nmaps);
	pcpd_storage_close(&b);
}

/* Events: pcpd's own cost nothing; another's is asked of the table. */
TEST_F(journal, events_of_others_are_recorded)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1), *t;
	uint64_t records;

	change(&self->st, &m, 0);
	records = self->st.stats.records;
	t = fake_find(&self->be, IPPROTO_UDP, ip4("10.0.0.2"), 4000);
	pcpd_storage_event_new(&self->st, t);
	EXPECT_EQ(records, self->st.stats.records);
	/* pcpctl made one: the event's mapping goes in. */
	m = req("10.0.0.7", 4007, 900, 7);
	m.subscriber = m.int_addr;
	t = fake_insert(&self->be, &m);
	t->ext_addr = ip4("192.0.2.1");
	t->ext_port = 31000;
	pcpd_storage_event_new(&self->st, t);
	EXPECT_EQ(records + 1, self->st.stats.records);
	same_as_table(_metadata, &self->be, &self->st.mirror);
	/* ... and deleted it. */
	m = *t;
	self->be.used[t - self->be.maps] = false;
	pcpd_storage_event_del(&self->st, &m);
	EXPECT_EQ(records + 2, self->st.stats.records);
	same_as_table(_metadata, &self->be, &self->st.mirror);
}

/* The index by internal key: inserts, replaces and deletes agree. */
TEST(index_by_key)
{
	struct pcpd_state s;
	struct pcpd_mapping m = { .proto = 17 };
	unsigned int i;

	pcpd_state_init(&s);
	for (i = 0; i < 5000; i++) {
		m.int_addr = htonl(0x0a000000u + i % 1000);
		m.int_port = i / 1000;
		ASSERT_EQ(0, pcpd_state_put(&s, &m, i));
	}
	ASSERT_EQ(-EEXIST, pcpd_state_add(&s, &m, 0));
	for (i = 0; i < 5000; i += 2) {
		ASSERT_TRUE(pcpd_state_del(&s, 17, htonl(0x0a000000u + i % 1000),
					   i / 1000));
	}
	EXPECT_EQ(2500u, s.nmaps);
	for (i = 0; i < 5000; i++) {
		const struct pcpd_state_map *sm =
			pcpd_state_find(&s, 17, htonl(0x0a000000u + i % 1000),
					i / 1000);

		if (i % 2) {
			ASSERT_TRUE(sm && sm->expires == i);
		} else {
			ASSERT_EQ(NULL, sm);
		}
	}
	pcpd_state_free(&s);
}

/* The slot a key takes in an index of its own: its hash's home. */
static unsigned int home_slot(const struct pcpd_mapping *m,
			      unsigned int *nslots)
{
	struct pcpd_state s;
	unsigned int i;

	pcpd_state_init(&s);
	if (pcpd_state_put(&s, m, 0))
		abort();
	for (i = 0; !s.slot[i]; i++)
		;
	*nslots = s.nslots;
	pcpd_state_free(&s);
	return i;
}

/* The skip+1-th key of 10.0.0.1 whose home is slot want (mod nslots). */
static struct pcpd_mapping key_at_home(unsigned int want, unsigned int skip)
{
	struct pcpd_mapping m = { .proto = 17, .int_addr = htonl(0x0a000001) };
	unsigned int n;

	for (m.int_port = 1; m.int_port; m.int_port++)
		if (home_slot(&m, &n) == (want & (n - 1)) && !skip--)
			return m;
	abort();
}

/*
 * A probe run that wraps past the index's last slot: deleting its first
 * key moves back only the keys whose home the freed slot lies between.
 * A at the last slot (home there), B at slot 0 (home there: it stays),
 * C at slot 1 (home the last slot: it moves back into it).
 */
TEST(index_deletes_across_the_wrap)
{
	struct pcpd_mapping a = key_at_home(-1u, 0), b = key_at_home(0, 0),
			    c = key_at_home(-1u, 1);
	const struct pcpd_state_map *sm;
	struct pcpd_state s;
	unsigned int n;

	home_slot(&a, &n);
	pcpd_state_init(&s);
	ASSERT_EQ(0, pcpd_state_put(&s, &a, 1));
	ASSERT_EQ(0, pcpd_state_put(&s, &b, 2));
	ASSERT_EQ(0, pcpd_state_put(&s, &c, 3));
	/* The layout the case is about, in an index that did not grow. */
	ASSERT_EQ(n, s.nslots);
	ASSERT_EQ(1u, s.slot[n - 1]);
	ASSERT_EQ(2u, s.slot[0]);
	ASSERT_EQ(3u, s.slot[1]);

	ASSERT_TRUE(pcpd_state_del(&s, 17, a.int_addr, a.int_port));
	sm = pcpd_state_find(&s, 17, b.int_addr, b.int_port);
	ASSERT_NE(NULL, sm);
	EXPECT_EQ(2, sm->expires);
	sm = pcpd_state_find(&s, 17, c.int_addr, c.int_port);
	ASSERT_NE(NULL, sm);
	EXPECT_EQ(3, sm->expires);
	EXPECT_EQ(NULL, pcpd_state_find(&s, 17, a.int_addr, a.int_port));
	pcpd_state_free(&s);
}

TEST_HARNESS_MAIN
