#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Recovery from failures (draft-boucadair-pcp-failure-06) against
# pcpd and pcpnat.ko over real sockets: GET/NEXT walks (App. B), a client
# that lost its nonces (2.3), a host whose address changed (2.4) and a cold
# standby taking over (3.4). The PCP client, pcp_client.py, decodes GET and
# NEXT from the draft on its own, so it checks pcpd's codec too.
#
#   c1 10.0.1.2 --+
#                 +-- br-int 10.0.1.1 [router R: pcpnat + pcpd] r-ext 198.51.100.1 -- S
#   c2 10.0.1.3 --+
#   [standby R2: br-int 10.0.1.1, no state] gets c1's link in the last case
#
# The topology and the helpers (want, ok, start_pcpd ...): lib.sh.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
# The client, quoted where it runs: the tree's path may have spaces.
PCPC=$here/pcp_client.py
source "$here/lib.sh"
topo_names pcprec
R2=pcprec-r2-$$
bound_tries=100
trap 'ip netns del "$R2" 2>/dev/null; cleanup' EXIT

ktap_print_header
ktap_set_plan 9
ktap_need "$PCPCTL" "$PCPD"

# One long-lived pcp_client.py per client namespace (its serve mode): a
# Python start costs seconds under TCG. pcpc NS ARGS... prints its reply.
declare -A cw cr
client_start() {
	local ns=$1 f=$tmp/cl-$1 w r
	mkfifo "$f.in" "$f.out" || return 1
	ip netns exec "$ns" python3 "$PCPC" serve <"$f.in" >"$f.out" 2>>"$tmp/client.err" &
	pids+=($!)
	exec {w}>"$f.in" {r}<"$f.out"
	cw[$ns]=$w
	cr[$ns]=$r
}
pcpc() {
	local ns=$1 l
	shift
	echo "$*" >&"${cw[$ns]}"
	read -r -t 300 -u "${cr[$ns]}" l
	printf '%s\n' "$l"
}
# Each case's end time with KSFT_VERBOSE: the whole test stays well
# under 90 s under TCG.
done_() {
	ok "$1"
	[ "${KSFT_VERBOSE:-0}" = 0 ] || ktap_print_msg "at ${SECONDS}s"
}
ne() { [ "$1" != "$2" ] || { ktap_print_msg "'$1' = '$2'"; false; }; }
# jq over a file, raw output.
q() { jq -r "$2" "$1"; }
# No problem found by the client in any response of a GET result file.
clean() { eq "$(q "$1" '[.responses[].bad // [] | .[]] | join("; ")')" ""; }

N=1000
P0=5000
# H1's nonces are recognisable anywhere in a datagram: a1 x8, then the port.
# Into $nonce, without a fork: a fork costs under TCG, and there are 1,000.
h1_nonce() { printf -v nonce 'a1a1a1a1a1a1a1a1%08x' "$1"; }

setup() {
	topo_setup || return 1
	pcpctl config set pool "$EXT/32" internal 10.0.1.0/24 ext-dev r-ext
	client_start "$C1" && client_start "$C2"
}

# third_party is set so that THIRD_PARTY is understood, and refused to
# anyone but a NOC that does not exist here.
cat >"$tmp/pcpd.conf" <<CONF
[pcpd]
listen = $GW
nonce = relaxed
lifetime_min = 60
third_party = 10.0.1.250/32
state_file = none
user = nobody
CONF
# pcpd, as nobody, reads its configuration again on SIGHUP.
chmod 711 "$tmp"

ktap_setup setup
start_pcpd || ktap_exit_fail_msg "pcpd did not start"

# --- 1. a walk over 1,000 mappings --------------------------------------------
for ((p = P0; p < P0 + N; p++)); do
	h1_nonce $p
	echo "map add proto udp int $H1:$p lifetime 3600 nonce $nonce"
done >"$tmp/batch"
want pcpctl batch - <"$tmp/batch" >/dev/null
pcpctl show subscriber "$H1" --json | jq -r '.[] | "\(.int_port) \(.ext_port) \(.nonce)"' |
	sort -n >"$tmp/table"
want eq "$(wc -l <"$tmp/table")" "$N"

