// SPDX-License-Identifier: GPL-2.0
/* pcpctl flush [subscriber A] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "pcpctl/pcpctl.h"

int cmd_flush(struct ctl *ctl, int argc, char **argv)
{
	struct in_addr sub;
	json_object *o;
	uint32_t n = 0;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "subscriber")) {
		if (pcpnl_parse_addr(argv[2], &sub))
			return ctl_bad_value("subscriber address", argv[2], -EINVAL);
	} else if (argc != 1) {
		return ctl_usage("flush: expected nothing or \"subscriber A\"");
	}
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	rc = pcpnl_flush(ctl->client, argc == 3 ? &sub : NULL, &n);
	if (rc)
		return ctl_fail(ctl, "flush", rc);
	if (ctl->json) {
		o = json_object_new_object();
		json_object_object_add(o, "flushed", json_object_new_int64(n));
		json_print(o, false);
	} else {
		printf("flushed %u mapping%s\n", n, n == 1 ? "" : "s");
	}
	return EXIT_OK;
}
