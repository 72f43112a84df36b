// SPDX-License-Identifier: GPL-2.0
/*
 * The files replication keeps next to the state file: the session id is
 * replaced whole through a fresh file of our own (file_replace.h), never
 * written through a symlink someone left under its name, mode 0600.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pcpd/sync_daemon.h"

int64_t pcpd_now_ms(void)
{
	return 0;
}

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = 0;
}

TEST(session_replaced_not_followed)
{
	char dir[] = "/tmp/pcpd-sync-files.XXXXXX", path[PATH_MAX];
	char victim[PATH_MAX], buf[64];
	uint64_t a, b;
	struct stat st;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sync-session", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	ASSERT_NE(NULL, f);
	fputs("precious\n", f);
	fclose(f);
	ASSERT_EQ(0, symlink(victim, path));

	a = pcpd_sync_next_session(dir);
	slurp(victim, buf, sizeof(buf));
	EXPECT_STREQ("precious\n", buf);
	ASSERT_EQ(0, lstat(path, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0600u, st.st_mode & 0777u);
	slurp(path, buf, sizeof(buf));
	EXPECT_EQ(a, strtoull(buf, NULL, 10));

	/* The next start continues from it even with the clock behind. */
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%llu\n", (unsigned long long)(a + 1000000000000ull));
	fclose(f);
	b = pcpd_sync_next_session(dir);
	EXPECT_EQ(a + 1000000000000ull + 1, b);
	snprintf(victim, sizeof(victim), "%s/sync-session.tmp", dir);
	EXPECT_NE(0, access(victim, F_OK));	/* no temporary left */
	snprintf(victim, sizeof(victim), "%s/victim", dir);

	unlink(path);
	unlink(victim);
	rmdir(dir);
}

TEST_HARNESS_MAIN
