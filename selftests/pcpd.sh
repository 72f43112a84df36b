#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcpd end to end: real PCP and NAT-PMP clients in a client namespace talk
# to pcpd in the router namespace, and traffic from an external host
# really crosses the mappings pcpd made.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router: pcpnat + pcpd] r-ext 198.51.100.1 -- ext 198.51.100.2
#   c2 10.0.1.3 --+
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

PROBE=${PROBE:-$top/build/selftests/udp_tcp_probe}
PCPCTL=${PCPCTL:-$top/build/host/pcpctl}
PCPD=${PCPD:-$top/build/host/pcpd}
PCPC="python3 $here/pcp_client.py"

sfx=$$
R=pcpd-r-$sfx
C1=pcpd-c1-$sfx
C2=pcpd-c2-$sfx
S=pcpd-s-$sfx
EXT=198.51.100.1
SRV=198.51.100.2
GW=10.0.1.1
H1=10.0.1.2
H2=10.0.1.3
tmp=$(mktemp -d)
pids=()
pcpd_pid=

cleanup() {
	local p
	[ -n "$pcpd_pid" ] && kill "$pcpd_pid" 2>/dev/null
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "$C1" "$C2" "$S" "$R"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 22

for f in "$PROBE" "$PCPCTL" "$PCPD"; do
	[ -x "$f" ] || ktap_exit_fail_msg "missing $f (make selftests-bin userspace)"
done

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
pcpctl() { in_ns "$R" "$PCPCTL" "$@"; }
pcpc() { local ns=$1; shift; in_ns "$ns" $PCPC "$@"; }
probe() { local ns=$1; shift; in_ns "$ns" "$PROBE" "$@"; }
stat() { pcpctl stats --json | jq -r ".$1"; }
epoch_of() { jq -r .epoch <<<"$1"; }

fails=0
want() { "$@" || { ktap_print_msg "failed: $*"; fails=$((fails + 1)); }; }
ok() {
	if [ "$fails" = 0 ]; then ktap_test_pass "$1"; else ktap_test_fail "$1"; fi
	fails=0
}
has() { grep -q -- "$2" "$1" || { ktap_print_msg "$1: $(tr '\n' '|' <"$1")"; false; }; }
eq() { [ "$1" = "$2" ] || { ktap_print_msg "'$1' != '$2'"; false; }; }
ge() { [ "$1" -ge "$2" ] 2>/dev/null || { ktap_print_msg "$1 < $2"; false; }; }
not() { ! "$@"; }
le() { [ "$1" -le "$2" ] 2>/dev/null || { ktap_print_msg "$1 > $2"; false; }; }

server() {
	local name=$1 ns=$2
	shift 2
	in_ns "$ns" "$PROBE" "$@" >"$tmp/$name" 2>&1 &
	pids+=($!)
}
bound() {
	local i
	for i in $(seq 100); do
		in_ns "$1" ss -Hln"$2" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
reap() {
	local p=${pids[-1]} i
	for i in $(seq 150); do
		kill -0 "$p" 2>/dev/null || { wait "$p"; return; }
		sleep 0.1
	done
	kill "$p" 2>/dev/null
	return 1
}

setup() {
	local ns
	for ns in "$R" "$C1" "$C2" "$S"; do
		ip netns add "$ns" || return 1
		in_ns "$ns" ip link set lo up
	done
	in_ns "$R" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$R" ip link add br-int type bridge
	in_ns "$R" ip addr add "$GW/24" dev br-int
	in_ns "$R" ip link set br-int up
	ip link add eth0 netns "$C1" type veth peer name p1 netns "$R"
	ip link add eth0 netns "$C2" type veth peer name p2 netns "$R"
	ip link add eth0 netns "$S" type veth peer name r-ext netns "$R"
	in_ns "$R" ip link set p1 master br-int up
	in_ns "$R" ip link set p2 master br-int up
	in_ns "$R" ip addr add "$EXT/24" dev r-ext
	in_ns "$R" ip link set r-ext up
	in_ns "$C1" ip addr add "$H1/24" dev eth0
	in_ns "$C2" ip addr add "$H2/24" dev eth0
	in_ns "$S" ip addr add "$SRV/24" dev eth0
	for ns in "$C1" "$C2" "$S"; do in_ns "$ns" ip link set eth0 up; done
	in_ns "$C1" ip route add default via "$GW"
	in_ns "$C2" ip route add default via "$GW"
	# Multicast ANNOUNCE to 224.0.0.1 leaves through the bridge.
	in_ns "$R" ip route add 224.0.0.0/4 dev br-int
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext
}

cat >"$tmp/pcpd.conf" <<CONF
[pcpd]
listen = $GW
nonce = relaxed
lifetime_min = 60
state_file = $tmp/state
CONF

start_pcpd() {
	# Not through a function: $! must be pcpd itself, for kill.
	ip netns exec "$R" "$PCPD" -d -v -c "$tmp/pcpd.conf" >>"$tmp/pcpd.log" 2>&1 &
	pcpd_pid=$!
	local i
	for i in $(seq 100); do
		in_ns "$R" ss -Hlnu "sport = :5351" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
stop_pcpd() {
	[ -n "$pcpd_pid" ] || return 0
	kill "$pcpd_pid" && wait "$pcpd_pid"
	local rc=$?
	pcpd_pid=
	return $rc
}

if ! setup >"$tmp/setup" 2>&1; then
	while read -r l; do ktap_print_msg "$l"; done <"$tmp/setup"
	ktap_exit_fail_msg "namespace or pcpnat setup failed"
fi

# --- 1. configuration check -------------------------------------------------
want "$PCPD" -n -c "$tmp/pcpd.conf"
printf '[pcpd]\nlisten = 10.0.1.1\nnonce = sloppy\n' >"$tmp/bad.conf"
want not "$PCPD" -n -c "$tmp/bad.conf" 2>"$tmp/err"
want has "$tmp/err" "line 3"
ok "pcpd -n accepts a good configuration and names the bad line of another"

want start_pcpd
ok "pcpd starts and listens on $GW:5351"

# --- 2. NAT-PMP with the Debian client --------------------------------------
in_ns "$C1" natpmpc -g "$GW" >"$tmp/np" 2>&1
want has "$tmp/np" "Public IP address : $EXT"
ok "natpmpc: external address $EXT"

in_ns "$C1" natpmpc -g "$GW" -a 0 6000 udp 600 >"$tmp/npu" 2>&1
uport=$(sed -n 's/.*Mapped public port \([0-9]*\) protocol UDP.*/\1/p' "$tmp/npu")
want [ -n "$uport" ]
server u6000 "$C1" udp-server 6000 -t 6
want bound "$C1" u 6000
probe "$S" udp-client "$EXT:${uport:-1}" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:$uport"
want reap
want has "$tmp/u6000" "from $SRV:"
ok "natpmpc UDP mapping: the external host reaches the server inside"

in_ns "$C1" natpmpc -g "$GW" -a 0 6001 tcp 600 >"$tmp/npt" 2>&1
tport=$(sed -n 's/.*Mapped public port \([0-9]*\) protocol TCP.*/\1/p' "$tmp/npt")
want [ -n "$tport" ]
server t6001 "$C1" tcp-server 6001 -t 6
want bound "$C1" t 6001
probe "$S" tcp-client "$EXT:${tport:-1}" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:$tport"
want reap
want has "$tmp/t6001" "from $SRV:"
ok "natpmpc TCP mapping: the external host connects in"

# --- 3. PCP MAP ---------------------------------------------------------------
N1=0102030405060708090a0b0c
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7000 --ext-port 17000 --lifetime 300 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
eport=$(jq -r .ext_port <<<"$r")
want eq "$(jq -r .ext_addr <<<"$r")" "$EXT"
want eq "$(jq -r .nonce <<<"$r")" "$N1"
m=$(pcpctl show proto udp int "$H1:7000" --json)
want eq "$(jq -r '.[0].kind' <<<"$m")" explicit
want eq "$(jq -r '.[0].nonce' <<<"$m")" "$N1"
want eq "$(jq -r '.[0].ext_port' <<<"$m")" "$eport"
server u7000 "$C1" udp-server 7000 -t 6
want bound "$C1" u 7000
probe "$S" udp-client "$EXT:$eport" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:$eport"
want reap
ok "PCP MAP: SUCCESS, explicit mapping with the nonce, traffic flows in"

r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7000 --lifetime 900 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
want eq "$(jq -r .ext_port <<<"$r")" "$eport"
want ge "$(pcpctl show proto udp int "$H1:7000" --json | jq -r '.[0].lifetime')" 800
ok "PCP MAP refresh extends the lifetime and keeps the port"

N2=ffffffffffffffffffffffff
pcpc "$C1" map "$GW" --proto udp --int-port 7050 --lifetime 300 --nonce $N1 >/dev/null
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7050 --lifetime 0 --nonce $N2)
want eq "$(pcpctl show proto udp int "$H1:7050" --json | jq -r '.[0].nonce')" "$N1"
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7050 --lifetime 0 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
want eq "$(jq -r .lifetime <<<"$r")" 0
want eq "$(pcpctl show proto udp int "$H1:7050" --json | jq -r 'length')" 0
ok "PCP MAP delete: wrong nonce keeps the mapping, lifetime 0 deletes"

# Seed 2.13: a mapping that carried traffic lives on as implicit.
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7000 --lifetime 0 --nonce $N1)
want eq "$(jq -r .result <<<"$r")" 0
want ge "$(jq -r .lifetime <<<"$r")" 1
want eq "$(pcpctl show proto udp int "$H1:7000" --json | jq -r '.[0].kind')" implicit
ok "PCP MAP delete of a mapping in use: it stays implicit, remaining idle lifetime"

r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7001 --client-ip 10.0.1.99)
want eq "$(jq -r .result <<<"$r")" 12
want eq "$(pcpctl show proto udp int "$H1:7001" --json | jq -r 'length')" 0
ok "PCP: client address field != source -> ADDRESS_MISMATCH, nothing made"

