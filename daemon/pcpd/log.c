// SPDX-License-Identifier: GPL-2.0
/* See log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pcpd/log.h"

static bool to_stderr = true;
static int verbosity;

void log_init(bool foreground, int verbose)
{
	to_stderr = foreground;
	verbosity = verbose;
	if (!foreground)
		openlog("pcpd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_verbose(int verbose)
{
	verbosity = verbose;
}

static void vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (to_stderr)
		fprintf(stderr, "pcpd: %s%s%s\n", buf, suffix ? ": " : "",
			suffix ? suffix : "");
	else
		syslog(pri, "%s%s%s", buf, suffix ? ": " : "",
		       suffix ? suffix : "");
}

void log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, e);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, e);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

bool log_limit_pass(struct log_limit *l, int64_t now_ms)
{
	if (!l->start_ms || now_ms - l->start_ms >= l->interval_ms) {
		if (l->held)
			log_info("%lu more %s not logged", l->held, l->what);
		l->start_ms = now_ms ? now_ms : 1;
		l->n = 0;
		l->held = 0;
	}
	if (l->n < l->burst) {
		l->n++;
		return true;
	}
	l->held++;
	return false;
}
