// SPDX-License-Identifier: GPL-2.0
/* See pcpnl_escape.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/pcpnl_escape.h"

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629 4: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 if there is none; its
 * code point in *cp.
 */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Appends len bytes if they fit whole (room for the NUL kept). */
static void put(char *out, size_t outlen, size_t *o, const char *s,
		size_t len)
{
	if (*o + len + 1 > outlen)
		return;
	memcpy(out + *o, s, len);
	*o += len;
}

void pcpnl_escape_tty(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0, n;
	uint32_t cp;
	char esc[5];

	if (!outlen)
		return;
	while (*p && o + 1 < outlen) {
		n = utf8_seq(p, &cp);
		/* C0, DEL and C1 (U+0080..U+009F) drive terminals. */
		if (n && cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp >= 0xa0)) {
			if (cp == '\\') {
				put(out, outlen, &o, "\\\\", 2);
			} else {
				if (o + n + 1 > outlen)
					break;
				put(out, outlen, &o, (const char *)p, n);
			}
			p += n;
			continue;
		}
		if (*p == '\r')
			snprintf(esc, sizeof(esc), "\\r");
		else if (*p == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
		if (o + strlen(esc) + 1 > outlen)
			break;
		put(out, outlen, &o, esc, strlen(esc));
		p++;	/* one byte at a time: resync on the next one */
	}
	out[o] = 0;
}

void pcpnl_utf8_sanitize(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0, n;
	uint32_t cp;

	if (!outlen)
		return;
	while (*p) {
		n = utf8_seq(p, &cp);
		if (!n) {
			if (o + 4 > outlen)
				break;
			put(out, outlen, &o, "\xef\xbf\xbd", 3);
			p++;
			continue;
		}
		if (o + n + 1 > outlen)
			break;
		put(out, outlen, &o, (const char *)p, n);
		p += n;
	}
	out[o] = 0;
}
