/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd's clocks. Epochs, flush times and expiries count in CLOCK_BOOTTIME
 * seconds, which an administrator or NTP stepping the wall clock cannot
 * move (RFC 6887 8.5: a client compares the epoch's pace with its own
 * clock, so a jump reads as state loss). The wall clock and the kernel's
 * boot id only serve stable storage, to carry times across a reboot.
 * Tests replace pcpd_clock.
 */
#ifndef PCPD_CLOCK_H
#define PCPD_CLOCK_H

#include <stdint.h>

#define PCPD_BOOT_ID_LEN	40	/* a UUID and its NUL */

struct pcpd_clock {
	int64_t (*boot)(void);		/* CLOCK_BOOTTIME seconds */
	int64_t (*wall)(void);		/* CLOCK_REALTIME seconds */
	/* /proc/sys/kernel/random/boot_id, "" if unknown. */
	void (*boot_id)(char out[PCPD_BOOT_ID_LEN]);
};

extern const struct pcpd_clock *pcpd_clock;

static inline int64_t pcpd_boot_now(void)
{
	return pcpd_clock->boot();
}

#endif /* PCPD_CLOCK_H */
