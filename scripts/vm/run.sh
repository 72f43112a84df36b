#!/bin/bash
# Boots a Debian kernel under qemu (TCG, no network card) into the host's
# root, runs one command there as root, and exits with its status.
#   run.sh KVER COMMAND [ARGS...]
# The project tree is writable inside at the same path. The kernel log is
# checked afterwards: an oops, BUG, WARN, lockdep, refcount or leak report
# fails the run even when the command succeeded.
# Environment: VM_SMP (2), VM_MEM (1536M), VM_TIMEOUT seconds (2400),
# VM_TCG_THREAD (single, or multi),
# VM_APPEND (more kernel parameters),
# VM_KEEP=1 keeps the run directory, VM_QUIET=1 sends the console to a file.
set -euo pipefail
kver=$1; shift
. "$(dirname "$0")/../paths.sh"
top=$PCPNAT_TOP
here=$top/scripts/vm

[ -n "$kver" ] || { echo "run.sh: no kernel version given" >&2; exit 2; }
IFS=$'\t' read -r kernel modroot < <("$top/scripts/kernel/image.sh" "$kver")
[ -r "$kernel" ] || { echo "run.sh: no kernel $kernel" >&2; exit 2; }
# The debug kernel's checkers need room: KASAN's shadow is an eighth of it.
# pci=noacpi: its ACPI interpreter, slowed by the checkers, times out on
# the PCI routing method (a minute of boot) where the BIOS table serves.
case $kver in *-pcpnat-debug) : "${VM_MEM:=3G}" "${VM_APPEND:=pci=noacpi}" "${VM_TIMEOUT:=3000}" ;; esac

mkdir -p "$PCPNAT_BUILD/vm"
initrd=$PCPNAT_BUILD/vm/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/init-stage1.sh" -nt "$initrd" ] ||
   [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
	"$here/mkinitramfs.sh" "$kver" "$initrd" "$modroot"
fi

rundir=$(mktemp -d "$PCPNAT_BUILD/vm/run.XXXXXX")
cleanup() { [ "${VM_KEEP:-0}" = 1 ] || rm -rf "$rundir"; }
trap cleanup EXIT

{
	printf 'cd %q\n' "$PWD"
	printf 'export PCPNAT_TOP=%q KVER=%q\n' "$top" "$kver"
	printf '. %q\n' "$top/scripts/paths.sh"
	printf 'export PCPNAT_KO=%q\n' "$PCPNAT_BUILD/kmod/$kver/kmod/pcpnat.ko"
	printf 'export KSFT_DIR=%q\n' "$PCPNAT_KSFT"
	printf 'export PATH=%q:$PATH\n' "$PCPNAT_HOST"
	printf 'exec'; printf ' %q' "$@"; printf '\n'
} >"$rundir/job"

console=/dev/stdout
[ "${VM_QUIET:-0}" = 1 ] && console=$rundir/console
# thread=single: one host thread runs the vCPUs in turn (VM_TCG_THREAD=multi
# gives each its own). The check runs three VMs on two cores, where a
# thread per vCPU only oversubscribes the host: three VMs running
# nat_traffic.sh on 6.1 together took 94 s with one thread each and 149 s
# with two. One thread also keeps out TCG's emulation of one vCPU
# rewriting code that another runs: each test's namespace registering and
# removing netfilter hooks flips static keys, which patches kernel text,
# and Debian's 6.12 has crashed under MTTCG with registers no CPU could
# have saved (flags 0x149cb666, in the scheduler's softirq).
# la57=off: with TCG's 5-level paging, KASAN in the debug kernel reports a
# wild access in identify_cpu at boot and lock debugging is turned off.
boot() {
	rc=0
	timeout --foreground -k 10 "${VM_TIMEOUT:-2400}" \
	qemu-system-x86_64 -accel tcg,thread=${VM_TCG_THREAD:-single} ${VM_QEMU_ARGS:-} -cpu max,la57=off -smp "${VM_SMP:-2}" -m "${VM_MEM:-1536M}" \
	-nic none -nographic -no-reboot -monitor none -serial stdio \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4 pcpnat.proj=$top pcpnat.run=$rundir pcpnat.modroot=$modroot ${VM_APPEND:-}" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$top",mount_tag=proj,security_model=none,multidevs=remap \
	</dev/null >"$console" 2>&1 || rc=$?
}
boot
# TCG's emulation of SMP code patching has crashed Debian's 6.12 once in
# early boot (an int3 oops in run_timer_softirq, no module loaded). A crash
# before the job began, with none of our modules loaded, cannot be ours:
# it is shown, and the VM boots once more. Anything later fails the run.
if [ ! -f "$rundir/started" ] && [ "$console" != /dev/stdout ] &&
	grep -a -q -E 'Kernel panic|Oops' "$console" &&
	! grep -a -E 'Modules linked in:.*pcpnat' "$console" >/dev/null; then
	echo "run.sh: $kver crashed while booting, before the job and with no module of ours; booting again:" >&2
	grep -a -E -m1 -A12 'Oops|Kernel panic' "$console" >&2
	[ -z "${VM_CONSOLE:-}" ] || cp "$console" "$VM_CONSOLE.first-boot"
	boot
fi

bad='Oops|BUG:|WARNING:|Call Trace|refcount_t|kmemleak: [0-9]+ new suspected|unreferenced object|Objects remaining|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|rcu_.*stall|general protection|Kernel panic|UBSAN|KASAN|KFENCE|ODEBUG|list_(add|del) corruption|blocked for more than|lockdep is turned off|turning off the locking correctness validator|DEBUG_LOCKS_WARN|sleeping function called from invalid context'
# VM_CONSOLE: where to keep the whole console (make check keeps each one).
[ -z "${VM_CONSOLE:-}" ] || [ "$console" = /dev/stdout ] || cp "$console" "$VM_CONSOLE"
if [ ! -f "$rundir/rc" ]; then
	echo "run.sh: the VM did not finish its job (qemu status $rc)" >&2
	if [ "$console" != /dev/stdout ]; then
		# The first kernel report whole (its stack says where), then the end.
		grep -a -E -m1 -A45 "$bad" "$console" >&2 && echo "[...]" >&2
		tail -n 30 "$console" >&2
	fi
	exit 125
fi
rc=$(cat "$rundir/rc")

if [ -n "${VM_DMESG:-}" ]; then cp "$rundir/dmesg" "$VM_DMESG"; fi
# The kernel log, then what a forced kmemleak scan found (debug kernel).
cat "$rundir/dmesg" >"$rundir/log"
if [ -f "$rundir/kmemleak" ]; then cat "$rundir/kmemleak" >>"$rundir/log"; fi
if grep -E "$bad" "$rundir/log" >"$rundir/bad"; then
	echo "run.sh: the kernel log of $kver shows trouble:" >&2
	grep -E -B5 -A40 "$bad" "$rundir/log" | head -n 200 >&2
	exit 3
fi
exit "$rc"
