#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two pcpnat routers under keepalived itself (etc/keepalived.conf.example,
# etc/keepalived-pcpd-notify.sh): keepalived moves the gateway and the pool
# address and gives pcpd its role, pcpd replicates the mappings ([sync],
# Documentation/pcpd-sync.md). Through a planned switch-over, a kill -9 of
# the active's pcpd and keepalived, and the active's inside link down:
# every explicit mapping is on the new active at the same external
# endpoint, a TCP connection and a UDP stream go on at the same external
# port, an inbound connection to a PCP mapping succeeds, and the Epoch
# passes the client's check (RFC 6887 §8.5; draft-boucadair-pcp-failure
# §3.3). Without [sync] the new active is cold and its Epoch restarts
# (§3.4). Topology and keepalived in failover_lib.sh.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
PCPC=$here/pcp_client.py
source "$here/lib.sh"
source "$here/failover_lib.sh"
fo_names pfo
bound_tries=100

ktap_print_header
ktap_set_plan 7

ktap_need "$PROBE" "$PCPCTL" "$PCPD" "$FO_NOTIFY" "$(command -v keepalived)"

pcpc() { in_ns "$C1" python3 "$PCPC" "$@"; }
holds() { jq -e "$1" >/dev/null; }	# holds FILTER <<<JSON
inbound() { probe "$S" tcp-client "$1" >/dev/null; }
shows() { # ROUTER PROTO PORT EXT_PORT: the router's module has the mapping
	local m
	m=$(in_ns "$(fo_ns "$1")" "$PCPCTL" show proto "$2" int "$H1:$3" --json)
	[ "$(jq -r '.[0].ext_addr' <<<"$m")" = "$EXT" ] &&
	[ "$(jq -r '.[0].ext_port' <<<"$m")" = "$4" ]
}

fo_key
fo_conf a
fo_conf b
fo_ka_conf a 150
fo_ka_conf b 100
ktap_setup fo_setup

# --- 1. pcpd listens on the gateway address neither router holds yet -------
want fo_pcpd_start a
want fo_pcpd_start b
ok "pcpd starts on both routers, listening on $GW before keepalived puts it there"

# --- 2. keepalived: A active, B standby and synchronised --------------------
# A first: with nopreempt both start BACKUP, and the first one alone
# becomes MASTER (three advertisement intervals and its skew).
fo_ka_start a
want fo_wait 100 eval '[ "$(fo_active)" = a ]'
fo_ka_start b
want fo_wait 100 fo_synced a
want eq "$(fo_active)" a
want eq "$(fo_status b role)" backup
ok "keepalived: A holds $GW and $EXT, its pcpd MASTER; B BACKUP and synchronised"

# --- 3. mappings and flows through A ----------------------------------------
# The inbound target: an echo server behind a PCP mapping of TCP 8000.
ip netns exec "$C1" python3 "$FO_FLOW" server --port 8000 --out "$tmp/inbound.json" >>"$tmp/flow.log" 2>&1 &
pids+=($!)
want bound "$C1" t 8000
declare -A eport nonce
n=0
# map PROTO PORT: a PCP MAP whose port, epoch and time are kept; the same
# mapping again with its nonce.
map() {
	local r
	[ -n "${nonce[$1/$2]:-}" ] || nonce[$1/$2]=$(printf '%024x' $((++n)))
	r=$(pcpc map "$GW" --proto "$1" --int-port "$2" --lifetime 600 --nonce "${nonce[$1/$2]}")
	[ "$(jq -r .result <<<"$r")" = 0 ] || { ktap_print_msg "MAP $1 $2: $r"; return 1; }
	eport[$1/$2]=$(jq -r .ext_port <<<"$r")
	epoch=$(jq -r .epoch <<<"$r") epoch_t=$SECONDS
}
want map tcp 8000
want map udp 7000
want fo_flows_start 5000 41000
want fo_wait 100 eval 'fo_flow_dump server | jq -e ".udp.count > 0 and .tcp.count > 0"'
flow_udp=$(in_ns "$A" "$PCPCTL" show proto udp int "$H1:41000" --json | jq -r '.[0].ext_port')
flow_tcp=$(in_ns "$A" "$PCPCTL" show proto tcp int "$H1:41000" --json | jq -r '.[0].ext_port')
want gt "${flow_udp:-0}" 0
want gt "${flow_tcp:-0}" 0
want fo_wait 50 shows b udp 41000 "$flow_udp"
want fo_wait 50 shows b tcp 41000 "$flow_tcp"
want fo_wait 50 shows b tcp 8000 "${eport[tcp/8000]}"
ok "PCP mappings, a UDP stream and a TCP connection through A, all on B too"

