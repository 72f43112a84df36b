// SPDX-License-Identifier: GPL-2.0
/*
 * What one change of the table costs stable storage
 * (draft-boucadair-pcp-failure App. A), as pcpd's event loop drives it:
 * a mapping refreshed through the server's backend, then the save timer.
 * The cost must not grow with the number of stored mappings: a stream of
 * MAP requests against a big table must not rewrite the whole table each
 * time. Bytes are the process's write(2) total (/proc/self/io wchar),
 * dumps the backend's walks.
 *
 * The table is a plain array indexed by internal address, so that the
 * backend's own cost stays out of what is measured even at 100,000
 * mappings.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pcpd/daemon.h"

#define ARR_CAP		(1u << 17)
#define ARR_BASE	0x0a000000u	/* 10.0.0.0: mapping i is 10.0.0.0 + i */

struct arr_be {
	struct pcpd_mapping m[ARR_CAP];
	bool used[ARR_CAP];
	unsigned int walks;
};

static unsigned int slot(uint32_t a)
{
	return ntohl(a) - ARR_BASE;
}

static int arr_add(void *be, const struct pcpd_mapping *req, uint32_t flags,
		   struct pcpd_mapping *out)
{
	struct arr_be *b = be;
	unsigned int i = slot(req->int_addr);

	(void)flags;
	if (i >= ARR_CAP)
		return -ENOSPC;
	b->m[i] = *req;
	b->m[i].kind = PCPNAT_KIND_EXPLICIT;
	b->m[i].ext_addr = htonl(0xc0000201u);
	b->m[i].ext_port = req->int_port;
	if (!b->m[i].subscriber)
		b->m[i].subscriber = req->int_addr;
	b->used[i] = true;
	*out = b->m[i];
	return 0;
}

static int arr_peer(void *be, const struct pcpd_mapping *req, uint32_t flags,
		    struct pcpd_mapping *out)
{
	(void)be, (void)req, (void)flags, (void)out;
	return -EOPNOTSUPP;
}

static int arr_del(void *be, const struct pcpd_mapping *key, uint32_t flags,
		   struct pcpd_mapping *out)
{
	struct arr_be *b = be;
	unsigned int i = slot(key->int_addr);

	(void)flags;
	if (i >= ARR_CAP || !b->used[i])
		return -ENOENT;
	*out = b->m[i];
	out->lifetime = 0;
	b->used[i] = false;
	return 0;
}

static int arr_get(void *be, uint8_t proto, uint32_t a, uint16_t port,
		   struct pcpd_mapping *out)
{
	struct arr_be *b = be;
	unsigned int i = slot(a);

	if (i >= ARR_CAP || !b->used[i] || b->m[i].proto != proto ||
	    b->m[i].int_port != port)
		return -ENOENT;
	*out = b->m[i];
	return 0;
}

