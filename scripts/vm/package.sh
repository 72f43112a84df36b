#!/bin/bash
# Runs inside the VM (make check-package, through run.sh): the packages as
# scripts/package-root.sh installed them on the host (dpkg -i into an
# overlay over the host's root, DKMS's builds done natively there), seen
# here as the same overlay: that upper directory stacked on the VM's view of
# the host's root, and a tmpfs over both for this run's writes. Then the
# module DKMS built, loaded as the unit loads it; pcpd started from the
# installed unit's own command lines and configuration; a NAT-PMP client
# that gets a port and traffic that crosses it; and a purge that must leave
# nothing of either package behind. KTAP on stdout.
#   package.sh UPPER [KTAP-FILE]
#
#   c1 10.0.1.2 -- br-int 10.0.1.1 [router: the packages' pcpnat + pcpd] r-ext 198.51.100.1 -- s 198.51.100.2
set -uo pipefail
installed=$1; shift
# KTAP goes to $1 when given (make check-package), else to stdout.
[ $# -eq 0 ] || exec >"$1"
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
source "$PCPNAT_TOP/selftests/lib.sh"
topo_names pkg
kver=$(uname -r)
# systemd's DynamicUser picks a uid from 61184-65519; this stands in for it.
dyn_uid=61184

ktap_print_header
ktap_set_plan 5

root=/run/pkg/root upper=/run/pkg/upper
in_root() { chroot "$root" "$@"; }

# The installed root, read-only, under a tmpfs that takes every write.
overlay() {
	mkdir -p /run/pkg && mount -t tmpfs -o size=600M pkg /run/pkg &&
	mkdir -p "$upper" /run/pkg/work "$root" &&
	mount -t overlay -o lowerdir="$installed":/,upperdir="$upper",workdir=/run/pkg/work pkgroot "$root" &&
	mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc" &&
	mount -t sysfs sys "$root/sys" && mount -t tmpfs run "$root/run" &&
	mount -t tmpfs tmp "$root/tmp" && chmod 1777 "$root/tmp"
}
ktap_setup overlay

# --- 1. the unit's commands start pcpd --------------------------------------
# What systemd would run: ExecStartPre= and ExecStart= of the installed
# unit, each with the privileges the unit gives it ('+': full).
unit=$root/lib/systemd/system/pcpd.service
mapfile -t pre < <(sed -n 's/^ExecStartPre=//p' "$unit")
start=$(sed -n 's/^ExecStart=//p' "$unit")
want [ "${#pre[@]}" -ge 1 ] && want [ -n "$start" ]
# As the unit's sandbox would: its user, CAP_NET_ADMIN alone (ambient),
# no new privileges, /var/lib/pcpd its StateDirectory.
as_unit=(ip netns exec "$R" chroot "$root" setpriv --reuid=$dyn_uid --regid=$dyn_uid
	--clear-groups --inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin
	--bounding-set=-all,+net_admin --no-new-privs)
setup_router() {
	topo_setup || return 1
	# The admin's edit: this router's external interface.
	sed -i 's/^ext_dev = .*/ext_dev = r-ext/' "$root/etc/pcpd.conf" &&
	install -d -m 700 -o $dyn_uid -g $dyn_uid "$root/var/lib/private/pcpd" &&
	ln -sfn private/pcpd "$root/var/lib/pcpd"
}
ktap_setup setup_router
for c in "${pre[@]}"; do
	case $c in
	+*) read -ra argv <<<"${c#+}"; want in_root "${argv[@]}" ;;
	*) read -ra argv <<<"$c"; want "${as_unit[@]}" "${argv[@]}" >>"$tmp/pcpd.log" 2>&1 ;;
	esac
done
want grep -q '^pcpnat ' /proc/modules
want eq "$(cat /sys/module/pcpnat/srcversion)" "$(in_root modinfo -k "$kver" -F srcversion pcpnat)"
read -ra argv <<<"$start"
# Not through a function: $! must be pcpd itself.
"${as_unit[@]}" "${argv[@]}" >>"$tmp/pcpd.log" 2>&1 &
pcpd_pid=$!
want bound "$R" u 5351
want eq "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$pcpd_pid/status")" 0000000000001000
want eq "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pcpd_pid/status")" $dyn_uid
[ "$fails" = 0 ] || while read -r l; do ktap_print_msg "pcpd: $l"; done <"$tmp/pcpd.log"
ok "the unit's ExecStartPre= load the DKMS module and check the config; ExecStart= runs pcpd as its user"

# --- 2. a NAT-PMP client gets a port, and traffic crosses it ----------------
in_ns "$C1" natpmpc -g "$GW" -a 0 6000 udp 600 >"$tmp/np" 2>&1
uport=$(sed -n 's/.*Mapped public port \([0-9]*\) protocol UDP.*/\1/p' "$tmp/np")
want [ -n "$uport" ]
want has "$tmp/np" "Public IP address : $EXT"
server u6000 "$C1" udp-server 6000 -t 6
want bound "$C1" u 6000
probe "$S" udp-client "$EXT:${uport:-1}" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:$uport"
want reap
want has "$tmp/u6000" "from $SRV:"
ok "natpmpc gets UDP port ${uport:-?} from the installed pcpd; the external host reaches the client through it"

# --- 3. the installed pcpctl shows it ---------------------------------------
ip netns exec "$R" chroot "$root" /usr/sbin/pcpctl show --json >"$tmp/show" 2>&1
want eq "$(jq -r --arg p "${uport:-0}" '[.[] | select(.ext_port == ($p | tonumber) and .proto == "udp")] | length' "$tmp/show")" 1
ok "the installed pcpctl shows the mapping"

# --- 4. stop, then purge: nothing of either package is left -----------------
want stop_pcpd
in_root dpkg -L pcpd pcpnat-dkms 2>/dev/null | while read -r f; do
	[ -f "$root$f" ] && echo "$f"
done >"$tmp/files"
want gt "$(wc -l <"$tmp/files")" 10
want rmmod pcpnat
want in_root dpkg --purge pcpd pcpnat-dkms >"$tmp/purge" 2>&1
left=$(while read -r f; do [ -e "$root$f" ] && echo "$f"; done <"$tmp/files")
want eq "$left" ""
# What the packages and DKMS made outside their file lists: the modules
# DKMS installed, its tree, the state directory, the configuration. Each
# file either layer holds (the host's install, this run's writes) that is
# named for pcpnat or pcpd must be gone from the root. man-db's cache of
# formatted pages is man-db's to expire, as for any package's pages.
want eq "$(for l in "$installed" "$upper"; do (cd "$l" && find . -path ./var/cache/man -prune -o \
	\( -name '*pcpnat*' -o -name '*pcpd*' \) ! -type c -print); done |
	sort -u | while read -r f; do [ -e "$root/$f" ] && echo "$f"; done | tr '\n' ' ')" ""
want not in_root modinfo -k "$kver" pcpnat
[ "$fails" = 0 ] || tail -n 20 "$tmp/purge" | while read -r l; do ktap_print_msg "$l"; done
ok "dpkg --purge removes the module DKMS built, pcpd's files, configuration and state"

# --- 5. the host's root is untouched ----------------------------------------
want not compgen -G "/lib/modules/$kver/updates/dkms/pcpnat.ko*"
want not [ -e /usr/sbin/pcpd ]
ok "everything went to the overlay: the host's root has no pcpd nor DKMS module"

ktap_finished
