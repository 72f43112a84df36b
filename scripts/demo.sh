#!/bin/bash
# make demo: pcpnat at work in a small network, narrated for a person.
# Runs as root inside the VM (scripts/vm/run.sh sets PCPNAT_KO, KSFT_DIR
# and PATH). Every step shows the real command and its real output, and
# checks that it did what the heading says: the demo exits non-zero as soon
# as one does not. The network is the selftests' one (selftests/lib.sh)
# with a single internal host:
#
#   home 10.0.1.2 -- br-int 10.0.1.1 [router] r-ext 198.51.100.1 -- internet 198.51.100.2
set -uo pipefail
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
cd "$top"

# Bare names on PATH, so the commands shown are exactly the ones run.
export PATH=$PCPNAT_HOST:$PCPNAT_SELFTESTS:$PATH
PROBE=udp_tcp_probe PCPCTL=pcpctl PCPD=pcpd
source "$top/selftests/lib.sh"
R=router C1=home C2= S=internet

for p in pcpctl pcpd udp_tcp_probe natpmpc jq; do
	command -v "$p" >/dev/null ||
		{ echo "demo: $p not found (make userspace selftests-bin)" >&2; exit 1; }
done

# A failure after pcpd started also shows what pcpd said last.
fail() {
	echo "demo: FAILED: $*" >&2
	[ -s "$tmp/pcpd.log" ] && tail -n 20 "$tmp/pcpd.log" | sed 's/^/demo: pcpd: /' >&2
	[ -n "${R:-}" ] && { pcpctl show; pcpctl stats; } 2>&1 | sed 's/^/demo: pcpnat: /' >&2
	exit 1
}
step() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
# show NS CMD: print CMD at NS's prompt, run it there (vm: the VM itself),
# print its output; keep the output in $tmp/out; fail when CMD does.
show() {
	local ns=$1 rc
	printf '%s# %s\n' "$ns" "$2"
	if [ "$ns" = vm ]; then bash -c "$2"; else in_ns "$ns" bash -c "$2"; fi >"$tmp/out" 2>&1
	rc=$?
	sed 's/^/    /' "$tmp/out"
	[ "$rc" = 0 ] || fail "'$2' exited with status $rc"
}
# bg NAME NS CMD: CMD in the background at NS; its output in $tmp/NAME.
bg() {
	printf '%s# %s &\n' "$2" "$3"
	in_ns "$2" bash -c "exec $3" >"$tmp/$1" 2>&1 &
	pids+=($!)
}
# expect FILE REGEX WHAT: fail unless FILE has a line matching REGEX.
expect() { grep -Eq -- "$2" "$1" || fail "$3 (expected /$2/ in: $(tr '\n' '|' <"$1"))"; }
# told NAME WHO: a background server's output, once it has ended.
told() {
	reap || fail "the server at $2 did not finish"
	grep -v '^listening$' "$tmp/$1" | sed "s/^/    [$2] /"
}

step "Load pcpnat.ko into $(uname -r)"
show vm "modinfo -F depends $PCPNAT_KO"
for d in $(tr , ' ' <"$tmp/out"); do show vm "modprobe $d"; done
show vm "insmod $PCPNAT_KO"
show vm "pcpctl version"

step "A home network behind a router, and the internet"
topo_setup >"$tmp/setup" 2>&1 || fail "topology: $(cat "$tmp/setup")"
note "home 10.0.1.2 -- 10.0.1.1 [router] 198.51.100.1 -- internet 198.51.100.2"
show router "ip -4 -br addr show"
note "the internet host has no route back to 10.0.1.0/24:"
show internet "ip route"

step "Configure pcpnat: translate 10.0.1.0/24 to $EXT on r-ext"
show router "pcpctl config set pool $EXT/32 internal 10.0.1.0/24 ext-dev r-ext"
show router "pcpctl config"
expect "$tmp/out" "$EXT/32" "the pool is not in the configuration"

step "Home talks to the internet (each server prints the source it saw)"
bg udp internet "udp_tcp_probe udp-server 5000 -n 1 -t 60"
bound "$S" u 5000 || fail "the UDP server did not start"
show home "udp_tcp_probe udp-client $SRV:5000"
expect "$tmp/out" "reply from $SRV:5000" "no UDP reply"
told udp internet
expect "$tmp/udp" "from $EXT:" "the internet host did not see $EXT"
bg tcp internet "udp_tcp_probe tcp-server 5001 -t 60"
bound "$S" t 5001 || fail "the TCP server did not start"
show home "udp_tcp_probe tcp-client $SRV:5001"
expect "$tmp/out" "reply from $SRV:5001" "no TCP reply"
told tcp internet
expect "$tmp/tcp" "from $EXT:" "the internet host did not see $EXT"
bg ping internet "udp_tcp_probe ping-listen -t 60"
for i in $(seq 100); do grep -q listening "$tmp/ping" && break; sleep 0.1; done
show home "udp_tcp_probe ping $SRV -i 77"
expect "$tmp/out" "echo reply from $SRV id 77" "no echo reply"
told ping internet
expect "$tmp/ping" "echo request from $EXT id" "the internet host did not see $EXT"

