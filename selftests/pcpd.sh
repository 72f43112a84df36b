#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pcpd end to end: real PCP and NAT-PMP clients in a client namespace talk
# to pcpd in the router namespace, and traffic from an external host
# really crosses the mappings pcpd made.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router: pcpnat + pcpd] r-ext 198.51.100.1 -- ext 198.51.100.2
#   c2 10.0.1.3 --+
#   c3 10.0.2.2 ----- br-int2 10.0.2.1 (a second internal link)
#
# The topology and the helpers (want, ok, server, start_pcpd ...): lib.sh.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
# The client, quoted where it runs: the tree's path may have spaces.
PCPC=$here/pcp_client.py

source "$here/lib.sh"
topo_names pcpd
C3=pcpd-c3-$$ GW2=10.0.2.1 H3=10.0.2.2
# This test's waits: 10 s for a socket (pcpd's too), 15 s for a server.
bound_tries=100
reap_tries=150

ktap_print_header
ktap_set_plan 29

ktap_need "$PROBE" "$PCPCTL" "$PCPD"

pcpc() { local ns=$1; shift; in_ns "$ns" python3 "$PCPC" "$@"; }
epoch_of() { jq -r .epoch <<<"$1"; }

setup() {
	topo_setup || return 1
	# Multicast ANNOUNCE to 224.0.0.1 leaves through the bridge.
	in_ns "$R" ip route add 224.0.0.0/4 dev br-int
	ip netns add "$C3" || return 1
	in_ns "$C3" ip link set lo up
	in_ns "$R" ip link add br-int2 type bridge
	in_ns "$R" ip addr add "$GW2/24" dev br-int2
	ip link add eth0 netns "$C3" type veth peer name p3 netns "$R"
	in_ns "$R" ip link set p3 master br-int2 up
	in_ns "$R" ip link set br-int2 up
	in_ns "$C3" ip addr add "$H3/24" dev eth0
	in_ns "$C3" ip link set eth0 up
	# Its listener joins 224.0.0.1 on the interface of its route.
	in_ns "$C3" ip route add default via "$GW2"
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext
}

cat >"$tmp/pcpd.conf" <<CONF
[pcpd]
listen = $GW, $GW2
announce_interfaces = br-int, br-int2
nonce = relaxed
lifetime_min = 60
state_file = $tmp/lib/state
user = nobody
# Small, so that test 10's burst overruns it as a larger one would 8 MiB.
events_buffer = 65536
CONF
# pcpd reads its configuration again on SIGHUP as nobody, and makes
# $tmp/lib its own.
chmod 711 "$tmp"

ktap_setup setup

# --- 1. configuration check -------------------------------------------------
want "$PCPD" -n -c "$tmp/pcpd.conf"
printf '[pcpd]\nlisten = 10.0.1.1\nnonce = sloppy\n' >"$tmp/bad.conf"
want not "$PCPD" -n -c "$tmp/bad.conf" 2>"$tmp/err"
want has "$tmp/err" "line 3"
ok "pcpd -n accepts a good configuration and names the bad line of another"

# RFC 6886 3.2.1: on start-up the gateway MUST tell NAT-PMP clients its
# external address and epoch by multicast to 224.0.0.1:5350.
# Each internal link hears it from its own listen address.
pcpc "$C1" listen --count 20 --timeout $((4 * ${PCPNAT_SLOW:-1})) >"$tmp/boot" 2>&1 &
lpid=$!
pcpc "$C3" listen --count 20 --timeout $((4 * ${PCPNAT_SLOW:-1})) >"$tmp/boot3" 2>&1 &
lpid3=$!
for i in $(seq 50); do
	grep -q listening "$tmp/boot" && grep -q listening "$tmp/boot3" && break
	sleep 0.1
done
want start_pcpd
ok "pcpd starts and listens on $GW:5351"

# Least privilege: once 5351 is bound, nobody with CAP_NET_ADMIN alone
# (bit 12), which every MAP this test makes goes on to need.
pstatus() { awk -v k="$1:" '$1 == k { $1 = ""; print substr($0, 2) }' "/proc/$pcpd_pid/status"; }
for i in $(seq 100); do [ "$(pstatus NoNewPrivs)" = 1 ] && break; sleep 0.1; done
want eq "$(pstatus Uid)" "65534 65534 65534 65534"
want eq "$(pstatus Gid)" "65534 65534 65534 65534"
want eq "$(pstatus Groups)" ""
for c in CapEff CapPrm; do want eq "$(pstatus $c)" 0000000000001000; done
# Nothing to regain through an exec either: empty bounding and ambient sets.
for c in CapBnd CapAmb; do want eq "$(pstatus $c)" 0000000000000000; done
want eq "$(pstatus NoNewPrivs)" 1
want eq "$(command stat -c %U "$tmp/lib")" nobody
ok "pcpd runs as nobody with CAP_NET_ADMIN alone and no new privileges"

