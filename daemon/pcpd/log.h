/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd's logging: one line per event, to stderr in the foreground (-d) or
 * to syslog (daemon facility) otherwise. Verbosity: 0 = warnings and info,
 * 1 (-v) = one line per decision (debug).
 */
#ifndef PCPD_LOG_H
#define PCPD_LOG_H

#include <stdbool.h>

void log_init(bool foreground, int verbose);
void log_set_verbose(int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log at the error level and exit(1); fatal() appends strerror(errno). */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* PCPD_LOG_H */
