// SPDX-License-Identifier: GPL-2.0
/* See clock.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pcpd/clock.h"

static int64_t sys_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec;
}

static int64_t sys_boot(void)
{
	return sys_clock(CLOCK_BOOTTIME);
}

static int64_t sys_wall(void)
{
	return sys_clock(CLOCK_REALTIME);
}

static void sys_boot_id(char out[PCPD_BOOT_ID_LEN])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, PCPD_BOOT_ID_LEN, f))
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static const struct pcpd_clock sys = {
	.boot = sys_boot, .wall = sys_wall, .boot_id = sys_boot_id,
};

const struct pcpd_clock *pcpd_clock = &sys;
