// SPDX-License-Identifier: GPL-2.0
/* pcpd's state file (see state.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcpd/file_replace.h"
#include "pcpd/file_read.h"
#include "pcpd/state_file.h"

#define STATE_MAGIC	"pcpd-state 1"

uint64_t pcpd_state_hash_more(uint64_t h, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t pcpd_state_hash(const void *buf, size_t n)
{
	return pcpd_state_hash_more(0xcbf29ce484222325ull, buf, n); /* FNV-1a */
}

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += n;
			return;
		}
		char *q = realloc(b->p, b->cap * 2 + 4096);

		if (!q || n < 0) {
			b->oom = true;
			return;
		}
		b->p = q;
		b->cap = b->cap * 2 + 4096;
	}
}

/* Appends what snprintf would to buf[*n..cap); false when it did not fit. */
static bool put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= cap)
		return false;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= cap - *n)
		return false;
	*n += r;
	return true;
}

static bool hex(char *buf, size_t cap, size_t *n, const uint8_t *p, size_t len)
{
	static const char digit[] = "0123456789abcdef";

	if (cap - *n <= 2 * len)
		return false;
	while (len--) {
		buf[(*n)++] = digit[*p >> 4];
		buf[(*n)++] = digit[*p++ & 15];
	}
	buf[*n] = '\0';
	return true;
}

int pcpd_state_format_map(char *buf, size_t cap, const struct pcpd_mapping *m,
			  int64_t expires)
{
	char a1[INET_ADDRSTRLEN], a2[INET_ADDRSTRLEN], a3[INET_ADDRSTRLEN];
	size_t n = 0;
	bool ok;
	unsigned int j;

	if (cap > PCPD_STATE_LINE_MAX - 1)
		cap = PCPD_STATE_LINE_MAX - 1;	/* room for the newline */
	inet_ntop(AF_INET, &m->int_addr, a1, sizeof(a1));
	inet_ntop(AF_INET, &m->ext_addr, a2, sizeof(a2));
	inet_ntop(AF_INET, &m->subscriber, a3, sizeof(a3));
	ok = put(buf, cap, &n, "map %u %s %u %s %u %s %" PRId64 " ", m->proto,
		 a1, m->int_port, a2, m->ext_port, a3, expires) &&
	     hex(buf, cap, &n, m->nonce, PCPNAT_NONCE_LEN) &&
	     put(buf, cap, &n, " %u", m->nfilters);
	for (j = 0; ok && j < m->nfilters; j++) {
		inet_ntop(AF_INET, &m->filters[j].addr, a1, sizeof(a1));
		ok = put(buf, cap, &n, " %s/%u:%u", a1, m->filters[j].plen,
			 m->filters[j].port);
	}
	/* Hex, so that any byte of a description survives. */
	ok = ok && put(buf, cap, &n, " -") &&
	     hex(buf, cap, &n, (const uint8_t *)m->descr,
		 strnlen(m->descr, PCPNAT_DESCR_MAX - 1));
	return ok ? (int)n : -E2BIG;
}

static int format(const struct pcpd_state *s, char **buf, size_t *len,
		  uint64_t *hash)
{
	struct sbuf b = { .p = malloc(4096), .cap = 4096 };
	char a1[INET_ADDRSTRLEN], line[PCPD_STATE_LINE_MAX];
	unsigned int i;
	uint64_t h;
	int n;

	if (!b.p)
		return -ENOMEM;
	b.p[0] = '\0';
	sb_printf(&b, STATE_MAGIC "\nstate_id %016" PRIx64 "\norigin %" PRId64 "\n",
		  s->state_id, s->origin);
	if (s->boot_id[0])
		sb_printf(&b, "clock %s %" PRId64 " %" PRId64 "\n", s->boot_id,
			  s->clock_boot, s->clock_wall);
	for (i = 0; i < s->nresets; i++) {
		inet_ntop(AF_INET, &s->resets[i].subscriber, a1, sizeof(a1));
		sb_printf(&b, "reset %s %" PRId64 "\n", a1, s->resets[i].at);
	}
	for (i = 0; i < s->nmaps; i++) {
		/* What the loader would refuse is never written. */
		n = pcpd_state_format_map(line, sizeof(line), &s->maps[i].m,
					  s->maps[i].expires);
		if (n < 0) {
			free(b.p);
			return n;
		}
		sb_printf(&b, "%s\n", line);
	}
	if (!b.oom) {
		h = pcpd_state_hash(b.p, b.len);
		sb_printf(&b, "end %u %016" PRIx64 "\n",
			  !!s->boot_id[0] + s->nresets + s->nmaps, h);
		if (hash)
			*hash = h;
	}
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*buf = b.p;
	*len = b.len;
	return 0;
}