r=$(pcpc "$C1" peer "$GW" --proto udp --int-port 7100 --peer "$SRV:9000" --lifetime 300)
want eq "$(jq -r .result <<<"$r")" 0
m=$(pcpctl show proto udp int "$H1:7100" --json)
want eq "$(jq -r '.[0].kind' <<<"$m")" implicit
want eq "$(jq -r '.[0].ext_port' <<<"$m")" "$(jq -r .ext_port <<<"$r")"
ok "PCP PEER: SUCCESS, the implicit mapping is in the table"

# FILTER: only $SRV from port 9100 may come in.
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7200 --nonce $N1 --filter "$SRV/32:9100")
want eq "$(jq -r .result <<<"$r")" 0
fport=$(jq -r .ext_port <<<"$r")
want eq "$(pcpctl show proto udp int "$H1:7200" --json | jq -r '.[0].filters[0].port')" 9100
server u7200 "$C1" udp-server 7200 -t 8 -n 1
want bound "$C1" u 7200
f0=$(stat drop_filtered)
probe "$S" udp-client "$EXT:$fport" -b 9101 -t 1 >"$tmp/c" 2>&1
want not has "$tmp/c" "reply from"
want ge "$(stat drop_filtered)" $((f0 + 1))
probe "$S" udp-client "$EXT:$fport" -b 9100 >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:$fport"
want reap
want has "$tmp/u7200" "from $SRV:9100"
ok "PCP FILTER: the listed peer gets in, another port is dropped in the datapath"

