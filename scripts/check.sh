#!/bin/bash
# make check: host unit tests and a short fuzz run, then for every kernel of
# the matrix (Debian's 6.1 and 6.12, and a debug build of Debian's 6.12
# source) a W=1 and sparse build of the module and the selftests in a VM.
# Prints each part's KTAP and ends with one line "N passed, N failed".
# A skipped result fails the run (ALLOW_SKIP=1 accepts them): everything the
# tests need is installed by setup, so a skip means a test proved nothing.
# CHECK_DEBUG_FULL=1 (make check-debug): the debug kernel alone, with every
# selftest rather than the part make check gives it (selftests/Makefile):
# the whole suite takes it longer than a check's budget on two cores.
set -uo pipefail
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
ksft=$PCPNAT_KSFT
out=$PCPNAT_BUILD/check
rm -rf "$out" && mkdir -p "$out"
cd "$top"

. "$top/scripts/ktap-parts.sh"

# A kbuild run that must print no warning from our sources.
kbuild_clean() {
	local log=$1; shift
	"$@" >"$log.raw" 2>&1 || { cat "$log.raw"; return 1; }
	! grep -E '(kmod|uapi)/[^ ]*:[0-9]+(:[0-9]+)?: (warning|error)|WARNING: modpost' "$log.raw"
}

# One kernel's selftests in a VM; its KTAP in $out/vm-$k.ktap.
vm_run() {
	local k=$1 rc=0
	echo "check: selftests on $k in a VM (at $SECONDS s)" >&2
	VM_QUIET=1 VM_CONSOLE="$out/vm-$k.console" "$top/scripts/vm/run.sh" "$k" \
		env PCPNAT_DEBUG_FULL="${CHECK_DEBUG_FULL:-0}" \
		"$top/scripts/vm/selftests.sh" "$out/vm-$k.ktap" >"$out/vm-$k.run" 2>&1 || rc=$?
	touch "$out/vm-$k.ktap"
	# A VM that crashed, a module that would not unload, or a kernel log
	# with an oops or a leak fails the kernel's run whatever the tests said.
	if ((rc != 0)); then
		{
			sed 's/^/# /' "$out/vm-$k.run" | tail -n 100
			echo "not ok 1 selftests: pcpnat: VM run on $k (exit $rc)"
		} >>"$out/vm-$k.ktap"
	fi
	echo "check: $k done at $SECONDS s (exit $rc)" >&2
}

# The module for kernel $1, built from scratch with W=1 (a warning cannot
# hide behind an up-to-date object); then its VM starts in the background.
# The VMs run at once: most of a selftest's time is spent waiting (for a
# reply that must not come, a timeout, a socket), which costs an idle
# emulated cpu nothing, so on two cores they finish long before one after
# the other would, and the host's own parts below run beside them.
vm_pids=() vm_kernels=()
start_vm() {
	local k=$1
	rm -rf "$top/build/kmod/$k"
	vm_kernels+=("$k")
	if single "pcpnat.ko builds for $k with W=1, no warning" "build-$k" \
		kbuild_clean "$out/build-$k" make -s module KVER="$k" W=1; then
		vm_run "$k" & vm_pids+=($!)
	else
		printf 'TAP version 13\n1..1\nnot ok 1 selftests on %s: the module did not build\n' \
			"$k" >"$out/vm-$k.ktap"
	fi
}

# What every VM runs: pcpd, pcpctl and the selftest programs.
single "userspace builds with -Wall -Wextra -Werror" build-userspace \
	make -s userspace
single "selftest programs build" build-selftests make -s selftests-bin

# The debug kernel: built once per machine, then taken from the cache.
build_debug() {
	if "$top/scripts/kernel/build-debug.sh" >"$out/debug-kernel.log" 2>&1; then
		printf 'TAP version 13\n1..1\nok 1 debug kernel %s is built\n' \
			"$(tail -n1 "$out/debug-kernel.log")"
	else
		printf 'TAP version 13\n1..1\n'; sed 's/^/# /' "$out/debug-kernel.log" | tail -n 40
		printf 'not ok 1 debug kernel builds\n'
	fi >"$out/debug-kernel.ktap"
	echo "check: debug kernel ready at $SECONDS s" >&2
}

