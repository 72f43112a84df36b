#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcpd's state replication ([sync], Documentation/pcpd-sync.md) between two
# routers, each its own pcpnat instance (the module is per network
# namespace): what the active's module holds, the standby's holds too, with
# the same external endpoints, and after the roles switch the new active's
# Epoch continues the old one's (draft-boucadair-pcp-failure §3.3,
# RFC 6887 §8.5). The standby's module is in the standby role: a flow
# through the active that outlives udp_timeout keeps its mapping on the
# standby, continues through it on the same port after the switch, and a
# new flow through the standby is dropped and counted.
#
# The pair, its topology and helpers: sync_lib.sh.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
source "$(cd "$(dirname "$0")" && pwd)/sync_lib.sh"

ktap_print_header
ktap_set_plan 14

ktap_need "$PCPD" "$PCPCTL" "$PROBE" "$NOTIFY"

# udp_timeout at its minimum (RFC 4787 REQ-5): test 7's flow outlives it.
SYNC_UDP_TIMEOUT=120
# B announces (its start-up, state loss): only while MASTER, checked in 4.
sync_conf b "$GWB" 192.168.255.2 192.168.255.1 2 1 on

ktap_setup sync_setup

# --- 1. configuration -------------------------------------------------------
want "$PCPD" -n -c "$tmp/a.conf"
chmod 644 "$tmp/sync.key"
want not "$PCPD" -n -c "$tmp/a.conf" 2>"$tmp/err"
want has "$tmp/err" "others may read"
chmod 600 "$tmp/sync.key"
ok "[sync]: pcpd -n accepts the section and refuses a key others may read"

# B's instance is 6 s younger than A's: its own Epoch would fail the
# client's check of section 5, the replicated one passes.
sleep 6
want pcpctl_b config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
	udp-timeout "$SYNC_UDP_TIMEOUT"

# --- 2. both start, A becomes MASTER, B BACKUP and in sync ------------------
want start_a
# Every unsolicited message the client hears from here to 4 is B's.
in_ns "$C1" python3 "$PCPC" listen --count 1000 --timeout 900 >"$tmp/heard" 2>&1 &
pid_l=$!
pids+=("$pid_l")
want wait_for 100 grep -q listening "$tmp/heard"
want start_b
want notify a MASTER
want notify b BACKUP
want wait_for 100 eval '[ "$(status_b synced)" = true ] && [ "$(status_a established)" = true ]'
want eq "$(status_a role)" master
want eq "$(status_b role)" backup
want eq "$(role "$R")" active
want eq "$(role "$B")" standby
ok "the pair establishes: A MASTER, B BACKUP and synchronised, B's module standby"

# --- 3. an explicit mapping made on A is in B's module -----------------------
N1=0102030405060708090a0b0c
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7000 --lifetime 600 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
eport=$(jq -r .ext_port <<<"$r")
epoch_a=$(jq -r .epoch <<<"$r")
t_a=$SECONDS
want wait_for 30 b_has udp "$H1:7000" "$eport"
m=$(pcpctl_b show proto udp int "$H1:7000" --json)
want eq "$(jq -r '.[0].kind' <<<"$m")" explicit
want eq "$(jq -r '.[0].ext_addr' <<<"$m")" "$EXT"
want eq "$(jq -r '.[0].nonce' <<<"$m")" "$N1"
ok "PCP MAP on the active: the standby holds $EXT:$eport with the nonce"

# --- 4. the standby is silent: no answer, no announcement, no mapping -----
# Its module is a copy of the active's: a mapping it made itself would take
# an external port the active may give to someone else. Clients retry and
# reach it once keepalived gives it the server address.
r=$(pcpc "$C1" map "$GWB" --proto udp --int-port 7100 --lifetime 600 --timeout 3)
want eq "$(jq -r .timeout <<<"$r")" true
want eq "$(pcpctl_b show proto udp int "$H1:7100" --json | jq length)" 0
want eq "$(pcpctl show proto udp int "$H1:7100" --json | jq length)" 0
kill "$pid_l"
want eq "$(grep -c '"from": "'"$GWB"'"' "$tmp/heard")" 0
ok "the standby answers no PCP request, announces nothing and makes no mapping"

# --- 5. an implicit mapping from a UDP flow is replicated -------------------
probe "$C1" udp-client "$SRV:5000" -b 41000 -x >/dev/null 2>&1
iport=$(pcpctl show proto udp int "$H1:41000" --json | jq -r '.[0].ext_port')
want gt "${iport:-0}" 0
want wait_for 30 b_has udp "$H1:41000" "$iport"
want eq "$(pcpctl_b show proto udp int "$H1:41000" --json | jq -r '.[0].kind')" implicit
ok "an implicit mapping of a flow through the active: the standby holds $EXT:$iport"

