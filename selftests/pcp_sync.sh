#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcpd's state replication ([sync], Documentation/pcpd-sync.md) between two
# routers, each its own pcpnat instance (the module is per network
# namespace): what the active's module holds, the standby's holds too, with
# the same external endpoints, and after the roles switch the new active's
# Epoch continues the old one's (draft-boucadair-pcp-failure §3.3,
# RFC 6887 §8.5).
#
#   c1 10.0.1.2 --+-- br-int 10.0.1.1 [A: pcpnat + pcpd] r-ext 198.51.100.1 -- S
#                 |                    sa 192.168.255.1
#                 |                     | sync link
#                 |                    sb 192.168.255.2
#                 +-- lan 10.0.1.4     [B: pcpnat + pcpd] r-ext 198.51.100.1 (dummy)
#
# keepalived's notify is simulated by etc/keepalived-pcpd-notify.sh with
# PCPD_PID: SIGUSR1 MASTER, SIGUSR2 BACKUP.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
PCPC=$here/pcp_client.py
NOTIFY=$here/../etc/keepalived-pcpd-notify.sh

source "$here/lib.sh"
topo_names psync
B=psync-b-$$ GWB=10.0.1.4
bound_tries=100

ktap_print_header
ktap_set_plan 9

ktap_need "$PROBE" "$PCPCTL" "$PCPD" "$NOTIFY"

