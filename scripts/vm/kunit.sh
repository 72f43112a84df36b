#!/bin/bash
# Inside the VM, on a kernel with KUnit: loads the KUnit test module (its
# suites run at load), unloads it, and writes their results as KTAP to $2:
# one line per test case, so that check.sh counts each case.
#   kunit.sh PCPNAT_KUNIT_KO OUT.ktap
set -uo pipefail
ko=$1 out=$2
{
	echo "TAP version 13"
	if [ ! -f "$ko" ]; then
		echo "1..1"
		echo "not ok 1 kunit: $ko was not built"
		exit 1
	fi
	if ! insmod "$ko"; then
		echo "1..1"
		echo "not ok 1 kunit: insmod $ko"
		exit 1
	fi
	for r in /sys/kernel/debug/kunit/pcpnat*/results; do
		[ -f "$r" ] || continue
		suite=$(basename "$(dirname "$r")")
		# Cases are the results one level in; deeper ones are parameters
		# of a case, already summed up in its own line.
		sed -n 's/^    \(\(not \)\?ok\) [0-9]* \(.*\)/\1 \3/p' "$r" |
		while read -r res rest; do
			[ "$res" = not ] && { res="not ok"; rest=${rest#ok }; }
			echo "$res - kunit: $suite: $rest"
		done
	done | awk '{ sub(/ - /, " " NR " "); print } END { print "1.." NR }'
	rmmod pcpnat_kunit || echo "not ok 999 kunit: rmmod pcpnat_kunit"
} >"$out" 2>&1
! grep -q '^not ok' "$out" && grep -q '^ok' "$out"