# --- 6. a new flow through the standby is dropped and counted -----------------
dropped() { pcpctl_b stats --json | jq -r .drop_standby; }
d0=$(dropped)
server s2 "$S2" udp-server 5000 -t 5
want bound "$S2" u 5000
in_ns "$C1" ip route add "$SRV/32" via "$GWB"
probe "$C1" udp-client "$SRV:5000" -b 42000 -t 2 >"$tmp/c42000" 2>&1
in_ns "$C1" ip route del "$SRV/32" via "$GWB"
reap
want not has "$tmp/s2" from
want eq "$(pcpctl_b show proto udp int "$H1:42000" --json | jq length)" 0
want gt "$(dropped)" "${d0:-0}"
ok "a new flow through the standby makes no mapping: dropped, drop_standby $d0 -> $(dropped)"

# --- 7. a flow through the active outlives udp_timeout: the standby keeps it ---
# Every 15 s through A for 135 s: A refreshes it, B never sees the
# traffic, only the mapping, which its reaper must not expire. A socket
# of B's own holds $EXT:$iport meanwhile, so that a mapping B would make
# anew for the flow could not take that port again (local.c).
ip netns exec "$B" python3 -c "import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$EXT', $iport))
time.sleep(3600)" &
pids+=($!)
for i in $(seq 9); do
	probe "$C1" udp-client "$SRV:5000" -b 41000 -x >/dev/null 2>&1
	sleep 15
done
want eq "$(pcpctl show proto udp int "$H1:41000" --json | jq -r '.[0].ext_port')" "$iport"
want b_has udp "$H1:41000" "$iport"
idle=$(idle_b)
want gt "${idle:-0}" 120
ok "a flow alive on the active for 135 s (udp_timeout 120): the standby still holds $EXT:$iport, idle ${idle:-?} s there"

# --- 8. pcpd killed on the active comes back MASTER ------------------------
# keepalived does not tell a restarted pcpd its state again: pcpd takes it
# from the role file keepalived's notify script left. A BACKUP would stay
# silent (test 4) until the next VRRP transition, however long.
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
rm -f "$tmp/a/lib/sync-status.json"
# The module's role is pcpd's to set from that file too.
want pcpctl config set role standby
want start_a
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7200 --lifetime 600)
want eq "$(jq -r .result <<<"$r")" 0
rport=$(jq -r .ext_port <<<"$r")
want gt "${rport:-0}" 0
want wait_for 100 eval '[ "$(status_a role)" = master ]'
want wait_for 50 b_has udp "$H1:7200" "$rport"
want eq "$(role "$R")" active
ok "pcpd restarted by kill -9 on the active is MASTER again: it answers, replicates, its module is active"

