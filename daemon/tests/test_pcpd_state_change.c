// SPDX-License-Identifier: GPL-2.0
/*
 * What pcpd makes of a state_id that changed while its link to the
 * module stayed up (pcpd/state_change.c). A reloaded module registers its
 * genl family under a new id (the kernel allocates family ids
 * cyclically), so pcpd's requests fail and it reconnects: only that path
 * restores from stable storage. A change on a live link is a flush whose
 * STATE_RESET event was late or lost, and restoring would undo the flush
 * for good.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "pcpd/state_change.h"

TEST(live_link_change_is_a_flush)
{
	EXPECT_EQ((int)PCPD_SC_NONE, (int)pcpd_state_change(0x1234, 0x1234));
	/* A flush (pcpctl flush) whose event has not been read. */
	EXPECT_EQ((int)PCPD_SC_FLUSHED, (int)pcpd_state_change(0x1234, 0x9876));
	/* The instance lost its configuration: nothing to bring back yet. */
	EXPECT_EQ((int)PCPD_SC_FLUSHED, (int)pcpd_state_change(0x1234, 0));
	/*
	 * No instance yet (a fresh module that someone just configured):
	 * the stored mappings belong in it.
	 */
	EXPECT_EQ((int)PCPD_SC_NEW_INSTANCE, (int)pcpd_state_change(0, 0x9876));
}

TEST_HARNESS_MAIN
