/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege. Once its UDP sockets are bound and its interfaces
 * chosen, pcpd needs exactly one capability for the rest of its life:
 * CAP_NET_ADMIN, which the pcpnat family requires of every command that
 * changes the table. Everything else (the PCP and NAT-PMP parsers, the
 * state file, the configuration on SIGHUP) runs as an ordinary user.
 */
#ifndef PCPD_PRIVS_H
#define PCPD_PRIVS_H

#include <stddef.h>

/*
 * Become `user` (when pcpd may change users: started as root; "nobody"
 * when none is given, since uid 0 without capabilities still owns every
 * root file), keep only
 * CAP_NET_ADMIN, effective and permitted, empty the bounding set when pcpd
 * may change it (root may), and set PR_SET_NO_NEW_PRIVS. When `user` is set and
 * the directory of state_file does not exist, it is created for that user
 * first; an existing state file is handed to that user. 0, or -1 with the
 * reason in err.
 */
/* Whom pcpd becomes when started as root with no `user` in pcpd.conf. */
#define PCPD_DEFAULT_USER	"nobody"

int pcpd_drop_privileges(const char *user, const char *state_file,
			 char *err, size_t errlen);

#endif /* PCPD_PRIVS_H */
