#!/bin/bash
# Builds the small initramfs that boots a Debian kernel into the host's own
# root over 9p: busybox, the virtio and 9p modules that kernel needs (xz ones
# decompressed, since busybox insmod reads plain .ko), and init-stage1.sh.
# Usage: mkinitramfs.sh KVER OUT.cpio.gz [MODROOT]
# MODROOT holds lib/modules/KVER (/ for Debian's kernels; the debug kernel's
# cache has everything built in, so nothing is taken from it).
set -euo pipefail
kver=$1 out=$2 modroot=${3:-/}
here=$(cd "$(dirname "$0")" && pwd)
mods=$modroot/lib/modules/$kver

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,newroot,mod}
cp /bin/busybox "$work/bin/busybox"
ln -s busybox "$work/bin/sh"
cp "$here/init-stage1.sh" "$work/init"

# Order matters: each depends on the ones before it. Built-in ones are absent.
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev \
	 virtio_pci netfs fscache 9pnet 9pnet_virtio 9p; do
	f=
	[ -d "$mods/kernel" ] &&
		f=$(find "$mods/kernel" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
	[ -n "$f" ] || continue
	case "$f" in
	*.xz) xz -dc "$f" >"$work/mod/$m.ko" ;;
	*) cp "$f" "$work/mod/$m.ko" ;;
	esac
	echo "$m" >>"$work/mod/order"
done
touch "$work/mod/order"

(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
