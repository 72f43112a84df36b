#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# All-ports mappings: an explicit mapping of internal port 0 (allowed by
# "all-ports on") gives one internal host the pool address whole, for one
# protocol. Traffic to any port of it goes to that host, traffic from any
# port of the host leaves through it, and ports (ICMP: echo identifiers)
# stay what they are.
#
#   c1 10.0.1.2 -- br-int 10.0.1.1 [router] r-ext 198.51.100.1 -- srv 198.51.100.2
#
# Ports below the allocator's range (1024-65535 here) tell an all-ports
# translation from an implicit mapping: port preservation could keep 40001,
# never 700. The topology and helpers are lib.sh's.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names allports

ktap_print_header
ktap_set_plan 6

ktap_need "$PROBE" "$PCPCTL"

setup() {
	topo_setup || return 1
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
		ports 1024-65535 filtering adf all-ports on
}
ktap_setup setup

implicit() { pcpctl show kind implicit proto "$1" --json | jq length; }

# --- 1. the mapping ---------------------------------------------------------
pcpctl map add proto udp int "$H1:0" lifetime 600 --json >"$tmp/m" 2>&1
want [ $? = 0 ]
want eq "$(jq -r '"\(.ext_addr):\(.ext_port):\(.kind)"' "$tmp/m")" "$EXT:0:explicit"
ok "all-ports: internal port 0 takes the whole address (external port 0)"

# --- 2. inbound to any port -------------------------------------------------
# Explicit, no FILTER: anyone may come in, on a port in the range or below.
inbound_udp() {
	server "in$1" "$C1" udp-server "$1" -t 30
	want bound "$C1" u "$1"
	probe "$S" udp-client "$EXT:$1" >"$tmp/c" 2>&1
	want has "$tmp/c" "reply from $EXT:$1\$"
	want reap
	want has "$tmp/in$1" "from $SRV:"
}
in0=$(stat pkts_in)
inbound_udp 7777
inbound_udp 700
want gt "$(stat pkts_in)" "$in0"
ok "UDP: inbound to any port of the address reaches the host, port unchanged"

# --- 3. outbound from any port ----------------------------------------------
# udp_out NAME PORT: c1 sends from port 700 to the server's PORT, which
# answers; what the server saw is in $tmp/NAME.
udp_out() {
	server "$1" "$S" udp-server "$2" -t 30
	want bound "$S" u "$2"
	probe "$C1" udp-client "$SRV:$2" -b 700 >"$tmp/c" 2>&1
	want has "$tmp/c" "reply from $SRV:$2\$"
	want reap
}
udp_out out 5000
want has "$tmp/out" "from $EXT:700\$"
want eq "$(implicit udp)" 0
ok "UDP: outbound keeps its source port, no implicit mapping is made"

# --- 4. per protocol --------------------------------------------------------
# The UDP mapping says nothing about TCP: port 80 is outside the range, so
# without a TCP all-ports mapping the router keeps it (and refuses it). The
# servers that must hear nothing end by their own timeout (reap fails), so
# that no listener is left behind on the port.
tcp_in() {
	server "tcp$1" "$C1" tcp-server 80 -t "$1"
	want bound "$C1" t 80
	probe "$S" tcp-client "$EXT:80" -t "$2" >"$tmp/c" 2>&1
}
tcp_in 15 3
want [ $? != 0 ]
want not reap
want [ ! -s "$tmp/tcp15" ]
pcpctl map add proto tcp int "$H1:0" lifetime 600 >/dev/null
want [ $? = 0 ]
tcp_in 30 20
want has "$tmp/c" "reply from $EXT:80\$"
want reap
want has "$tmp/tcp30" "from $SRV:"
ok "TCP: needs its own all-ports mapping; with it, a connection to port 80 crosses"

# --- 5. ICMP echo -----------------------------------------------------------
pcpctl map add proto icmp int "$H1:0" lifetime 600 >/dev/null
want [ $? = 0 ]
server ping "$S" ping-listen -t 30
for i in $(seq 300); do grep -q listening "$tmp/ping" && break; sleep 0.1; done
probe "$C1" ping "$SRV" -i 100 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $SRV id 100\$"
want reap
want has "$tmp/ping" "echo request from $EXT id 100\$"
want eq "$(implicit icmp)" 0
ok "ICMP echo: the identifier is kept both ways"

# --- 6. deleted -------------------------------------------------------------
# Back to ordinary NAT: port 7777 is nobody's, and 700 leaves translated.
pcpctl map del proto udp int "$H1:0" force
want [ $? = 0 ]
d0=$(stat drop_no_mapping)
server gone "$C1" udp-server 7777 -t 15
want bound "$C1" u 7777
probe "$S" udp-client "$EXT:7777" -t 2 >"$tmp/c" 2>&1
want [ $? = 1 ]
want not reap
want [ ! -s "$tmp/gone" ]
want gt "$(stat drop_no_mapping)" "$d0"
udp_out out2 5001
want has "$tmp/out2" "from $EXT:"
want not grep -q "from $EXT:700\$" "$tmp/out2"
want eq "$(implicit udp)" 1
ok "deleted: inbound is dropped again, outbound gets an implicit mapping"

ktap_finished
