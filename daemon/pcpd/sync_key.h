/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replication key ([sync] key_file, pcpd.conf(5)): 32 octets as 64 hex
 * digits, read once, as root, before privileges are dropped.
 */
#ifndef PCPD_SYNC_KEY_H
#define PCPD_SYNC_KEY_H

#include <stddef.h>
#include <stdint.h>

#define PCPD_SYNC_KEY_LEN	32

/*
 * 0, or -1 with one line in err: the file cannot be read, is a symbolic
 * link or not a regular file, can be read or written by others, or does
 * not hold exactly 64 hex digits (surrounding white space allowed).
 */
int pcpd_sync_key_load(const char *path, uint8_t key[PCPD_SYNC_KEY_LEN],
		       char *err, size_t errlen);

#endif /* PCPD_SYNC_KEY_H */
