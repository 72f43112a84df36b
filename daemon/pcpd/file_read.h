/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file read whole, as pcpd reads its own state: never through a
 * symlink (O_NOFOLLOW), never from anything but a regular file (a FIFO
 * planted there must not hang the start: O_NONBLOCK), never more than max
 * octets.
 */
#ifndef PCPD_FILE_READ_H
#define PCPD_FILE_READ_H

#include <stddef.h>

/*
 * *buf (malloc'd, NUL-terminated, *len octets before the NUL) or -errno:
 * -EFBIG for a file that is not regular or is larger than max.
 */
int pcpd_file_read_all(const char *path, size_t max, char **buf, size_t *len);

#endif /* PCPD_FILE_READ_H */
