// SPDX-License-Identifier: GPL-2.0
/*
 * pcpctl show: the mapping table. Printed as the dump arrives, one row or
 * one JSON object at a time, so a table of any size needs no more memory
 * than one mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "pcpctl/pcpctl.h"

struct show {
	bool json;
	unsigned long n;
};

static int show_one(const struct pcpnl_map *m, void *arg)
{
	struct show *s = arg;
	json_object *o;

	if (s->json) {
		o = map_json(m);
		printf("%s%s", s->n ? ",\n" : "",
		       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		map_table_row(m);
	}
	s->n++;
	/* A reader that went away (EPIPE, full disk) ends the walk. */
	return ferror(stdout) ? -EIO : 0;
}

static int parse_filter(struct pcpnl_map_filter *f, const char *kw, const char *v)
{
	bool has_port;
	int rc;

	if (!strcmp(kw, "proto")) {
		if (pcpnl_parse_proto(v, &f->proto))
			return ctl_usage("invalid protocol \"%s\" (udp, tcp or icmp)", v);
		f->fields |= PCPNL_MF_PROTO;
	} else if (!strcmp(kw, "int") || !strcmp(kw, "ext")) {
		bool in = kw[0] == 'i';

		rc = pcpnl_parse_endpoint(v, true, in ? &f->int_addr : &f->ext_addr,
					   in ? &f->int_port : &f->ext_port, &has_port);
		if (rc)
			return ctl_bad_value(in ? "internal endpoint (A[:P])" :
					     "external endpoint (A[:P])", v, rc);
		f->fields |= in ? PCPNL_MF_INT_ADDR : PCPNL_MF_EXT_ADDR;
		if (has_port)
			f->fields |= in ? PCPNL_MF_INT_PORT : PCPNL_MF_EXT_PORT;
	} else if (!strcmp(kw, "subscriber")) {
		if (pcpnl_parse_addr(v, &f->subscriber))
			return ctl_bad_value("subscriber address", v, -EINVAL);
		f->fields |= PCPNL_MF_SUBSCRIBER;
	} else if (!strcmp(kw, "kind")) {
		if (!strcmp(v, "implicit"))
			f->kind = PCPNAT_KIND_IMPLICIT;
		else if (!strcmp(v, "explicit"))
			f->kind = PCPNAT_KIND_EXPLICIT;
		else
			return ctl_usage("invalid kind \"%s\" (implicit or explicit)", v);
		f->fields |= PCPNL_MF_KIND;
	} else {
		return ctl_usage("show: unknown argument \"%s\"", kw);
	}
	return 0;
}

int cmd_show(struct ctl *ctl, int argc, char **argv)
{
	struct pcpnl_map_filter f = { 0 };
	struct show s = { .json = ctl->json };
	const char *v;
	int i, rc;

	for (i = 1; i < argc; i += 2) {
		if (!(v = ctl_value(argc, argv, i)))
			return EXIT_USAGE;
		if ((rc = parse_filter(&f, argv[i], v)))
			return rc;
	}
	if (!ctl_client(ctl))
		return EXIT_FAIL;
	if (ctl->json)
		fputs("[\n", stdout);
	else
		map_table_header();
	rc = pcpnl_map_dump(ctl->client, &f, NULL, show_one, &s);
	if (rc) {
		/* What was printed is incomplete: say so, and fail. */
		fflush(stdout);
		return ctl_fail(ctl, "show", rc);
	}
	if (ctl->json)
		fputs(s.n ? "\n]\n" : "]\n", stdout);
	return EXIT_OK;
}
