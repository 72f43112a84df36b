// SPDX-License-Identifier: GPL-2.0
/*
 * The epoch counts on CLOCK_BOOTTIME; the wall clock only carries its
 * origin across a reboot (RFC 6887 8.5: a client takes an epoch that runs
 * slower or faster than its own clock for state loss). The clocks are
 * injected (pcpd/clock.h), and stable storage is written and read back as
 * pcpd does on restart.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "pcpd/backend_nl.h"
#include "pcpd/clock.h"
#include "pcpd/state_file.h"

#define WALL0	1700000000

static int64_t boot_s, wall_s;
static const char *boot_id;

static int64_t t_boot(void) { return boot_s; }
static int64_t t_wall(void) { return wall_s; }
static void t_boot_id(char out[PCPD_BOOT_ID_LEN]) { snprintf(out, PCPD_BOOT_ID_LEN, "%s", boot_id); }

static const struct pcpd_clock test_clock = {
	.boot = t_boot, .wall = t_wall, .boot_id = t_boot_id,
};

/* What pcpd writes at boot time 5000 with an epoch of 1000, and reads. */
static void save_and_reload(struct __test_metadata *_metadata,
			    struct pcpd_state *out, int64_t boot_then,
			    int64_t wall_then, const char *id_then,
			    int64_t boot_now, int64_t wall_now,
			    const char *id_now)
{
	struct pcpd_state s;
	char *buf, err[128] = "";
	size_t len;

	pcpd_clock = &test_clock;
	boot_s = boot_then;
	wall_s = wall_then;
	boot_id = id_then;
	pcpd_state_init(&s);
	s.state_id = 7;
	s.origin = boot_then - 1000;
	s.nresets = 1;
	s.resets[0].subscriber = htonl(0x0a000003);
	s.resets[0].at = boot_then - 100;
	pcpd_state_times_to_file(&s);
	ASSERT_EQ(0, pcpd_state_format(&s, &buf, &len));
	pcpd_state_free(&s);

	boot_s = boot_now;
	wall_s = wall_now;
	boot_id = id_now;
	pcpd_state_init(out);
	ASSERT_EQ(0, pcpd_state_parse(buf, len, out, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	free(buf);
	pcpd_state_times_from_file(out);
}

static uint32_t epoch_after(const struct pcpd_state *s, uint32_t sub)
{
	static struct pcpd_nl nl;

	memset(&nl, 0, sizeof(nl));
	nl.ep.origin = s->origin;
	nl.ep.origin_state_id = s->state_id;
	nl.ep.nresets = s->nresets;
	memcpy(nl.ep.resets, s->resets, s->nresets * sizeof(nl.ep.resets[0]));
	/* The module's own epoch (3) is younger: the stored origin rules. */
	return pcpd_epoch_rule(&nl.ep, sub, 3, s->state_id, pcpd_boot_now());
}

/* pcpd restarts in the same boot after the wall clock stepped back. */
TEST(wall_step_back_same_boot)
{
	struct pcpd_state s;

	save_and_reload(_metadata, &s, 5000, WALL0, "boot-a", 5000,
			WALL0 - 600, "boot-a");
	EXPECT_EQ(1000u, epoch_after(&s, htonl(0x0a000002)));
	EXPECT_EQ(100u, epoch_after(&s, htonl(0x0a000003)));
	pcpd_state_free(&s);
}

TEST(wall_step_forward_same_boot)
{
	struct pcpd_state s;

	save_and_reload(_metadata, &s, 5000, WALL0, "boot-a", 5010,
			WALL0 + 3600, "boot-a");
	EXPECT_EQ(1010u, epoch_after(&s, htonl(0x0a000002)));
	EXPECT_EQ(110u, epoch_after(&s, htonl(0x0a000003)));
	pcpd_state_free(&s);
}

/* After a reboot only the wall clock knows how long it has been. */
TEST(reboot_carries_origin_by_wall_time)
{
	struct pcpd_state s;

	save_and_reload(_metadata, &s, 5000, WALL0, "boot-a", 30,
			WALL0 + 100, "boot-b");
	EXPECT_EQ(1100u, epoch_after(&s, htonl(0x0a000002)));
	EXPECT_EQ(200u, epoch_after(&s, htonl(0x0a000003)));
	pcpd_state_free(&s);
}

TEST_HARNESS_MAIN
