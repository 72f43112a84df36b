// SPDX-License-Identifier: GPL-2.0
/*
 * pcpctl sync [show]: pcpd's replication status ([sync], pcpd-sync.md),
 * as pcpd last wrote it to sync-status.json beside its state file (once a
 * second, replaced whole, so a reader never sees half of one). The file
 * is found from pcpd.conf's state_file (conf FILE, the default
 * configuration otherwise) or named outright (status FILE).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "pcpctl/pcpctl.h"
#include "pcpd/conf.h"

/* The status file beside conf's state file; -1 if conf cannot be read. */
static int status_path(const char *conf, char *out, size_t len)
{
	struct pcpd_conf c;
	char err[256], dir[sizeof(c.state_file)];

	if (pcpd_conf_load(conf, &c, err, sizeof(err)))
		return ctl_error("sync: %s: %s", conf, err);
	if (!*c.state_file)
		return ctl_error("sync: %s: no state_file, so no status file",
				 conf);
	snprintf(dir, sizeof(dir), "%s", c.state_file);
	if (snprintf(out, len, "%s/sync-status.json", dirname(dir)) >= (int)len)
		return ctl_error("sync: %s: state_file path too long", conf);
	return EXIT_OK;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "?";
}

static const char *yes(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return "?";
	return json_object_get_boolean(v) ? "yes" : "no";
}

/* One line each: its label, the status key, and whether it is a yes/no. */
static const struct {
	const char *label, *key;
	bool flag;
} rows[] = {
	{ "peer role", "peer_role", false },
	{ "established", "established", true },
	{ "peer alive", "alive", true },
	{ "synchronised", "synced", true },
	{ "split brain", "split_brain", true },
	{ "bulk in progress", "bulk_active", true },
	{ "last acked", "last_acked", false },
	{ "backlog", "backlog", false },
	{ "delivered", "rx_delivered", false },
	{ "send errors", "tx_errors", false },
	{ "install errors", "install_errors", false },
	{ "lost endpoints", "lost_endpoints", false },
};

static void print_human(json_object *o, long age)
{
	json_object *c;
	size_t i;

	printf("%-20s%s, node %s\n", "role", str(o, "role"), str(o, "node_id"));
	printf("%-20s%s, node %s\n", "peer", str(o, "peer"),
	       str(o, "peer_node_id"));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("%-20s%s\n", rows[i].label, rows[i].flag ?
		       yes(o, rows[i].key) : str(o, rows[i].key));
	if (json_object_object_get_ex(o, "counters", &c)) {
		printf("%-20s%s\n", "auth failures", str(c, "rx_auth_fail"));
		printf("%-20srequested %s, served %s, mismatched %s\n", "resyncs",
		       str(c, "resyncs_requested"), str(c, "resyncs_served"),
		       str(c, "bulk_mismatch"));
		printf("%-20s%s\n", "split brain onsets", str(c, "split_brain"));
		printf("counters\n");
		json_object_object_foreach(c, k, v)
			printf("  %-18s%s\n", k, json_object_get_string(v));
	}
	printf("%-20s%ld s ago\n", "written", age);
}

int cmd_sync(struct ctl *ctl, int argc, char **argv)
{
	char path[PATH_MAX] = "";
	static const char default_conf[] = PCPD_DEFAULT_CONF;
	const char *conf = default_conf, *v;
	json_object *o;
	struct stat st;
	long age;
	int i = 1, rc;

	if (i < argc && !strcmp(argv[i], "show"))
		i++;
	for (; i < argc; i += 2) {
		v = ctl_value(argc, argv, i);
		if (!v)
			return EXIT_USAGE;
		if (!strcmp(argv[i], "status"))
			snprintf(path, sizeof(path), "%s", v);
		else if (!strcmp(argv[i], "conf"))
			conf = v;
		else
			return ctl_usage("sync: unknown argument \"%s\"", argv[i]);
	}
	/* No pcpd.conf where pcpd looks by default: pcpd's default state. */
	if (!*path && conf == default_conf && access(conf, F_OK)) {
		char state[] = PCPD_DEFAULT_STATE;

		snprintf(path, sizeof(path), "%s/sync-status.json",
			 dirname(state));
	}
	if (!*path) {
		rc = status_path(conf, path, sizeof(path));
		if (rc)
			return rc;
	}
	if (stat(path, &st))
		return ctl_error("sync: %s: %s (is pcpd running with [sync]?)",
				 path, strerror(errno));
	o = json_object_from_file(path);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return ctl_error("sync: %s: not pcpd's status", path);
	}
	/* pcpd rewrites it each second: older says pcpd is not running. */
	age = (long)(time(NULL) - st.st_mtime);
	if (ctl->json) {
		json_object_object_add(o, "status_file",
				       json_object_new_string(path));
		json_object_object_add(o, "age", json_object_new_int64(age));
		json_print(o, true);
	} else {
		print_human(o, age);
		json_object_put(o);
	}
	return EXIT_OK;
}