pcpc() { local ns=$1; shift; in_ns "$ns" python3 "$PCPC" "$@"; }
pcpctl_b() { in_ns "$B" "$PCPCTL" "$@"; }
# notify NAME STATE: keepalived's notify for router NAME (a or b); the
# script also leaves the state in NAME's role_file.
notify() {
	local pid=pid_$1
	PCPD_PID=${!pid} PCPD_ROLE_FILE=$tmp/$1/role "$NOTIFY" INSTANCE pcp "$2" 100
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
b_has() { [ "$(pcpctl_b show proto "$1" int "$2" --json | jq -r '.[0].ext_port')" = "$3" ]; }

setup() {
	topo_setup || return 1
	ip netns add "$B" || return 1
	in_ns "$B" ip link set lo up
	ip link add lan netns "$B" type veth peer name pb netns "$R"
	in_ns "$R" ip link set pb master br-int up
	in_ns "$B" ip addr add "$GWB/24" dev lan
	in_ns "$B" ip link set lan up
	in_ns "$B" ip link add r-ext type dummy
	in_ns "$B" ip addr add "$EXT/24" dev r-ext
	in_ns "$B" ip link set r-ext up
	ip link add sa netns "$R" type veth peer name sb netns "$B"
	in_ns "$R" ip addr add 192.168.255.1/30 dev sa
	in_ns "$B" ip addr add 192.168.255.2/30 dev sb
	in_ns "$R" ip link set sa up
	in_ns "$B" ip link set sb up
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext
}

# pcpd runs as nobody (pcpd.sh does the same) and makes its state
# directory, where it keeps sync-session and sync-status.json, its own.
chmod 711 "$tmp"
(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/sync.key"
 od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/wrong.key")
mkdir "$tmp/a" "$tmp/b"
conf() { # NAME LISTEN MY PEER NODE PEER_NODE ANNOUNCE
	cat >"$tmp/$1.conf" <<CONF
[pcpd]
listen = $2
lifetime_min = 60
announce = $7
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
conf a "$GW" 192.168.255.1 192.168.255.2 1 2 off
# B announces (its start-up, state loss): only while MASTER, checked in 3b.
conf b "$GWB" 192.168.255.2 192.168.255.1 2 1 on

ktap_setup setup

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
want pcpctl_b config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext

# --- 2. both start, A becomes MASTER, B BACKUP and in sync ------------------
ip netns exec "$R" "$PCPD" -d -v -c "$tmp/a.conf" >>"$tmp/a.log" 2>&1 &
pid_a=$!
# Every unsolicited message the client hears from here to 3b is B's.
in_ns "$C1" python3 "$PCPC" listen --count 1000 --timeout 900 >"$tmp/heard" 2>&1 &
pid_l=$!
pids+=("$pid_l")
want wait_for 100 grep -q listening "$tmp/heard"
ip netns exec "$B" "$PCPD" -d -v -c "$tmp/b.conf" >>"$tmp/b.log" 2>&1 &
pid_b=$!
pids+=("$pid_a" "$pid_b")
want bound "$R" u 5351
want bound "$B" u 5351
want notify a MASTER
want notify b BACKUP
want wait_for 100 eval '[ "$(status_b synced)" = true ] && [ "$(status_a established)" = true ]'
want eq "$(status_a role)" master
want eq "$(status_b role)" backup
ok "the pair establishes: A MASTER, B BACKUP and synchronised"

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

# --- 3b. the standby is silent: no answer, no announcement, no mapping -----
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

# --- 4. an implicit mapping from a UDP flow is replicated -------------------
probe "$C1" udp-client "$SRV:5000" -b 41000 -x >/dev/null 2>&1
iport=$(pcpctl show proto udp int "$H1:41000" --json | jq -r '.[0].ext_port')
want gt "${iport:-0}" 0
want wait_for 30 b_has udp "$H1:41000" "$iport"
want eq "$(pcpctl_b show proto udp int "$H1:41000" --json | jq -r '.[0].kind')" implicit
ok "an implicit mapping of a flow through the active: the standby holds $EXT:$iport"

# --- 4b. pcpd killed on the active comes back MASTER ------------------------
# keepalived does not tell a restarted pcpd its state again: pcpd takes it
# from the role file keepalived's notify script left. A BACKUP would stay
# silent (test 4) until the next VRRP transition, however long.
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
rm -f "$tmp/a/lib/sync-status.json"
ip netns exec "$R" "$PCPD" -d -v -c "$tmp/a.conf" >>"$tmp/a.log" 2>&1 &
pid_a=$!
pids+=("$pid_a")
want bound "$R" u 5351
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7200 --lifetime 600)
want eq "$(jq -r .result <<<"$r")" 0
rport=$(jq -r .ext_port <<<"$r")
want gt "${rport:-0}" 0
want wait_for 100 eval '[ "$(status_a role)" = master ]'
want wait_for 50 b_has udp "$H1:7200" "$rport"
ok "pcpd restarted by kill -9 on the active is MASTER again: it answers and replicates"

# --- 5. failover: B answers with an Epoch that passes RFC 6887 §8.5 ---------
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

# --- 6. a forged datagram (wrong key) is refused and counted ----------------
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

# --- 9. split brain: detected, logged, and the loser takes the winner's table
# Both MASTER (VRRP partitioned): each answers and allocates from the same
# pool, neither installs the other's records. When A turns BACKUP again it
# must hold exactly B's table: its own split-brain mapping gone (its port may
# be B's to give), B's present; B's table never took A's.
table() { # NS: the mappings as "proto int ext kind", sorted
	in_ns "$1" "$PCPCTL" show --json |
		jq -r '.[] | "\(.proto) \(.int_addr):\(.int_port) \(.ext_addr):\(.ext_port) \(.kind)"' |
		sort
}
want notify a MASTER
want wait_for 100 eval '[ "$(status_a split_brain)" = true ] && [ "$(status_b split_brain)" = true ]'
want wait_for 50 grep -q "split brain" "$tmp/a.log"
ra=$(pcpc "$C1" map "$GW" --proto udp --int-port 7300 --lifetime 600)
rb=$(pcpc "$C1" map "$GWB" --proto udp --int-port 7301 --lifetime 600)
want eq "$(jq -r .result <<<"$ra")/$(jq -r .result <<<"$rb")" 0/0
want notify a BACKUP
want wait_for 100 eval '[ "$(status_a split_brain)" = false ] && [ "$(status_a synced)" = true ]'
want wait_for 100 eval '[ "$(table "$R")" = "$(table "$B")" ]'
want eq "$(table "$R" | grep -c ":7300 ")" 0
want eq "$(table "$B" | grep -c ":7301 ")" 1
ok "split brain is detected and logged; after it A holds exactly B's table"

for f in a b; do
	[ "$KTAP_CNT_FAIL" = 0 ] || while read -r l; do ktap_print_msg "$f: $l"; done <"$tmp/$f.log"
done
kill "$pid_a" "$pid_b" 2>/dev/null
ktap_finished
