// SPDX-License-Identifier: GPL-2.0
/*
 * Times of stable storage between the boot clock pcpd counts with and the
 * wall clock the file keeps (see state.h and clock.h).
 */
#include <string.h>

#include "pcpd/state_file.h"

/* Adds delta to every time of s. */
static void shift(struct pcpd_state *s, int64_t delta)
{
	unsigned int i;

	s->origin += delta;
	for (i = 0; i < s->nresets; i++)
		s->resets[i].at += delta;
	for (i = 0; i < s->nmaps; i++)
		s->maps[i].expires += delta;
}

void pcpd_state_times_to_file(struct pcpd_state *s)
{
	pcpd_clock->boot_id(s->boot_id);
	s->clock_boot = pcpd_clock->boot();
	s->clock_wall = pcpd_clock->wall();
	shift(s, s->clock_wall - s->clock_boot);
}

void pcpd_state_times_from_file(struct pcpd_state *s)
{
	char now_id[PCPD_BOOT_ID_LEN];

	pcpd_clock->boot_id(now_id);
	if (s->boot_id[0] && now_id[0] && !strcmp(s->boot_id, now_id))
		/* Same boot: exact, whatever the wall clock did since. */
		shift(s, s->clock_boot - s->clock_wall);
	else
		/* Rebooted: the wall clock is all that spans it. */
		shift(s, pcpd_clock->boot() - pcpd_clock->wall());
	s->boot_id[0] = '\0';
}
