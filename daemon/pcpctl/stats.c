// SPDX-License-Identifier: GPL-2.0
/* pcpctl stats [reset] */
#include <stdio.h>
#include <string.h>
#include "pcpctl/pcpctl.h"

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_stats st;
	json_object *o;
	const char *name;
	unsigned int i;
	int rc;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "reset")))
		return ctl_usage("stats: unknown argument \"%s\"", argv[argc - 1]);
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	if (argc == 2) {
		rc = pcpnl_stats_reset(ctl->client);
		return rc ? ctl_fail(ctl, "stats reset", rc) : EXIT_OK;
	}
	rc = pcpnl_stats_get(ctl->client, &st);
	if (rc)
		return ctl_fail(ctl, "stats", rc);
	o = ctl->json ? json_object_new_object() : NULL;
	for (i = 0; i <= PCPNAT_STATS_A_MAX; i++) {
		name = pcpnl_stats_name(i);
		if (!name || !(st.present & (1ULL << i)))
			continue;
		if (o)
			json_object_object_add(o, name, json_object_new_uint64(st.v[i]));
		else
			printf("%-20s %llu\n", name, (unsigned long long)st.v[i]);
	}
	if (o)
		json_print(o, true);
	return EXIT_OK;
}
