// SPDX-License-Identifier: GPL-2.0
/*
 * Stable storage (pcpd/storage.c) when things go wrong around it, over the
 * fake backend: the snapshot and its journal stay one pair whatever
 * happens to the configured path, a failed directory sync, a snapshot that
 * cannot be written and a wall clock stepped meanwhile, so that a restart
 * loads every change pcpd acknowledged (draft-boucadair-pcp-failure
 * App. A).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "kselftest_harness.h"
#include "pcpd/clock.h"
#include "pcpd/storage.h"
#include "fake_backend.c"
#include "storage_test_util.h"

/*
 * Directory fsyncs to fail with EIO, as on a file system that cannot
 * write its metadata. This program's fsync() is the one pcpd's objects
 * linked into it call; every other fsync goes to the kernel.
 */
static int dir_fsyncs_to_fail;

int fsync(int fd)
{
	struct stat sb;

	if (dir_fsyncs_to_fail && !fstat(fd, &sb) && S_ISDIR(sb.st_mode)) {
		dir_fsyncs_to_fail--;
		errno = EIO;
		return -1;
	}
	return syscall(SYS_fsync, fd);
}

/* The boot clock as it is, a wall clock the test steps, one boot. */
static const struct pcpd_clock *sys_clock;
static int64_t wall_step;

static int64_t t_boot(void) { return sys_clock->boot(); }
static int64_t t_wall(void) { return sys_clock->wall() + wall_step; }
static void t_boot_id(char out[PCPD_BOOT_ID_LEN])
{
	snprintf(out, PCPD_BOOT_ID_LEN, "storage-faults-boot");
}

static const struct pcpd_clock test_clock = {
	.boot = t_boot, .wall = t_wall, .boot_id = t_boot_id,
};

FIXTURE(faults) {
	struct fake_be be;
	struct pcpd_epoch ep;
	struct pcpd_storage st;
	char dir[32], path[64];
	/* As d->conf.state_file: pcpd's configuration, which SIGHUP rewrites. */
	char conf_state_file[256];
};

FIXTURE_SETUP(faults)
{
	sys_clock = pcpd_clock;
	pcpd_clock = &test_clock;
	wall_step = 0;
	dir_fsyncs_to_fail = 0;
	strcpy(self->dir, "/tmp/pcpd-faults-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/state", self->dir);
	strcpy(self->conf_state_file, self->path);
	fake_init(&self->be);
	memset(&self->ep, 0, sizeof(self->ep));
	pcpd_storage_init(&self->st, self->conf_state_file, &fake_ops,
			  &self->be, &self->ep);
	self->st.mirror.state_id = 0x1234;
	ASSERT_EQ(0, pcpd_storage_compact(&self->st));
}

FIXTURE_TEARDOWN(faults)
{
	char cmd[64];

	pcpd_storage_close(&self->st);
	pcpd_clock = sys_clock;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

/* The stand-in above is the fsync pcpd calls, or the test proves nothing. */
TEST_F(faults, directory_fsync_failure_is_injected)
{
	dir_fsyncs_to_fail = 1;
	EXPECT_EQ(-EIO, pcpd_state_fsync_dir(self->path));
	EXPECT_EQ(0, pcpd_state_fsync_dir(self->path));
}

/*
 * state_file changed in pcpd.conf and SIGHUP: the running storage goes
 * on where it started, snapshot and journal together; the new path is
 * taken on the next start.
 */
TEST_F(faults, state_file_changed_under_storage_keeps_the_pair)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1);
	struct pcpd_storage b;
	char other[80];
	size_t torn;

	change(&self->st, &m, 0);
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	snprintf(other, sizeof(other), "%s/other", self->dir);
	snprintf(self->conf_state_file, sizeof(self->conf_state_file), "%s",
		 other);
	pcpd_storage_compact_soon(&self->st);
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	m = req("10.0.0.3", 4001, 700, 2);
	change(&self->st, &m, 0);
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));

	ASSERT_EQ(0, load(self->path, &b, &torn));
	EXPECT_EQ(2u, b.mirror.nmaps);
	EXPECT_NE(NULL, pcpd_state_find(&b.mirror, IPPROTO_UDP,
					ip4("10.0.0.3"), 4001));
	pcpd_storage_close(&b);
	EXPECT_EQ(-1, access(other, F_OK));
}

/*
 * The snapshot was renamed into place but its directory not synced: it is
 * the file there, so the records after it go to a journal of its own
 * (one naming the old snapshot would not be replayed on it).
 */
TEST_F(faults, snapshot_renamed_but_directory_unsynced_starts_its_journal)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1);
	uint64_t compactions;
	struct pcpd_storage b;
	size_t torn;

	change(&self->st, &m, 0);
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, true));
	compactions = self->st.stats.compactions;
	dir_fsyncs_to_fail = 1;
	pcpd_storage_compact_soon(&self->st);
	EXPECT_EQ(0, pcpd_storage_flush(&self->st, true));
	EXPECT_EQ(0, dir_fsyncs_to_fail);
	EXPECT_EQ(compactions + 1, self->st.stats.compactions);
	EXPECT_EQ(-EIO, self->st.dir_err);	/* for the daemon's warning */
	m = req("10.0.0.3", 4001, 700, 2);
	change(&self->st, &m, 0);
	/* The journal synced, no compaction since: what a crash leaves. */
	ASSERT_EQ(0, pcpd_storage_flush(&self->st, false));

	ASSERT_EQ(0, load(self->path, &b, &torn));
	EXPECT_EQ(0u, torn);
	EXPECT_EQ(2u, b.mirror.nmaps);
	EXPECT_NE(NULL, pcpd_state_find(&b.mirror, IPPROTO_UDP,
					ip4("10.0.0.3"), 4001));
	pcpd_storage_close(&b);
}

/*
 * The wall clock was stepped, then a snapshot could not be written: the
 * journal still follows the old snapshot, so its records stay in that
 * snapshot's file time (its clock record), not in the new one's.
 */
TEST_F(faults, failed_snapshot_keeps_the_journal_time)
{
	struct pcpd_mapping m = req("10.0.0.2", 4000, 600, 1);
	const struct pcpd_state_map *sm;
	struct pcpd_storage b;
	char tmp[80];
	size_t torn;

	wall_step = 3600;	/* NTP stepped it an hour */
	/* The temporary file's name taken: the snapshot cannot be written. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", self->path);
	ASSERT_EQ(0, mkdir(tmp, 0700));
	pcpd_storage_compact_soon(&self->st);
	ASSERT_NE(0, pcpd_storage_flush(&self->st, true));
	change(&self->st, &m, 0);
	pcpd_storage_flush(&self->st, true);

	ASSERT_EQ(0, load(self->path, &b, &torn));
	ASSERT_EQ(1u, b.mirror.nmaps);
	sm = pcpd_state_find(&b.mirror, IPPROTO_UDP, ip4("10.0.0.2"), 4000);
	ASSERT_NE(NULL, sm);
	/* Within the second that may have turned meanwhile. */
	EXPECT_GE(1, llabs(pcpd_boot_now() + 600 - sm->expires));
	pcpd_storage_close(&b);
}

TEST_HARNESS_MAIN