pcpc "$C1" get "$GW" --walk >"$tmp/w1"
pcpc "$C1" get "$GW" --walk >"$tmp/w2"
# What a walk's result says, in one jq run (each costs under TCG): complete,
# problems, mappings, distinct ones, ones not H1's/UDP/EXT/lifetime in
# range, responses, non-last ones with room for one more 60-octet NEXT,
# non-last NEXT marked END, the last mark, NEXTs in the first, repeats.
walk_sum() {
	jq -r --arg h "$H1" --arg e "$EXT" '[.complete,
		([.responses[].bad // [] | .[]] | join("; ") | if . == "" then "-" else . end),
		(.mappings | length),
		([.mappings[] | [.protocol, .int_port]] | unique | length),
		([.mappings[] | select(.protocol != 17 or .int_addr != $h or
			.ext_addr != $e or .lifetime < 1 or .lifetime > 3600)] | length),
		(.responses | length),
		([.responses[:-1][] | select(.room >= 60)] | length),
		([.responses[].marks[]] | .[:-1] | map(select(. != 0)) | length),
		.responses[-1].marks[-1], .responses[0].nexts, .repeats, .t0, .t1] | @tsv' "$1"
}
for w in w1 w2; do
	IFS=$'\t' read -r complete bad n uniq odd pages full early last first reps t0 t1 \
		< <(walk_sum "$tmp/$w")
	want eq "$complete $bad $n $uniq $odd" "true - $N $N 0"
done
# Each mapping, with the nonce (relaxed mode, its own subscriber).
jq -r '.mappings[] | "\(.int_port) \(.ext_port) \(.nonce)"' "$tmp/w1" | sort -n >"$tmp/got"
want cmp -s "$tmp/table" "$tmp/got"
# Stable order (B.3): the second walk lists them in the same order.
order='[.mappings[] | [.protocol, .int_port, .ext_port]]'
want eq "$(jq -c "$order" "$tmp/w1" | md5sum)" "$(jq -c "$order" "$tmp/w2" | md5sum)"
done_ "GET/NEXT walk over $N mappings: each exactly once, with its nonce, same order twice"

# B.6: MORE packs as many as fit in 1100 octets (a NEXT here is 60), the
# last NEXT of the walk is END and no other is. A MORE page after the first
# starts with its Locator again (B.6), which the client drops.
want ge "$pages" $((N / 17))
want eq "$full $early $last $first $reps" "0 0 1 17 $((pages - 1))"
done_ "GET MORE: $pages responses of at most 1100 octets, full but the last, END on the last mapping"

# --- 2. the same walk while the table changes ---------------------------------
# Every tenth mapping goes, 100 new ones come, in 10 steps during the walk.
for ((i = 0; i < 10; i++)); do
	for ((k = 0; k < 10; k++)); do
		p=$((P0 + (i * 10 + k) * 10))
		echo "map del proto udp int $H1:$p force"
		p=$((7000 + i * 10 + k))
		h1_nonce $p
		echo "map add proto udp int $H1:$p lifetime 3600 nonce $nonce"
	done >"$tmp/churn$i"
done
pcpc "$C1" get "$GW" --walk --delay 0.05 >"$tmp/w3" &
walker=$!
sleep 0.5
for ((i = 0; i < 10; i++)); do
	pcpctl batch - <"$tmp/churn$i" >/dev/null || echo "churn $i failed" >>"$tmp/churn.err"
	echo "$EPOCHREALTIME" >>"$tmp/churn.t"
	sleep 0.2
done
wait $walker
want not [ -s "$tmp/churn.err" ]
IFS=$'\t' read -r complete bad n uniq odd pages full early last first reps t0 t1 \
	< <(walk_sum "$tmp/w3")
want eq "$complete $bad" "true -"
# The churn really happened during the walk.
want ge "$(awk -v a="$t0" -v b="$t1" '$1 > a && $1 < b' "$tmp/churn.t" | wc -l)" 3
q "$tmp/w3" '.mappings[] | .int_port' | sort -n >"$tmp/w3ports"
want eq "$(sort -n "$tmp/w3ports" | uniq -d | wc -l)" 0
# Those there for the whole walk: all of them; the others only if ever there.
seq $P0 $((P0 + N - 1)) | awk '($1 - 5000) % 10 != 0' >"$tmp/stable"
want eq "$(comm -23 "$tmp/stable" "$tmp/w3ports" | wc -l)" 0
want eq "$(awk '!(($1 >= 5000 && $1 < 6000) || ($1 >= 7000 && $1 < 7100))' "$tmp/w3ports" | wc -l)" 0
done_ "GET walk while 100 mappings go and 100 come: the $((N - 100)) that stay appear exactly once"

# --- 3. filters and wildcards --------------------------------------------------
h1_nonce 5005
pcpctl map add proto tcp int "$H1:5005" lifetime 3600 nonce "$nonce" \
	filter "$SRV/32:9000" descr webcam >/dev/null
h1_nonce 5006
pcpctl map add proto tcp int "$H1:5006" lifetime 3600 nonce "$nonce" >/dev/null
x5007=$(pcpctl map get proto udp int "$H1:5007" --json | jq -r .ext_port)

pcpc "$C1" get "$GW" --proto tcp --walk >"$tmp/g"
want clean "$tmp/g"
want eq "$(q "$tmp/g" '[.mappings[] | "\(.protocol):\(.int_port)"] | sort | join(",")')" "6:5005,6:5006"
pcpc "$C1" get "$GW" --proto udp --int-port 5005 >"$tmp/g"
want clean "$tmp/g"
want eq "$(q "$tmp/g" '[.mappings[] | "\(.protocol):\(.int_port)"] | join(",")')" "17:5005"
want eq "$(q "$tmp/g" '.responses[0].marks | join(",")')" 1
pcpc "$C1" get "$GW" --proto udp --ext-port "$x5007" >"$tmp/g"
want eq "$(q "$tmp/g" '[.mappings[] | "\(.int_port):\(.ext_port)"] | join(",")')" "5007:$x5007"
pcpc "$C1" get "$GW" --proto tcp --ext-addr "$EXT" --int-addr "$H1" --walk >"$tmp/g"
want eq "$(q "$tmp/g" '.mappings | length')" 2
# Any protocol but a defined port is not sound (B.1): malformed.
pcpc "$C1" get "$GW" --int-port 5005 >"$tmp/g"
want eq "$(q "$tmp/g" '"\(.result) \(.responses[0].nexts)"')" "3 0"
# GET without NEXT (B.5): "is there anything?" - yes, and no NEXT back.
pcpc "$C1" get "$GW" --next none >"$tmp/g"
want eq "$(q "$tmp/g" '"\(.result) \(.responses[0].nexts)"')" "0 0"
# END with an Undefined Locator: the first of the list, marked MORE (B.6).
pcpc "$C1" get "$GW" --next end >"$tmp/g"
want eq "$(q "$tmp/g" '"\(.result) \(.responses[0].nexts) \(.responses[0].marks[0])"')" "0 1 0"
# END with a Defined Locator: that mapping first, END when it is the last.
pcpc "$C1" get "$GW" --proto tcp --walk >"$tmp/g"
for i in 0 1; do
	l=$(q "$tmp/g" ".mappings[$i] | \"\(.protocol):\(.int_addr):\(.int_port):\(.ext_addr):\(.ext_port)\"")
	pcpc "$C1" get "$GW" --proto tcp --next end --locator "$l" >"$tmp/e"
	want eq "$(q "$tmp/e" '.repeats')" 1
	want eq "$(q "$tmp/e" '.responses[0].marks | join(",")')" "$i"
done
# The options asked for in the Locator come embedded (B.4, B.6).
pcpc "$C1" get "$GW" --proto tcp --int-port 5005 --next end --want 3,128 >"$tmp/g"
want clean "$tmp/g"
want eq "$(q "$tmp/g" '.mappings[0].options.description[0]')" webcam
want eq "$(q "$tmp/g" '.mappings[0].options.filter[0] | "\(.addr)/\(.plen):\(.port)"')" "$SRV/32:9000"
want eq "$(q "$tmp/g" '.mappings[1].options // {} | length')" 0
done_ "GET filters: protocol, internal and external port and address, wildcards, END and MORE Locators, embedded options"

for f in "--proto tcp --int-port 5999" "--proto udp --ext-port 1" \
	"--ext-addr 198.51.100.9" "--proto icmp"; do
	pcpc "$C1" get "$GW" $f --walk >"$tmp/g"
	want eq "$(q "$tmp/g" '"\(.result) \(.responses[0].nexts) \(.responses[0].len)"')" "130 0 64"
	want clean "$tmp/g"
done
done_ "GET: NONEXIST_MAP, without NEXT, when nothing matches the filter"

# --- 4. subscriber isolation ---------------------------------------------------
N2=c2c2c2c2c2c2c2c2c2c2c2c2
for p in 5000 5001; do
	r=$(pcpc "$C2" map "$GW" --proto udp --int-port $p --nonce $N2)
	want eq "$(jq -r .result <<<"$r")" 0
done
pcpc "$C2" get "$GW" --walk --raw >"$tmp/g"
want clean "$tmp/g"
want eq "$(q "$tmp/g" '[.mappings[] | "\(.int_addr):\(.int_port):\(.nonce)"] | sort | join(",")')" \
	"$H2:5000:$N2,$H2:5001:$N2"
pcpc "$C2" get "$GW" --int-addr "$H1" --raw >"$tmp/g2"
want eq "$(q "$tmp/g2" .result)" 130
# Not on the allow-list: NOT_AUTHORIZED, the request copied back (RFC
# 6887 7.2), so nothing but C2's own bytes.
pcpc "$C2" get "$GW" --third-party "$H1" --raw >"$tmp/g3"
want eq "$(q "$tmp/g3" '"\(.result) \(.responses[0].echo) \(.mappings | length)"')" "2 true 0"
# Not a byte of H1's nonces reached C2, nor its address but in the copies
# of C2's own requests.
want eq "$(cat "$tmp/g" "$tmp/g2" "$tmp/g3" | jq -r '.responses[].raw // ""' |
	grep -c a1a1a1a1)" 0
