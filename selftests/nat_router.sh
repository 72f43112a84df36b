#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The router's own traffic, who may configure pcpnat, and the default
# subscriber quota, on the topology of lib.sh with the pool on the router's
# own WAN address ($EXT) and the default port range 1024-65535: the set-up
# the README shows.
#
# - The router's own connections use ephemeral ports inside the pool range:
#   their replies must reach its sockets, not be dropped as "no mapping".
# - Its services on ports >= 1024 (WireGuard's UDP 51820, say) must stay
#   reachable from outside, and the allocator must never give an inside
#   host a port one of the router's sockets holds.
# - A port range overlapping ip_local_port_range is accepted with a
#   warning that says what to change.
# - Only CAP_NET_ADMIN in the initial user namespace configures pcpnat: an
#   unprivileged user namespace (unshare -Urn) cannot make an instance.
# - A subscriber is limited by default (RFC 6888 REQ-4).
# - A WAN device that a PPPoE or DHCP client re-creates on reconnect
#   (same name, new ifindex) is the external device again: nothing leaves
#   it untranslated.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names pcpnat-rt
C2=

ktap_print_header
ktap_set_plan 12

ktap_need "$PROBE" "$PCPCTL"
for p in jq unshare setpriv; do
	command -v "$p" >/dev/null || ktap_exit_fail_msg "$p is missing (scripts/setup.sh installs it)"
done

setup() {
	topo_setup || return 1
	# Defaults otherwise: ports 1024-65535, the README's example.
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext \
		>"$tmp/cfg.out" 2>"$tmp/cfg.err"
}
ktap_setup setup

# --- 1. the router's own UDP query ---------------------------------------------
# Like a DNS lookup of the router: from $EXT and an ephemeral port, which
# lies in the pool's range.
server dns "$S" udp-server 5353 -t 30
want bound "$S" u 5353
nm0=$(stat drop_no_mapping)
probe "$R" udp-client "$SRV:5353" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5353"
want reap
want has "$tmp/dns" "from $EXT:"
want eq "$(stat drop_no_mapping)" "$nm0"
ok "router's own UDP query from an ephemeral port gets its reply"

# --- 2. the router's own TCP connection -------------------------------------------
server web "$S" tcp-server 8080 -t 30
want bound "$S" t 8080
probe "$R" tcp-client "$SRV:8080" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:8080"
want reap
want has "$tmp/web" "from $EXT:"
ok "router's own TCP connection from an ephemeral port is answered"

# --- 3. a service of the router on 51820 ------------------------------------------
server wg "$R" udp-server 51820 -t 30 -n 3
want bound "$R" u 51820
probe "$S" udp-client "$EXT:51820" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:51820"
want has "$tmp/wg" "from $SRV:"
ok "UDP service of the router on port 51820 is reachable from outside"

# --- 4. the allocator leaves the router's port alone --------------------------------
# c1 sends from 51820 too: port preservation would pick 51820, which the
# router's socket holds. c1 must get another port, and the router's
# service must still answer.
server out "$S" udp-server 5400 -t 30
want bound "$S" u 5400
probe "$C1" udp-client "$SRV:5400" -b 51820 >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5400"
want reap
xp=$(pcpctl show proto udp int "$H1:51820" --json | jq -r '.[0].ext_port')
want [ -n "$xp" ] && want [ "$xp" != null ] && want [ "$xp" != 51820 ]
want has "$tmp/out" "from $EXT:$xp\$"
# A PCP-style request for exactly that port is refused too.
pcpctl map add proto udp int "$H1:7000" ext "$EXT:51820" lifetime 600 \
	prefer-failure >"$tmp/m" 2>&1
want [ $? != 0 ]
probe "$S" udp-client "$EXT:51820" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:51820"
want reap
ok "allocator never hands out a port a router socket holds"

# --- 5. a range overlapping ip_local_port_range ------------------------------------
read -r lo hi < <(in_ns "$R" sysctl -n net.ipv4.ip_local_port_range)
want has "$tmp/cfg.err" "ip_local_port_range"
pcpctl config set ports 1024-$((lo - 1)) >"$tmp/o" 2>"$tmp/e"
want [ $? = 0 ]
want not grep -q ip_local_port_range "$tmp/e"
want eq "$(pcpctl config --json | jq -r .port_max)" "$((lo - 1))"
pcpctl config set ports 1024-65535 >"$tmp/o" 2>"$tmp/e"
want [ $? = 0 ]
want has "$tmp/e" "warning"
want has "$tmp/e" "ip_local_port_range"
want has "$tmp/e" "set ports outside"
ok "a port range overlapping ip_local_port_range ($lo-$hi) is accepted with a warning"

# --- 6. unprivileged user namespace ----------------------------------------------------
# Root in a new user namespace has CAP_NET_ADMIN there, not in the initial
# one: it must not get an instance.
unshare -Urn bash -c '"$1" config set pool 192.0.2.1/32 internal 10.0.0.0/8 \
	>"$2/u.out" 2>"$2/u.err"; echo $? >"$2/u.rc";
	"$1" config --json >"$2/u.cfg" 2>&1' _ "$PCPCTL" "$tmp"
want [ "$(cat "$tmp/u.rc")" != 0 ]
want has "$tmp/u.err" "config set: Operation not permitted"
want eq "$(jq -r '.pool | length' "$tmp/u.cfg")" 0
ok "unshare -Urn: config set fails with EPERM, no instance"

