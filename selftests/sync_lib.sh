# SPDX-License-Identifier: GPL-2.0
# Sourced (not run) by the replication tests (pcp_sync.sh,
# pcp_sync_scale.sh): two routers, each its own pcpnat instance (the
# module is per network namespace), and a sync link between them
# ([sync] in pcpd.conf(5), Documentation/pcpd-sync.md). One copy, so the
# tests build the same pair.
#
#   c1 10.0.1.2 --+-- br-int 10.0.1.1 [A: pcpnat + pcpd] r-ext 198.51.100.1 -- S
#                 |                    sa 192.168.255.1
#                 |                     | sync link
#                 |                    sb 192.168.255.2
#                 +-- lan 10.0.1.4     [B: pcpnat + pcpd] r-ext 198.51.100.1 -- S2
#
# S2 is S again (198.51.100.2) behind B: c1 reaches it through B when its
# route names B, as VRRP's moving gateway address would have it.
#
# keepalived's notify is simulated by etc/keepalived-pcpd-notify.sh with
# PCPD_PID: SIGUSR1 MASTER, SIGUSR2 BACKUP, and the state left in each
# router's role_file. The caller sources
# kselftest/ktap_helpers.sh first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PCPC=$top/selftests/pcp_client.py
NOTIFY=$top/etc/keepalived-pcpd-notify.sh

topo_names psync
B=psync-b-$$ S2=psync-s2-$$ GWB=10.0.1.4
# lib.sh's cleanup deletes C3 and C4: B and S2 beside the hosts.
C3=$B C4=$S2
bound_tries=100

pcpc() { local ns=$1; shift; in_ns "$ns" python3 "$PCPC" "$@"; }
pcpctl_b() { in_ns "$B" "$PCPCTL" "$@"; }
# notify NAME STATE: keepalived's notify for router NAME (a or b), run in
# its namespace as keepalived would; the script also sets the module's
# role and leaves the state in NAME's role_file.
notify() {
	local pid=pid_$1 ns=$R
	[ "$1" = b ] && ns=$B
	in_ns "$ns" env PCPD_PID="${!pid}" PCPD_ROLE_FILE="$tmp/$1/role" \
		PCPCTL="$PCPCTL" "$NOTIFY" INSTANCE pcp "$2" 100
}
status_b() { jq -r ".$1" "$tmp/b/lib/sync-status.json" 2>/dev/null; }
status_a() { jq -r ".$1" "$tmp/a/lib/sync-status.json" 2>/dev/null; }
# wait_for TENTHS CMD...: until CMD holds.
wait_for() {
	local n=$(($1 * ${PCPNAT_SLOW:-1})) i
	shift
	for i in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	"$@"
}
role() { in_ns "$1" "$PCPCTL" config --json | jq -r .role; }
idle_b() { pcpctl_b show proto udp int "$H1:41000" --json | jq -r '.[0].idle'; }
b_has() { [ "$(pcpctl_b show proto "$1" int "$2" --json | jq -r '.[0].ext_port')" = "$3" ]; }

# The namespaces and links; A's pcpnat configured, B's left to the test.
sync_setup() {
	topo_setup || return 1
	ip netns add "$B" || return 1
	in_ns "$B" ip link set lo up
	ip link add lan netns "$B" type veth peer name pb netns "$R"
	in_ns "$R" ip link set pb master br-int up
	in_ns "$B" ip addr add "$GWB/24" dev lan
	in_ns "$B" ip link set lan up
	ip netns add "$S2" || return 1
	in_ns "$S2" ip link set lo up
	in_ns "$B" sysctl -qw net.ipv4.ip_forward=1
	ip link add r-ext netns "$B" type veth peer name eth0 netns "$S2"
	in_ns "$B" ip addr add "$EXT/24" dev r-ext
	in_ns "$B" ip link set r-ext up
	in_ns "$S2" ip addr add "$SRV/24" dev eth0
	in_ns "$S2" ip link set eth0 up
	ip link add sa netns "$R" type veth peer name sb netns "$B"
	in_ns "$R" ip addr add 192.168.255.1/30 dev sa
	in_ns "$B" ip addr add 192.168.255.2/30 dev sb
	in_ns "$R" ip link set sa up
	in_ns "$B" ip link set sb up
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
		${SYNC_UDP_TIMEOUT:+udp-timeout $SYNC_UDP_TIMEOUT}
}

# pcpd runs as nobody (pcpd.sh does the same) and makes its state
# directory, where it keeps sync-session and sync-status.json, its own.
# $tmp/sync.key is the pair's key, $tmp/wrong.key another one.
chmod 711 "$tmp"
(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/sync.key"
 od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/wrong.key")
mkdir "$tmp/a" "$tmp/b"
sync_conf() { # NAME LISTEN MY PEER NODE PEER_NODE [ANNOUNCE]
	cat >"$tmp/$1.conf" <<CONF
[pcpd]
listen = $2
lifetime_min = 60
announce = ${7:-off}
${SYNC_EVENTS_BUFFER:+events_buffer = $SYNC_EVENTS_BUFFER}
user = nobody
state_file = $tmp/$1/lib/state

[sync]
listen = $3
peer = $4
node_id = $5
peer_node_id = $6
key_file = $tmp/sync.key
role_file = $tmp/$1/role
interval = 200
CONF
}
sync_conf a "$GW" 192.168.255.1 192.168.255.2 1 2
sync_conf b "$GWB" 192.168.255.2 192.168.255.1 2 1

# Not through a function: $! must be pcpd itself, for kill and notify.
start_a() {
	ip netns exec "$R" "$PCPD" -d -v -c "$tmp/a.conf" >>"$tmp/a.log" 2>&1 &
	pid_a=$!
	pids+=("$pid_a")
	bound "$R" u 5351
}
start_b() {
	ip netns exec "$B" "$PCPD" -d -v -c "$tmp/b.conf" >>"$tmp/b.log" 2>&1 &
	pid_b=$!
	pids+=("$pid_b")
	bound "$B" u 5351
}

# Both logs, when a check failed.
sync_logs() {
	local f l
	for f in a b; do
		[ "$KTAP_CNT_FAIL" = 0 ] || while read -r l; do ktap_print_msg "$f: $l"; done <"$tmp/$f.log"
	done
}