want eq "$(jq -r '.responses[].raw' "$tmp/g" | grep -c ffff0a000102)" 0
pcpc "$C1" get "$GW" --int-addr "$H2" >"$tmp/g"
want eq "$(q "$tmp/g" .result)" 130
done_ "subscriber isolation: $H2 sees its own 2 mappings only, never $H1's nor its nonces"

# --- 5. the PCP client crashed and forgot its nonces --------------------------
# (draft-boucadair-pcp-failure 2.3)
pcpctl flush subscriber "$H1" >/dev/null
declare -A nonces port
for p in 6100 6101 6102; do
	r=$(pcpc "$C1" map "$GW" --proto udp --int-port $p --lifetime 120)
	want eq "$(jq -r .result <<<"$r")" 0
	nonces[$p]=$(jq -r .nonce <<<"$r")
	port[$p]=$(jq -r .ext_port <<<"$r")
done
# The crash: the client restarts with nothing but its internal ports.
pcpc "$C1" get "$GW" --walk >"$tmp/g"
want clean "$tmp/g"
want eq "$(q "$tmp/g" '.mappings | length')" 3
for p in 6100 6101 6102; do
	want eq "$(q "$tmp/g" ".mappings[] | select(.int_port == $p) | \"\(.nonce) \(.ext_port)\"")" \
		"${nonces[$p]} ${port[$p]}"
