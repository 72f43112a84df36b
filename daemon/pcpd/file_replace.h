/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small file replaced whole or not at all: written to "<path>.tmp", a
 * fresh file of our own (O_CREAT | O_EXCL | O_NOFOLLOW, 0600: whoever
 * else can write in the directory may have left a symlink or a file of
 * theirs under that name), fsynced, then renamed over path. A crash
 * leaves the old content or the new one, never a truncated file.
 */
#ifndef PCPD_FILE_REPLACE_H
#define PCPD_FILE_REPLACE_H

#include <stddef.h>

/* 0 or -errno (-ENAMETOOLONG when "<path>.tmp" does not fit PATH_MAX). */
int pcpd_file_replace(const char *path, const void *buf, size_t len);

#endif /* PCPD_FILE_REPLACE_H */
