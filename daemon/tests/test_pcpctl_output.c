// SPDX-License-Identifier: GPL-2.0
/*
 * pcpctl's output of client-chosen text: a DESCRIPTION option (RFC 7220)
 * comes from any host on the LAN and pcpd does not check it, so the table
 * must not pass terminal control sequences to the admin's terminal, and
 * --json must stay valid JSON (RFC 8259 8.1: UTF-8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "pcpctl/output.c"

/* What fn printed on stdout. */
static char *capture(void (*fn)(const struct pcpnl_map *),
		     const struct pcpnl_map *m)
{
	static char buf[4096];
	FILE *f = tmpfile();
	int saved;
	size_t n;

	if (!f)
		return NULL;
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(f), 1);
	fn(m);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static bool has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p == '\n')
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return true;
		/* C1 controls, as UTF-8 (U+0080..U+009F) or raw 8-bit. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
		if (*p >= 0x80 && *p <= 0x9f)
			return true;
	}
	return false;
}

static void evil_map(struct pcpnl_map *m, const char *descr)
{
	memset(m, 0, sizeof(*m));
	m->proto = 17;
	inet_pton(AF_INET, "10.0.0.2", &m->int_addr);
	m->int_port = 4000;
	inet_pton(AF_INET, "192.0.2.1", &m->ext_addr);
	m->ext_port = 4000;
	m->kind = PCPNAT_KIND_EXPLICIT;
	m->lifetime = 100;
	snprintf(m->descr, sizeof(m->descr), "%s", descr);
}

#define EVIL "ok\x1b]0;owned\x07\x1b[2J\r\x9b" "31m\xc2\x9b" "1m\xff\\end"

TEST(table_escapes_controls)
{
	struct pcpnl_map m;
	char *out;

	evil_map(&m, EVIL);
	out = capture(map_table_row, &m);
	ASSERT_NE(NULL, out);
	EXPECT_FALSE(has_control(out)) {
		TH_LOG("raw control in '%s'", out);
	}
	/* Shown, escaped, not dropped: the admin sees what was sent. */
	EXPECT_NE(NULL, strstr(out, "ok\\x1b]0;owned\\x07\\x1b[2J\\r\\x9b31m"));
	EXPECT_NE(NULL, strstr(out, "\\xc2\\x9b1m\\xff\\\\end"));

	out = capture(map_print_detail, &m);
	ASSERT_NE(NULL, out);
	EXPECT_FALSE(has_control(out)) {
		TH_LOG("raw control in '%s'", out);
	}

	/* Printable UTF-8 text stays readable. */
	evil_map(&m, "caf\xc3\xa9 \xe2\x82\xac");
	out = capture(map_table_row, &m);
	ASSERT_NE(NULL, out);
	EXPECT_NE(NULL, strstr(out, "caf\xc3\xa9 \xe2\x82\xac"));
}

TEST(json_stays_valid)
{
	struct pcpnl_map m;
	json_object *o, *back, *d;
	const char *s;

	evil_map(&m, EVIL);
	o = map_json(&m);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ASSERT_NE(NULL, s);
	/*
	 * JSON escapes C0 controls (RFC 8259 7); the rest, C1 included, is
	 * valid JSON text whose display is its consumer's concern.
	 */
	for (const char *c = s; *c; c++)
		EXPECT_LE(0x20, (unsigned char)*c);
	/* json-c's parser checks UTF-8 only with this flag. */
	{
		struct json_tokener *tok = json_tokener_new();

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				       JSON_TOKENER_VALIDATE_UTF8);
		back = json_tokener_parse_ex(tok, s, (int)strlen(s));
		EXPECT_EQ((int)json_tokener_success,
			  (int)json_tokener_get_error(tok));
		json_tokener_free(tok);
	}
	ASSERT_NE(NULL, back);
	ASSERT_TRUE(json_object_object_get_ex(back, "descr", &d));
	/* The ASCII controls survive as JSON escapes, byte for byte. */
	EXPECT_EQ(0, strncmp(json_object_get_string(d), "ok\x1b]0;owned\x07", 12));
	json_object_put(back);
	json_object_put(o);
}

TEST_HARNESS_MAIN