done
# Without the nonce a refresh does nothing (relaxed: SUCCESS, unchanged) ...
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6100 --lifetime 3000)
want eq "$(jq -r .result <<<"$r")" 0
want le "$(pcpctl map get proto udp int "$H1:6100" --json | jq -r .lifetime)" 120
# ... with the recovered one it refreshes, and a delete deletes.
rec=$(q "$tmp/g" '.mappings[] | select(.int_port == 6100) | .nonce')
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6100 --lifetime 3000 --nonce "$rec")
want eq "$(jq -r '"\(.result) \(.ext_port)"' <<<"$r")" "0 ${port[6100]}"
want ge "$(jq -r .lifetime <<<"$r")" 2900
m=$(pcpctl map get proto udp int "$H1:6100" --json)
want ge "$(jq -r .lifetime <<<"$m")" 2900
want eq "$(jq -r .nonce <<<"$m")" "${nonces[6100]}"
rec=$(q "$tmp/g" '.mappings[] | select(.int_port == 6101) | .nonce')
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6101 --lifetime 0 --nonce "$rec")
want eq "$(jq -r .result <<<"$r")" 0
want eq "$(pcpctl show proto udp int "$H1:6101" --json | jq -r length)" 0
done_ "client crash: GET recovers its mappings and nonces, the recovered nonce refreshes and deletes"

