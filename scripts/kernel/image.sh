#!/bin/bash
# Prints what a VM boots for a kernel of the matrix: the kernel image and
# the directory holding its lib/modules (/ for Debian's kernels).
#   image.sh KVER      -> "IMAGE<TAB>MODROOT"
set -euo pipefail
kver=${1:?usage: image.sh KVER}
here=$(cd "$(dirname "$0")" && pwd)
case $kver in
*-pcpnat-debug)
	dir=$("$here/build-debug.sh" --dir)
	printf '%s\t%s\n' "$dir/vmlinuz" "$dir/root" ;;
*) printf '%s\t%s\n' "/boot/vmlinuz-$kver" / ;;
esac
