#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No internal address leaves the external interface, whatever the protocol.
#
#   c1 10.0.1.2 -- br-int 10.0.1.1 [router] r-ext 198.51.100.1 -- srv 198.51.100.2
#
# pcpnat translates UDP, TCP, ICMP echo and ICMP errors. Everything else an
# internal host sends out (GRE, ESP, SCTP, UDP-Lite, IPv6-in-IPv4, ICMP
# queries other than echo) must not reach the outside with its internal
# source: pcpnat drops it and counts it as drop_invalid. The external host
# counts, in nftables before anything else sees the packet, what arrives
# from the internal prefix and what from the pool address.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names leaks
ICMPP=${ICMPP:-$PCPNAT_SELFTESTS/icmp_probe}

# protocol number and name of each untranslated protocol tried
protos=("47 GRE" "50 ESP" "132 SCTP" "136 UDP-Lite" "41 IPv6-in-IPv4" "4 IP-in-IP")

ktap_print_header
ktap_set_plan $((${#protos[@]} + 3))

ktap_need "$PROBE" "$PCPCTL" "$ICMPP"
command -v nft >/dev/null || ktap_exit_fail_msg "missing nft (nftables)"

setup() {
	topo_setup || return 1
	modprobe -q nf_tables || return 1
	in_ns "$S" nft -f - <<-EOF2 || return 1
		table ip watch {
			counter leak { }
			counter leak_icmp { }
			counter ext_udp { }
			chain pre {
				type filter hook prerouting priority -400; policy accept;
				ip saddr 10.0.1.0/24 ip protocol icmp counter name leak_icmp
				ip saddr 10.0.1.0/24 counter name leak
				ip saddr $EXT ip protocol udp counter name ext_udp
			}
		}
	EOF2
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext
}
ktap_setup setup

counter() {
	in_ns "$S" nft -j list counter ip watch "$1" |
		jq -r '.nftables[] | .counter? | select(.) | .packets'
}

# --- 1. the control: translated traffic does reach the outside ------------------
server udp "$S" udp-server 5000 -t 30
want bound "$S" u 5000
probe "$C1" udp-client "$SRV:5000" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5000"
want reap
want gt "$(counter ext_udp)" 0
want eq "$(counter leak)" 0
ok "control: UDP leaves as $EXT, nothing from the internal prefix"

# --- 2. other protocols -------------------------------------------------------------
for pr in "${protos[@]}"; do
	read -r num name <<<"$pr"
	l0=$(counter leak); d0=$(stat drop_invalid)
	for i in 1 2 3; do
		want in_ns "$C1" "$ICMPP" raw "$SRV" "$num"
	done
	sleep 0.2
	want eq "$(counter leak)" "$l0"
	want ge "$(stat drop_invalid)" "$((d0 + 3))"
	ok "$name (protocol $num) from inside never leaves with an internal source"
done

# --- 3. ICMP queries other than echo ----------------------------------------------------
l0=$(counter leak_icmp); d0=$(stat drop_invalid)
for i in 1 2 3; do
	want in_ns "$C1" "$ICMPP" timestamp "$SRV"
done
sleep 0.2
want eq "$(counter leak_icmp)" "$l0"
want ge "$(stat drop_invalid)" "$((d0 + 3))"
ok "ICMP timestamp request from inside never leaves with an internal source"

# --- 4. echo still works, and nothing leaked along the way ----------------------------------
server ping "$S" ping-listen -t 30
for i in $(seq 300); do grep -q listening "$tmp/ping" && break; sleep 0.1; done
probe "$C1" ping "$SRV" -i 4242 >"$tmp/c" 2>&1
want has "$tmp/c" "echo reply from $SRV id 4242\$"
want reap
want has "$tmp/ping" "echo request from $EXT id"
want eq "$(counter leak)" 0
want eq "$(counter leak_icmp)" 0
ok "ICMP echo still translated; no packet from the internal prefix reached the outside"

ktap_finished
