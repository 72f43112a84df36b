// SPDX-License-Identifier: GPL-2.0
/*
 * Dropping to one capability (see privs.h), with Debian's libcap-ng.
 *
 * Why CAP_NET_ADMIN survives: the module checks it on every MAP_ADD,
 * MAP_DEL, FLUSH and CONFIG_SET (GENL_ADMIN_PERM), and pcpd opens a new
 * netlink socket whenever the module is reloaded. The parsers see
 * attacker-chosen bytes from every LAN host, so nothing else is kept: no
 * CAP_DAC_OVERRIDE to write over other users' files, no CAP_SYS_MODULE,
 * no CAP_SETUID to come back. PR_SET_NO_NEW_PRIVS closes the door that
 * an exec of a set-uid program would open.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcpd/log.h"
#include "pcpd/privs.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The state directory belongs to pcpd's user when pcpd made it; a state
 * file left by an earlier run as root is handed over, so that the first
 * unprivileged start still restores it (RFC 6887 §8.5: losing it would
 * cost every client its mappings). Through descriptors opened without
 * following links, and only a root-owned file with one link: whoever can
 * write the directory must not make root chown a file of its choosing.
 */
static int hand_state_to(const struct passwd *pw, const char *state_file,
			 char *err, size_t errlen)
{
	char *copy = strdup(state_file);
	const char *dir;
	struct stat st;
	int fd, rc = 0;

	if (!copy)
		return fail(err, errlen, "out of memory");
	dir = dirname(copy);
	if (!mkdir(dir, 0750)) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchown(fd, pw->pw_uid, pw->pw_gid))
			rc = fail(err, errlen, "%s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
	} else if (errno != EEXIST) {
		rc = fail(err, errlen, "%s: %s", dir, strerror(errno));
	}
	free(copy);
	if (rc)
		return rc;
	fd = open(state_file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* none yet, or not ours to hand over */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    st.st_uid == 0 && fchown(fd, pw->pw_uid, pw->pw_gid))
		rc = fail(err, errlen, "%s: %s", state_file, strerror(errno));
	close(fd);
	return rc;
}

/* What is left must be CAP_NET_ADMIN alone: checked, not assumed. */
static bool only_net_admin(void)
{
	int c;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process())
		return false;
	if (capng_have_capabilities(CAPNG_SELECT_AMBIENT) != CAPNG_NONE)
		return false;
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		bool want = c == CAP_NET_ADMIN;

		if (capng_have_capability(CAPNG_EFFECTIVE, c) != want ||
		    capng_have_capability(CAPNG_PERMITTED, c) != want)
			return false;
	}
	return true;
}

int pcpd_drop_privileges(const char *user, const char *state_file,
			 char *err, size_t errlen)
{
	const struct passwd *pw = NULL;
	char journal[PATH_MAX];
	bool root, setpcap;
	int rc;

	/*
	 * What pcpd may do is what its capabilities say, not its uid: root
	 * under a narrow bounding set cannot change users or the bounding set.
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process())
		return fail(err, errlen, "cannot read pcpd's capabilities");
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	root = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) &&
	       capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID);
	/*
	 * uid 0 without capabilities still owns /etc: a parser taken over
	 * there could rewrite any root file. So root always changes user;
	 * "root" in pcpd.conf is refused rather than honoured.
	 */
	if (!strcmp(user, "root"))
		return fail(err, errlen, "user root: pcpd never keeps uid 0");
	if (root && geteuid() == 0 && !*user)
		user = PCPD_DEFAULT_USER;
	if (*user && root) {
		pw = getpwnam(user);
		if (!pw)
			return fail(err, errlen, "no user %s", user);
		if (!pw->pw_uid)
			return fail(err, errlen, "user %s is uid 0", user);
		if (*state_file && hand_state_to(pw, state_file, err, errlen))
			return -1;
		/* Its journal too (storage.h): the changes since the snapshot. */
		if (*state_file &&
		    snprintf(journal, sizeof(journal), "%s.journal",
			     state_file) < (int)sizeof(journal) &&
		    hand_state_to(pw, journal, err, errlen))
			return -1;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
		     CAP_NET_ADMIN);
	if (pw)
		rc = capng_change_id(pw->pw_uid, pw->pw_gid,
				     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_AMBIENT |
				     (setpcap ? CAPNG_CLEAR_BOUNDING : 0));
	else
		/* The bounding set needs CAP_SETPCAP. */
		rc = capng_apply(setpcap ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS);
	if (rc)
		return fail(err, errlen,
			    "cannot keep CAP_NET_ADMIN alone (libcap-ng %d): pcpd needs it to reach pcpnat",
			    rc);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
			    strerror(errno));
	if (!only_net_admin())
		return fail(err, errlen, "capabilities other than CAP_NET_ADMIN remain");
	if (!getuid() || !geteuid())
		return fail(err, errlen, "still uid 0");
	log_info("running as uid %u gid %u with CAP_NET_ADMIN only",
		 (unsigned int)getuid(), (unsigned int)getgid());
	return 0;
}
