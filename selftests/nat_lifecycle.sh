#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How long mappings live and whom they admit: the TCP timeouts (RFC 5382
# REQ-5, RFC 7857 §2.2), exact address-dependent filtering (RFC 4787
# REQ-8), internal port or echo identifier 0, the end of an explicit
# mapping's lifetime under live traffic (RFC 6887 §15), the bounds of the
# timeouts, and what is counted and logged when resources run out.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router] r-ext 198.51.100.1 -- srv 198.51.100.2
#   c2 10.0.1.3 --+                                                   (+ peers)
#
# Lifetimes are read back with pcpctl show --json: an implicit mapping's
# lifetime is what remains of its idle timeout. The topology and helpers
# are lib.sh's.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names life

ktap_print_header
ktap_set_plan 10

ktap_need "$PROBE" "$PCPCTL"
command -v python3 >/dev/null || ktap_exit_fail_msg "missing python3"
# Quoted where it runs: the tree's path may have spaces (a clone at
# "/tmp/x y" split an unquoted $LP in two, and the probes never started).
LP=$here/lifecycle_probe.py
lp() { local ns=$1; shift; in_ns "$ns" python3 "$LP" "$@"; }
lp_bg() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" python3 "$LP" "$@" >"$tmp/$name" 2>&1 &
	pids+=($!)
}
# Wait until file $1 has a line matching $2.
seen() {
	local i
	for i in $(seq $((300 * ${PCPNAT_SLOW:-1}))); do grep -q -- "$2" "$1" && return 0; sleep 0.1; done
	has "$1" "$2"
}
life() { pcpctl show proto "$1" int "$2" --json | jq -r '.[0].lifetime // "none"'; }
xport() { pcpctl show proto "$1" int "$2" --json | jq -r '.[0].ext_port // "none"'; }

# Peers of the ADF test: 198.51.100.10-49 on the external host.
PEERS=$(seq -f '198.51.100.%g' 10 49)

setup() {
	topo_setup || return 1
	local a
	# One ip process for all of them: a namespace entry per address is
	# slow under emulation.
	for a in $PEERS 198.51.100.{100..250}; do
		echo "addr add $a/32 dev eth0"
	done | ip -n "$S" -batch - || return 1
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
		filtering adf all-ports on
}
ktap_setup setup
trans=$(pcpctl config show --json | jq -r .tcp_trans_timeout)

# --- 1. TCP: a normal close ---------------------------------------------------
# The server closes first, the client answers with its own FIN, and the
# last segments are plain ACKs: those must not make the mapping established
# again (RFC 5382 REQ-5: transitory once FINs went both ways).
server tcp "$S" tcp-server 5001 -t 30
want bound "$S" t 5001
probe "$C1" tcp-client "$SRV:5001" -b 40200 >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5001"
want reap
sleep 1
l=$(life tcp "$H1:40200")
ktap_print_msg "lifetime after close: $l (transitory timeout $trans)"
want le "$l" "$trans"
want gt "$l" 0
ok "TCP: a connection closed normally leaves a mapping that expires within ${trans} s"

# An outsider's segment (flags $1, sequence number $2, named $3) into the
# held connection of tests 2 and 3; l is the mapping's lifetime after it.
knock() {
	lp "$S" segment "$SRV:5004" "$EXT:$x" "$1" --seq "$2"
	sleep 1
	l=$(life tcp "$H1:40200")
	ktap_print_msg "lifetime after an inbound $3: $l"
}

# --- 2. TCP: established, and an outsider's RST -----------------------------
# A held connection from the same internal port: the SYN reopens the
# mapping, the handshake makes it established. An RST from the peer's
# address with a sequence number far out of the window (c1 drops it
# silently, RFC 5961 §3.2) must not shorten the mapping's life.
lp_bg hold-s "$S" -t 60 tcp-serve 5004
want bound "$S" t 5004
# Held until killed: under emulation the checks below can take longer
# than any fixed hold time.
lp_bg hold "$C1" -t 30 tcp-hold "$SRV:5004" -b 40200 -s 600
if ! seen "$tmp/hold" established; then
	fails=$((fails + 1))
	ktap_print_msg "not established: server $(tr '\n' '|' <"$tmp/hold-s")"
	ktap_print_msg "mapping $(pcpctl show proto tcp int "$H1:40200" --json | jq -c .)"
	ktap_print_msg "stats $(pcpctl stats --json | jq -c .)"
	ktap_print_msg "c1 $(in_ns "$C1" ss -tan | tr -s ' ' | tr '\n' '|')"
	ktap_print_msg "s $(in_ns "$S" ss -tan | tr -s ' ' | tr '\n' '|')"
