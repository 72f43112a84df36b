// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the replication key (sync_key.h). A key others can read lets
 * them forge the mapping state the standby installs: refused, as ssh
 * refuses a private key with loose permissions.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcpd/sync_key.h"

/* 64 hex digits and white space around them: 128 is ample. */
#define KEY_FILE_MAX	128

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_hex(const char *s, size_t n, uint8_t *key)
{
	size_t i = 0, j = 0;
	int hi, lo;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	for (; j < PCPD_SYNC_KEY_LEN; j++, i += 2) {
		if (i + 1 >= n)
			return -1;
		hi = hexval((unsigned char)s[i]);
		lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		key[j] = (uint8_t)(hi << 4 | lo);
	}
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	return i == n ? 0 : -1;
}

int pcpd_sync_key_load(const char *path, uint8_t key[PCPD_SYNC_KEY_LEN],
		       char *err, size_t errlen)
{
	char buf[KEY_FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXO | S_IWGRP)) {
		snprintf(err, errlen, "%s: mode %04o: others may read or "
			 "write the key (chmod 600)", path,
			 (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (n > KEY_FILE_MAX || parse_hex(buf, (size_t)n, key)) {
		sodium_memzero(key, PCPD_SYNC_KEY_LEN);
		snprintf(err, errlen, "%s: not 64 hex digits (32 octets)",
			 path);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}
