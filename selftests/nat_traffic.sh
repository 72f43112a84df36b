#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Traffic through pcpnat: a router namespace translating two internal hosts
# to its external address, and an external host.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router] r-ext 198.51.100.1 -- srv 198.51.100.2
#   c2 10.0.1.3 --+
#
# The external host has no route to 10.0.1.0/24: whatever reaches it and
# comes back did so through the translation. Every check looks at what the
# endpoints really saw (udp_tcp_probe prints the peer address) and at the
# module's counters. The topology and the helpers (want, ok, server, bound,
# reap ...) are in lib.sh, shared with pcpd.sh and the demo.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names pcpnat

ktap_print_header
ktap_set_plan 25

ktap_need "$PROBE" "$PCPCTL"

setup() {
	topo_setup || return 1
	# c1 leaves checksums to "hardware" (CHECKSUM_PARTIAL across the
	# veth), c2 and the server compute them in software, so the router
	# translates both kinds and the receivers verify them in software.
	in_ns "$C2" ethtool -K eth0 tx off >/dev/null
	in_ns "$S" ethtool -K eth0 tx off >/dev/null
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
		filtering adf
}
ktap_setup setup

# --- 1. UDP out, reply back -------------------------------------------------
udp_out() {
	server udp "$S" udp-server 5000 -t 30
	want bound "$S" u 5000
	probe "$C1" udp-client "$SRV:5000" -b 40001 >"$tmp/c" 2>&1
	want has "$tmp/c" "reply from $SRV:5000"
	want reap
	want has "$tmp/udp" "from $EXT:"
}
out0=$(stat pkts_out); in0=$(stat pkts_in)
udp_out
want gt "$(stat pkts_out)" "$out0"
want gt "$(stat pkts_in)" "$in0"
ok "UDP: server sees $EXT, the reply comes back"

# --- 1b. UDP with a zero checksum ---------------------------------------------
# Zero means "no checksum": it must stay zero, not become a wrong one (the
# receiver would count InCsumErrors and drop the datagram).
server udpz "$S" udp-server 5002 -t 30
want bound "$S" u 5002
probe "$C1" udp-client "$SRV:5002" -z >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5002"
want reap
want has "$tmp/udpz" "from $EXT:"
ok "UDP: a zero checksum crosses the NAT and stays valid"

# --- 1c. fragmented datagrams ---------------------------------------------------
# 4000 bytes leave c1 and the server in fragments; the router reassembles
# them (nf_defrag_ipv4), translates the datagram and fragments it again.
server udpf "$S" udp-server 5003 -t 30
want bound "$S" u 5003
probe "$C1" udp-client "$SRV:5003" -s 4000 >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5003"
want reap
want has "$tmp/udpf" "from $EXT:"
ok "UDP: fragmented datagrams are translated whole, both ways"

# --- 2. the implicit mapping is in the table --------------------------------
m=$(pcpctl show proto udp int "$H1:40001" --json)
want [ "$(jq -r '.[0].ext_addr' <<<"$m")" = "$EXT" ]
want [ "$(jq -r '.[0].kind' <<<"$m")" = implicit ]
want has "$tmp/udp" "from $EXT:$(jq -r '.[0].ext_port' <<<"$m")\$"
ok "UDP: the implicit mapping is the one the server saw"

# --- 3. TCP -------------------------------------------------------------------
tcp_out() {
	server tcp "$S" tcp-server 5001 -t 30
	want bound "$S" t 5001
	probe "$C1" tcp-client "$SRV:5001" >"$tmp/c" 2>&1
	want has "$tmp/c" "reply from $SRV:5001"
	want reap
	want has "$tmp/tcp" "from $EXT:"
}
tcp_out
ok "TCP: connection across the NAT, server sees $EXT"

# --- 4. ICMP echo -------------------------------------------------------------
ping_out() {
	server ping "$S" ping-listen -t 30
	for i in $(seq 300); do grep -q listening "$tmp/ping" && break; sleep 0.1; done
	probe "$C1" ping "$SRV" -i "$1" >"$tmp/c" 2>&1
	want has "$tmp/c" "echo reply from $SRV id $1\$"
	want reap
	want has "$tmp/ping" "echo request from $EXT id"
}
ping_out 4242
m=$(pcpctl show proto icmp int "$H1:4242" --json)
want [ "$(jq -r '.[0].ext_addr' <<<"$m")" = "$EXT" ]
ok "ICMP echo: identifier mapped out and back"