fi
x=$(xport tcp "$H1:40200")
l=$(life tcp "$H1:40200")
ktap_print_msg "lifetime while established: $l"
want gt "$l" "$trans"
knock R 7 RST
want gt "$l" "$trans"
ok "TCP: a SYN reopens the mapping; an inbound RST does not shorten it"

# --- 3. TCP: close from inside, then an outsider's ACK -----------------------
# c1 closes first this time (its process ends, the kernel sends the FIN):
# the mapping is transitory once both FINs went. An ACK from outside (c1
# in TIME_WAIT answers it with an ACK of its own) must not lengthen it.
kill "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null
# The server sees the FIN (bounded: a FIN that never arrives must fail
# here, not hang until the runner's timeout).
want seen "$tmp/hold-s" closed
sleep 1
l=$(life tcp "$H1:40200")
ktap_print_msg "lifetime after close: $l"
want le "$l" "$trans"
knock A 99 ACK
want le "$l" "$trans"
ok "TCP: after FINs both ways an inbound ACK does not lengthen the mapping"

# --- 4. ADF: exact peers ------------------------------------------------------
# c1 talks to 40 peers from one port; every reply must come back. Then
# addresses it never sent to knock: chosen so that each would have hit a
# bit that an older peer set in a 32-bit filter of hashes (hash_32, the
# golden ratio, of the address as the kernel holds it on little endian).
# None may get in; a peer sending anew (not a reply) still does.
h32() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	echo $(( (((d << 24 | c << 16 | b << 8 | a) * 0x61C88647) & 0xffffffff) >> 27 ))
}
declare -A bits
for a in $(seq -f '198.51.100.%g' 10 47); do bits[$(h32 "$a")]=1; done
chosen=()
for i in {100..250}; do
	a=198.51.100.$i
	[ -n "${bits[$(h32 "$a")]}" ] && chosen+=("$a")
	[ ${#chosen[@]} = 4 ] && break
done
ktap_print_msg "unrelated sources: ${chosen[*]}"
# Generous bounds: under emulation a python start alone can take seconds.
lp_bg peers-s "$S" -t 600 echo-peers 5000 $PEERS
want seen "$tmp/peers-s" listening
f0=$(stat drop_filtered)
# c1 listens until killed: the knocks below start a python each, which
# under a loaded emulator can take longer than any fixed listening time.
lp_bg talk "$C1" -t 60 talk 40300 $(for a in $PEERS; do echo "$a:5000"; done) -l 3600
want seen "$tmp/talk" '^sent'
x=$(xport udp "$H1:40300")
for a in "${chosen[@]}"; do lp "$S" udp-from "$a" "$EXT:$x"; done
# Sent last, on the same path: once it is in, the others would be too.
lp "$S" udp-from 198.51.100.10 "$EXT:$x"
want seen "$tmp/talk" "^from 198.51.100.10:"
kill "${pids[-1]}" "${pids[-2]}" 2>/dev/null
wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null
want eq "$(grep -c '^reply from' "$tmp/talk")" 40
for a in "${chosen[@]}"; do want not grep -q "^from $a:" "$tmp/talk"; done
want ge "$(stat drop_filtered)" $((f0 + ${#chosen[@]}))
ok "ADF: 40 peers' replies come back, chosen unrelated sources do not get in"

# --- 5. explicit lifetime ends under live traffic ----------------------------
# RFC 6887 §15: the mapping lives on as an implicit one while the host
# still sends, as MAP_DEL does it; the reaper must not delete it.
# The host sends first and the mapping adopts that traffic's implicit
# mapping: so the traffic surely starts before the 2 s run out, however
# slowly a loaded emulator starts the next probe.
probe "$C1" udp-client "$SRV:9" -b 40400 -x >/dev/null 2>&1
pcpctl map add proto udp int "$H1:40400" lifetime 2 --json >"$tmp/m" 2>&1
want [ $? = 0 ]
want eq "$(jq -r .kind "$tmp/m")" explicit
x=$(jq -r .ext_port "$tmp/m")
e0=$(stat map_expired)
for i in 1 2 3 4 5 6; do
	probe "$C1" udp-client "$SRV:9" -b 40400 -x >/dev/null 2>&1
	sleep 0.7
done
m=$(pcpctl show proto udp int "$H1:40400" --json)
want eq "$(jq -r '.[0].kind' <<<"$m")" implicit
want eq "$(jq -r '.[0].ext_port' <<<"$m")" "$x"
want eq "$(stat map_expired)" "$e0"
ok "explicit mapping: its lifetime ends under live traffic, it stays as implicit"

# --- 6. bounds of the timeouts -------------------------------------------------
u0=$(pcpctl config show --json | jq -r .udp_timeout)
pcpctl config set udp-timeout 2147483649 >"$tmp/c" 2>&1
want [ $? != 0 ]
ktap_print_msg "$(tr '\n' ' ' <"$tmp/c")"
want has "$tmp/c" "out of range\|maximum"
want eq "$(pcpctl config show --json | jq -r .udp_timeout)" "$u0"
ok "config: a timeout beyond its maximum is refused with a message"

# --- 7. table full: counted once, logged --------------------------------------
# The table holds one explicit mapping that outlives the test: an
# implicit one of an earlier test could expire meanwhile (the debug
# kernel is slow enough) and make room for a probe.
mm0=$(pcpctl config show --json | jq -r .max_mappings)
pcpctl flush >/dev/null
pcpctl map add proto udp int "$H1:40500" lifetime 600 >/dev/null 2>&1
want [ $? = 0 ]
pcpctl config set max-mappings 1
d0=$(stat drop_no_resources); t0=$(stat table_full)
k0=$(dmesg | grep -c "mapping table full")
for p in 40501 40502 40503 40504 40505; do
	probe "$C1" udp-client "$SRV:9" -b "$p" -x >/dev/null 2>&1
done
want eq "$(( $(stat table_full) - t0 ))" 5
want eq "$(( $(stat drop_no_resources) - d0 ))" 5
want gt "$(dmesg | grep -c "mapping table full")" "$k0"
pcpctl config set max-mappings "$mm0"
ok "table full: each refused packet counted once, and logged"

# --- 8. ping with identifier 0 -----------------------------------------------
probe "$C1" ping "$SRV" -i 0 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $SRV id 0\$"
m=$(pcpctl show proto icmp int "$H1:0" --json)
want eq "$(jq -r '.[0].kind' <<<"$m")" implicit
want gt "$(jq -r '.[0].ext_port' <<<"$m")" 0
ok "ICMP: an echo with identifier 0 gets its reply through an ordinary mapping"

# --- 9. an implicit port-0 mapping is not "all ports" ----------------------------
# With an all-ports mapping in the table (c2, UDP), c1's echo with another
# identifier must get a mapping of its own, not leave through c1's id-0
# mapping with its identifier unallocated.
# The all-ports mapping takes the pool's one address for UDP, so no UDP
# port of it may be in use: c1's mappings from the tests above go, and
# its echo with identifier 0 makes that mapping again.
pcpctl flush subscriber "$H1" >/dev/null
probe "$C1" ping "$SRV" -i 0 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $SRV id 0\$"
if ! pcpctl map add proto udp int "$H2:0" lifetime 600 >"$tmp/m" 2>&1; then
	ktap_print_msg "failed: map add: $(tr '\n' ' ' <"$tmp/m")"
	fails=$((fails + 1))
fi
server ping "$S" ping-listen -t 30
want seen "$tmp/ping" listening
probe "$C1" ping "$SRV" -i 4243 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $SRV id 4243\$"
want reap
x=$(xport icmp "$H1:4243")
want has "$tmp/ping" "echo request from $EXT id $x\$"
ok "ICMP: with an all-ports mapping present, other identifiers get their own mappings"

# --- 10. and the id-0 mapping still works beside it ------------------------------
probe "$C1" ping "$SRV" -i 0 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $SRV id 0\$"
pcpctl map del proto udp int "$H2:0" >/dev/null 2>&1
ok "ICMP: identifier 0 still answered with an all-ports mapping present"

ktap_finished