wait $lpid $lpid3
a=$(jq -c 'select(.version == 0 and .opcode == 128)' "$tmp/boot" | head -n 1)
want eq "$(jq -r .result <<<"$a")" 0
want eq "$(jq -r .ext_addr <<<"$a")" "$EXT"
want eq "$(jq -r .to <<<"$a")" 224.0.0.1
for f in boot boot3; do
	ktap_print_msg "$f: $(jq -r 'select(.opcode == 128) | .from' "$tmp/$f" | sort | uniq -c | tr '\n' ' ')"
done
# From each link's own address, none from the other link's.
want eq "$(jq -r 'select(.opcode == 128) | .from' "$tmp/boot" | sort -u)" "$GW"
want eq "$(jq -r 'select(.opcode == 128) | .from' "$tmp/boot3" | sort -u)" "$GW2"
ok "start-up: NAT-PMP announcement of $EXT to 224.0.0.1:5350 on each internal link, from its address"

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

# A mapping that carried traffic lives on as implicit (RFC 6887 15;
# draft-boucadair-pcp-flow-examples 2.13).
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
# No packet went to the peer yet: under address-dependent filtering the
# PEER itself must let the peer in (RFC 6887 12, as if the host had sent).
server u7100 "$C1" udp-server 7100 -t 10 -n 1
want bound "$C1" u 7100
probe "$S" udp-client "$EXT:$(jq -r .ext_port <<<"$r")" -b 9000 -t 2 >/dev/null 2>&1
want reap
want has "$tmp/u7100" "from $SRV:9000"
ok "PCP PEER: SUCCESS, the implicit mapping is in the table, the named peer gets in"

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
pcpc "$C2" listen --count 8 --timeout 8 >"$tmp/ann" 2>&1 &
lpid=$!
for i in $(seq 50); do grep -q listening "$tmp/ann" && break; sleep 0.1; done
t0=$(date +%s)
pcpctl flush >/dev/null
e3=$(epoch_of "$(pcpc "$C1" announce "$GW")")
# The multicast ANNOUNCE below checks the exact 0; this one is at most
# the seconds the (emulated, loaded) client took to ask.
want le "$e3" $(($(date +%s) - t0 + 1))
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
# NAT-PMP clients lost their mappings too (RFC 6886 3.2.1). The one with
# the least epoch, sent at the flush: the start-up series may still have
# been running, and later repeats count on.
a=$(jq -c -s 'map(select(.version == 0 and .opcode == 128)) | min_by(.epoch)' "$tmp/ann")
want eq "$(jq -r .ext_addr <<<"$a")" "$EXT"
want le "$(jq -r .epoch <<<"$a")" 1
ok "unsolicited ANNOUNCE and NAT-PMP announcement to 224.0.0.1:5350 after the flush, interval doubling (${t[*]})"

# --- 5. per-subscriber epoch (draft-boucadair-pcp-failure 3.2) ---------------
sleep 8
pcpc "$C1" map "$GW" --proto udp --int-port 7300 --nonce $N1 >/dev/null
pcpc "$C2" map "$GW" --proto udp --int-port 7300 --nonce $N1 >/dev/null
t0=$(date +%s)
pcpctl flush subscriber "$H1" >/dev/null
sleep 0.5
e1=$(epoch_of "$(pcpc "$C1" announce "$GW")")
e2=$(epoch_of "$(pcpc "$C2" announce "$GW")")
want le "$e1" $(($(date +%s) - t0 + 1))
want ge "$e2" $((e1 + 5))
ok "pcpctl flush SUBSCRIBER: its epoch restarts ($e1), the other keeps counting ($e2)"