# --- 7. an ordinary user, in its own user namespace or not ------------------------------
setpriv --reuid=65534 --regid=65534 --clear-groups \
	unshare -Urn "$PCPCTL" config set pool 192.0.2.1/32 internal 10.0.0.0/8 \
	>"$tmp/n.out" 2>"$tmp/n.err"
want [ $? != 0 ]
want has "$tmp/n.err" "config set: Operation not permitted"
in_ns "$R" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PCPCTL" config set quota 1 >"$tmp/n.out" 2>"$tmp/n.err"
want [ $? != 0 ]
want has "$tmp/n.err" "config set: Operation not permitted"
want [ "$(pcpctl config --json | jq -r .quota)" != 1 ]
ok "a user without CAP_NET_ADMIN in the initial namespace cannot configure"

# --- 7b. the router to a mapped port of its own pool address ----------------------------
# A router's own program (a monitor, a test of a port mapping) connecting to
# $EXT:PORT reaches the host the mapping names, as an outsider would, and
# its replies come back from $EXT:PORT, the endpoint it connected to.
pcpctl map add proto udp int "$H1:7500" ext "$EXT:7500" lifetime 600 >"$tmp/m" 2>&1
want [ $? = 0 ]
pcpctl map add proto tcp int "$H1:7501" ext "$EXT:7501" lifetime 600 >"$tmp/m" 2>&1
want [ $? = 0 ]
self_to_pool() { # PROTO (udp|tcp) PORT
	local p=${1:0:1}
	server "self-$p" "$C1" "$1-server" "$2" -t 30
	want bound "$C1" "$p" "$2"
	probe "$R" "$1-client" "$EXT:$2" -t 4 >"$tmp/c" 2>&1
	want has "$tmp/c" "reply from $EXT:$2"
	want reap
	want has "$tmp/self-$p" "from $EXT:"
}
self_to_pool udp 7500
ok "the router's own UDP to a mapped port of its pool address reaches the host"
self_to_pool tcp 7501
ok "the router's own TCP to a mapped port of its pool address is answered"

# --- 8. the default quota -------------------------------------------------------------
# A fresh namespace shows what a first config set starts from.
ip netns add "$R-q" && q=$(ip netns exec "$R-q" "$PCPCTL" config --json | jq -r .quota)
ip netns del "$R-q"
want gt "$q" 0
want eq "$(pcpctl config --json | jq -r .quota)" "$q"
ok "subscriber quota is limited by default (RFC 6888 REQ-4): $q"

# --- 9. the default quota holds ------------------------------------------------------
# One host fills its quota with explicit mappings; the next one is
# refused, another host still gets one. The host already has mappings
# from the tests above.
pcpctl flush >/dev/null
for i in $(seq "$q"); do
	echo "map add proto udp int $H1:$((2000 + i)) lifetime 600"
done >"$tmp/batch"
pcpctl batch "$tmp/batch" >/dev/null 2>"$tmp/e"
want [ $? = 0 ]
want eq "$(pcpctl show subscriber "$H1" --json | jq length)" "$q"
qa0=$(stat alloc_quota)
pcpctl map add proto udp int "$H1:1999" lifetime 600 >"$tmp/m" 2>&1
want [ $? != 0 ]
want has "$tmp/m" "quota"
want gt "$(stat alloc_quota)" "$qa0"
# Implicit mappings count too: c1's next flow is refused ...
probe "$C1" udp-client "$SRV:5400" -b 1998 -t 2 >"$tmp/c" 2>&1
want [ $? = 1 ]
# ... while another host is not affected.
pcpctl map add proto udp int 10.0.1.9:2000 lifetime 600 >"$tmp/m" 2>&1
want [ $? = 0 ]
ok "the default quota stops one host, not the others"

# --- 10. the WAN device comes back ------------------------------------------------------
# A PPPoE client re-creates its device on every reconnect: the same name
# with a new ifindex. The external device is the one with that name, so
# inside traffic leaves it translated, never with its internal source.
pcpctl flush >/dev/null
old=$(in_ns "$R" cat /sys/class/net/r-ext/ifindex)
in_ns "$R" ip link del r-ext
ip link add eth0 netns "$S" type veth peer name r-ext netns "$R"
in_ns "$R" ip addr add "$EXT/24" dev r-ext
in_ns "$R" ip link set r-ext up
in_ns "$S" ip addr add "$SRV/24" dev eth0
in_ns "$S" ip link set eth0 up
new=$(in_ns "$R" cat /sys/class/net/r-ext/ifindex)
want [ "$new" != "$old" ]
# Renamed away it is not the external device; renamed back it is again.
in_ns "$R" ip link set r-ext down
in_ns "$R" ip link set r-ext name r-wan
want eq "$(pcpctl config --json | jq -r .ext_dev)" null
in_ns "$R" ip link set r-wan name r-ext
in_ns "$R" ip link set r-ext up
server back "$S" udp-server 5410 -t 30
want bound "$S" u 5410
probe "$C1" udp-client "$SRV:5410" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $SRV:5410"
want reap
want has "$tmp/back" "from $EXT:"
want eq "$(pcpctl config --json | jq -r .ext_dev)" r-ext
ok "WAN device re-created (ifindex $old -> $new), renamed away and back: inside traffic leaves as $EXT, the reply returns"

ktap_finished
