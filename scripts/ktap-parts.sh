# Sourced, never run: a check made of parts, each part a KTAP file in $out,
# tallied into the one line a check ends with. scripts/check.sh and
# scripts/check-package.sh share it.
# shellcheck shell=bash

parts=()

# A part that is one step: KTAP with a single result; returns the step's
# status.
single() {
	local name=$1 id=$2 rc=0; shift 2
	"$@" >"$out/$id.log" 2>&1 || rc=$?
	if ((rc == 0)); then
		printf 'TAP version 13\n1..1\nok 1 %s\n' "$name"
	else
		printf 'TAP version 13\n1..1\n'; sed 's/^/# /' "$out/$id.log" | tail -n 40
		printf 'not ok 1 %s\n' "$name"
	fi >"$out/$id.ktap"
	parts+=("$id")
	return "$rc"
}

# Every part's KTAP, in order, counted into pass, fail and skip.
parts_print() {
	local p np nf ns
	pass=0 fail=0 skip=0
	for p in "${parts[@]}"; do
		echo "# ==== $p"
		cat "$out/$p.ktap"
		read -r np nf ns < <(awk -f "$PCPNAT_TOP/scripts/ktap-count.awk" "$out/$p.ktap")
		pass=$((pass + np)) fail=$((fail + nf)) skip=$((skip + ns))
	done
}

# The last line, "N passed, N failed": a skipped result fails the check
# (ALLOW_SKIP=1 accepts them), since setup installs everything the tests
# need and a skip proved nothing. Its status is the check's.
parts_verdict() {
	local p
	if ((skip)); then
		echo "# skipped results (each one fails the run unless ALLOW_SKIP=1):"
		for p in "${parts[@]}"; do
			grep -E '^(# )?ok .*# *[Ss][Kk][Ii][Pp]' "$out/$p.ktap" | sed "s|^|#   $p: |"
		done
		[ "${ALLOW_SKIP:-0}" = 1 ] || fail=$((fail + skip))
		echo "$pass passed, $fail failed, $skip skipped"
	else
		echo "$pass passed, $fail failed"
	fi
	((fail == 0 && pass > 0))
}
