// SPDX-License-Identifier: GPL-2.0
/*
 * How mappings look, in the table, in detail, and in JSON. The JSON keys
 * are a contract with scripts (see pcpctl(8)): every key is always present
 * so that consumers need no existence checks.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "lib/pcpnl_escape.h"
#include "pcpctl/pcpctl.h"

const char *kind_name(uint8_t kind)
{
	switch (kind) {
	case PCPNAT_KIND_IMPLICIT:	return "implicit";
	case PCPNAT_KIND_EXPLICIT:	return "explicit";
	default:			return "unknown";
	}
}

static const char *proto_str(uint8_t proto, char *buf, size_t len)
{
	const char *name = pcpnl_proto_name(proto);

	if (name)
		return name;
	snprintf(buf, len, "%u", proto);
	return buf;
}

const char *endpoint_str(struct in_addr a, uint16_t port, char *buf, size_t len)
{
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, addr, sizeof(addr));
	snprintf(buf, len, "%s:%u", addr, port);
	return buf;
}

static json_object *addr_json(struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return json_object_new_string(buf);
}

json_object *map_json(const struct pcpnl_map *m)
{
	char pbuf[8], nonce[PCPNL_NONCE_HEX_LEN];
	char descr[PCPNL_ESCAPED_SIZE(PCPNAT_DESCR_MAX)];
	json_object *o = json_object_new_object();
	json_object *filters = json_object_new_array();
	unsigned int i;

	json_object_object_add(o, "proto",
			       json_object_new_string(proto_str(m->proto, pbuf, sizeof(pbuf))));
	json_object_object_add(o, "int_addr", addr_json(m->int_addr));
	json_object_object_add(o, "int_port", json_object_new_int(m->int_port));
	json_object_object_add(o, "ext_addr", addr_json(m->ext_addr));
	json_object_object_add(o, "ext_port", json_object_new_int(m->ext_port));
	json_object_object_add(o, "kind", json_object_new_string(kind_name(m->kind)));
	json_object_object_add(o, "lifetime", json_object_new_int64(m->lifetime));
	json_object_object_add(o, "idle", json_object_new_int64(m->idle));
	json_object_object_add(o, "subscriber", addr_json(m->subscriber));
	pcpnl_format_nonce(m->nonce, nonce);
	json_object_object_add(o, "nonce", json_object_new_string(nonce));
	/* Any LAN host chose these bytes: JSON must stay UTF-8. */
	pcpnl_utf8_sanitize(m->descr, descr, sizeof(descr));
	json_object_object_add(o, "descr", json_object_new_string(descr));
	for (i = 0; i < m->nfilters; i++) {
		json_object *f = json_object_new_object();

		json_object_object_add(f, "addr", addr_json(m->filters[i].addr));
		json_object_object_add(f, "plen", json_object_new_int(m->filters[i].plen));
		json_object_object_add(f, "port", json_object_new_int(m->filters[i].port));
		json_object_array_add(filters, f);
	}
	json_object_object_add(o, "filters", filters);
	return o;
}

void json_print(json_object *o, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);

	puts(json_object_to_json_string_ext(o, flags));
	json_object_put(o);
}

#define ROW_FMT "%-5s %-21s %-21s %-8s %9s %6s %-15s %s\n"

void map_table_header(void)
{
	printf(ROW_FMT, "PROTO", "INTERNAL", "EXTERNAL", "KIND", "LIFETIME",
	       "IDLE", "SUBSCRIBER", "DESCR");
}

void map_table_row(const struct pcpnl_map *m)
{
	char pbuf[8], in[32], ex[32], life[16], idle[16];
	char descr[PCPNL_ESCAPED_SIZE(PCPNAT_DESCR_MAX)];
	char sub[INET_ADDRSTRLEN];

	/* An implicit mapping lives by its idle timeout: no lifetime to show. */
	if (m->kind == PCPNAT_KIND_EXPLICIT)
		snprintf(life, sizeof(life), "%u", m->lifetime);
	else
		snprintf(life, sizeof(life), "-");
	snprintf(idle, sizeof(idle), "%u", m->idle);
	inet_ntop(AF_INET, &m->subscriber, sub, sizeof(sub));
	/*
	 * A client's DESCRIPTION: never let it drive the admin's terminal
	 * (escape sequences, carriage returns that overwrite the row).
	 */
	pcpnl_escape_tty(m->descr, descr, sizeof(descr));
	printf(ROW_FMT, proto_str(m->proto, pbuf, sizeof(pbuf)),
	       endpoint_str(m->int_addr, m->int_port, in, sizeof(in)),
	       endpoint_str(m->ext_addr, m->ext_port, ex, sizeof(ex)),
	       kind_name(m->kind), life, idle, sub, descr);
}

void map_print_detail(const struct pcpnl_map *m)
{
	char pbuf[8], ep[32], nonce[PCPNL_NONCE_HEX_LEN];
	char descr[PCPNL_ESCAPED_SIZE(PCPNAT_DESCR_MAX)];
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	printf("proto       %s\n", proto_str(m->proto, pbuf, sizeof(pbuf)));
	printf("internal    %s\n", endpoint_str(m->int_addr, m->int_port, ep, sizeof(ep)));
	printf("external    %s\n", endpoint_str(m->ext_addr, m->ext_port, ep, sizeof(ep)));
	printf("kind        %s\n", kind_name(m->kind));
	if (m->kind == PCPNAT_KIND_EXPLICIT)
		printf("lifetime    %u\n", m->lifetime);
	printf("idle        %u\n", m->idle);
	inet_ntop(AF_INET, &m->subscriber, a, sizeof(a));
	printf("subscriber  %s\n", a);
	pcpnl_format_nonce(m->nonce, nonce);
	printf("nonce       %s\n", nonce);
	if (m->descr[0]) {
		pcpnl_escape_tty(m->descr, descr, sizeof(descr));
		printf("descr       %s\n", descr);
	}
	for (i = 0; i < m->nfilters; i++) {
		inet_ntop(AF_INET, &m->filters[i].addr, a, sizeof(a));
		printf("filter      %s/%u port %u\n", a, m->filters[i].plen,
		       m->filters[i].port);
	}
}