step "The mappings that traffic made (implicit)"
show router "pcpctl show"
n=$(pcpctl show kind implicit --json | jq length)
[ "$n" -ge 3 ] || fail "expected 3 implicit mappings, have $n"

step "Start pcpd on the router"
note "etc/pcpd.conf, with the state file in /tmp and no [nat] (pcpnat is set up):"
# pcpd leaves root for nobody once its socket is bound; $tmp/lib is made
# its own, and the configuration stays readable for SIGHUP.
chmod 711 "$tmp"
sed -e "s|^state_file = .*|state_file = $tmp/lib/state|" -e '/^\[nat\]/,$d' \
	etc/pcpd.conf >"$tmp/pcpd.conf"
show router "pcpd -n -c $tmp/pcpd.conf && grep -E '^(listen|natpmp|state_file) ' $tmp/pcpd.conf"
printf 'router# pcpd -d -v -c %s &\n' "$tmp/pcpd.conf"
start_pcpd || fail "pcpd does not listen on $GW:5351: $(tail -n 5 "$tmp/pcpd.log")"
show router "ss -Hlnu sport = :5351"

step "NAT-PMP: a web server at home asks for a public TCP port"
cat >"$tmp/greet.py" <<'PY'
# greet.py server PORT | client ADDR:PORT  (the demo's TCP ends)
import socket, sys
if sys.argv[1] == "server":
    s = socket.create_server(("", int(sys.argv[2])))
    c, peer = s.accept()
    me = c.getsockname()
    c.sendall(("hello %s:%d, this is the web server at home %s:%d\n"
               % (*peer, *me)).encode())
    print("served %s:%d" % peer)
else:
    a, p = sys.argv[2].rsplit(":", 1)
    line = socket.create_connection((a, int(p)), timeout=10).makefile().readline()
    print(line, end="")
    sys.exit(0 if line else 1)
PY
bg web home "python3 $tmp/greet.py server 8080"
bound "$C1" t 8080 || fail "the web server did not start"
show home "natpmpc -g $GW -a 8080 8080 tcp 3600 | grep -E 'Public IP|Mapped public port'"
tport=$(sed -n 's/.*Mapped public port \([0-9]*\) protocol TCP.*/\1/p' "$tmp/out")
[ -n "$tport" ] || fail "natpmpc got no TCP port"
note "the internet host connects to $EXT:$tport:"
show internet "python3 $tmp/greet.py client $EXT:$tport"
expect "$tmp/out" "^hello $SRV:[0-9]+, this is the web server at home $H1:8080" \
	"the greeting did not arrive"
told web home

step "PCP: a game at home maps a UDP port with a MAP request"
bg game home "udp_tcp_probe udp-server 7000 -n 1 -t 60"
bound "$C1" u 7000 || fail "the UDP server at home did not start"
show home "python3 selftests/pcp_client.py map $GW --proto udp --int-port 7000 --lifetime 600 | jq -c '{result, ext_addr, ext_port, lifetime}'"
uport=$(jq -r 'select(.result == 0) | .ext_port' "$tmp/out")
[ -n "$uport" ] || fail "the PCP MAP request did not succeed"
show internet "udp_tcp_probe udp-client $EXT:$uport"
expect "$tmp/out" "reply from $EXT:$uport" "no reply through the PCP mapping"
told game home
expect "$tmp/game" "from $SRV:" "the game at home did not see the internet host"

step "The table now: implicit and explicit mappings"
show router "pcpctl show"
show router "pcpctl show kind explicit --json | jq -c '.[] | {proto, int_port, ext_port, kind, lifetime, nonce}'"
[ "$(wc -l <"$tmp/out")" = 2 ] || fail "expected the 2 explicit mappings pcpd made"

step "Counters"
show router "pcpctl stats | grep -v ' 0$'"
expect "$tmp/out" "^pkts_in +[1-9]" "no inbound packet counted"

step "Unload with mappings live"
stop_pcpd || fail "pcpd did not exit cleanly"
note "pcpd stopped ($(grep -o 'exiting.*' "$tmp/pcpd.log" | tail -n 1))"
n=$(pcpctl show --json | jq length)
note "$n mappings in the table"
show vm "rmmod pcpnat && ! grep -w pcpnat /proc/modules"
printf '\ndemo: every step did what it said.\n'
