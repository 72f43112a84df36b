#!/bin/bash
# make check-package: the packages of build/deb installed as a router's admin
# installs them, `dpkg -i`, into a root of their own: an overlay over the
# host's root, whose upper directory takes every write (the host's root
# never changes). DKMS's postinst builds pcpnat.ko there, natively, for the
# kernels whose headers the root has. The VM (scripts/vm/package.sh) then
# stacks that upper directory on its own view of the host's root.
#   package-root.sh UPPER DEBS COMMAND...
# runs COMMAND chrooted in the root, with the directory DEBS at /run/debs
# (the tree's path may lead through /tmp, which the root has empty). The
# root exists while COMMAND runs, in a mount namespace of its own.
set -euo pipefail
upper=$1 debs=$2; shift 2
work=$upper.work merged=$upper.merged
mkdir -p "$upper" "$work" "$merged"

# shellcheck disable=SC2016
exec unshare -m --propagation private bash -euc '
	upper=$1 work=$2 m=$3 debs=$4; shift 4
	mount -t overlay -o "lowerdir=/,upperdir=$upper,workdir=$work" pkgroot "$m"
	mount --rbind /dev "$m/dev"
	mount -t proc proc "$m/proc"
	mount -t sysfs sys "$m/sys"
	# No systemd runs in this root: maintainer scripts see no
	# /run/systemd/system and neither reload nor start a service.
	mount -t tmpfs run "$m/run"
	mkdir "$m/run/debs" && mount --bind -o ro "$debs" "$m/run/debs"
	mount -t tmpfs tmp "$m/tmp" && chmod 1777 "$m/tmp"
	exec chroot "$m" "$@"
' pkgroot "$upper" "$work" "$merged" "$debs" "$@"