static int arr_walk(void *be, const struct pcpd_walk_filter *f,
		    const struct pcpd_key *after, pcpd_walk_cb cb, void *arg)
{
	struct arr_be *b = be;
	unsigned int i;
	int rc;

	(void)f;
	b->walks++;
	for (i = after ? slot(after->int_addr) + 1 : 0; i < ARR_CAP; i++) {
		if (!b->used[i])
			continue;
		rc = cb(arg, &b->m[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static uint32_t arr_epoch(void *be, uint32_t sub)
{
	(void)be, (void)sub;
	return 1000;
}

static uint32_t arr_ext_addr(void *be, uint32_t sub)
{
	(void)be, (void)sub;
	return htonl(0xc0000201u);
}

static const struct pcpd_backend_ops arr_ops = {
	.map_add = arr_add, .map_peer = arr_peer, .map_del = arr_del,
	.map_get = arr_get, .map_walk = arr_walk, .epoch = arr_epoch,
	.ext_addr = arr_ext_addr,
};

/* main.c's, which the tests do not link. */
int64_t pcpd_now_ms(void)
{
	return 0;
}

static struct arr_be table;
static struct pcpd d;

static struct pcpd_mapping map_of(unsigned int i, uint32_t lifetime)
{
	struct pcpd_mapping m = {
		.proto = IPPROTO_UDP, .int_addr = htonl(ARR_BASE + i),
		.int_port = 5000, .kind = PCPNAT_KIND_EXPLICIT,
		.lifetime = lifetime, .descr = "stored",
	};

	memset(m.nonce, 0x5a, sizeof(m.nonce));
	return m;
}

static unsigned long long wchar(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/self/io", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "wchar: %llu", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct cost {
	double bytes, dumps, usec;	/* per change */
};

/* A daemon over a table of n explicit mappings, its storage in dir. */
static void setup(const char *dir, unsigned int n)
{
	struct pcpd_mapping m, out;
	unsigned int i;

	memset(&table, 0, sizeof(table));
	memset(&d, 0, sizeof(d));
	for (i = 0; i < n; i++) {
		m = map_of(i, 3600);
		arr_add(&table, &m, 0, &out);
	}
	snprintf(d.conf.state_file, sizeof(d.conf.state_file), "%s/state", dir);
	d.srv.ops = &arr_ops;
	d.srv.be = &table;
	pcpd_store_init(&d);
	d.connected = true;
	d.state_id = 7;
	pcpd_store_resume(&d, 7, false);
	pcpd_store_save_now(&d);
}

/*
 * The first snapshot written, then `changes` refreshes, each followed by
 * the save timer (the worst case: requests further apart than its delay).
 */
static struct cost measure(const char *dir, unsigned int n,
			   unsigned int changes)
{
	struct pcpd_mapping m, out;
	unsigned long long w0;
	unsigned int i, walks0;
	struct cost c;
	double t0, store_t = 0, t;

	setup(dir, n);
	w0 = wchar();
	walks0 = table.walks;
	for (i = 0; i < changes; i++) {
		m = map_of(i * 7919 % n, 3600 + i);
		t0 = now_s();
		d.srv.ops->map_add(d.srv.be, &m, 0, &out);
		pcpd_store_dirty(&d);
		pcpd_store_save_now(&d);
		t = now_s();
		store_t += t - t0;
	}
	c.bytes = (double)(wchar() - w0) / changes;
	c.dumps = (double)(table.walks - walks0) / changes;
	c.usec = store_t * 1e6 / changes;
	pcpd_store_save_now(&d);
	pcpd_store_close(&d);
	return c;
}

static void clean(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return;
}

/*
 * 1,000 refreshes, with 500 and then 4,000 stored mappings: a change
 * costs the same bytes whatever the table (within a factor that only the
 * compactions' amortised share explains), a few hundred bytes, and no
 * dump of the table but the occasional compaction's.
 */
TEST(change_cost_is_independent_of_table_size)
{
	/* tmpfs: what is measured is pcpd's work, not the disk's. */
	char dir[] = "/dev/shm/pcpd-cost-XXXXXX";
	struct cost small, big;

	ASSERT_NE(NULL, mkdtemp(dir));
	small = measure(dir, 500, 1000);
	clean(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	ASSERT_NE(NULL, mkdtemp(dir));
	big = measure(dir, 4000, 1000);
	clean(dir);
	TH_LOG("500 mappings: %.0f bytes, %.3f dumps a change; 4000: %.0f bytes, %.3f dumps",
	       small.bytes, small.dumps, big.bytes, big.dumps);
	EXPECT_GT(4 * PCPD_STATE_LINE_MAX, big.bytes);
	EXPECT_GT(2 * small.bytes + PCPD_STATE_LINE_MAX, big.bytes);
	EXPECT_GT(0.01, big.dumps);
}

/*
 * A compaction because the journal outgrew its snapshot is routine: the
 * mirror (snapshot plus journal, in memory) is what it writes, and no dump
 * of the module's table holds up the event loop meanwhile (a dump of
 * 60,000 mappings stalled pcpd about a second under emulation). What it
 * wrote, read back, is the table.
 */
TEST(routine_compaction_dumps_no_table)
{
	char dir[] = "/dev/shm/pcpd-cost-XXXXXX";
	struct pcpd_storage back;
	struct pcpd_mapping m, out;
	const struct pcpd_state_map *sm;
	uint64_t comps0;
	int64_t now;
	unsigned int i, walks0;
	char err[128];
	size_t ignored;

	ASSERT_NE(NULL, mkdtemp(dir));
	setup(dir, 500);
	walks0 = table.walks;
	comps0 = d.storage.stats.compactions;
	for (i = 0; i < 5000; i++) {
		m = map_of(i * 7919 % 500, 3600 + i);
		d.srv.ops->map_add(d.srv.be, &m, 0, &out);
		pcpd_store_dirty(&d);
		pcpd_store_save_now(&d);
	}
	TH_LOG("%llu compactions, %u dumps",
	       (unsigned long long)(d.storage.stats.compactions - comps0),
	       table.walks - walks0);
	EXPECT_LT(comps0 + 2, d.storage.stats.compactions);
	EXPECT_EQ(walks0, table.walks);
	pcpd_store_close(&d);

	pcpd_storage_init(&back, d.conf.state_file, &arr_ops, &table,
			  &d.nl.ep);
	ASSERT_EQ(0, pcpd_storage_load(&back, err, sizeof(err), &ignored)) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(500u, back.mirror.nmaps);
	now = pcpd_boot_now();
	for (i = 0; i < 500; i++) {
		sm = pcpd_storage_find(&back, IPPROTO_UDP, table.m[i].int_addr,
				       5000);
		ASSERT_NE(NULL, sm);
		EXPECT_EQ(table.m[i].ext_port, sm->m.ext_port);
		/* Stored as an expiry: the lifetime from about now. */
		EXPECT_LE(now + table.m[i].lifetime - 5, sm->expires);
		EXPECT_GE(now + table.m[i].lifetime + 1, sm->expires);
	}
	pcpd_storage_close(&back);
	clean(dir);
}

/*
 * A pool address's removal sends a MAP_DEL event for each of its mappings,
 * and each looks up its stored expiry: that look-up must not scan the
 * stored mappings, or N events cost N^2. 100,000 look-ups in 100,000
 * stored mappings: a scan takes seconds, the index milliseconds.
 */
TEST(stored_lookup_is_constant_time)
{
	const unsigned int n = 100000;
	char dir[] = "/dev/shm/pcpd-cost-XXXXXX";
	unsigned int i, found = 0;
	double t0, t;

	ASSERT_NE(NULL, mkdtemp(dir));
	setup(dir, n);
	t0 = now_s();
	for (i = 0; i < n; i++)
		found += pcpd_store_find(&d, IPPROTO_UDP,
					 htonl(ARR_BASE + (i * 7919) % n),
					 5000) != NULL;
	t = now_s() - t0;
	pcpd_store_close(&d);
	clean(dir);
	ksft_print_msg("%u look-ups in %u stored mappings: %.3f s\n", n, n, t);
	EXPECT_EQ(n, found);
	EXPECT_GT(0.5, t);
}

/*
 * The numbers of the commit message: 1,000 and 100,000 mappings, on
 * tmpfs (pcpd's work) and on the disk (with its fsync), 20 changes each.
 */
TEST(report_cost)
{
	static const unsigned int sizes[] = { 1000, 100000 };
	static const char *const where[] = { "/dev/shm", "/tmp" };
	char dir[64];
	unsigned int i, j;
	struct cost c;

	for (j = 0; j < 2; j++) {
		for (i = 0; i < 2; i++) {
			snprintf(dir, sizeof(dir), "%s/pcpd-cost-XXXXXX",
				 where[j]);
			ASSERT_NE(NULL, mkdtemp(dir));
			c = measure(dir, sizes[i], 20);
			clean(dir);
			ksft_print_msg("storage per change in %s, %u mappings: %.0f bytes written, %.3f dumps, %.1f us\n",
				       where[j], sizes[i], c.bytes, c.dumps,
				       c.usec);
		}
	}
}

TEST_HARNESS_MAIN
