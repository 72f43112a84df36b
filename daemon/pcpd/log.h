/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpd's logging: one line per event, to stderr in the foreground (-d) or
 * to syslog (daemon facility) otherwise. Verbosity: 0 = warnings and info,
 * 1 (-v) = one line per decision (debug).
 */
#ifndef PCPD_LOG_H
#define PCPD_LOG_H

#include <stdbool.h>
#include <stdint.h>

void log_init(bool foreground, int verbose);
void log_set_verbose(int verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Lines about what any client can cause (a refusal, a flood) are limited,
 * or a flood of requests becomes a flood of syslog: at most `burst` lines
 * per `interval_ms` pass, and the first line of a later interval is
 * preceded by how many were held back ("N more WHAT not logged").
 */
struct log_limit {
	const char *what;
	unsigned int burst;
	int64_t interval_ms;
	int64_t start_ms;
	unsigned int n;
	unsigned long held;
};
#define LOG_LIMIT(w, b, ms) { .what = (w), .burst = (b), .interval_ms = (ms) }
bool log_limit_pass(struct log_limit *l, int64_t now_ms);

/* Log at the error level and exit(1); fatal() appends strerror(errno). */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif /* PCPD_LOG_H */
