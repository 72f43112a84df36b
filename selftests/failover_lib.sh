# SPDX-License-Identifier: GPL-2.0
# Sourced (not run) by selftests/pcp_failover.sh and bench/vm/failover.sh:
# two pcpnat routers, A and B, under keepalived (VRRP), the way an operator
# sets them up (etc/keepalived.conf.example), one copy for the test and the
# bench. lib.sh before it.
#
#   c1 10.0.1.2 --[br-in]--+-- lan 10.0.1.5 [A] r-ext 198.51.100.3 --+--[br-out]-- S 198.51.100.2
#                          |            sa 192.168.255.1                |
#                          |             | sync link                    |
#                          |            sb 192.168.255.2                |
#                          +-- lan 10.0.1.4 [B] r-ext 198.51.100.4 --+
#
# The switch namespace ($SW) holds both bridges, so that a router's link
# goes down as a cable pulled would (fo_link). keepalived holds the inside
# gateway 10.0.1.1 (the PCP server, RFC 6887 §8.1) and the pool address
# 198.51.100.1 on the active and runs etc/keepalived-pcpd-notify.sh, which
# signals pcpd (PCPD_PID in keepalived's environment: the VM has no
# systemd). pcpd listens on the gateway address on both routers, where the
# standby does not hold it yet.

FO_NOTIFY=$top/etc/keepalived-pcpd-notify.sh
FO_KA_EXAMPLE=$top/etc/keepalived.conf.example
FO_FLOW=$top/selftests/failover_flow.py
FO_SYNC_MS=200
GWA=10.0.1.5 GWB=10.0.1.4
EXTA=198.51.100.3 EXTB=198.51.100.4

# fo_names PREFIX: the namespaces (R is A, so lib.sh's pcpctl is A's).
fo_names() {
	topo_names "$1"
	A=$R B=$1-b-$$ SW=$1-sw-$$
	C2=
}

declare -A fo_pcpd fo_ka
fo_cleanup() {
	local r
	for r in a b; do
		fo_ka_stop "$r" 9
		[ -n "${fo_pcpd[$r]:-}" ] && kill "${fo_pcpd[$r]}" 2>/dev/null
	done
	for r in "$B" "$SW"; do ip netns del "$r" 2>/dev/null; done
	cleanup
}
trap fo_cleanup EXIT

fo_ns() { case $1 in a) echo "$A" ;; b) echo "$B" ;; esac; }
fo_other() { case $1 in a) echo b ;; b) echo a ;; esac; }

# fo_setup: namespaces, links, addresses, both modules configured.
fo_setup() {
	local ns r p
	for ns in "$A" "$B" "$SW" "$C1" "$S"; do
		ip netns add "$ns" || return 1
		in_ns "$ns" ip link set lo up
	done
	in_ns "$SW" ip link add br-in type bridge
	in_ns "$SW" ip link add br-out type bridge
	# Forward at once: a bridge's default forward delay would hold traffic
	# for 15 s after every link up.
	in_ns "$SW" ip link set br-in type bridge forward_delay 0
	in_ns "$SW" ip link set br-out type bridge forward_delay 0
	in_ns "$SW" ip link set br-in up
	in_ns "$SW" ip link set br-out up
	ip link add eth0 netns "$C1" type veth peer name c1 netns "$SW"
	ip link add eth0 netns "$S" type veth peer name s netns "$SW"
	for r in a b; do
		ns=$(fo_ns $r)
		ip link add lan netns "$ns" type veth peer name $r-in netns "$SW"
		ip link add r-ext netns "$ns" type veth peer name $r-out netns "$SW"
		in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	for p in c1 a-in b-in; do in_ns "$SW" ip link set $p master br-in up; done
	for p in s a-out b-out; do in_ns "$SW" ip link set $p master br-out up; done
	ip link add sa netns "$A" type veth peer name sb netns "$B"
	in_ns "$A" ip addr add "$GWA/24" dev lan
	in_ns "$B" ip addr add "$GWB/24" dev lan
	in_ns "$A" ip addr add "$EXTA/24" dev r-ext
	in_ns "$B" ip addr add "$EXTB/24" dev r-ext
	in_ns "$A" ip addr add 192.168.255.1/30 dev sa
	in_ns "$B" ip addr add 192.168.255.2/30 dev sb
	for ns in "$A" "$B"; do
		for p in lan r-ext; do in_ns "$ns" ip link set $p up; done
	done
	in_ns "$A" ip link set sa up
	in_ns "$B" ip link set sb up
	in_ns "$C1" ip addr add "$H1/24" dev eth0
	in_ns "$S" ip addr add "$SRV/24" dev eth0
	in_ns "$C1" ip link set eth0 up
	in_ns "$S" ip link set eth0 up
	in_ns "$C1" ip route add default via "$GW"
	for ns in "$A" "$B"; do
		in_ns "$ns" "$PCPCTL" config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext || return 1
	done
}