# The host's parts: unit tests (through kselftest's runner), fuzzing, and
# a sparse pass per kernel given, in a tree of its own so that it never
# rewrites a pcpnat.ko a VM is about to load.
host_parts() {
	local k
	make -s -C daemon O="$PCPNAT_HOST" all >/dev/null 2>&1
	(
		set +u	# runner.sh reads unset variables
		BASE_DIR=$ksft
		. "$ksft/kselftest/runner.sh"
		export kselftest_override_timeout=300
		run_many "$PCPNAT_HOST"/tests/test_*
	) >"$out/host-unit.ktap" 2>&1
	parts+=(host-unit)
	single "kmod/genl_gen.[ch] and uapi/linux/pcpnat.h agree with Documentation/netlink/specs/pcpnat.yaml" \
		genl-spec "$top/scripts/genl-gen.sh" --check
	single "fuzz the PCP codec, pcpd's handler, state file, configuration and replication receive path, ${FUZZ_SECONDS:=10} s each" fuzz \
		make -s -C daemon O="$PCPNAT_HOST" fuzz FUZZ_SECONDS="$FUZZ_SECONDS"
	for k in "$@"; do sparse "$k"; done
	echo "check: host parts done at $SECONDS s" >&2
}
sparse() {
	rm -rf "$top/build/sparse/$1"
	single "pcpnat.ko is sparse clean for $1" "sparse-$1" \
		kbuild_clean "$out/sparse-$1" make -s module KVER="$1" C=2 \
		KMOD_OUT="$top/build/sparse"
}

# Two cores do everything, and every part is CPU-bound under TCG, so the
# order decides the time. Warm (the debug kernel cached): the three VMs
# start at once and the host's parts run beside them. Cold: the 21-minute
# kernel build is the longest chain (the debug VM can only follow it), so it
# runs first with the cpus to itself but for the host's parts, and the VMs
# start when it is done; a VM beside it would be slowed down past its
# tests' timeouts if niced, or slow the build by as much as it gained.
debian=()
[ "${CHECK_DEBUG_FULL:-0}" = 1 ] ||
	mapfile -t debian < <("$top/scripts/kernel/kvers.sh" matrix | grep -v -- '-pcpnat-debug$')
echo "check: the debug kernel (built once per machine, cached in $PCPNAT_KCACHE)" >&2
if "$top/scripts/kernel/kvers.sh" matrix | grep -q -- '-pcpnat-debug$'; then
	for k in "${debian[@]}"; do start_vm "$k"; done
	build_debug
	cold=0
else
	build_debug & build_pid=$!
	host_parts "${debian[@]}"
	wait "$build_pid"
	cold=1
fi
parts+=(debug-kernel)

mapfile -t matrix < <("$top/scripts/kernel/kvers.sh" matrix)
want="6.1, 6.12 and the debug kernel" nwant=3
if [ "${CHECK_DEBUG_FULL:-0}" = 1 ]; then
	mapfile -t matrix < <(printf '%s\n' "${matrix[@]}" | grep -- '-pcpnat-debug$')
	want="the debug kernel" nwant=1
fi
if ((${#matrix[@]} != nwant)); then
	printf 'TAP version 13\n1..1\nnot ok 1 the matrix has %s (have: %s)\n' \
		"$want" "${matrix[*]}" >"$out/matrix.ktap"
	parts+=(matrix)
fi
for k in "${matrix[@]}"; do
	[[ $k == *-pcpnat-debug ]] && start_vm "$k"
done
if ((cold)); then
	for k in "${debian[@]}"; do start_vm "$k"; done
	for k in "${matrix[@]}"; do
		[[ $k == *-pcpnat-debug ]] && sparse "$k"
	done
else
	host_parts "${matrix[@]}"
fi

wait "${vm_pids[@]}"

for k in "${vm_kernels[@]}"; do
	parts+=("vm-$k")
	# The debug kernel also runs the KUnit suites (scripts/vm/kunit.sh).
	if [[ $k == *-pcpnat-debug ]]; then
		[ -s "$out/vm-$k-kunit.ktap" ] ||
			printf 'TAP version 13\n1..1\nnot ok 1 kunit: no results from %s\n' "$k" >"$out/vm-$k-kunit.ktap"
		parts+=("vm-$k-kunit")
	fi
done

parts_print
# Where the VMs' time went: each selftest's seconds, per kernel
# (scripts/vm/selftests.sh notes when each one ended).
for k in "${vm_kernels[@]}"; do
	[ -s "$out/vm-$k.times" ] || continue
	awk -v k="$k" '{ sub(/ #.*/, ""); printf "%s%s %ds", (NR > 1 ? ", " : "# seconds per selftest on " k ": "), $NF, $1 - prev; prev = $1 }
		END { print "" }' "$out/vm-$k.times"
	[ -s "$out/vm-$k.cases" ] || continue
	sort -rn "$out/vm-$k.cases" | head -n 8 |
		awk -v k="$k" '{ t = $1; $1 = ""; printf "%s%ds%s", (NR > 1 ? ", " : "# slowest cases on " k ": "), t, $0 } END { print "" }'
done
parts_verdict