# --- 4. epoch across a pcpd restart, and after a flush ------------------------
e1=$(epoch_of "$(pcpc "$C1" announce "$GW")")
sleep 2
want stop_pcpd
want eq "$(pcpctl show proto udp int "$H1:7200" --json | jq -r 'length')" 1
want start_pcpd
e2=$(epoch_of "$(pcpc "$C1" announce "$GW")")
want ge "$e2" $((e1 + 2))
ok "pcpd restart: mappings stay, the epoch keeps counting ($e1 -> $e2)"

# Unsolicited ANNOUNCE after a state loss, repeated with a doubling interval.
pcpc "$C2" listen --count 4 --timeout 8 >"$tmp/ann" 2>&1 &
lpid=$!
for i in $(seq 50); do grep -q listening "$tmp/ann" && break; sleep 0.1; done
pcpctl flush >/dev/null
e3=$(epoch_of "$(pcpc "$C1" announce "$GW")")
# The multicast ANNOUNCE below checks the exact 0; this one took a slow
# (emulated) client a few seconds to ask.
want le "$e3" 6
want eq "$(pcpctl show --json | jq -r 'length')" 0
ok "pcpctl flush: the epoch restarts at ~0 ($e3)"

wait $lpid
n=$(grep -c '"opcode": 0' "$tmp/ann")
want ge "$n" 4
t=($(grep '"opcode": 0' "$tmp/ann" | jq -r .t))
# Gaps 0.25, 0.5, 1 s: each at least 1.5 times the one before.
want [ "$(awk -v a="${t[0]}" -v b="${t[1]}" -v c="${t[2]}" -v d="${t[3]}" \
	'BEGIN { g1=b-a; g2=c-b; g3=d-c; print (g1 > 0.15 && g2 > 1.5*g1 && g3 > 1.5*g2) ? "y" : "n" }')" = y ]
want eq "$(grep '"opcode": 0' "$tmp/ann" | head -1 | jq -r .epoch)" 0
ok "unsolicited ANNOUNCE to 224.0.0.1:5350 after the flush, interval doubling (${t[*]})"