int pcpd_state_format(const struct pcpd_state *s, char **buf, size_t *len)
{
	return format(s, buf, len, NULL);
}

static int unhex(const char *s, uint8_t *out, size_t max, size_t *n)
{
	size_t l = strlen(s), i;
	unsigned int v;

	if (l % 2 || l / 2 > max)
		return -1;
	for (i = 0; i < l / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdef", s[2 * i]) ||
		    !strchr("0123456789abcdef", s[2 * i + 1]))
			return -1;
		out[i] = v;
	}
	*n = l / 2;
	return 0;
}

static int addr(const char *s, uint32_t *a)
{
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

int pcpd_state_parse_map(char *line, struct pcpd_mapping *m, int64_t *exp)
{
	char *tok[8 + 2 * PCPNAT_FILTERS_MAX], *save = NULL, *t;
	unsigned int n = 0, proto, ip, ep, nf, i, plen, port;
	size_t got;
	char fa[INET_ADDRSTRLEN + 1];

	memset(m, 0, sizeof(*m));
	for (t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == sizeof(tok) / sizeof(tok[0]))
			return -1;
		tok[n++] = t;
	}
	/* proto int iport ext eport sub expires nonce nf filters... descr */
	if (n < 10 || sscanf(tok[0], "%u", &proto) != 1 || proto > 255 ||
	    addr(tok[1], &m->int_addr) || sscanf(tok[2], "%u", &ip) != 1 ||
	    ip > 65535 || addr(tok[3], &m->ext_addr) ||
	    sscanf(tok[4], "%u", &ep) != 1 || ep > 65535 ||
	    addr(tok[5], &m->subscriber) ||
	    sscanf(tok[6], "%" SCNd64, exp) != 1 ||
	    unhex(tok[7], m->nonce, PCPNAT_NONCE_LEN, &got) ||
	    got != PCPNAT_NONCE_LEN || sscanf(tok[8], "%u", &nf) != 1 ||
	    nf > PCPNAT_FILTERS_MAX || n != 10 + nf)
		return -1;
	m->proto = proto;
	m->int_port = ip;
	m->ext_port = ep;
	m->kind = PCPNAT_KIND_EXPLICIT;
	m->nfilters = nf;
	for (i = 0; i < nf; i++) {
		if (sscanf(tok[9 + i], "%16[0-9.]/%u:%u", fa, &plen, &port) != 3 ||
		    addr(fa, &m->filters[i].addr) || plen < 1 || plen > 32 ||
		    port > 65535)
			return -1;
		m->filters[i].plen = plen;
		m->filters[i].port = port;
	}
	t = tok[9 + nf];
	if (*t != '-' || unhex(t + 1, (uint8_t *)m->descr,
			       PCPNAT_DESCR_MAX - 1, &got))
		return -1;
	m->descr[got] = '\0';
	if (strlen(m->descr) != got)	/* an embedded NUL */
		return -1;
	return 0;
}

static int bad(char *err, size_t errlen, unsigned int line, const char *why)
{
	snprintf(err, errlen, "line %u: %s", line, why);
	return -EBADMSG;
}

