#!/bin/bash
# Stage 2: PID 1 in the host's root inside the VM. Sets up the few writable
# places a test needs, runs the job that run.sh left in its run directory,
# records its exit status and the kernel log there, and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8 TERM=dumb

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs -o mode=755 run /run
# The host's /tmp shows through (read-only below), writes stay in the VM.
# A project tree that lives under /tmp keeps its writable mount: it is
# moved aside while the overlay goes on, then moved back on top of it.
proj=$(sed -n 's/.*pcpnat.proj=\([^ ]*\).*/\1/p' /proc/cmdline)
proj=$(readlink -f "$proj")
mkdir -p /run/proj /run/tmp/upper /run/tmp/work
mount --move "$proj" /run/proj
mount -t overlay -o lowerdir=/tmp,upperdir=/run/tmp/upper,workdir=/run/tmp/work tmp /tmp ||
	mount -t tmpfs -o mode=1777 tmp /tmp
chmod 1777 /tmp
mkdir -p "$proj" 2>/dev/null
mount --move /run/proj "$proj"
mount -t tmpfs -o mode=1777 vartmp /var/tmp
mkdir -p /dev/pts /run/netns /run/lock
# devtmpfs has no /dev/fd: bash process substitution and kselftest's
# runner.sh (which logs to /dev/fd/1) need it.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname pcpnat-vm
ip link set lo up

# A kernel that is not Debian's (the debug kernel) has its modules.builtin
# and friends in its cache: modprobe looks for them in /lib/modules.
modroot=$(sed -n 's/.*pcpnat.modroot=\([^ ]*\).*/\1/p' /proc/cmdline)
kver=$(uname -r)
if [ -n "$modroot" ] && [ "$modroot" != / ]; then
	mount -t tmpfs -o mode=755 modules /lib/modules
	mkdir -p "/lib/modules/$kver"
	mount --bind "$modroot/lib/modules/$kver" "/lib/modules/$kver"
fi
# kmemleak: forget what boot left, so that a report names the job's leaks.
kmemleak=/sys/kernel/debug/kmemleak
[ -w "$kmemleak" ] && echo clear >"$kmemleak"

rundir=$(sed -n 's/.*pcpnat.run=\([^ ]*\).*/\1/p' /proc/cmdline)
# Only warnings and worse reach the console while the job runs.
dmesg -n 4

: >"$rundir/started"	# from here on, a crash may be the job's
bash "$rundir/job" </dev/null
echo $? >"$rundir/rc"
if [ -w "$kmemleak" ]; then
	# Objects freed by RCU callbacks and deferred work must be gone first;
	# kmemleak only reports an object that stayed unreferenced over two scans.
	sleep 5
	echo scan >"$kmemleak"; sleep 1; echo scan >"$kmemleak"
	cat "$kmemleak" >"$rundir/kmemleak"
fi
dmesg >"$rundir/dmesg"
sync
# Wait for the power-off with a shell builtin: the 9p root may already be
# gone, so no program can be loaded from it any more.
mkfifo /run/halt
echo o >/proc/sysrq-trigger
read -rt 10 <>/run/halt