# --- 5. ICMP error in ---------------------------------------------------------
probe "$C1" udp-client "$SRV:5999" >"$tmp/c" 2>&1
want [ $? = 2 ]
want has "$tmp/c" "icmp-error type 3 code 3 from $SRV"
ok "ICMP error: port unreachable from outside reaches the internal host"

# --- 6. explicit mapping: inbound ----------------------------------------------
pcpctl map add proto udp int "$H1:6000" ext "$EXT:6000" lifetime 600 >"$tmp/m" 2>&1
want [ $? = 0 ]
server c1 "$C1" udp-server 6000 -t 30
want bound "$C1" u 6000
probe "$S" udp-client "$EXT:6000" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:6000"
want reap
want has "$tmp/c1" "from $SRV:"
ok "explicit mapping: the external host reaches the internal server"

# --- 7. ICMP error out -----------------------------------------------------------
# Nobody listens on 6000 now: c1 answers port unreachable, about a packet it
# got through the mapping; the error must leave as $EXT, quoting $EXT:6000.
probe "$S" udp-client "$EXT:6000" >"$tmp/c" 2>&1
want [ $? = 2 ]
want has "$tmp/c" "icmp-error type 3 code 3 from $EXT"
ok "ICMP error: an internal host's error leaves translated, quote included"

# --- 8. no mapping -------------------------------------------------------------
d0=$(stat drop_no_mapping)
probe "$S" udp-client "$EXT:6001" -t 2 >"$tmp/c" 2>&1
want [ $? = 1 ]
want gt "$(stat drop_no_mapping)" "$d0"
ok "inbound to the pool without a mapping is dropped and counted"

# --- 9-10. address-dependent vs endpoint-independent filtering -------------------
# c1 talks to 198.51.100.99 only (nobody is there; the packet is what makes the
# mapping). The external host, another address, then knocks on the mapping.
probe "$C1" udp-client 198.51.100.99:9 -b 40100 -x >/dev/null 2>&1
xport=$(pcpctl show proto udp int "$H1:40100" --json | jq -r '.[0].ext_port')
knock() {
	server knock "$C1" udp-server 40100 -t 30
	want bound "$C1" u 40100
	probe "$S" udp-client "$EXT:$xport" -t "$1" >"$tmp/c" 2>&1
}
f0=$(stat drop_filtered)
knock 2
want [ $? = 1 ]
want gt "$(stat drop_filtered)" "$f0"
stop
want [ ! -s "$tmp/knock" ]
ok "ADF: an address the mapping never sent to is filtered"

pcpctl config set filtering eif
knock 8
want [ $? = 0 ]
want has "$tmp/c" "reply from $EXT:$xport"
want reap
want has "$tmp/knock" "from $SRV:"
pcpctl config set filtering adf
ok "EIF: any address reaches the mapping"

# --- 11. FILTER on an explicit mapping -----------------------------------------
pcpctl map add proto udp int "$H1:7100" ext "$EXT:7100" lifetime 600 \
	filter 203.0.113.0/24 >"$tmp/m" 2>&1
want [ $? = 0 ]
pcpctl map add proto udp int "$H1:7101" ext "$EXT:7101" lifetime 600 \
	filter "$SRV/32" >"$tmp/m" 2>&1
want [ $? = 0 ]
f0=$(stat drop_filtered)
server f "$C1" udp-server 7100 -t 30
want bound "$C1" u 7100
probe "$S" udp-client "$EXT:7100" -t 2 >/dev/null 2>&1
want [ $? = 1 ]
want gt "$(stat drop_filtered)" "$f0"
stop
server f "$C1" udp-server 7101 -t 30
want bound "$C1" u 7101
probe "$S" udp-client "$EXT:7101" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:7101"
want reap
ok "FILTER: only the listed prefix gets through an explicit mapping"

