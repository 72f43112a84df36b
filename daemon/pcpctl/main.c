// SPDX-License-Identifier: GPL-2.0
/*
 * pcpctl: configure and inspect the pcpnat module.
 *
 * main() only finds the subcommand; each lives in its own file. --json may
 * appear anywhere on the line, so it is taken out before dispatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pcpctl/pcpctl.h"

static const struct ctl_cmd cmds[] = {
	{ "config", cmd_config,
	  "config [--json]\n"
	  "  config set [pool A/L[,A/L...]] [internal A/L[,...]] [ext-dev IFNAME|none]\n"
	  "             [ports MIN-MAX] [udp-timeout S] [tcp-est-timeout S]\n"
	  "             [tcp-trans-timeout S] [icmp-timeout S] [filtering eif|adf]\n"
	  "             [quota N] [max-mappings N] [all-ports on|off]\n"
	  "             [role active|standby]" },
	{ "map", cmd_map,
	  "map add proto udp|tcp|icmp int A:P [ext A[:P]] [lifetime S] [nonce HEX24]\n"
	  "            [subscriber A] [filter A/L[:P]]... [descr TEXT] [prefer-failure]\n"
	  "            [implicit] [--json]\n"
	  "  map del proto P int A:P [nonce HEX24] [force]\n"
	  "  map get proto P (int A:P | ext A:P) [--json]" },
	{ "show", cmd_show,
	  "show [proto P] [int A[:P]] [ext A[:P]] [subscriber A]\n"
	  "       [kind implicit|explicit] [--json]" },
	{ "stats", cmd_stats, "stats [--json]\n  stats reset" },
	{ "flush", cmd_flush, "flush [subscriber A] [--json]" },
	{ "monitor", cmd_monitor, "monitor [--count N] [--json]" },
	{ "version", cmd_version, "version [--json]" },
	{ "sync", cmd_sync, "sync [show] [conf FILE | status FILE] [--json]" },
	{ "batch", cmd_batch, "batch FILE|-" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* In batch mode, the line being run: errors name it. */
static unsigned long batch_line;

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: pcpctl COMMAND [ARGS] [--json]\n\nCommands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].usage);
	fprintf(f, "\nSee pcpctl(8).\n");
}

struct pcpnl_client *ctl_client(struct ctl *ctl)
{
	char err[256];
	int rc;

	if (ctl->client)
		return ctl->client;
	rc = pcpnl_client_open(&ctl->client, err, sizeof(err));
	if (rc < 0) {
		ctl_error("%s", err);
		ctl->client = NULL;
	}
	return ctl->client;
}

int ctl_fail(struct ctl *ctl, const char *what, int rc)
{
	const char *ext = ctl->client ? pcpnl_client_error(ctl->client) : "";

	if (!ext || !*ext)
		ext = strerror(-rc);
	return ctl_error("%s: %s", what, ext);
}

static void vreport(const char *fmt, va_list ap)
{
	fputs("pcpctl: ", stderr);
	if (batch_line)
		fprintf(stderr, "line %lu: ", batch_line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int ctl_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int ctl_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

const char *ctl_value(int argc, char **argv, int i)
{
	if (i + 1 >= argc) {
		ctl_usage("\"%s\" needs a value", argv[i]);
		return NULL;
	}
	return argv[i + 1];
}

int ctl_bad_value(const char *what, const char *value, int rc)
{
	return ctl_usage("invalid %s \"%s\"%s", what, value,
			 rc == -ERANGE ? ": out of range" : "");
}

static const struct ctl_cmd *find(const char *name)
{
	size_t c;

	for (c = 0; c < NCMDS; c++)
		if (!strcmp(name, cmds[c].name))
			return &cmds[c];
	return NULL;
}

#define BATCH_ARGS_MAX	64

/*
 * Split a batch line into words: blanks separate, double quotes group
 * ("descr \"my game\""), # starts a comment. Edits line in place.
 */
static int split(char *line, char **argv, bool *json)
{
	char *r = line, *w;
	int argc = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			break;
		if (argc == BATCH_ARGS_MAX)
			return -1;
		argv[argc] = w = r;
		while (*r && *r != ' ' && *r != '\t' && *r != '\n' && *r != '\r') {
			if (*r == '"') {
				for (r++; *r && *r != '"'; r++)
					*w++ = *r;
				if (*r != '"')
					return -1;
				r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r)
			r++;
		*w = '\0';
		if (!strcmp(argv[argc], "--json") || !strcmp(argv[argc], "-j"))
			*json = true;
		else
			argc++;
	}
	argv[argc] = NULL;
	return argc;
}

/*
 * pcpctl batch FILE: one command per line over one connection, stopping
 * at the first failure. Loading many mappings this way costs a netlink
 * round trip each, not a process each.
 */
int cmd_batch(struct ctl *ctl, int argc, char **argv)
{
	char *args[BATCH_ARGS_MAX + 1], *line = NULL;
	const struct ctl_cmd *cmd;
	size_t cap = 0;
	bool json;
	FILE *f;
	int n, rc = EXIT_OK;

	if (argc != 2)
		return ctl_usage("batch: expected one FILE (or - for stdin)");
	f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!f)
		return ctl_error("batch: %s: %s", argv[1], strerror(errno));
	while (rc == EXIT_OK && getline(&line, &cap, f) > 0) {
		batch_line++;
		json = ctl->json;
		n = split(line, args, &json);
		if (n < 0) {
			rc = ctl_usage("unbalanced quote or too many words");
		} else if (n > 0) {
			cmd = find(args[0]);
			if (!cmd || cmd->run == cmd_batch || cmd->run == cmd_monitor) {
				rc = ctl_usage("\"%s\" cannot be used in a batch", args[0]);
			} else {
				struct ctl sub = *ctl;

				sub.json = json;
				rc = cmd->run(&sub, n, args);
				/* The connection is opened once and kept. */
				ctl->client = sub.client;
			}
		}
	}
	if (rc == EXIT_OK && ferror(f))
		rc = ctl_error("batch: %s: read error", argv[1]);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	bool help = false;
	const struct ctl_cmd *cmd;
	int i, n = 0, rc;

	/* Take the global flags out wherever they are. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			ctl.json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
			 (n == 0 && !strcmp(argv[i], "help")))
			help = true;
		else
			argv[++n] = argv[i];
	}
	argc = n + 1;
	argv[argc] = NULL;
	if (argc < 2) {
		usage(help ? stdout : stderr);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	cmd = find(argv[1]);
	if (!cmd)
		return ctl_usage("unknown command \"%s\" (try pcpctl --help)", argv[1]);
	if (help) {
		printf("Usage: pcpctl %s\n", cmd->usage);
		return EXIT_OK;
	}
	rc = cmd->run(&ctl, argc - 1, argv + 1);
	pcpnl_client_close(ctl.client);
	batch_line = 0;
	/* A full disk or closed pipe must not look like success. */
	if ((fflush(stdout) || ferror(stdout)) && rc == EXIT_OK)
		rc = ctl_error("cannot write output: %s", strerror(errno));
	return rc;
}