# --- 6. stable storage: module state lost, pcpd restores ----------------------
r=$(pcpc "$C1" map "$GW" --proto tcp --int-port 8000 --ext-port 18000 --nonce $N1 --lifetime 600)
sport=$(jq -r .ext_port <<<"$r")
sleep 1.5
cat "$tmp/lib/state" "$tmp/lib/state.journal" >"$tmp/stored" 2>/dev/null
want has "$tmp/stored" "^map 6 $H1 8000 $EXT $sport "
e1=$(epoch_of "$(pcpc "$C2" announce "$GW")")
ok "stable storage (snapshot or journal) holds the explicit mapping within a second"

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
head -c 40 "$tmp/lib/state" >"$tmp/lib/state.x" && mv "$tmp/lib/state.x" "$tmp/lib/state"
want start_pcpd
sleep 1
want [ -e "$tmp/lib/state.corrupt" ]
want has "$tmp/pcpd.log" "corrupt"
want kill -0 "$pcpd_pid"
ok "a truncated state file is reported, set aside, and not trusted"

# --- 7. unsolicited MAP when the external address leaves the pool -------------
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7400 --nonce $N1)
# Room for whatever an earlier announcement series still sends (up to
# PCPD_ANNOUNCE_COUNT each of PCP and NAT-PMP): a listener that stopped at
# the sixth message could end before the new address's announcement.
pcpc "$C1" listen --count 40 --timeout 5 >"$tmp/umap" 2>&1 &
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
# NAT-PMP clients learn the new address from the RFC 6886 3.2.1 announcement.
# The last one: an earlier series (start-up, state loss) may still run.
a=$(jq -c 'select(.version == 0 and .opcode == 128)' "$tmp/umap" | tail -n 1)
want eq "$(jq -r .result <<<"$a")" 0
want eq "$(jq -r .ext_addr <<<"$a")" 198.51.100.5
ok "external address removed: unsolicited MAP response and NAT-PMP announcement with the new address"

# --- 8. robustness ------------------------------------------------------------
before=$(pcpctl show --json | jq -r 'length')
pcpc "$C1" flood "$GW" --count 500
sleep 1
want kill -0 "$pcpd_pid"
want eq "$(pcpctl show --json | jq -r 'length')" "$before"
r=$(pcpc "$C1" announce "$GW")
want eq "$(jq -r .result <<<"$r")" 0
ok "500 random and malformed datagrams: pcpd alive, table unchanged, still answering"

# --- 9. NAT-PMP with a two-address pool --------------------------------------
# Paired pooling (RFC 4787 REQ-2) gives each host one of the addresses; the
# one opcode 0 reports (RFC 6886 3.2) must be where its mappings are
# (lifetime 600 s: eight hosts take a while in an emulator).
in_ns "$R" ip addr add 198.51.100.6/24 dev r-ext
want pcpctl config set pool 198.51.100.5/32,198.51.100.6/32
declare -A told_n=() told_of=()
for i in $(seq 0 7); do
	src=10.0.1.$((20 + i)) port=$((7500 + i))
	in_ns "$C1" ip addr add "$src/24" dev eth0
	a=$(pcpc "$C1" raw "$GW" 0000 --src "$src" | jq -r .ext_addr)
	pcpc "$C1" raw "$GW" "$(printf '00010000%04x%04x00000258' $port $port)" \
		--src "$src" >/dev/null
	m=$(pcpctl show proto udp int "$src:$port" --json)
	want eq "$(jq -r '.[0].ext_addr' <<<"$m")" "$a"
	told_n[$a]=$((${told_n[$a]:-0} + 1)) told_of[$src]=$a
	[ "$i" = 0 ] && first_addr=$a first_port=$(jq -r '.[0].ext_port' <<<"$m")
done
ktap_print_msg "told: $(for k in "${!told_n[@]}"; do printf '%s x%s ' "$k" "${told_n[$k]}"; done)"
# The server's reply would leave from C1's first address, another
# mapping: what counts is that the datagram to the told address arrives.
server np7500 "$C1" udp-server 7500 -t 10 -n 1
want bound "$C1" u 7500
probe "$S" udp-client "$first_addr:$first_port" -t 1 >/dev/null 2>&1
want reap
want has "$tmp/np7500" "from $SRV:"
[ "$fails" = 0 ] || ktap_print_msg "to $first_addr:$first_port:" \
	"$(pcpctl show --json | jq -c '.[] | select(.int_addr == "10.0.1.20")')" \
	"$(pcpctl stats --json | jq -c .)"
ok "NAT-PMP, two-address pool: each host is told the address its mappings use, traffic arrives there"