# --- 12. hairpin ---------------------------------------------------------------
pcpctl map add proto udp int "$H1:7200" ext "$EXT:7200" lifetime 600 >"$tmp/m" 2>&1
want [ $? = 0 ]
h0=$(stat pkts_hairpin)
server hp "$C1" udp-server 7200 -t 30
want bound "$C1" u 7200
probe "$C2" udp-client "$EXT:7200" -b 41000 >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:7200"
want reap
c2x=$(pcpctl show proto udp int "$H2:41000" --json | jq -r '.[0].ext_port')
want has "$tmp/hp" "from $EXT:$c2x\$"
want gt "$(stat pkts_hairpin)" "$((h0 + 1))"
ok "hairpin: c2 reaches c1 via $EXT:7200 and c1 sees c2's external endpoint"

pcpctl map add proto tcp int "$H1:7300" ext "$EXT:7300" lifetime 600 >"$tmp/m" 2>&1
want [ $? = 0 ]
server hpt "$C1" tcp-server 7300 -t 30
want bound "$C1" t 7300
probe "$C2" tcp-client "$EXT:7300" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:7300"
want reap
want has "$tmp/hpt" "from $EXT:"
ok "hairpin: TCP connection between the two internal hosts"

# --- 13. traffic that is not ours -------------------------------------------------
o0=$(stat pkts_out); i0=$(stat pkts_in)
probe "$C1" ping 10.0.1.1 -i 4300 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from 10.0.1.1 id 4300"
probe "$C1" ping "$H2" -i 4301 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $H2 id 4301"
probe "$S" ping "$EXT" -i 4302 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $EXT id 4302"
want [ "$(stat pkts_out)" = "$o0" ]
want [ "$(stat pkts_in)" = "$i0" ]
ok "traffic not for pcpnat is untouched (router, neighbour, pings to the pool)"

# --- 14. explicit mapping deleted: inbound stops ------------------------------------
pcpctl map del proto udp int "$H1:6000" force >/dev/null 2>&1
want [ $? = 0 ]
server c1 "$C1" udp-server 6000 -t 30
want bound "$C1" u 6000
probe "$S" udp-client "$EXT:6000" -t 2 >/dev/null 2>&1
want [ $? = 1 ]
stop
want [ ! -s "$tmp/c1" ]
ok "deleted explicit mapping: inbound no longer passes"

# --- 15-19. the same with conntrack and nftables loaded ------------------------------
nft_ok=1
modprobe -q nf_conntrack && modprobe -q nf_tables && modprobe -q nft_ct &&
	modprobe -q nf_nat && modprobe -q nf_flow_table_inet &&
	modprobe -q nft_flow_offload || nft_ok=0
# A forwarding filter that relies on conntrack seeing consistent flows, and
# an empty nat chain so that nf_nat's hooks run too.
if [ "$nft_ok" = 1 ] && ! in_ns "$R" nft -f - <<-EOF >"$tmp/nft" 2>&1
	table inet pcpnat_test {
		chain fw {
			type filter hook forward priority 0; policy drop;
			ct state invalid counter drop
			ct state established,related counter accept
			ct state new counter accept
		}
	}
	table ip pcpnat_nat {
		chain nat_post { type nat hook postrouting priority 100; }
		chain nat_pre { type nat hook prerouting priority -100; }
	}
EOF
then
	while read -r l; do ktap_print_msg "$l"; done <"$tmp/nft"
	nft_ok=2
