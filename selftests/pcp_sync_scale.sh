#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcpd's state replication ([sync], Documentation/pcpd-sync.md) at scale:
# 10,000 implicit mappings from real flows through the active plus
# explicit PCP ones (RFC 6887 §11) are all in the standby's module with the
# same external endpoints; the standby's pcpd killed (-9) and started
# again while flows go on catches up by a bulk and ends with exactly the
# active's table; events the active's pcpd lost (its events socket
# overran) are restated to the standby by a bulk; a real sync datagram
# captured on the sync link and replayed, and one with a byte changed,
# are refused and counted (draft-boucadair-pcp-failure §3.3 needs the
# standby's state to be the active's, and only the active's).
# The pair, its topology and helpers: sync_lib.sh.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
source "$(cd "$(dirname "$0")" && pwd)/sync_lib.sh"
# The active's events socket small, so that test 3's burst overruns it as
# a larger one would the default 8 MiB (pcpd.conf(5) events_buffer).
SYNC_EVENTS_BUFFER=262144 sync_conf a "$GW" 192.168.255.1 192.168.255.2 1 2

ktap_print_header
ktap_set_plan 5

ktap_need "$PROBE" "$PCPCTL" "$PCPD" "$NOTIFY"

# Every flow of the test from one host: 17,000 mappings, four times the
# default quota; implicit mappings must not expire during the test.
nat_conf() { "$@" config set quota 30000 udp_timeout 900; }
scale_setup() {
	sync_setup || return 1
	nat_conf pcpctl || return 1
	pcpctl_b config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext &&
		nat_conf pcpctl_b
}
ktap_setup scale_setup

# "PROTO INTERNAL EXTERNAL KIND" of every mapping, sorted: what both
# tables must agree on (lifetimes and idle times are each router's own).
table() { in_ns "$1" "$PCPCTL" show | awk 'NR > 1 { print $1, $2, $3, $4 }' | sort; }
count() { in_ns "$1" "$PCPCTL" stats --json | jq -r .mappings; }
# Both tables the same, counted first (a dump of 17,000 is not cheap
# under emulation), then line by line.
same() {
	na=$(count "$R") nb=$(count "$B")
	[ "$na" = "$nb" ] || return 1
	table "$R" >"$tmp/ta" && table "$B" >"$tmp/tb" && cmp -s "$tmp/ta" "$tmp/tb"
}
# wait_same SECONDS: until the standby's table is the active's (a
# deadline, not a count of tries: each try costs a second or more); else
# say how they differ.
wait_same() {
	local end=$((SECONDS + $1 * ${PCPNAT_SLOW:-1}))
	while [ $SECONDS -lt $end ]; do
		same && return 0
		sleep 0.5
	done
	same && return 0
	ktap_print_msg "active $na, standby $nb mappings; first differences:"
	table "$R" >"$tmp/ta"
	table "$B" >"$tmp/tb"
	diff "$tmp/ta" "$tmp/tb" | head -5 | while read -r l; do ktap_print_msg "  $l"; done
	return 1
}
counter() { jq -r ".counters.$1" "$tmp/b/lib/sync-status.json"; }
# flows FIRST N: N new UDP flows from c1, source ports FIRST..
flows() { probe "$C1" udp-flows "$SRV:9" -b "$1" -n "$2"; }

t0=$SECONDS

# --- 1. 10,000 implicit and 50 explicit mappings, all on the standby -------
want start_a
want start_b
want notify a MASTER
want notify b BACKUP
want wait_for 100 eval '[ "$(status_b synced)" = true ] && [ "$(status_a established)" = true ]'
want flows 20000 10000
for p in $(seq 7000 7049); do
	echo "map $GW --proto udp --int-port $p --lifetime 900"
done | pcpc "$C1" serve >"$tmp/explicit"
want eq "$(jq -r .result "$tmp/explicit" | grep -cx 0)" 50
want ge "$(count "$R")" 10050
want wait_same 60
want eq "$(grep -c ' explicit$' "$tmp/tb")" 50
ok "10,050 mappings on the active, the same on the standby ($((SECONDS - t0)) s)"

# --- 2. the standby's pcpd killed and restarted while flows go on ----------
t1=$SECONDS
kill -9 "$pid_b"
wait "$pid_b" 2>/dev/null
# Gone from the active while the standby is away: the bulk must remove
# them there too.
for p in 20000 20001 20002; do
	want pcpctl map del proto udp int "$H1:$p" force
done
flows 30000 1000 &
flows_pid=$!
want start_b
want wait $flows_pid
want wait_same 60
want ge "$(count "$R")" 11047
want ge "$(status_a counters.resyncs_served)" 2
ok "the standby restarted (kill -9) during 1,000 new flows: exactly the active's $(count "$R") mappings after the bulk ($((SECONDS - t1)) s)"

# --- 3. events the active lost (its events socket overran) ---------------
# The active's pcpd stopped while 5,000 flows start: the module's events
# for them fill its events socket, which overruns (ENOBUFS); link.c's
# resync must restate the table to the standby.
t2=$SECONDS
kill -STOP "$pid_a"
want flows 40000 5000
kill -CONT "$pid_a"
want wait_for 100 grep -q "events lost" "$tmp/a.log"
want wait_same 60
want ge "$(status_a counters.restates)" 1
ok "5,000 flows while the active's events socket overran: restated, the standby holds its $(count "$R") mappings ($((SECONDS - t2)) s)"

# --- 4. a sync datagram captured on the sync link, replayed ---------------
# Captured on B's end of the link (AF_PACKET), sent again to B from A's
# address after B took it: B has seen its counter.
capture() {
	in_ns "$B" python3 - "$tmp/captured" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
s.bind(("sb", 0))
s.settimeout(20)
while True:
    p = s.recv(65535)
    ihl = (p[0] & 15) * 4
    if p[9] != 17 or p[12:16] != socket.inet_aton("192.168.255.1"):
        continue
    sport, dport = struct.unpack(">HH", p[ihl:ihl + 4])
    if dport == 5352 and p[ihl + 8:ihl + 12] == b"PCSY":
        open(sys.argv[1], "wb").write(p[ihl + 8:])
        break
PY
}
# send FILE [FLIP]: the datagram again, from A's address; FLIP: the
# octet at that offset changed first.
send() {
	in_ns "$R" python3 - "$@" <<'PY'
import socket, sys
m = bytearray(open(sys.argv[1], "rb").read())
if len(sys.argv) > 2:
    m[int(sys.argv[2])] ^= 0x01
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.255.1", 0))
s.sendto(bytes(m), ("192.168.255.2", 5352))
PY
}
replay0=$(counter rx_replay)
want capture
sleep 0.5
want send "$tmp/captured"
want wait_for 30 eval '[ "$(counter rx_replay)" -gt "$replay0" ]'
ok "a sync datagram captured on the link and replayed: refused, rx_replay $replay0 -> $(counter rx_replay)"

# --- 5. the same datagram with one octet changed (forged) -----------------
auth0=$(counter rx_auth_fail)
# The counter's last octet: a message never seen, but its tag no longer
# matches.
want send "$tmp/captured" 39
want wait_for 30 eval '[ "$(counter rx_auth_fail)" -gt "$auth0" ]'
want eq "$(status_b synced)" true
want same
ok "the captured datagram with one octet changed: refused, rx_auth_fail $auth0 -> $(counter rx_auth_fail)"

ktap_print_msg "run time $((SECONDS - t0)) s"
sync_logs
kill "$pid_a" "$pid_b" 2>/dev/null
ktap_finished
