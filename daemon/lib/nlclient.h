/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection to the pcpnat generic netlink family (libnl-3).
 *
 * Every call returns 0 or a negative errno. Where the module refused a
 * request it says why in an extack message; pcpnl_client_error() returns
 * it (or "" when there was none) until the next request, led by the
 * setting's keyword when the kernel pointed at one attribute and followed
 * by the bounds its policy states ("udp-timeout: integer out of range
 * (minimum 120)"). errno values of
 * MAP_ADD/MAP_DEL are listed in uapi/linux/pcpnat.h; pcpd maps them onto
 * PCP result codes.
 *
 * A client is not thread safe: one request at a time. Events use a
 * socket of their own (nl_events.h) so that notifications never interleave
 * with replies.
 */
#ifndef PCPNL_NLCLIENT_H
#define PCPNL_NLCLIENT_H

#include <stddef.h>
#include <stdint.h>

struct pcpnl_client;

/*
 * Connect and resolve the family. Fails with -ENOENT when the module is not
 * loaded and -EPROTO when its ABI version differs from ours; err then holds
 * one line saying what to do ("please update the module").
 */
int pcpnl_client_open(struct pcpnl_client **c, char *err, size_t errlen);
void pcpnl_client_close(struct pcpnl_client *c);

/* The extack message of the last failed request, "" if none. */
const char *pcpnl_client_error(const struct pcpnl_client *c);

/*
 * The extack message the module attached to the last request's success,
 * a warning ("" if none): the request took effect, but the person should
 * hear about something.
 */
const char *pcpnl_client_warning(const struct pcpnl_client *c);

/* ABI version the module registered (PCPNAT_GENL_VERSION on its side). */
uint32_t pcpnl_client_module_version(const struct pcpnl_client *c);

/*
 * The module's ABI version without the version check, for `pcpctl version`
 * and diagnostics. -ENOENT if the module is not loaded.
 */
int pcpnl_probe_version(uint32_t *version, char *err, size_t errlen);

#endif /* PCPNL_NLCLIENT_H */
