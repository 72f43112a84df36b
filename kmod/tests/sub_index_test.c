// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a subscriber's index of explicit mappings (subscriber.c). Linked
 * in any order, it is walked in key order, only its own subscriber's, and
 * a walk resumes strictly after its cursor, whether the cursor's mapping
 * is still there or not.
 */
#include <linux/in.h>
#include "kt.h"
#include "table_locked.h"

#define SUB_N	40

struct sub_fixture {
	struct pcpnat_net *pn;
	struct pcpnat_mapping *m[SUB_N];
	struct pcpnat_map_extra *x[SUB_N];
	bool linked[SUB_N];
};

struct walk_seen {
	struct pcpnat_key keys[SUB_N + 1];
	unsigned int n;
};

static int walk_note(struct pcpnat_net *pn, const struct pcpnat_config *cfg,
		     const struct pcpnat_mapping *m, void *arg)
{
	struct walk_seen *w = arg;

	if (w->n == ARRAY_SIZE(w->keys))
		return -E2BIG;
	w->keys[w->n++] = m->key;
	return 0;
}

static void link_one(struct sub_fixture *f, unsigned int i, bool add)
{
	struct pcpnat_table *t = f->pn->table;
	spinlock_t *lock = pcpnat_int_lock(t, pcpnat_int_bucket(t, &f->m[i]->key));

	spin_lock_bh(lock);
	if (add)
		pcpnat_sub_explicit_add(t, f->m[i], f->x[i]);
	else
		pcpnat_sub_explicit_del(t, f->m[i], f->x[i]);
	spin_unlock_bh(lock);
	f->linked[i] = add;
}

static void sub_fixture_done(void *arg)
{
	struct sub_fixture *f = arg;
	unsigned int i;

	for (i = 0; i < SUB_N; i++) {
		if (f->linked[i])
			link_one(f, i, false);
		pcpnat_sub_uncharge(f->pn->table, f->m[i]->subscriber);
	}
}

/*
 * SUB_N mappings, the even ones of subscriber 10.0.0.1 (some THIRD_PARTY:
 * another internal address), the odd ones of 10.0.0.2, linked in a
 * scrambled order.
 */
static struct sub_fixture *sub_fixture(struct kunit *test)
{
	struct sub_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct pcpnat_table *t;
	unsigned int i, j;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->pn = kt_net(test, 8);
	t = f->pn->table;
	for (i = 0; i < ARRAY_SIZE(t->int_locks); i++)
		spin_lock_init(&t->int_locks[i]);
	for (i = 0; i < SUB_N; i++) {
		f->m[i] = kunit_kzalloc(test, sizeof(*f->m[i]), GFP_KERNEL);
		f->x[i] = kunit_kzalloc(test, sizeof(*f->x[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->m[i]);
		KUNIT_ASSERT_NOT_NULL(test, f->x[i]);
		f->m[i]->key = kt_key(i % 3 ? IPPROTO_UDP : IPPROTO_TCP,
				      0x0a000001 + i % 5, 1000 + i * 7 % 23);
		f->m[i]->kind = PCPNAT_KIND_EXPLICIT;
		f->m[i]->subscriber = htonl(i % 2 ? 0x0a000002 : 0x0a000001);
		KUNIT_ASSERT_EQ(test, pcpnat_sub_charge(t, NULL, f->m[i]->subscriber), 0);
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sub_fixture_done, f), 0);
	for (i = 0; i < SUB_N; i++) {
		j = i * 17 % SUB_N;	/* 17 and SUB_N coprime: each once */
		link_one(f, j, true);
	}
	return f;
}

/* Walk subscriber sub from cursor c (NULL: the start). */
static void walk(struct kunit *test, struct sub_fixture *f, u32 sub,
		 const struct pcpnat_key *after, struct walk_seen *w)
{
	struct pcpnat_cursor c = {};

	if (after) {
		c.key = *after;
		c.have_key = true;
	}
	w->n = 0;
	KUNIT_ASSERT_EQ(test, pcpnat_walk_subscriber(f->pn, htonl(sub), &c,
						     walk_note, w), 0);
}

/* Exactly the linked mappings of sub, in strictly increasing key order. */
static void expect_exact(struct kunit *test, struct sub_fixture *f, u32 sub,
			 const struct walk_seen *w)
{
	unsigned int i, j, want = 0;

	for (i = 0; i < SUB_N; i++) {
		if (!f->linked[i] || f->m[i]->subscriber != htonl(sub))
			continue;
		want++;
		for (j = 0; j < w->n; j++)
			if (!pcpnat_key_cmp(&w->keys[j], &f->m[i]->key))
				break;
		KUNIT_EXPECT_LT_MSG(test, j, w->n, "mapping %u not walked", i);
	}
	KUNIT_EXPECT_EQ(test, w->n, want);
	for (i = 1; i < w->n; i++)
		KUNIT_EXPECT_LT(test, pcpnat_key_cmp(&w->keys[i - 1], &w->keys[i]), 0);
}

static void sub_index_order_and_owner(struct kunit *test)
{
	struct sub_fixture *f = sub_fixture(test);
	struct walk_seen w;

	walk(test, f, 0x0a000001, NULL, &w);
	KUNIT_EXPECT_EQ(test, w.n, SUB_N / 2U);
	expect_exact(test, f, 0x0a000001, &w);
	walk(test, f, 0x0a000002, NULL, &w);
	expect_exact(test, f, 0x0a000002, &w);
	/* A subscriber with no record walks nothing. */
	walk(test, f, 0x0a000009, NULL, &w);
	KUNIT_EXPECT_EQ(test, w.n, 0U);
	/* Unlinked (deleted or demoted): gone from the walk, the rest stays. */
	link_one(f, 4, false);
	link_one(f, 10, false);
	walk(test, f, 0x0a000001, NULL, &w);
	KUNIT_EXPECT_EQ(test, w.n, SUB_N / 2U - 2);
	expect_exact(test, f, 0x0a000001, &w);
}

static void sub_index_resume(struct kunit *test)
{
	struct sub_fixture *f = sub_fixture(test);
	struct walk_seen all, rest;
	struct pcpnat_key gone;
	unsigned int i, k;

	walk(test, f, 0x0a000001, NULL, &all);
	KUNIT_ASSERT_EQ(test, all.n, SUB_N / 2U);
	for (k = 0; k < all.n; k++) {
		walk(test, f, 0x0a000001, &all.keys[k], &rest);
		KUNIT_EXPECT_EQ(test, rest.n, all.n - k - 1);
		for (i = 0; i < rest.n; i++)
			KUNIT_EXPECT_EQ(test, pcpnat_key_cmp(&rest.keys[i],
							     &all.keys[k + 1 + i]), 0);
	}
	/* The cursor's own mapping deleted: strictly after its key still. */
	gone = all.keys[7];
	for (i = 0; i < SUB_N; i++)
		if (f->linked[i] && !pcpnat_key_cmp(&f->m[i]->key, &gone))
			link_one(f, i, false);
	walk(test, f, 0x0a000001, &gone, &rest);
	KUNIT_ASSERT_EQ(test, rest.n, all.n - 8);
	KUNIT_EXPECT_EQ(test, pcpnat_key_cmp(&rest.keys[0], &all.keys[8]), 0);
}

static struct kunit_case sub_index_cases[] = {
	KUNIT_CASE(sub_index_order_and_owner),
	KUNIT_CASE(sub_index_resume),
	{}
};

static struct kunit_suite sub_index_suite = {
	.name = "pcpnat_sub_index",
	.test_cases = sub_index_cases,
};

kunit_test_suite(sub_index_suite);
