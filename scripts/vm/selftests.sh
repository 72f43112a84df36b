#!/bin/bash
# Runs inside the VM (through run.sh): loads the freshly built pcpnat.ko,
# runs the kselftest suite with the framework's own runner, unloads the
# module with whatever mappings the tests left, and writes the KTAP to $1.
set -uo pipefail
out=$1
top=$PCPNAT_TOP

# Tests in this VM are emulated and slow: give each one time.
export kselftest_override_timeout=${KSFT_TIMEOUT:-600}
# The debug kernel's checkers make it tens of times slower (the genl fuzz
# runs 30 to 100 messages/s there against 3,300 on Debian's kernels): it
# runs a part of the tests (selftests/Makefile, PCPNAT_KERNEL_ONLY; all of
# them with PCPNAT_DEBUG_FULL=1, as make check-debug does), its genl dump
# test with 2,000 mappings instead of 100,000, pcpctl's listing with 5,000
# and the fuzz with 5,000 messages.
case $(uname -r) in
*-pcpnat-debug)
	[ "${PCPNAT_DEBUG_FULL:-0}" = 1 ] || export PCPNAT_KERNEL_ONLY=1
	export PCPNAT_SLOW=${PCPNAT_SLOW:-4}
	export PCPNAT_DUMP_COUNT=${PCPNAT_DUMP_COUNT:-2000}
	export PCPNAT_FUZZ_COUNT=${PCPNAT_FUZZ_COUNT:-5000}
	export PCPCTL_SCALE=${PCPCTL_SCALE:-5000}
	export kselftest_override_timeout=${KSFT_TIMEOUT:-1500} ;;
esac

# Beside the KTAP, when each test ended (seconds since the suite began),
# and how long each of its cases took (seconds since the case before it
# ended, or since its test began), so that the check can say where the
# time goes.
times=${out%.ktap}.times
cases=${out%.ktap}.cases
stamp() {
	local line t0=$SECONDS tc=$SECONDS
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"ok "*|"not ok "*)
			printf '%d %s\n' $((SECONDS - t0)) "$line" >>"$times"
			tc=$SECONDS ;;
		"# ok "*|"# not ok "*)
			printf '%d %s\n' $((SECONDS - tc)) "${line#\# }" >>"$cases"
			tc=$SECONDS ;;
		esac
	done
}
: >"$times"
: >"$cases"
exec > >(tee "$out" | stamp) 2>&1

load_module() {
	local dep
	for dep in $(modinfo -F depends "$PCPNAT_KO" | tr , ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$PCPNAT_KO"
}

if ! load_module; then
	echo "TAP version 13"
	echo "1..1"
	echo "not ok 1 selftests: pcpnat: load pcpnat.ko for $(uname -r)"
	exit 1
fi

make -s -C "$top/selftests" OUTPUT="$PCPNAT_SELFTESTS" run_tests
rc=$?

# KUnit (a kernel built with it, the debug kernel): the tests of the
# module's pure parts run when pcpnat_kunit.ko loads; their KTAP goes to a
# file of its own beside $out, one result per test case.
kunit_ko=$(dirname "$PCPNAT_KO")/tests/pcpnat_kunit.ko
if [ -d /sys/kernel/debug/kunit ]; then
	"$top/scripts/vm/kunit.sh" "$kunit_ko" "${out%.ktap}-kunit.ktap" || rc=1
fi

# rmmod with mappings still live must work and leave nothing behind: the
# kernel log check in run.sh catches what it leaves.
if ! rmmod pcpnat; then
	echo "not ok 999 selftests: pcpnat: rmmod pcpnat"
	rc=1
fi
exit $rc