# --- 6. the host's internal address changes (draft-boucadair-pcp-failure 2.4) -
H1b=10.0.1.12
want pcpctl config set quota 3
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6200)
want eq "$(jq -r .result <<<"$r")" 0
old=$(jq -r .ext_port <<<"$r")
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6201)
want eq "$(jq -r .result <<<"$r")" 10
# C1 moves to a new address and re-creates its mapping, asking for its old
# external port: held by the stale mapping, another one is given.
readdr() {
	in_ns "$1" ip addr del "$2/24" dev eth0
	in_ns "$1" ip addr add "$3/24" dev eth0
	in_ns "$1" ip route replace default via "$GW"
	in_ns "$R" ip neigh flush dev br-int
}
want readdr "$C1" "$H1" "$H1b"
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6200 --ext-port "$old")
want eq "$(jq -r .result <<<"$r")" 0
want ne "$(jq -r .ext_port <<<"$r")" "$old"
want eq "$(pcpctl show subscriber "$H1" --json | jq -r length)" 3
# The old address goes to C2: the stale mappings eat its quota ...
want readdr "$C2" "$H2" "$H1"
r=$(pcpc "$C2" map "$GW" --proto udp --int-port 6300)
want eq "$(jq -r .result <<<"$r")" 10
# ... until the operator clears them; C1's mapping at its new address stays.
want pcpctl flush subscriber "$H1"
want eq "$(pcpctl show subscriber "$H1" --json | jq -r length)" 0
want eq "$(pcpctl show subscriber "$H1b" --json | jq -r length)" 1
for p in 6300 6301 6302; do
	r=$(pcpc "$C2" map "$GW" --proto udp --int-port $p)
	want eq "$(jq -r .result <<<"$r")" 0
done
r=$(pcpc "$C2" map "$GW" --proto udp --int-port 6303)
want eq "$(jq -r .result <<<"$r")" 10
want pcpctl config set quota 0
done_ "internal address change: stale mappings keep the old port and the quota until pcpctl flush SUBSCRIBER"

# --- 7. cold standby without state redundancy ---------------------------------
# (draft-boucadair-pcp-failure 3.4)
# The primary has counted for a while; the standby is configured afresh.
for i in $(seq 30); do
	e1=$(pcpc "$C1" announce "$GW" | jq -r .epoch)
	[ "$e1" -ge 10 ] 2>/dev/null && break
	sleep 1
done
cat >"$tmp/standby.conf" <<CONF
[pcpd]
listen = $GW
nonce = relaxed
lifetime_min = 60
state_file = none
user = nobody

[nat]
pool = $EXT/32
internal = 10.0.1.0/24
ext_dev = r-ext
CONF
takeover() {
	ip netns add "$R2" || return 1
	in_ns "$R2" ip link set lo up
	in_ns "$R2" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$R2" ip link add r-ext type dummy
	in_ns "$R2" ip addr add "$EXT/24" dev r-ext
	in_ns "$R2" ip link set r-ext up
	in_ns "$R2" ip link add br-int type bridge
	in_ns "$R2" ip addr add "$GW/24" dev br-int
	in_ns "$R2" ip link set br-int up
	# The primary dies; C1's link now ends on the standby.
	stop_pcpd || return 1
	in_ns "$R" ip link set p1 netns "$R2" || return 1
	in_ns "$R2" ip link set p1 master br-int up
	in_ns "$C1" ip neigh flush dev eth0
	ip netns exec "$R2" "$PCPD" -d -v -c "$tmp/standby.conf" >>"$tmp/standby.log" 2>&1 &
	pids+=($!)
	bound "$R2" u 5351
}
t0=$(date +%s)
want takeover
e2=$(pcpc "$C1" announce "$GW" | jq -r .epoch)
want ge "$e1" 10
# The standby counts from its start: at most the seconds the takeover took.
want le "$e2" $(($(date +%s) - t0 + 1))
# Nothing was synchronised: GET finds nothing; the client re-creates.
pcpc "$C1" get "$GW" >"$tmp/g"
want eq "$(q "$tmp/g" .result)" 130
r=$(pcpc "$C1" map "$GW" --proto udp --int-port 6200)
want eq "$(jq -r .result <<<"$r")" 0
want eq "$(in_ns "$R2" "$PCPCTL" show subscriber "$H1b" --json | jq -r length)" 1
pcpc "$C1" get "$GW" --walk >"$tmp/g"
want eq "$(q "$tmp/g" '[.mappings[] | .int_port] | join(",")')" 6200
done_ "cold standby: a fresh instance answers with epoch $e2 (primary was at $e1), empty, and takes new mappings"

if [ "${KSFT_VERBOSE:-0}" != 0 ]; then
	while read -r l; do ktap_print_msg "$l"; done <"$tmp/pcpd.log"
fi
ktap_finished