# --- 9. failover: B answers with an Epoch that passes RFC 6887 §8.5 ---------
want notify a BACKUP
want notify b MASTER
want wait_for 30 eval '[ "$(status_b role)" = master ]'
r=$(pcpc "$C1" map "$GWB" --proto udp --int-port 7000 --lifetime 600 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
want eq "$(jq -r .ext_port <<<"$r")" "$eport"
epoch_b=$(jq -r .epoch <<<"$r")
cd_=$((SECONDS - t_a))
sd=$((epoch_b - epoch_a))
ktap_print_msg "epoch on A $epoch_a, on B $epoch_b after ${cd_} s"
# RFC 6887 §8.5: lost when the server's time went back by more than 1 s,
# or its delta and the client's differ beyond 2 s plus a sixteenth.
want ge "$epoch_b" $((epoch_a - 1))
want not [ $((cd_ + 2)) -lt $((sd - sd / 16)) ]
want not [ $((sd + 2)) -lt $((cd_ - cd_ / 16)) ]
ok "after the switch B answers for the same mapping, epoch $epoch_a -> $epoch_b continuous"

# --- 10. B takes the flow over: idle time restarted, same external port ---------
want eq "$(role "$B")" active
want eq "$(role "$R")" standby
idle=$(idle_b)
want le "${idle:-999}" 30
in_ns "$C1" ip route replace default via "$GWB"
server s2 "$S2" udp-server 5000 -t 10
want bound "$S2" u 5000
want probe "$C1" udp-client "$SRV:5000" -b 41000
want reap
want has "$tmp/s2" "from $EXT:$iport"
ok "B took the flow over: idle ${idle:-?} s after the switch, traffic on through $EXT:$iport"

# --- 11. a forged datagram (wrong key) is refused and counted ----------------
# A HELLO from A's node id and address, its HMAC-SHA-512-256 (libsodium
# crypto_auth: HMAC-SHA-512 cut to 32 octets) under another key.
forge() {
	in_ns "$R" python3 - "$tmp/wrong.key" <<'PY'
import hashlib, hmac, socket, struct, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
hdr = struct.pack(">IBBHIBBHQQQ", 0x50435359, 1, 1, 80, 1, 2, 0, 0,
                  time.time_ns(), 0, 1)
msg = hdr + struct.pack(">II", 1200, 0)
msg += hmac.new(key, msg, hashlib.sha512).digest()[:32]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.255.1", 0))
for _ in range(3):
    s.sendto(msg, ("192.168.255.2", 5352))
PY
}
auth_fail() { jq -r .counters.rx_auth_fail "$tmp/b/lib/sync-status.json"; }
before=$(auth_fail)
want forge
want wait_for 30 eval '[ "$(auth_fail)" -ge $((before + 3)) ]'
want eq "$(status_b role)" master
want eq "$(status_b established)" true
ok "forged sync datagrams (wrong key) are refused: rx_auth_fail $before -> $(auth_fail)"

# --- 12. pcpctl sync: pcpd's replication status, live ---------------------------
# Found from B's pcpd.conf (state_file's directory) and named outright.
js=$(pcpctl_b sync conf "$tmp/b.conf" --json)
want eq "$(jq -r .status_file <<<"$js")" "$tmp/b/lib/sync-status.json"
for k in role peer_role established split_brain peer_node_id session \
	 peer_session counters.rx_auth_fail; do
	want eq "$(jq -r ".$k" <<<"$js")" "$(status_b "$k")"
done
want eq "$(jq -r .peer <<<"$js")" 192.168.255.1:5352
want le "$(jq -r .age <<<"$js")" 3
pcpctl_b sync show status "$tmp/b/lib/sync-status.json" >"$tmp/sync.txt"
want has "$tmp/sync.txt" "^role  *master, node 2$"
want has "$tmp/sync.txt" "^peer  *192.168.255.1:5352, node 1$"
want has "$tmp/sync.txt" "^peer role  *backup$"
want has "$tmp/sync.txt" "^established  *yes$"
want has "$tmp/sync.txt" "^auth failures  *$(status_b counters.rx_auth_fail)$"
want has "$tmp/sync.txt" "^last acked  *[0-9]"
want not pcpctl_b sync status "$tmp/none.json" 2>/dev/null
ok "pcpctl sync prints B's live status: $(tr -s ' ' <"$tmp/sync.txt" | head -3 | tr '\n' ';')"

# --- 13. a subscriber's epoch restart reaches the standby as it happens --------
# B (active) flushes c1's mappings: its epoch restarts there
# (draft-boucadair-pcp-failure §3.2), and A, the standby now, hears of it
# at once (SUB_RESET), not at the next bulk: A, MASTER again, answers c1
# with an Epoch that restarted, not with the pair's.
want pcpctl_b flush subscriber "$H1"
sleep 2
want notify b BACKUP
want notify a MASTER
want wait_for 30 eval '[ "$(status_a role)" = master ]'
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7002 --lifetime 600 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
ep=$(jq -r .epoch <<<"$r")
want le "${ep:-999}" 15
ok "a flush on the active restarts c1's epoch on the standby too: $ep s (the pair's is over 100)"

# --- 14. split brain: detected, logged, and the loser takes the winner's table
# Both MASTER (VRRP partitioned): each answers and allocates from the same
# pool, neither installs the other's records. When B turns BACKUP again it
# must hold exactly A's table: its own split-brain mapping gone (its port may
# be A's to give), A's present; A's table never took B's.
table() { # NS: the mappings as "proto int ext kind", sorted
	in_ns "$1" "$PCPCTL" show --json |
		jq -r '.[] | "\(.proto) \(.int_addr):\(.int_port) \(.ext_addr):\(.ext_port) \(.kind)"' |
		sort
}
want notify b MASTER
want wait_for 100 eval '[ "$(status_a split_brain)" = true ] && [ "$(status_b split_brain)" = true ]'
want wait_for 50 grep -q "split brain" "$tmp/b.log"
ra=$(pcpc "$C1" map "$GW" --proto udp --int-port 7300 --lifetime 600)
rb=$(pcpc "$C1" map "$GWB" --proto udp --int-port 7301 --lifetime 600)
want eq "$(jq -r .result <<<"$ra")/$(jq -r .result <<<"$rb")" 0/0
want notify b BACKUP
want wait_for 100 eval '[ "$(status_b split_brain)" = false ] && [ "$(status_b synced)" = true ]'
want wait_for 100 eval '[ "$(table "$R")" = "$(table "$B")" ]'
want eq "$(table "$B" | grep -c ":7301 ")" 0
want eq "$(table "$R" | grep -c ":7300 ")" 1
ok "split brain is detected and logged; after it B holds exactly A's table"

sync_logs
kill "$pid_a" "$pid_b" 2>/dev/null
ktap_finished
