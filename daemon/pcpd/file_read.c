// SPDX-License-Identifier: GPL-2.0
/* See file_read.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcpd/file_read.h"

int pcpd_file_read_all(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	*buf = malloc(st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, *buf + off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	close(fd);
	(*buf)[off] = '\0';
	*len = off;
	return 0;
}