# fo_conf ROUTER [cold]: pcpd.conf for the router, [sync] unless cold.
fo_conf() {
	local r=$1 my peer node pnode
	case $r in
	a) my=192.168.255.1 peer=192.168.255.2 node=1 pnode=2 ;;
	b) my=192.168.255.2 peer=192.168.255.1 node=2 pnode=1 ;;
	esac
	mkdir -p "$tmp/$r"
	cat >"$tmp/$r.conf" <<CONF
[pcpd]
listen = $GW
lifetime_min = 60
announce = off
user = nobody
state_file = $tmp/$r/lib/state
CONF
	[ "${2:-}" = cold ] && return
	cat >>"$tmp/$r.conf" <<CONF

[sync]
listen = $my
peer = $peer
node_id = $node
peer_node_id = $pnode
key_file = $tmp/sync.key
role_file = $tmp/$r/role
interval = $FO_SYNC_MS
CONF
}

# fo_key: the pre-shared key, and a state directory pcpd (nobody) may make.
fo_key() {
	chmod 711 "$tmp"
	(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$tmp/sync.key")
}

# fo_pcpd_start ROUTER: pcpd with $tmp/ROUTER.conf; fails unless it binds.
fo_pcpd_start() {
	local r=$1 ns
	ns=$(fo_ns "$r")
	ip netns exec "$ns" "$PCPD" -d -v -c "$tmp/$r.conf" >>"$tmp/$r.log" 2>&1 &
	fo_pcpd[$r]=$!
	bound "$ns" u 5351 && kill -0 "${fo_pcpd[$r]}" 2>/dev/null
}
fo_pcpd_stop() {
	local r=$1 sig=${2:-TERM}
	[ -n "${fo_pcpd[$r]:-}" ] || return 0
	kill -s "$sig" "${fo_pcpd[$r]}" 2>/dev/null
	wait "${fo_pcpd[$r]}" 2>/dev/null
	fo_pcpd[$r]=
}

# fo_ka_conf ROUTER PRIORITY: keepalived.conf from the shipped example,
# its names and addresses replaced by the test's: the example is what runs.
fo_ka_conf() {
	local r=$1 prio=$2
	sed -e "s|/etc/pcpd/keepalived-pcpd-notify.sh|$FO_NOTIFY|" \
	    -e "s|priority 150|priority $prio|" \
	    -e "s|eth1|lan|g; s|eth0|r-ext|g" \
	    -e "s|10.0.1.1/24|$GW/24|; s|198.51.100.1/24|$EXT/24|" \
	    "$FO_KA_EXAMPLE" >"$tmp/ka-$r.conf"
}

# fo_ka_start ROUTER: keepalived, VRRP only, in the foreground of its own
# process, with its own pid files and instance name, log in $tmp.
fo_ka_start() {
	local r=$1 ns
	ns=$(fo_ns "$r")
	PCPD_PID=${fo_pcpd[$r]} PCPD_ROLE_FILE=$tmp/$r/role PCPCTL=$PCPCTL \
		ip netns exec "$ns" keepalived -n -P -l -G -D \
		-f "$tmp/ka-$r.conf" -p "$tmp/ka-$r.pid" -r "$tmp/ka-$r.vrrp.pid" \
		-i "fo-$r" >>"$tmp/ka-$r.log" 2>&1 &
	fo_ka[$r]=$!
}
# fo_ka_stop ROUTER [SIGNAL]: TERM (the default) leaves VRRP cleanly,
# priority 0 sent; 9 leaves the addresses where they are. The VRRP child
# dies with its parent only on TERM, so a KILL kills both.
fo_ka_stop() {
	local r=$1 sig=${2:-TERM} child
	[ -n "${fo_ka[$r]:-}" ] || return 0
	if [ "$sig" = 9 ]; then
		child=$(cat "$tmp/ka-$r.vrrp.pid" 2>/dev/null)
		[ -n "$child" ] && kill -9 "$child" 2>/dev/null
	fi
	kill -s "$sig" "${fo_ka[$r]}" 2>/dev/null
	wait "${fo_ka[$r]}" 2>/dev/null
	fo_ka[$r]=
}

fo_status() { jq -r ".$2" "$tmp/$1/lib/sync-status.json" 2>/dev/null; }
# fo_holds ROUTER: the router holds the gateway and the pool address.
fo_holds() {
	local ns
	ns=$(fo_ns "$1")
	in_ns "$ns" ip -4 -o addr show dev lan | grep -q " $GW/" &&
	in_ns "$ns" ip -4 -o addr show dev r-ext | grep -q " $EXT/"
}
# fo_active: a or b, the router that holds the addresses and whose pcpd
# is MASTER, the other BACKUP; nothing while that is not so.
fo_active() {
	local r o
	for r in a b; do
		o=$(fo_other $r)
		fo_holds $r && ! fo_holds "$o" &&
		[ "$(fo_status $r role)" = master ] &&
		[ "$(fo_status "$o" role)" != master ] && echo $r
	done
}
# fo_synced: the standby has completed its bulk and the session is up.
fo_synced() {
	local r=$1 o
	o=$(fo_other "$r")
	[ "$(fo_status "$o" synced)" = true ] && [ "$(fo_status "$r" established)" = true ]
}

# fo_wait TENTHS CMD...: until CMD holds (PCPNAT_SLOW-aware).
fo_wait() {
	local n=$(($1 * ${PCPNAT_SLOW:-1})) i
	shift
	for i in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	"$@"
}

# fo_link ROUTER in|out up|down: the router's switch port.
fo_link() { in_ns "$SW" ip link set "$1-$2" "$3"; }

# The flows: fo_flows_start PORT SPORT; fo_flow_dump server|client prints
# the window since the last dump (failover_flow.py).
fo_flows_start() {
	ip netns exec "$S" python3 "$FO_FLOW" server --port "$1" --out "$tmp/flow-server.json" >>"$tmp/flow.log" 2>&1 &
	fo_flow_server=$!
	pids+=("$fo_flow_server")
	bound "$S" t "$1" || return 1
	ip netns exec "$C1" python3 "$FO_FLOW" client "$SRV" --port "$1" --sport "$2" --out "$tmp/flow-client.json" >>"$tmp/flow.log" 2>&1 &
	fo_flow_client=$!
	pids+=("$fo_flow_client")
}
fo_flow_dump() {
	local pid f=$tmp/flow-$1.json
	case $1 in server) pid=$fo_flow_server ;; client) pid=$fo_flow_client ;; esac
	rm -f "$f"
	kill -USR1 "$pid" || return 1
	fo_wait 50 test -s "$f" || return 1
	cat "$f"
}

