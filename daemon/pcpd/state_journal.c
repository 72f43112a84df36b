// SPDX-License-Identifier: GPL-2.0
/* The journal of stable storage (see state_journal.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcpd/file_read.h"
#include "pcpd/state_journal.h"

/* " " and 16 hex digits after each record's text. */
#define HASH_LEN	17

int pcpd_journal_header(char *buf, size_t cap, uint64_t snap_hash)
{
	int n = snprintf(buf, cap, PCPD_JOURNAL_MAGIC " %016" PRIx64 "\n",
			 snap_hash);

	return n < 0 || (size_t)n >= cap ? -E2BIG : n;
}

/* Seal the record text buf[0..n): its chained hash and the newline. */
static int seal(char *buf, size_t cap, size_t n, uint64_t *chain)
{
	uint64_t h;

	if (n + HASH_LEN + 1 >= PCPD_STATE_LINE_MAX || n + HASH_LEN + 2 > cap)
		return -E2BIG;
	h = pcpd_state_hash_more(*chain, buf, n);
	snprintf(buf + n, cap - n, " %016" PRIx64 "\n", h);
	*chain = h;
	return n + HASH_LEN + 1;
}

int pcpd_journal_map(char *buf, size_t cap, uint64_t *chain,
		     const struct pcpd_mapping *m, int64_t expires)
{
	int n = pcpd_state_format_map(buf, cap, m, expires);

	return n < 0 ? n : seal(buf, cap, n, chain);
}

int pcpd_journal_del(char *buf, size_t cap, uint64_t *chain, uint8_t proto,
		     uint32_t int_addr, uint16_t int_port)
{
	char a[INET_ADDRSTRLEN];
	int n;

	inet_ntop(AF_INET, &int_addr, a, sizeof(a));
	n = snprintf(buf, cap, "del %u %s %u", proto, a, int_port);
	if (n < 0 || (size_t)n >= cap)
		return -E2BIG;
	return seal(buf, cap, n, chain);
}

/* One record line (no newline) applied; false when it is not valid. */
static bool apply(char *line, size_t n, uint64_t *chain, struct pcpd_state *s)
{
	char *sp = memrchr(line, ' ', n), a[INET_ADDRSTRLEN + 1], end;
	struct pcpd_mapping m;
	unsigned int proto, port;
	uint64_t h;
	int64_t exp;

	if (!sp || line + n - sp != HASH_LEN ||
	    sscanf(sp + 1, "%16" SCNx64 "%c", &h, &end) != 1 ||
	    h != pcpd_state_hash_more(*chain, line, sp - line))
		return false;
	*sp = '\0';
	if (!strncmp(line, "map ", 4)) {
		if (pcpd_state_parse_map(line + 4, &m, &exp) ||
		    pcpd_state_put(s, &m, exp))
			return false;
	} else if (!strncmp(line, "del ", 4)) {
		if (sscanf(line, "del %u %16s %u%c", &proto, a, &port,
			   &end) != 3 || proto > 255 || port > 65535 ||
		    inet_pton(AF_INET, a, &m.int_addr) != 1)
			return false;
		pcpd_state_del(s, proto, m.int_addr, port);
	} else {
		return false;
	}
	*chain = h;
	return true;
}

int pcpd_journal_replay(const char *buf, size_t len, uint64_t snap_hash,
			struct pcpd_state *s, struct pcpd_journal_replay *r)
{
	char line[PCPD_STATE_LINE_MAX], head[PCPD_JOURNAL_HEADER_LEN + 1];
	const char *p, *end = buf + len, *nl;
	int n;

	memset(r, 0, sizeof(*r));
	n = pcpd_journal_header(head, sizeof(head), snap_hash);
	if (n < 0 || len < (size_t)n || memcmp(buf, head, n))
		return -ESTALE;
	r->chain = snap_hash;
	p = buf + n;
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl || (size_t)(nl - p) >= sizeof(line) ||
		    memchr(p, '\0', nl - p))
			break;
		memcpy(line, p, nl - p);
		line[nl - p] = '\0';
		if (!apply(line, nl - p, &r->chain, s))
			break;
		r->records++;
		p = nl + 1;
	}
	r->used = p - buf;
	r->ignored = end - p;
	return 0;
}

int pcpd_journal_append(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

int pcpd_journal_create(const char *path, uint64_t snap_hash, int *fd)
{
	char head[PCPD_JOURNAL_HEADER_LEN + 1];
	int n = pcpd_journal_header(head, sizeof(head), snap_hash), err;

	/* As the snapshot's temporary file: nobody else's file or link. */
	if (unlink(path) && errno != ENOENT)
		return -errno;
	*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND |
		   O_CLOEXEC, 0600);
	if (*fd < 0)
		return -errno;
	err = pcpd_journal_append(*fd, head, n);
	if (!err && fsync(*fd))
		err = -errno;
	if (!err)
		err = pcpd_state_fsync_dir(path);
	if (err) {
		close(*fd);
		*fd = -1;
		unlink(path);
	}
	return err;
}

int pcpd_journal_load(const char *path, uint64_t snap_hash,
		      struct pcpd_state *s, struct pcpd_journal_replay *r)
{
	size_t len;
	char *buf;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = pcpd_file_read_all(path, PCPD_JOURNAL_FILE_MAX, &buf, &len);
	if (rc)
		return rc;
	rc = pcpd_journal_replay(buf, len, snap_hash, s, r);
	free(buf);
	return rc;
}
