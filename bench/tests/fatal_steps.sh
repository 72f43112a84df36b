#!/bin/bash
# Checks of bench/vm's own logic that need no VM (root: one network
# namespace with a veth pair). Run: sudo bench/tests/fatal_steps.sh
#  1. offloads_off stops the bench (exit 1, FATAL) when ethtool is missing,
#     and when ethtool -K "succeeds" but the offloads read back on: once,
#     without ethtool, checksum offload silently stayed on.
#  2. exh_probes never measures more new flows than ports are free (a
#     quarter of them at most), except at 100 % where none is.
set -uo pipefail
here=$(cd "$(dirname "$0")/../vm" && pwd)
tmp=$(mktemp -d)
ns=bench-test-$$
fail=0
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

ip netns add "$ns" && ip -n "$ns" link add name va type veth peer name vb ||
	{ echo "not ok - no namespace or veth (run as root)"; exit 1; }
mkdir "$tmp/missing" "$tmp/noop"
printf '#!/bin/sh\necho "ethtool: not found" >&2; exit 127\n' >"$tmp/missing/ethtool"
printf '#!/bin/sh\n[ "$1" = -K ] && exit 0\nexec %s "$@"\n' "$(PATH=$PATH:/usr/sbin:/sbin command -v ethtool)" >"$tmp/noop/ethtool"
chmod +x "$tmp/missing/ethtool" "$tmp/noop/ethtool"

for case in missing noop; do
	out=$(BENCH_OUT= PATH=$tmp/$case:$PATH bash -c '. "$1/lib.sh"; offloads_off "$2" va; echo went on' _ "$here" "$ns" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q FATAL <<<"$out" && ! grep -q 'went on' <<<"$out"; then
		ok "offloads_off, ethtool $case: stops ($(grep -o 'FATAL.*' <<<"$out"))"
	else
		notok "offloads_off, ethtool $case: status $rc, $out"
	fi
done
out=$(BENCH_OUT= bash -c '. "$1/lib.sh"; offloads_off "$2" va && echo done' _ "$here" "$ns" 2>&1)
[ "$out" = done ] && ok "offloads_off with ethtool: offloads off" || notok "offloads_off with ethtool: $out"

for c in "41 10" "0 100" "3 1" "4096 200" "645 161"; do
	read -r free want <<<"$c"
	got=$(BENCH_EXH_PROBE=200 bash -c '. "$1/lib.sh"; . "$1/exhaust.sh"; exh_probes "$2"' _ "$here" "$free")
	[ "$got" = "$want" ] && ok "exh_probes $free free: $got" || notok "exh_probes $free free: $got, want $want"
done
exit "$fail"