static int parse(const char *buf, size_t len, struct pcpd_state *s,
		 char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned int lineno = 0, count = 0, want;
	struct pcpd_mapping m;
	uint64_t h;
	int64_t exp;
	char line[PCPD_STATE_LINE_MAX], a[INET_ADDRSTRLEN + 1];
	bool ended = false;
	int rc;

	pcpd_state_free(s);
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', end - p);
		if (!nl)
			return bad(err, errlen, lineno, "truncated line");
		if (ended)
			return bad(err, errlen, lineno, "data after the end");
		if ((size_t)(nl - p) >= sizeof(line))
			return bad(err, errlen, lineno, "line too long");
		memcpy(line, p, nl - p);
		line[nl - p] = '\0';
		if (strlen(line) != (size_t)(nl - p))
			return bad(err, errlen, lineno, "NUL byte");
		if (lineno == 1) {
			if (strcmp(line, STATE_MAGIC))
				return bad(err, errlen, lineno, "not a pcpd state file");
		} else if (lineno == 2) {
			if (sscanf(line, "state_id %" SCNx64, &s->state_id) != 1)
				return bad(err, errlen, lineno, "bad state_id");
		} else if (lineno == 3) {
			if (sscanf(line, "origin %" SCNd64, &s->origin) != 1)
				return bad(err, errlen, lineno, "bad origin");
		} else if (lineno == 4 && !strncmp(line, "clock ", 6)) {
			/* Optional: files of older pcpd have none. */
			if (sscanf(line, "clock %39s %" SCNd64 " %" SCNd64,
				   s->boot_id, &s->clock_boot,
				   &s->clock_wall) != 3)
				return bad(err, errlen, lineno, "bad clock");
			count++;
		} else if (!strncmp(line, "reset ", 6)) {
			struct pcpd_sub_reset *r = &s->resets[s->nresets];

			if (s->nresets == PCPD_SUB_RESETS_MAX ||
			    sscanf(line, "reset %16s %" SCNd64, a, &r->at) != 2 ||
			    addr(a, &r->subscriber))
				return bad(err, errlen, lineno, "bad reset");
			s->nresets++;
			count++;
		} else if (!strncmp(line, "map ", 4)) {
			if (pcpd_state_parse_map(line + 4, &m, &exp))
				return bad(err, errlen, lineno, "bad map");
			rc = pcpd_state_add(s, &m, exp);
			if (rc)
				return bad(err, errlen, lineno, rc == -EEXIST ?
					   "a mapping twice" : "too many maps");
			count++;
		} else if (!strncmp(line, "end ", 4)) {
			if (sscanf(line, "end %u %" SCNx64, &want, &h) != 2)
				return bad(err, errlen, lineno, "bad end");
			if (want != count)
				return bad(err, errlen, lineno, "record count differs");
			if (h != pcpd_state_hash(buf, p - buf))
				return bad(err, errlen, lineno, "checksum differs");
			s->file_hash = h;
			ended = true;
		} else {
			return bad(err, errlen, lineno, "unknown record");
		}
		p = nl + 1;
	}
	if (!ended)
		return bad(err, errlen, lineno, "no end record (truncated)");
	return 0;
}

int pcpd_state_parse(const char *buf, size_t len, struct pcpd_state *s,
		     char *err, size_t errlen)
{
	int rc = parse(buf, len, s, err, errlen);

	/* Nothing of a file that failed is kept, not even its first lines. */
	if (rc)
		pcpd_state_free(s);
	return rc;
}

int pcpd_state_fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		err = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return err;
}

int pcpd_state_save(const char *path, const struct pcpd_state *s)
{
	int dir_err, err = pcpd_state_save_hashed(path, s, NULL, NULL,
						  &dir_err);

	return err ? err : dir_err;
}

int pcpd_state_save_hashed(const char *path, const struct pcpd_state *s,
			   uint64_t *hash, size_t *size, int *dir_err)
{
	char *buf;
	size_t len;
	int err;

	*dir_err = 0;
	err = format(s, &buf, &len, hash);
	if (err)
		return err;
	if (size)
		*size = len;
	err = pcpd_file_replace(path, buf, len);
	if (!err)
		*dir_err = pcpd_state_fsync_dir(path);
	free(buf);
	return err;
}

int pcpd_state_load(const char *path, struct pcpd_state *s, char *err,
		    size_t errlen)
{
	char aside[512], *buf;
	size_t len;
	int rc;

	pcpd_state_free(s);
	rc = pcpd_file_read_all(path, PCPD_STATE_FILE_MAX, &buf, &len);
	if (rc == -EFBIG) {
		snprintf(err, errlen, "unreadable or too big");
		rc = -EBADMSG;
		goto set_aside;
	}
	if (rc)
		return rc;
	rc = pcpd_state_parse(buf, len, s, err, errlen);
	free(buf);
	if (!rc)
		return 0;
	pcpd_state_free(s);
set_aside:
	/* Kept for a person to look at; never read again. */
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	if (rename(path, aside))
		unlink(path);
	return rc;
}
