/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text that other hosts chose (a PCP DESCRIPTION option, RFC 7220) made safe
 * to show: for a terminal, and for JSON. Pure functions, no I/O.
 */
#ifndef PCPNL_ESCAPE_H
#define PCPNL_ESCAPE_H

#include <stddef.h>

/* Worst case growth: every byte becomes "\xHH" (or U+FFFD, 3 bytes). */
#define PCPNL_ESCAPED_SIZE(n)	(4 * (n) + 1)

/*
 * For a terminal: printable ASCII and well-formed UTF-8 of printable
 * characters pass; a backslash becomes "\\", "\r" and "\n" and "\t" their
 * C escapes, and every other byte (C0 and C1 controls, DEL, malformed
 * UTF-8) "\xHH". out always ends in NUL; cut to outlen on a whole escape.
 */
void pcpnl_escape_tty(const char *in, char *out, size_t outlen);

/*
 * For JSON, which must be UTF-8 (RFC 8259 8.1): malformed sequences become
 * U+FFFD, the rest is kept (json-c escapes the controls itself).
 */
void pcpnl_utf8_sanitize(const char *in, char *out, size_t outlen);

#endif /* PCPNL_ESCAPE_H */
