#!/bin/bash
# make check-debug: every selftest on the debug kernel (KASAN, lockdep,
# kmemleak, UBSan, KFENCE), with the module unloaded and kmemleak forced
# at the end as in make check. make check gives the debug kernel only the
# module's own paths (selftests/Makefile): the whole suite takes it longer
# than a check's budget on a two-core machine, so it runs here, on its own.
# Ends with one line "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
out=$PCPNAT_BUILD/check-debug
rm -rf "$out" && mkdir -p "$out"

"$top/scripts/kernel/build-debug.sh" >"$out/debug-kernel.log" 2>&1 ||
	{ tail -n 40 "$out/debug-kernel.log"; echo "check-debug: the debug kernel did not build" >&2; exit 1; }
k=$("$top/scripts/kernel/kvers.sh" matrix | grep -- '-pcpnat-debug$') ||
	{ echo "check-debug: no debug kernel in the matrix" >&2; exit 1; }
rm -rf "$top/build/kmod/$k"
make -s -C "$top" userspace selftests-bin module KVER="$k" W=1 >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log"; exit 1; }

rc=0
VM_QUIET=1 VM_CONSOLE="$out/console" VM_TIMEOUT="${VM_TIMEOUT:-14400}" \
	"$top/scripts/vm/run.sh" "$k" env PCPNAT_DEBUG_FULL=1 \
	"$top/scripts/vm/selftests.sh" "$out/vm.ktap" >"$out/run.log" 2>&1 || rc=$?
touch "$out/vm.ktap" "$out/vm-kunit.ktap"
cat "$out/vm.ktap" "$out/vm-kunit.ktap"
if ((rc != 0)); then
	sed 's/^/# /' "$out/run.log" | tail -n 100
	echo "not ok 1 selftests: pcpnat: VM run on $k (exit $rc)"
fi
[ -s "$out/vm.times" ] && awk '{ sub(/ #.*/, ""); printf "%s%s %ds", (NR > 1 ? ", " : "# seconds per selftest: "), $NF, $1 - prev; prev = $1 } END { print "" }' "$out/vm.times"
np=0 nf=0 ns=0
for f in "$out/vm.ktap" "$out/vm-kunit.ktap"; do
	read -r p n s < <(awk -f "$top/scripts/ktap-count.awk" "$f")
	np=$((np + p)) nf=$((nf + n)) ns=$((ns + s))
done
((rc == 0)) || nf=$((nf + 1))
echo "$np passed, $((nf + ns)) failed"
((rc == 0 && nf + ns == 0 && np > 0))
