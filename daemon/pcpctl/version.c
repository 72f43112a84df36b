// SPDX-License-Identifier: GPL-2.0
/* pcpctl version: ours and the module's ABI, so a mismatch is plain. */
#include <stdio.h>
#include "pcpctl/pcpctl.h"

int cmd_version(struct ctl *ctl, int argc, char **argv)
{
	uint32_t mod = 0;
	char err[256];
	json_object *o;
	int rc;

	if (argc > 1)
		return ctl_usage("version: unknown argument \"%s\"", argv[1]);
	rc = pcpnl_probe_version(&mod, err, sizeof(err));
	if (ctl->json) {
		o = json_object_new_object();
		json_object_object_add(o, "pcpctl", json_object_new_string(PCPCTL_VERSION));
		json_object_object_add(o, "abi", json_object_new_int(PCPNAT_GENL_VERSION));
		json_object_object_add(o, "module_abi", rc ? NULL : json_object_new_int64(mod));
		json_print(o, true);
	} else {
		printf("pcpctl %s, ABI version %d\n", PCPCTL_VERSION, PCPNAT_GENL_VERSION);
		if (!rc)
			printf("module ABI version %u%s\n", mod,
			       mod == PCPNAT_GENL_VERSION ? "" : " (mismatch)");
	}
	if (rc)
		return ctl_error("%s", err);
	if (mod != PCPNAT_GENL_VERSION)
		return ctl_error("the pcpnat module speaks ABI version %u, pcpctl %d: please update the %s",
				 mod, PCPNAT_GENL_VERSION,
				 mod < PCPNAT_GENL_VERSION ? "module" : "tools");
	return EXIT_OK;
}