# after NEW SCENARIO: the checks on the new active NEW.
after() {
	local new=$1 what=$2 k s c r
	for k in "${!eport[@]}"; do
		want shows "$new" "${k%/*}" "${k#*/}" "${eport[$k]}"
	done
	# The flows, a second after the new active holds the addresses.
	sleep 1
	s=$(fo_flow_dump server) c=$(fo_flow_dump client)
	ktap_print_msg "$what: outside host $(jq -c '{udp: .udp | del(.endpoints), tcp: .tcp | del(.endpoints)}' <<<"$s")"
	want eq "$(jq -c .udp.endpoints <<<"$s")" "[\"$EXT:$flow_udp\"]"
	want eq "$(jq -c .tcp.endpoints <<<"$s")" "[\"$EXT:$flow_tcp\"]"
	# Still flowing both ways now: a second window, after the gap.
	sleep 1
	s=$(fo_flow_dump server) c=$(fo_flow_dump client)
	want holds '.udp.count > 20 and .tcp.count > 2 and (.udp.endpoints | length) == 1' <<<"$s"
	want holds '.udp.count > 20 and .tcp.count > 2 and .tcp_broken == false' <<<"$c"
	want inbound "$EXT:${eport[tcp/8000]}"
	# The same MAP again: the same port, the Epoch continued.
	local e0=$epoch t0=$epoch_t
	want map udp 7000
	want fo_epoch_ok "$e0" "$t0" "$epoch" "$epoch_t"
	ktap_print_msg "$what: epoch $e0 -> $epoch after $((epoch_t - t0)) s"
}
# before: a new explicit mapping, acknowledged to the client more than a
# sync interval before the failure, and the flows' windows restarted.
before() {
	want map udp $((7000 + n))
	sleep $(((2 * FO_SYNC_MS * ${PCPNAT_SLOW:-1} + 999) / 1000))
	fo_flow_dump server >/dev/null
	fo_flow_dump client >/dev/null
}
# scenario WHAT FAILED NEW: the failure of the active FAILED, NEW takes
# over, the checks, FAILED comes back as the standby.
scenario() {
	before
	fo_fail "$1" "$2"
	want fo_takeover "$3"
	after "$3" "$1"
	want fo_restore "$1" "$2"
	want eq "$(fo_active)" "$3"
}

# --- 4. planned switch-over: keepalived stopped on A ------------------------
scenario planned a b
ok "planned switch-over to B: mappings, flows, inbound and Epoch kept"

# --- 5. kill -9 of pcpd and keepalived on the active (B) --------------------
# B's keepalived, back, removes the addresses its killed self left.
scenario kill b a
ok "kill -9 of B's pcpd and keepalived: A takes over with mappings, flows, inbound and Epoch"

# --- 6. the active's (A's) inside link down ---------------------------------
scenario link a b
ok "A's inside link down: B takes over with mappings, flows, inbound and Epoch"

# --- 7. cold standby: no [sync], the new active's Epoch restarts -------------
for r in a b; do fo_ka_stop $r; done
for r in a b; do fo_pcpd_stop $r; done
mv "$tmp/a" "$tmp/a.sync"
mv "$tmp/b" "$tmp/b.sync"
fo_conf a cold
fo_conf b cold
want fo_pcpd_start a
want fo_pcpd_start b
fo_ka_start b
want fo_wait 100 eval 'fo_holds b && ! fo_holds a'
fo_ka_start a
want map udp 7000
# A is cold: its table empty, its module's Epoch from zero.
want in_ns "$A" "$PCPCTL" flush >/dev/null
sleep 2
e0=$epoch t0=$epoch_t
fo_ka_stop b
want fo_wait 150 fo_holds a
want map udp 7000
ktap_print_msg "cold: epoch $e0 -> $epoch after $((epoch_t - t0)) s"
want le "$epoch" $((epoch_t - t0 + 2))
want not fo_epoch_ok "$e0" "$t0" "$epoch" "$epoch_t"
want kill -0 "${fo_pcpd[a]}"
ok "cold standby: A answers with Epoch $epoch, the client's check says state lost"

if [ "$KTAP_CNT_FAIL" != 0 ]; then
	for f in a.log b.log ka-a.log ka-b.log flow.log; do
		[ -f "$tmp/$f" ] && tail -n 40 "$tmp/$f" | while read -r l; do ktap_print_msg "$f: $l"; done
	done
fi
ktap_finished
