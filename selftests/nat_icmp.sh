#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ICMP errors across pcpnat: what they quote and who may send them.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router] r-ext 198.51.100.1 -- srv 198.51.100.2
#   c2 10.0.1.3 --+                                                    (and .3)
#
# icmp_probe listens on a raw ICMP socket and prints every error with the
# addresses and ports of the packet it quotes, so the checks read what the
# hosts really got. It also makes the errors an attacker (or a router on
# the path, 198.51.100.3) would send.
#
# - Errors the router itself generates about an inbound translated packet
#   (Time Exceeded for TTL 1, Fragmentation Needed) quote that packet as
#   the outside sent it: to the external endpoint, never the internal one
#   (as nf_nat_icmp_reply_translation does).
# - An inbound error is about the flow it quotes: it reaches the internal
#   host only if that flow's filtering admits the quoted remote (RFC 5508
#   REQ-4, RFC 4787 REQ-8, the FILTER list of RFC 6887 §13.3).
# - An internal host may only complain about packets delivered to itself.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names icmp
ICMPP=${ICMPP:-$PCPNAT_SELFTESTS/icmp_probe}

HOP=198.51.100.3

ktap_print_header
ktap_set_plan 8

ktap_need "$PROBE" "$PCPCTL" "$ICMPP"

setup() {
	topo_setup || return 1
	in_ns "$S" ip addr add "$HOP/24" dev eth0 || return 1
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
		filtering adf || return 1
	pcpctl map add proto udp int "$H1:6000" ext "$EXT:6000" lifetime 600
}
ktap_setup setup

# listener NAME NS ARGS...: icmp_probe listen in the background, output in
# $tmp/NAME; returns once the socket is open.
listener() {
	local name=$1 ns=$2 i
	shift 2
	ip netns exec "$ns" "$ICMPP" listen "$@" >"$tmp/$name" 2>&1 &
	pids+=($!)
	for i in $(seq 300); do grep -q listening "$tmp/$name" && break; sleep 0.1; done
}
heard_nothing() { not grep -q '^icmp' "$tmp/$1" || { has "$tmp/$1" nothing; false; }; }
no_internal() { not grep -q '10\.0\.1\.' "$tmp/$1" || { has "$tmp/$1" nothing; false; }; }

# --- 1. Time Exceeded from the router ---------------------------------------------
listener te "$S" -t 8
want in_ns "$S" "$ICMPP" udp "$EXT:6000" -T 1
want reap
want has "$tmp/te" "^icmp 11/0 from $EXT quote 17 $SRV:[0-9]* > $EXT:6000\$"
want no_internal te
ok "router's Time Exceeded for an inbound TTL 1 packet quotes $EXT:6000 only"

# --- 2. Fragmentation Needed from the router ---------------------------------------------
in_ns "$R" ip link set br-int mtu 1280
listener fn "$S" -t 8
want in_ns "$S" "$ICMPP" udp "$EXT:6000" -s 1400 -D
want reap
want has "$tmp/fn" "^icmp 3/4 from $EXT quote 17 $SRV:[0-9]* > $EXT:6000\$"
want no_internal fn
in_ns "$R" ip link set br-int mtu 1500
ok "router's Fragmentation Needed for an inbound packet quotes $EXT:6000 only"

# --- 3-4. inbound errors are filtered as the flow they quote ---------------------------
probe "$C1" udp-client "$SRV:5000" -b 40200 -x >/dev/null 2>&1
xport=$(pcpctl show proto udp int "$H1:40200" --json | jq -r '.[0].ext_port')
f0=$(stat drop_filtered)
listener e1 "$C1" -t 3
want in_ns "$S" "$ICMPP" error "$EXT" 3 3 17 "$EXT:$xport" 198.51.100.77:9
reap
want heard_nothing e1
want gt "$(stat drop_filtered)" "$f0"
ok "ADF: an error quoting a remote the mapping never sent to is dropped"

listener e2 "$C1" -t 8
want in_ns "$S" "$ICMPP" error "$EXT" 3 3 17 "$EXT:$xport" "$SRV:5000" -B "$HOP"
want reap
want has "$tmp/e2" "^icmp 3/3 from $HOP quote 17 $H1:40200 > $SRV:5000\$"
ok "ADF: an error about a real flow, from a router on the path, reaches c1"

# --- 5. FILTER of an explicit mapping --------------------------------------------------
pcpctl map add proto udp int "$H1:7101" ext "$EXT:7101" lifetime 600 \
	filter "$SRV/32" >/dev/null 2>&1
f0=$(stat drop_filtered)
listener e3 "$C1" -t 3
want in_ns "$S" "$ICMPP" error "$EXT" 3 3 17 "$EXT:7101" 198.51.100.77:9
reap
want heard_nothing e3
want gt "$(stat drop_filtered)" "$f0"
listener e4 "$C1" -t 8
want in_ns "$S" "$ICMPP" error "$EXT" 3 3 17 "$EXT:7101" "$SRV:7" -B "$HOP"
want reap
want has "$tmp/e4" "^icmp 3/3 from $HOP quote 17 $H1:7101 > $SRV:7\$"
ok "FILTER: an error quoting a remote outside the list is dropped, one inside passes"

# --- 6-7. an internal host complains only about its own packets -----------------------
f0=$(stat drop_filtered)
listener o1 "$S" -t 3
want in_ns "$C2" "$ICMPP" error "$SRV" 3 3 17 "$SRV:5000" "$H1:40200"
reap
want heard_nothing o1
want gt "$(stat drop_filtered)" "$f0"
ok "c2 cannot send an error about c1's mapping"

listener o2 "$S" -t 8
want in_ns "$C1" "$ICMPP" error "$SRV" 3 3 17 "$SRV:5000" "$H1:40200"
want reap
want has "$tmp/o2" "^icmp 3/3 from $EXT quote 17 $SRV:5000 > $EXT:$xport\$"
want no_internal o2
ok "c1's own error about its mapping leaves translated"

# --- 8. nothing broken on the way ----------------------------------------------------------
want eq "$(stat drop_invalid)" 0
ok "no invalid drops"

ktap_finished
