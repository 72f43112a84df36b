#!/bin/bash
# Prints the kbuild directory of a kernel of the matrix: Debian's headers
# for Debian's kernels, the cached build tree for the debug kernel.
#   kdir.sh KVER
set -euo pipefail
kver=${1:?usage: kdir.sh KVER}
here=$(cd "$(dirname "$0")" && pwd)
case $kver in
*-pcpnat-debug)
	dir=$("$here/build-debug.sh" --dir)
	[ -f "$dir/.done" ] && [ "$(cat "$dir/kernelrelease")" = "$kver" ] ||
		{ echo "kdir.sh: debug kernel $kver is not built (make debug-kernel)" >&2; exit 1; }
	echo "$dir/build" ;;
*)
	[ -d "/lib/modules/$kver/build" ] ||
		{ echo "kdir.sh: no headers for $kver (apt-get install linux-headers-$kver)" >&2; exit 1; }
	echo "/lib/modules/$kver/build" ;;
esac
