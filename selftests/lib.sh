# SPDX-License-Identifier: GPL-2.0
# Sourced (not run) by the shell tests that need a router, and by
# scripts/demo.sh: the namespace topology, the programs that run in it, and
# the small checks the tests are written with. One copy, so the tests and
# the demo build the same network.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router R] r-ext 198.51.100.1 -- S 198.51.100.2
#   c2 10.0.1.3 --+   (c2 only when $C2 is set)
#
# The caller names the namespaces (topo_names PREFIX, or R, C1, C2, S
# directly), then runs topo_setup and configures pcpnat itself. PROBE,
# PCPCTL and PCPD name the programs; scripts/paths.sh, the one place that
# says where the build lives, sets them from this tree unless already set.
# ok/want print KTAP: a test sources kselftest/ktap_helpers.sh too.

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/paths.sh"
top=$PCPNAT_TOP

EXT=198.51.100.1
SRV=198.51.100.2
GW=10.0.1.1
H1=10.0.1.2
H2=10.0.1.3

# How long bound and reap wait, in tenths of a second; PCPNAT_SLOW (set on
# the debug kernel by scripts/vm/selftests.sh) multiplies them, and the
# probes' -t, since KASAN and lockdep under TCG overrun fixed waits.
bound_tries=300
reap_tries=300

tmp=$(mktemp -d)
pids=()
pcpd_pid=

# Per-process names, so a test never meets another run's namespaces.
topo_names() {
	R=$1-r-$$
	C1=$1-c1-$$
	C2=$1-c2-$$
	S=$1-s-$$
}

cleanup() {
	local p ns
	[ -n "$pcpd_pid" ] && kill "$pcpd_pid" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "$C1" "$C2" "${C3:-}" "${C4:-}" "$S" "$R"; do
		[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
pcpctl() { in_ns "$R" "$PCPCTL" "$@"; }
probe() { local ns=$1; shift; in_ns "$ns" "$PROBE" "$@"; }
stat() { pcpctl stats --json | jq -r ".$1"; }

# The namespaces, links, addresses and routes; pcpnat is not configured.
# Fails when a namespace cannot be made, else as the last command does.
topo_setup() {
	local ns hosts=("$C1" $C2 "$S")
	for ns in "$R" "${hosts[@]}"; do
		ip netns add "$ns" || return 1
		in_ns "$ns" ip link set lo up
	done
	in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$R" ip link add br-int type bridge
	in_ns "$R" ip addr add "$GW/24" dev br-int
	in_ns "$R" ip link set br-int up
	ip link add eth0 netns "$C1" type veth peer name p1 netns "$R"
	[ -n "$C2" ] && ip link add eth0 netns "$C2" type veth peer name p2 netns "$R"
	ip link add eth0 netns "$S" type veth peer name r-ext netns "$R"
	in_ns "$R" ip link set p1 master br-int up
	[ -n "$C2" ] && in_ns "$R" ip link set p2 master br-int up
	in_ns "$R" ip addr add "$EXT/24" dev r-ext
	in_ns "$R" ip link set r-ext up
	in_ns "$C1" ip addr add "$H1/24" dev eth0
	[ -n "$C2" ] && in_ns "$C2" ip addr add "$H2/24" dev eth0
	in_ns "$S" ip addr add "$SRV/24" dev eth0
	for ns in "${hosts[@]}"; do in_ns "$ns" ip link set eth0 up; done
	[ -n "$C2" ] && in_ns "$C2" ip route add default via "$GW"
	in_ns "$C1" ip route add default via "$GW"
}

# ktap_setup FUNCTION: run the test's set-up; on failure show its output
# and end the test.
ktap_setup() {
	local l
	if ! "$1" >"$tmp/setup" 2>&1; then
		while read -r l; do ktap_print_msg "$l"; done <"$tmp/setup"
		ktap_exit_fail_msg "namespace or pcpnat setup failed"
	fi
}

# ktap_need PROGRAM...: end the test unless all are there.
ktap_need() {
	local f
	for f; do
		[ -x "$f" ] || ktap_exit_fail_msg "missing $f (make selftests-bin userspace)"
	done
}

# A server in the background; its output in $tmp/$1.
server() {
	local name=$1 ns=$2
	shift 2
	# ip netns exec becomes the probe, so $! is the probe itself and
	# stop() really ends it (a function in the background would be a
	# subshell, and killing that would leave the probe running).
	ip netns exec "$ns" "$PROBE" "$@" >"$tmp/$name" 2>&1 &
	pids+=($!)
}

# Wait until a socket listens on port $3 ($2: u or t) in namespace $1.
bound() {
	local i
	for i in $(seq $((bound_tries * ${PCPNAT_SLOW:-1}))); do
		in_ns "$1" ss -Hln"$2" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# Wait until the last background job has finished.
reap() {
	local p=${pids[-1]} i
	for i in $(seq $((reap_tries * ${PCPNAT_SLOW:-1}))); do
		kill -0 "$p" 2>/dev/null || { wait "$p"; return; }
		sleep 0.1
	done
	kill "$p" 2>/dev/null
	return 1
}

# End the last background job (a server that must have received nothing).
stop() {
	kill "${pids[-1]}" 2>/dev/null
	wait "${pids[-1]}" 2>/dev/null
	return 0
}

# pcpd on the router with $tmp/pcpd.conf, log in $tmp/pcpd.log; returns
# once it listens on 5351.
start_pcpd() {
	# Not through a function: $! must be pcpd itself, for kill.
	ip netns exec "$R" "$PCPD" -d -v -c "$tmp/pcpd.conf" >>"$tmp/pcpd.log" 2>&1 &
	pcpd_pid=$!
	bound "$R" u 5351
}
stop_pcpd() {
	[ -n "$pcpd_pid" ] || return 0
	kill "$pcpd_pid" && wait "$pcpd_pid"
	local rc=$?
	pcpd_pid=
	return $rc
}

# ok DESCRIPTION: pass if the previous checks (in $fails) all held.
fails=0
want() { "$@" || { ktap_print_msg "failed: $*"; fails=$((fails + 1)); }; }
ok() {
	if [ "$fails" = 0 ]; then ktap_test_pass "$1"; else ktap_test_fail "$1"; fi
	fails=0
}
has() { grep -q -- "$2" "$1" || { ktap_print_msg "$1: $(tr '\n' '|' <"$1")"; false; }; }
not() { ! "$@"; }
gt() { [ "$1" -gt "$2" ] 2>/dev/null; }
eq() { [ "$1" = "$2" ] || { ktap_print_msg "'$1' != '$2'"; false; }; }
ge() { [ "$1" -ge "$2" ] 2>/dev/null || { ktap_print_msg "$1 < $2"; false; }; }
le() { [ "$1" -le "$2" ] 2>/dev/null || { ktap_print_msg "$1 > $2"; false; }; }