# The start-up announcement (RFC 6886 3.2.1) with that pool: a multicast
# would tell every host one address, so each host is told its own, by
# unicast. pcpd restarts on the same table and learns the hosts again
# from the state file.
want stop_pcpd
pcpc "$C1" listen --count 100 --timeout $((3 * ${PCPNAT_SLOW:-1})) >"$tmp/np2" 2>&1 &
lpid=$!
for i in $(seq 50); do grep -q listening "$tmp/np2" && break; sleep 0.1; done
want start_pcpd
wait $lpid
for i in $(seq 0 7); do
	src=10.0.1.$((20 + i))
	heard=$(jq -r --arg h "$src" 'select(.opcode == 128 and .to == $h) | .ext_addr' \
		"$tmp/np2" | sort -u)
	want eq "$heard" "${told_of[$src]}"
done
want eq "$(jq -r 'select(.opcode == 128 and .to == "224.0.0.1") | .ext_addr' "$tmp/np2")" ""
ok "NAT-PMP, two-address pool: on start-up each host is told its own address by unicast, none by multicast"
for i in $(seq 0 7); do pcpctl flush subscriber 10.0.1.$((20 + i)) >/dev/null; done

# --- 10. events lost ----------------------------------------------------------
# pcpd's events socket overruns (pcpd stopped while 2,000 mappings come and
# a subscriber is flushed): it must find the flush again from the module
# and restart that subscriber's epoch (draft-boucadair-pcp-failure 3.2).
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 7600 --nonce $N1 --lifetime 600)
want eq "$(jq -r .result <<<"$r")" 0
for i in $(seq 100); do cat "$tmp/lib/state" "$tmp/lib/state.journal" 2>/dev/null | grep -q "^map 17 $H1 7600 " && break; sleep 0.1; done
cat "$tmp/lib/state" "$tmp/lib/state.journal" >"$tmp/stored" 2>/dev/null
want has "$tmp/stored" "^map 17 $H1 7600 "
eb=$(epoch_of "$(pcpc "$C1" announce "$GW")")
want ge "$eb" 5
awk 'BEGIN { for (i = 0; i < 2000; i++)
	printf "map add proto udp int 10.0.1.50:%d\n", 20000 + i }' >"$tmp/burst"
kill -STOP "$pcpd_pid"
want pcpctl batch "$tmp/burst" >/dev/null
t0=$(date +%s)
want pcpctl flush subscriber "$H1"
kill -CONT "$pcpd_pid"
sleep 1
e=$(epoch_of "$(pcpc "$C1" announce "$GW")")
want le "$e" $(($(date +%s) - t0 + 1))
want has "$tmp/pcpd.log" "events lost"
pcpctl flush subscriber 10.0.1.50 >/dev/null
ok "events lost: pcpd finds the subscriber flush again, its epoch restarts ($eb -> $e)"

# --- 11. only the internal side is served ------------------------------------
# An external host that routes to the internal address reaches the router;
# pcpd must not hear it (RFC 6887 13.1: THIRD_PARTY trusts the inside).
in_ns "$S" ip route add 10.0.1.0/24 via "$EXT"
pcpc "$S" announce "$GW" --timeout 2 >/dev/null
want not grep -q "$SRV:[0-9]*: PCP" "$tmp/pcpd.log"
want eq "$(jq -r .result <<<"$(pcpc "$C1" announce "$GW")")" 0
ok "a request from the external side is not heard"

# --- 12. [nat] ext_dev = none takes the external device away ----------------
# As `pcpctl config set ext-dev none` does; the module had r-ext until now.
cp "$tmp/pcpd.conf" "$tmp/pcpd.conf.orig"
printf '\n[nat]\next_dev = none\n' >>"$tmp/pcpd.conf"
want eq "$(pcpctl config --json | jq -r .ext_dev)" r-ext
kill -HUP "$pcpd_pid"
for i in $(seq 50); do
	[ "$(pcpctl config --json | jq -r .ext_dev)" = null ] && break
	sleep 0.1
done
want eq "$(pcpctl config --json | jq -r .ext_dev)" null
want not grep -q "no such interface" "$tmp/pcpd.log"
cp "$tmp/pcpd.conf.orig" "$tmp/pcpd.conf"
pcpctl config set ext-dev r-ext
ok "pcpd.conf [nat] ext_dev = none: no external device, as pcpctl's none"

want stop_pcpd
want has "$tmp/pcpd.log" "exiting, mappings stay"
ok "SIGTERM: clean exit"

if [ "${KSFT_VERBOSE:-0}" != 0 ]; then
	while read -r l; do ktap_print_msg "$l"; done <"$tmp/pcpd.log"
fi
ktap_finished