# --- 5. per-subscriber epoch (failure draft 3.2) ------------------------------
sleep 8
pcpc "$C1" map "$GW" --proto udp --int-port 7300 --nonce $N1 >/dev/null
pcpc "$C2" map "$GW" --proto udp --int-port 7300 --nonce $N1 >/dev/null
pcpctl flush subscriber "$H1" >/dev/null
sleep 0.5
e1=$(epoch_of "$(pcpc "$C1" announce "$GW")")
e2=$(epoch_of "$(pcpc "$C2" announce "$GW")")
want le "$e1" 6
want ge "$e2" $((e1 + 5))
ok "pcpctl flush SUBSCRIBER: its epoch restarts ($e1), the other keeps counting ($e2)"

# --- 6. stable storage: module state lost, pcpd restores ----------------------
r=$(pcpc "$C1" map "$GW" --proto tcp --int-port 8000 --ext-port 18000 --nonce $N1 --lifetime 600)
sport=$(jq -r .ext_port <<<"$r")
sleep 1.5
want has "$tmp/state" "^map 6 $H1 8000 $EXT $sport "
e1=$(epoch_of "$(pcpc "$C2" announce "$GW")")
ok "the state file holds the explicit mapping (written within a second)"

# Router reboot: pcpd stops, the module is reloaded (all state gone) and
# configured again, pcpd starts and re-installs from the file. Without
# the module's path (not run by the harness) a flush loses the state.
want stop_pcpd
if [ -n "${PCPNAT_KO:-}" ] && rmmod pcpnat; then
	want insmod "$PCPNAT_KO"
	want pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext
else
	pcpctl flush >/dev/null
fi
want eq "$(pcpctl show --json | jq -r 'length')" 0
want start_pcpd
sleep 1.5
m=$(pcpctl show proto tcp int "$H1:8000" --json)
want eq "$(jq -r '.[0].ext_port' <<<"$m")" "$sport"
want eq "$(jq -r '.[0].nonce' <<<"$m")" "$N1"
e2=$(epoch_of "$(pcpc "$C2" announce "$GW")")
want ge "$e2" "$e1"
server t8000 "$C1" tcp-server 8000 -t 6
want bound "$C1" t 8000
probe "$S" tcp-client "$EXT:$sport" >"$tmp/c" 2>&1
want has "$tmp/c" "reply from $EXT:$sport"
want reap
ok "state lost while pcpd was down: mapping restored on the same port, epoch continues ($e1 -> $e2)"

want stop_pcpd
head -c 40 "$tmp/state" >"$tmp/state.x" && mv "$tmp/state.x" "$tmp/state"
want start_pcpd
sleep 1
want [ -e "$tmp/state.corrupt" ]
want has "$tmp/pcpd.log" "corrupt"
want kill -0 "$pcpd_pid"
ok "a truncated state file is reported, set aside, and not trusted"

# --- 7. unsolicited MAP when the external address leaves the pool -------------
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7400 --nonce $N1)
pcpc "$C1" listen --count 6 --timeout 4 >"$tmp/umap" 2>&1 &
lpid=$!
for i in $(seq 50); do grep -q listening "$tmp/umap" && break; sleep 0.1; done
in_ns "$R" ip addr add 198.51.100.5/24 dev r-ext
pcpctl config set pool 198.51.100.5/32 >/dev/null
wait $lpid
want has "$tmp/umap" '"int_port": 7400'
u=$(grep '"opcode": 1' "$tmp/umap" | grep '"int_port": 7400' | head -1)
want eq "$(jq -r .ext_addr <<<"$u")" 198.51.100.5
want eq "$(jq -r .int_port <<<"$u")" 7400
want eq "$(jq -r .nonce <<<"$u")" "$N1"
want ge "$(jq -r .lifetime <<<"$u")" 1
ok "external address removed: unsolicited MAP response with the new address"

# --- 8. robustness ------------------------------------------------------------
before=$(pcpctl show --json | jq -r 'length')
pcpc "$C1" flood "$GW" --count 500
sleep 1
want kill -0 "$pcpd_pid"
want eq "$(pcpctl show --json | jq -r 'length')" "$before"
r=$(pcpc "$C1" announce "$GW")
want eq "$(jq -r .result <<<"$r")" 0
ok "500 random and malformed datagrams: pcpd alive, table unchanged, still answering"

want stop_pcpd
want has "$tmp/pcpd.log" "exiting, mappings stay"
ok "SIGTERM: clean exit"

if [ "${KSFT_VERBOSE:-0}" != 0 ]; then
	while read -r l; do ktap_print_msg "$l"; done <"$tmp/pcpd.log"
fi
ktap_finished
