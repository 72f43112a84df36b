#!/bin/bash
# Boots a Debian kernel under qemu (TCG, no network card) into the host's
# root, runs one command there as root, and exits with its status.
#   run.sh KVER COMMAND [ARGS...]
# The project tree is writable inside at the same path. The kernel log is
# checked afterwards: an oops, BUG, WARN, lockdep, refcount or leak report
# fails the run even when the command succeeded.
# Environment: VM_SMP (2), VM_MEM (1536M), VM_TIMEOUT seconds (1200),
# VM_KEEP=1 keeps the run directory, VM_QUIET=1 sends the console to a file.
set -euo pipefail
kver=$1; shift
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/scripts/vm

kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || { echo "run.sh: no kernel $kernel" >&2; exit 2; }

mkdir -p "$top/build/vm"
initrd=$top/build/vm/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/init-stage1.sh" -nt "$initrd" ] ||
   [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
	"$here/mkinitramfs.sh" "$kver" "$initrd"
fi

rundir=$(mktemp -d "$top/build/vm/run.XXXXXX")
cleanup() { [ "${VM_KEEP:-0}" = 1 ] || rm -rf "$rundir"; }
trap cleanup EXIT

{
	printf 'cd %q\n' "$PWD"
	printf 'export PCPNAT_TOP=%q KVER=%q\n' "$top" "$kver"
	printf 'export PCPNAT_KO=%q\n' "$top/build/kmod/$kver/kmod/pcpnat.ko"
	printf 'export KSFT_DIR=%q\n' "$top/build/cache/kselftest"
	printf 'export PATH=%q:$PATH\n' "$top/build/host"
	printf 'exec'; printf ' %q' "$@"; printf '\n'
} >"$rundir/job"

console=/dev/stdout
[ "${VM_QUIET:-0}" = 1 ] && console=$rundir/console
rc=0
timeout --foreground -k 10 "${VM_TIMEOUT:-1200}" \
	qemu-system-x86_64 -accel tcg ${VM_QEMU_ARGS:-} -cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-1536M}" \
	-nic none -nographic -no-reboot -monitor none -serial stdio \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4 pcpnat.proj=$top pcpnat.run=$rundir" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$top",mount_tag=proj,security_model=none,multidevs=remap \
	</dev/null >"$console" 2>&1 || rc=$?

if [ ! -f "$rundir/rc" ]; then
	echo "run.sh: the VM did not finish its job (qemu status $rc)" >&2
	[ "$console" = /dev/stdout ] || tail -n 50 "$console" >&2
	exit 125
fi
rc=$(cat "$rundir/rc")

if [ -n "${VM_DMESG:-}" ]; then cp "$rundir/dmesg" "$VM_DMESG"; fi
bad='Oops|BUG:|WARNING:|Call Trace|refcount_t|kmemleak|unreferenced object|Objects remaining|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu_.*stall|general protection|Kernel panic|UBSAN|KASAN|list_(add|del) corruption|blocked for more than'
if grep -E "$bad" "$rundir/dmesg" >"$rundir/bad"; then
	echo "run.sh: the kernel log of $kver shows trouble:" >&2
	grep -E -B5 -A30 "$bad" "$rundir/dmesg" | head -n 120 >&2
	exit 3
fi
exit "$rc"