fi
if [ "$nft_ok" = 1 ]; then
	udp_out
	ok "conntrack+nftables: UDP"
	tcp_out
	ok "conntrack+nftables: TCP"
	ping_out 4400
	ok "conntrack+nftables: ICMP echo"
	pcpctl map add proto udp int "$H1:6000" ext "$EXT:6000" lifetime 600 >/dev/null 2>&1
	server c1 "$C1" udp-server 6000 -t 30
	want bound "$C1" u 6000
	probe "$S" udp-client "$EXT:6000" >"$tmp/c" 2>&1
	want has "$tmp/c" "reply from $EXT:6000"
	want reap
	ok "conntrack+nftables: explicit mapping inbound"
	# Hairpinned TCP under "ct state invalid drop": conntrack must see
	# the SYN-ACK as the reply of the SYN, not as a new flow. This is
	# the first hairpin conntrack meets: pcpnat drops it while it adds
	# its hook after conntrack's (drop_hairpin_wait), and the SYN's
	# retransmission passes. The next connection loses nothing.
	w=("$(stat drop_hairpin_wait)")
	for hp in hpt hpt2; do
		server "$hp" "$C1" tcp-server 7300 -t 30
		want bound "$C1" t 7300
		probe "$C2" tcp-client "$EXT:7300" -t 4 >"$tmp/c" 2>&1
		want has "$tmp/c" "reply from $EXT:7300"
		want reap
		want has "$tmp/$hp" "from $EXT:"
		w+=("$(stat drop_hairpin_wait)")
	done
	want gt "${w[1]}" "${w[0]}"
	want eq "${w[2]}" "${w[1]}"
	ktap_print_msg "hairpins dropped while the hook after conntrack was added: ${w[*]}"
	ok "conntrack+nftables: hairpinned TCP passes ct state invalid drop"
	rules=$(in_ns "$R" nft -j list chain inet pcpnat_test fw)
	est=$(jq '[.nftables[] | .rule? | select(.) | select(.expr[0].match.right == ["established","related"]) | .expr[1].counter.packets] | add' <<<"$rules")
	inv=$(jq '[.nftables[] | .rule? | select(.) | select(.expr[0].match.right == "invalid") | .expr[1].counter.packets] | add' <<<"$rules")
	want gt "$est" 3
	want [ "$inv" = 0 ]
	ktap_print_msg "conntrack: established $est, invalid $inv"
	ok "conntrack sees both directions of translated flows as one connection"

	# A flowtable beside pcpnat: its entries, built from conntrack's
	# tuples (internal addresses both ways), would forward a flow's later
	# packets from the ingress hook, past the hook that rewrites their
	# source. No datagram may reach the external host with an internal
	# source, and the flow must keep working.
	in_ns "$R" nft -f - <<-EOF
		table inet pcpnat_ft {
			flowtable ft { hook ingress priority 0; devices = { br-int, r-ext }; }
			chain fw { type filter hook forward priority 10; meta l4proto { udp, tcp } flow add @ft; }
		}
	EOF
	want [ $? = 0 ]
	in_ns "$S" nft -f - <<-EOF
		table ip leak {
			chain in {
				type filter hook prerouting priority -500
				ip saddr 10.0.0.0/8 counter
			}
		}
	EOF
	want [ $? = 0 ]
	server ft "$S" udp-server 5010 -n 8 -t 60
	want bound "$S" u 5010
	for i in 1 2 3 4 5 6 7 8; do
		probe "$C1" udp-client "$SRV:5010" -b 40010 -t 3 >>"$tmp/ftc" 2>&1
	done
	leaked=$(in_ns "$S" nft -j list table ip leak | jq '[.nftables[] | .rule? | select(.) | .expr[1].counter.packets] | add')
	ktap_print_msg "flowtable: $(grep -c '^reply' "$tmp/ftc") of 8 replies, $leaked datagrams with an internal source"
	want eq "$leaked" 0
	want eq "$(grep -c "^reply from $SRV:5010" "$tmp/ftc")" 8
	stop
	in_ns "$R" nft delete table inet pcpnat_ft
	ok "conntrack+nftables: a flowtable never sends an internal source out"
else
	for t in UDP TCP "ICMP echo" "explicit mapping inbound" "hairpinned TCP" \
		"consistent flows" "flowtable"; do
		if [ "$nft_ok" = 0 ]; then
			ktap_test_skip "conntrack+nftables: $t (modules unavailable)"
		else
			ktap_test_fail "conntrack+nftables: $t (ruleset refused)"
		fi
	done
fi

# --- 20. nothing invalid on the way ----------------------------------------------
want [ "$(stat drop_invalid)" = 0 ]
want [ "$(stat drop_no_resources)" = 0 ]
# InCsumErrors of every protocol in /proc/net/snmp, summed.
csum_errors() {
	in_ns "$1" awk '{
		if (!($1 in hdr)) { hdr[$1] = 1; for (i = 2; i <= NF; i++) name[$1, i] = $i; next }
		for (i = 2; i <= NF; i++) if (name[$1, i] == "InCsumErrors") n += $i
	} END { print n + 0 }' /proc/net/snmp
}
for ns in "$C1" "$C2" "$S"; do
	want [ "$(csum_errors "$ns")" = 0 ]
done
ok "no invalid drops, no checksum errors at the hosts (InCsumErrors)"

ktap_finished
