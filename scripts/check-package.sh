#!/bin/bash
# make check-package: the Debian packages as a router's admin meets them.
# Builds them (make deb), has lintian check them, checks what they hold,
# installs both with dpkg -i into an overlay over the host's root, where
# DKMS builds the packaged module source for each Debian kernel
# (scripts/package-root.sh), has systemd-analyze verify the installed unit,
# checks the packaged bash completion against pcpctl's grammar, and then,
# in a VM per Debian kernel, one after the other, uses what was installed:
# the module DKMS built, pcpd started as the unit starts it, a NAT-PMP
# client's port, a purge (scripts/vm/package.sh).
# DKMS builds on the host, natively: under the VM's emulation one build
# took longer than the whole check may (see the report in git log).
# Ends with one line "N passed, N failed"; a skip fails, as in make check.
set -uo pipefail
# Every skip fails this check: nothing here may be left out.
export ALLOW_SKIP=0
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
out=$PCPNAT_BUILD/check-package
debs=$PCPNAT_BUILD/deb
rm -rf "$out" && mkdir -p "$out"
cd "$top"
. "$top/scripts/ktap-parts.sh"

ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
mapfile -t kernels < <(scripts/kernel/kvers.sh matrix | grep -v -- '-pcpnat-debug$')

if ((${#kernels[@]} != 2)); then
	printf 'TAP version 13\n1..1\nnot ok 1 the matrix has Debian 6.1 and 6.12 (have: %s)\n' \
		"${kernels[*]}" >"$out/matrix.ktap"
	parts+=(matrix)
fi

# The VMs run pcpd's tests with the tree's own probe programs.
single "userspace and selftest programs build" build make -s userspace selftests-bin ||
	{ parts_print; parts_verdict; exit; }
single "make deb builds pcpnat-dkms and pcpd $ver" deb scripts/deb.sh ||
	{ parts_print; parts_verdict; exit; }

# The packages' contents, unpacked.
unpack() {
	rm -rf "$out/root" && mkdir -p "$out/root" &&
	dpkg-deb -x "$debs/pcpnat-dkms_${ver}_all.deb" "$out/root" &&
	dpkg-deb -x "$debs/pcpd_${ver}_amd64.deb" "$out/root"
}
single "the packages unpack" unpack unpack

# The source package and the binary ones; an override is listed with the
# reason debian/ gives for it.
lint() {
	lintian --fail-on error,warning --pedantic --display-info --show-overrides \
		"$debs/pcpnat_${ver}.dsc" "$debs/pcpnat_${ver}_amd64.changes"
}
single "lintian: no error, no warning" lintian lint

# What each package must hold, and the version every part agrees on.
contents() {
	local f bad=0 r=$out/root
	for f in usr/sbin/pcpd usr/sbin/pcpctl etc/pcpd.conf lib/systemd/system/pcpd.service \
		usr/share/man/man8/pcpd.8.gz usr/share/man/man8/pcpctl.8.gz \
		usr/share/man/man5/pcpd.conf.5.gz usr/share/bash-completion/completions/pcpctl \
		"usr/src/pcpnat-$ver/dkms.conf" "usr/src/pcpnat-$ver/kmod/Kbuild" \
		"usr/src/pcpnat-$ver/uapi/linux/pcpnat.h"; do
		[ -s "$r/$f" ] || { echo "missing: /$f"; bad=1; }
	done
	dpkg-deb -I "$debs/pcpd_${ver}_amd64.deb" conffiles | grep -qx /etc/pcpd.conf ||
		{ echo "/etc/pcpd.conf is not a conffile of pcpd"; bad=1; }
	dpkg-deb -f "$debs/pcpnat-dkms_${ver}_all.deb" Depends | grep -qw dkms ||
		{ echo "pcpnat-dkms does not depend on dkms"; bad=1; }
	grep -qx "PACKAGE_VERSION=\"$ver\"" "$r/usr/src/pcpnat-$ver/dkms.conf" ||
		{ echo "dkms.conf does not name version $ver"; bad=1; }
	[ "$("$r/usr/sbin/pcpctl" version --json 2>/dev/null | jq -r .pcpctl)" = "$ver" ] ||
		{ echo "pcpctl's version is not the package's $ver"; bad=1; }
	grep -q '^ExecStart=/usr/sbin/pcpd ' "$r/lib/systemd/system/pcpd.service" ||
		{ echo "the unit does not start /usr/sbin/pcpd"; bad=1; }
	return "$bad"
}
single "pcpd holds pcpd, pcpctl, man pages, the unit, completion and /etc/pcpd.conf as a conffile; pcpnat-dkms the source; all at version $ver" \
	contents contents

# dpkg -i, as the admin types it, in a root of its own; DKMS's postinst
# builds for the kernels it picks (all of them in a chroot), and a kernel
# it left out gets its module from the hook its headers' install runs, as
# after an upgrade.
root=$out/pkgroot
in_root() { "$top/scripts/package-root.sh" "$root" "$debs" "$@"; }
install_pkgs() {
	in_root dpkg -i "/run/debs/pcpnat-dkms_${ver}_all.deb" "/run/debs/pcpd_${ver}_amd64.deb" || return 1
	[ "$(in_root dpkg-query -W -f '${db:Status-Abbrev}' pcpnat-dkms pcpd)" = "ii ii " ] ||
		{ echo "not both installed"; return 1; }
}
single "dpkg -i pcpnat-dkms pcpd into an overlay over the host's root" install install_pkgs
dkms_kernel() {
	local k=$1 ko
	in_root dkms status -k "$k" pcpnat | grep -q ': installed' ||
		in_root /etc/kernel/header_postinst.d/dkms "$k" || return 1
	in_root dkms status pcpnat
	ko=$(in_root modinfo -k "$k" -n pcpnat) || return 1
	[ "${ko%/pcpnat.ko*}" = "/lib/modules/$k/updates/dkms" ] ||
		{ echo "modprobe would load $ko"; return 1; }
	in_root modinfo -k "$k" -F vermagic pcpnat | grep -q "^$k " ||
		{ echo "$ko is not built for $k"; return 1; }
}
for k in "${kernels[@]}"; do
	single "DKMS built and installed pcpnat.ko for $k from the packaged source" "dkms-$k" dkms_kernel "$k"
done
verify() {
	in_root systemd-analyze verify /lib/systemd/system/pcpd.service >"$out/verify.out" 2>&1
	cat "$out/verify.out"
	[ ! -s "$out/verify.out" ]
}
single "systemd-analyze verify finds nothing wrong with the installed pcpd.service" verify verify

completion() {
	"$top/scripts/completion-test.sh" \
		"$out/root/usr/share/bash-completion/completions/pcpctl" "$out/root/usr/sbin/pcpctl" \
		>"$out/completion.ktap"
}
completion >/dev/null 2>&1 || grep -q '^not ok' "$out/completion.ktap" ||
	printf 'not ok 99 completion-test.sh failed\n' >>"$out/completion.ktap"
parts+=(completion)

# The VMs, one at a time, on what the host installed.
for k in "${kernels[@]}"; do
	echo "check-package: the packages in a VM on $k (at $SECONDS s)" >&2
	rc=0
	VM_QUIET=1 VM_CONSOLE="$out/vm-$k.console" scripts/vm/run.sh "$k" \
		"$top/scripts/vm/package.sh" "$root" "$out/vm-$k.ktap" >"$out/vm-$k.run" 2>&1 || rc=$?
	touch "$out/vm-$k.ktap"
	if ((rc != 0)); then
		sed 's/^/# /' "$out/vm-$k.run" | tail -n 60
		echo "not ok 99 packages: VM run on $k (exit $rc)"
	fi >>"$out/vm-$k.ktap"
	parts+=("vm-$k")
done
echo "check-package: VMs done at $SECONDS s" >&2

parts_print
parts_verdict
