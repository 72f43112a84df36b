#!/bin/sh
# Stage 1 (busybox, PID 1 in the initramfs): load virtio and 9p, mount the
# host's root read-only and the project tree writable at the same path, then
# switch_root so that the kernel's module autoloading and every host binary
# work from the real root.
export PATH=/bin
busybox mount -t proc proc /proc
busybox mount -t devtmpfs dev /dev
for m in $(busybox cat /mod/order); do
	busybox insmod /mod/$m.ko || echo "stage1: insmod $m failed"
done
opts=trans=virtio,version=9p2000.L,msize=512000
busybox mount -t 9p -o ro,cache=loose,$opts host /newroot || { echo "stage1: no host root"; busybox poweroff -f; }
proj=$(busybox sed -n 's/.*pcpnat.proj=\([^ ]*\).*/\1/p' /proc/cmdline)
# A tree with spaces in its path is named by a space-free alias (a symlink,
# absolute): mount at the real path it names in the host root.
real=$(busybox readlink "/newroot$proj")
[ -n "$real" ] && proj=$real
busybox mount -t 9p -o $opts proj "/newroot$proj" || { echo "stage1: no project tree"; busybox poweroff -f; }
busybox umount /proc
busybox mount --move /dev /newroot/dev
exec busybox switch_root /newroot "$proj/scripts/vm/init-stage2.sh"
