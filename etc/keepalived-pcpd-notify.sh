#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# keepalived notify script for pcpd's state replication ([sync] in
# pcpd.conf(5), Documentation/pcpd-sync.md): tells pcpd the router's VRRP
# state, so that the active (MASTER) sends its mappings and the standby
# (BACKUP) installs them (draft-boucadair-pcp-failure §3.3).
#
# In keepalived.conf:
#   vrrp_instance pcp {
#       ...
#       notify /etc/pcpd/keepalived-pcpd-notify.sh
#   }
# keepalived calls it with: TYPE NAME STATE PRIORITY.
#
# SIGUSR1: MASTER. SIGUSR2: BACKUP; FAULT and STOP too (this router must not
# act as the active, and asks the peer for its state once it is back).
# The state is also left in pcpd's role_file ([sync], default
# /run/pcpd/vrrp-role; PCPD_ROLE_FILE overrides): keepalived tells a state
# once, and a pcpd that (re)starts later begins in the state it finds there.
# pcpd runs as pcpd.service (etc/pcpd.service); PCPD_PID names the process
# directly where it does not (the selftest, selftests/pcp_sync.sh).
state=$3
role_file=${PCPD_ROLE_FILE:-/run/pcpd/vrrp-role}

case $state in
MASTER) sig=USR1 role=active ;;
BACKUP|FAULT|STOP) sig=USR2 role=standby ;;
*) echo "$0: unknown state '$state'" >&2; exit 2 ;;
esac
# The module's role too, not only through pcpd: a router whose pcpd is
# down must still translate new flows once keepalived makes it MASTER
# (pcpd sets the same role when it is told, and again when it starts).
pcpctl=${PCPCTL:-$(command -v pcpctl)}
if [ -n "$pcpctl" ]; then
	"$pcpctl" config set role "$role" >/dev/null ||
		echo "$0: pcpnat's role not set to $role" >&2
fi
# Written whole, then renamed: a pcpd starting now reads the old state or
# the new one, never half of it.
umask 022
mkdir -p "$(dirname "$role_file")" &&
	printf '%s\n' "$state" >"$role_file.$$" &&
	mv -f "$role_file.$$" "$role_file" ||
	echo "$0: cannot write $role_file" >&2
if [ -n "${PCPD_PID:-}" ]; then
	exec kill -s "$sig" "$PCPD_PID"
fi
exec systemctl kill --kill-whom=main --signal="SIG$sig" pcpd.service
