/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpctl internals: the context every subcommand gets, and the helpers
 * they share for errors and output.
 *
 * Exit status: 0 success, 1 the request failed (module, kernel), 2 the
 * command line was wrong. Every failure prints exactly one line on stderr.
 */
#ifndef PCPCTL_H
#define PCPCTL_H

#include <stdbool.h>
#include <json-c/json.h>
#include "lib/pcpnl_client.h"

#define PCPCTL_VERSION	"0.1"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct ctl {
	bool json;
	struct pcpnl_client *client;	/* opened by ctl_client() */
};

struct ctl_cmd {
	const char *name;
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const char *usage;
};

/* Subcommands (one file each); argv[0] is the subcommand's name. */
int cmd_config(struct ctl *ctl, int argc, char **argv);
int cmd_map(struct ctl *ctl, int argc, char **argv);
int cmd_show(struct ctl *ctl, int argc, char **argv);
int cmd_stats(struct ctl *ctl, int argc, char **argv);
int cmd_flush(struct ctl *ctl, int argc, char **argv);
int cmd_monitor(struct ctl *ctl, int argc, char **argv);
int cmd_version(struct ctl *ctl, int argc, char **argv);
int cmd_batch(struct ctl *ctl, int argc, char **argv);
int cmd_sync(struct ctl *ctl, int argc, char **argv);

/* The connection, opened on first use; NULL after printing why not. */
struct pcpnl_client *ctl_client(struct ctl *ctl);

/* "pcpctl: <what>: <extack, or strerror(-rc)>"; returns EXIT_FAIL. */
int ctl_fail(struct ctl *ctl, const char *what, int rc);
/* "pcpctl: <message>"; returns EXIT_USAGE. */
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "pcpctl: <message>"; returns EXIT_FAIL. */
int ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* argv[i + 1] as the value of keyword argv[i], or NULL after a usage line. */
const char *ctl_value(int argc, char **argv, int i);
/* Usage error for a keyword's value: "invalid <what> \"<value>\"". */
int ctl_bad_value(const char *what, const char *value, int rc);

/* Output (output.c). */
json_object *map_json(const struct pcpnl_map *m);
void map_table_header(void);
void map_table_row(const struct pcpnl_map *m);
void map_print_detail(const struct pcpnl_map *m);
/* Prints o followed by a newline and drops the reference. */
void json_print(json_object *o, bool pretty);
const char *kind_name(uint8_t kind);
/* "A:P" into buf. */
const char *endpoint_str(struct in_addr a, uint16_t port, char *buf, size_t len);

#endif /* PCPCTL_H */