# fo_epoch_ok EPOCH0 T0 EPOCH1 T1: RFC 6887 §8.5's client check passes
# (the server's Epoch did not go back by more than a second, and its
# advance and the client's agree within 2 s plus a sixteenth).
fo_epoch_ok() {
	local e0=$1 t0=$2 e1=$3 t1=$4 cd sd
	cd=$((t1 - t0)) sd=$((e1 - e0))
	[ "$e1" -ge $((e0 - 1)) ] &&
	! [ $((cd + 2)) -lt $((sd - sd / 16)) ] &&
	! [ $((sd + 2)) -lt $((cd - cd / 16)) ]
}

# fo_fail planned|kill|link ROUTER: the failure of the active ROUTER.
# planned: keepalived stopped cleanly (it sends priority 0, the standby
# takes over at once); kill: kill -9 of pcpd and keepalived, the addresses
# left where they were (the standby waits three advertisements and its
# skew); link: the inside link down (keepalived's FAULT).
fo_fail() {
	case $1 in
	planned) fo_ka_stop "$2" ;;
	kill) fo_pcpd_stop "$2" 9; fo_ka_stop "$2" 9 ;;
	link) fo_link "$2" in down ;;
	esac
}
# fo_takeover ROUTER: ROUTER holds the addresses and its pcpd is MASTER.
fo_takeover() {
	local new=$1
	fo_wait 150 eval 'fo_holds $new && [ "$(fo_status $new role)" = master ]'
}
# fo_restore planned|kill|link ROUTER: the failed router back, as the
# standby (nopreempt), and synchronised.
fo_restore() {
	case $1 in
	planned) fo_ka_start "$2" ;;
	kill) fo_pcpd_start "$2" || return 1; fo_ka_start "$2" ;;
	link) fo_link "$2" in up ;;
	esac
	fo_wait 100 fo_synced "$(fo_other "$2")"
}
