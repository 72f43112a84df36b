#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcpd's state replication ([sync], Documentation/pcpd-sync.md) between two
# routers, each its own pcpnat instance (the module is per network
# namespace): what the active's module holds, the standby's holds too, with
# the same external endpoints, and after the roles switch the new active's
# Epoch continues the old one's (draft-boucadair-pcp-failure §3.3,
# RFC 6887 §8.5).
#
# The pair, its topology and helpers: sync_lib.sh.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
source "$(cd "$(dirname "$0")" && pwd)/sync_lib.sh"

ktap_print_header
ktap_set_plan 6

ktap_need "$PROBE" "$PCPCTL" "$PCPD" "$NOTIFY"

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
want pcpctl_b config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext

# --- 2. both start, A becomes MASTER, B BACKUP and in sync ------------------
want start_a
want start_b
want notify "$pid_a" MASTER
want notify "$pid_b" BACKUP
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

# --- 4. an implicit mapping from a UDP flow is replicated -------------------
probe "$C1" udp-client "$SRV:5000" -b 41000 -x >/dev/null 2>&1
iport=$(pcpctl show proto udp int "$H1:41000" --json | jq -r '.[0].ext_port')
want gt "${iport:-0}" 0
want wait_for 30 b_has udp "$H1:41000" "$iport"
want eq "$(pcpctl_b show proto udp int "$H1:41000" --json | jq -r '.[0].kind')" implicit
ok "an implicit mapping of a flow through the active: the standby holds $EXT:$iport"

# --- 5. failover: B answers with an Epoch that passes RFC 6887 §8.5 ---------
want notify "$pid_a" BACKUP
want notify "$pid_b" MASTER
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

sync_logs
kill "$pid_a" "$pid_b" 2>/dev/null
ktap_finished
