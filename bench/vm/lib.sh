# shellcheck shell=bash
# Shared pieces of the in-VM benchmark: the namespace topology, pktgen
# driving, CPU accounting and result output. Sourced by bench/vm/*.sh.
#
# Topology, one set per arm so that arms can be interleaved without
# rebuilding anything (a namespace deleted in the middle of a run would
# have its cleanup work steal the only vCPU from the next measurement):
#
#   ns bgen                 ns brt_<arm>                        ns bsk_<arm>
#   g_<arm> ----------- r0: 10.255.255.1/8      r1: 203.0.113.1/24 ---- s0: 203.0.113.2/24
#   (pktgen, no address)    (the router, DUT)   + pool 198.51.100.1     (sink: tc ingress drop)
#
# pktgen sends 64-byte frames (60 bytes + FCS) of UDP from 10.0.0.0/8
# sources to 203.0.113.2:9; the sink drops them at ingress (tc matchall),
# before IP, so nothing answers and the sink costs the same in every arm.

BENCH_GEN=bgen
SRV_ADDR=203.0.113.2
RT_EXT=203.0.113.1
RT_INT=10.255.255.1
POOL_ADDR=198.51.100.1

log() {
	printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2
	[ -z "${BENCH_OUT:-}" ] || printf '[bench %s] %s\n' "$(date +%T)" "$*" >>"$BENCH_OUT/progress.log"
}
die() { log "FATAL: $*"; exit 1; }

# Offloads off on a veth (pktgen computes the UDP checksum in software,
# no GSO/GRO batching hides per-packet cost). Checked afterwards: an
# offload left on (ethtool missing, a feature it could not change) would
# let the arms skip the checksum work they are measured doing.
offloads_off() {
	local ns=$1 dev=$2 on
	ip netns exec "$ns" ethtool -K "$dev" tx off rx off tso off gso off \
		gro off sg off >/dev/null ||
		die "ethtool -K $dev in $ns failed: offloads would stay on"
	on=$(ip netns exec "$ns" ethtool -k "$dev" |
		awk -F': ' '/^(tx-checksumming|rx-checksumming|scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):/ && $2 ~ /^on/ { printf " %s", $1 }') ||
		die "ethtool -k $dev in $ns failed"
	[ -z "$on" ] || die "offloads still on for $dev in $ns:$on"
}

# No IPv6 autoconfiguration chatter: the sink counts forwarded packets.
no_ipv6() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 ||
		die "IPv6 could not be turned off in $1"
}

mac_of() { ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# topo_arm ARM: the generator link, the router and the sink for one arm.
topo_arm() {
	local a=$1 rt=brt_$1 sk=bsk_$1
	ip netns list | grep -qw "$BENCH_GEN" || {
		ip netns add "$BENCH_GEN"
		no_ipv6 "$BENCH_GEN"
		ip -n "$BENCH_GEN" link set lo up
	}
	ip netns add "$rt"
	ip netns add "$sk"
	no_ipv6 "$rt"
	no_ipv6 "$sk"
	ip -n "$rt" link set lo up
	ip -n "$sk" link set lo up
	ip link add "g_$a" netns "$BENCH_GEN" type veth peer name r0 netns "$rt"
	ip link add r1 netns "$rt" type veth peer name s0 netns "$sk"
	for x in "$BENCH_GEN:g_$a" "$rt:r0" "$rt:r1" "$sk:s0"; do
		offloads_off "${x%%:*}" "${x#*:}"
		ip -n "${x%%:*}" link set "${x#*:}" up
	done
	ip -n "$rt" addr add "$RT_INT/8" dev r0
	ip -n "$rt" addr add "$RT_EXT/24" dev r1
	ip -n "$rt" addr add "$POOL_ADDR/32" dev r1
	ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.r0.rp_filter=0 net.ipv4.conf.r1.rp_filter=0
	ip -n "$sk" addr add "$SRV_ADDR/24" dev s0
	ip -n "$sk" route add default via "$RT_EXT"
	# No ARP on the measured path.
	ip -n "$rt" neigh replace "$SRV_ADDR" lladdr "$(mac_of "$sk" s0)" dev r1 nud permanent
	ip -n "$sk" neigh replace "$RT_EXT" lladdr "$(mac_of "$rt" r1)" dev s0 nud permanent
	# The sink: drop everything at ingress, before IP.
	tc -n "$sk" qdisc add dev s0 clsact
	tc -n "$sk" filter add dev s0 ingress matchall action drop
}

# topo_baseline: the "G" arm, pktgen into a veth whose peer drops at
# ingress. Its cost is pktgen's own, subtracted from every other arm.
topo_baseline() {
	ip netns list | grep -qw "$BENCH_GEN" || {
		ip netns add "$BENCH_GEN"
		no_ipv6 "$BENCH_GEN"
		ip -n "$BENCH_GEN" link set lo up
	}
	ip netns add brt_G
	no_ipv6 brt_G
	ip link add g_G netns "$BENCH_GEN" type veth peer name r0 netns brt_G
	offloads_off "$BENCH_GEN" g_G
	offloads_off brt_G r0
	ip -n "$BENCH_GEN" link set g_G up
	ip -n brt_G link set r0 up
	tc -n brt_G qdisc add dev r0 clsact
	tc -n brt_G filter add dev r0 ingress matchall action drop
}

topo_del_arm() {
	ip netns del "brt_$1" 2>/dev/null || true
	ip netns del "bsk_$1" 2>/dev/null || true
}

# Namespace teardown runs in a workqueue; on one vCPU it must be over
# before the next measurement starts.
settle() {
	local i
	for i in $(seq 1 50); do
		[ "$(ip netns list | wc -l)" -ge 0 ] || break
		# kworkers of cleanup_net show as runnable: wait for an idle CPU.
		if awk '{ exit !($1 < 0.3) }' /proc/loadavg; then break; fi
		sleep 0.2
	done
	sleep "${1:-1}"
}

# --- pktgen ----------------------------------------------------------------

PGPID=
# A process parked in the generator namespace: its /proc/PID/net/pktgen is
# that namespace's pktgen, written with shell builtins (no fork between
# the CPU snapshots and the run).
pg_anchor() {
	[ -n "$PGPID" ] && return
	ip netns exec "$BENCH_GEN" sleep infinity &
	PGPID=$!
	local i
	for i in $(seq 1 100); do
		[ -e "/proc/$PGPID/net/pktgen/pgctrl" ] &&
			[ "$(readlink /proc/$PGPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return
		sleep 0.05
	done
	die "pktgen: no /proc/net/pktgen in $BENCH_GEN"
}

pg() { # pg FILE CMD: one pktgen command in the generator namespace
	pg_anchor
	echo "$2" >"/proc/$PGPID/net/pktgen/$1" ||
		die "pktgen: '$2' > $1 refused"
}

# pg_clear THREAD: no device left on the pktgen thread. rem_device_all
# only flags the thread and waits 125 ms for it; a thread that had not run
# by then would remove the next job's device once added (the next pg
# write to it then fails): wait until its list is empty.
pg_clear() {
	local i
	pg "$1" rem_device_all
	for i in $(seq 1 100); do
		! grep -q '^\(Running\|Stopped\): [^ ]' "/proc/$PGPID/net/pktgen/$1" && return
		sleep 0.05
	done
	die "pktgen: $1 still holds devices: $(tr '\n' ' ' <"/proc/$PGPID/net/pktgen/$1")"
}

# pktgen_setup DEV DSTMAC COUNT SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX [DST]
# Sources walk sequentially (pktgen steps address and port on every
# packet); with coprime range sizes every (address, port) pair comes once
# per lcm(range sizes) packets.
pktgen_setup() {
	local dev=$1 mac=$2 count=$3 smin=$4 smax=$5 pmin=$6 pmax=$7 dst=${8:-$SRV_ADDR}
	pg_clear kpktgend_0
	pg kpktgend_0 "add_device $dev"
	pg "$dev" "count $count"
	pg "$dev" "clone_skb 0"
	pg "$dev" "pkt_size 60"
	pg "$dev" "delay 0"
	pg "$dev" "burst 1"
	pg "$dev" "dst $dst"
	pg "$dev" "dst_mac $mac"
	pg "$dev" "src_min $smin"
	pg "$dev" "src_max $smax"
	pg "$dev" "udp_src_min $pmin"
	pg "$dev" "udp_src_max $pmax"
	pg "$dev" "udp_dst_min 9"
	pg "$dev" "udp_dst_max 9"
	pg "$dev" "flag UDPCSUM"
}

# cpu_delta L1 L2: "softirq busy total" ticks (USER_HZ) between two "cpu "
# lines of /proc/stat.
cpu_delta() {
	local _c u n s i w irq sirq st u2 n2 s2 i2 w2 irq2 sirq2 st2
	read -r _c u n s i w irq sirq st _ <<<"$1"
	read -r _c u2 n2 s2 i2 w2 irq2 sirq2 st2 _ <<<"$2"
	echo $((sirq2 - sirq)) \
		$(((u2 + n2 + s2 + irq2 + sirq2 + st2) - (u + n + s + irq + sirq + st))) \
		$(((u2 + n2 + s2 + i2 + w2 + irq2 + sirq2 + st2) - (u + n + s + i + w + irq + sirq + st)))
}

# pktgen_run DEV: runs the configured job; prints
# "usec packets softirq_ticks busy_ticks total_ticks".
# "start" acts on the pktgen of the writer's namespace, so it is written
# from inside; /proc/stat is read there with builtins around it, so no fork
# lands inside the measured interval.
pktgen_run() {
	local dev=$1 out res usec pkts
	out=$(ip netns exec "$BENCH_GEN" bash -c 'read -r a </proc/stat
		echo start >/proc/net/pktgen/pgctrl
		read -r b </proc/stat; echo "$a"; echo "$b"')
	# "start" returns early when the pktgen thread took longer than its
	# 125 ms grace to pick the job up: then wait for the result, and the
	# CPU split of this run is unknown.
	res=$(<"/proc/$PGPID/net/pktgen/$dev")
	if ! grep -q 'Result: OK: [0-9]' <<<"$res"; then
		while sleep 0.2; do
			res=$(<"/proc/$PGPID/net/pktgen/$dev")
			grep -q 'Result: OK: [0-9]' <<<"$res" && break
			grep -q 'Result: \(Starting\|OK: flags\)' <<<"$res" || break
		done
		out=
	fi
	# "Result: OK: 1234(c1200+d34) usec, 100000 (60byte,0frags)"
	usec=$(sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' <<<"$res")
	pkts=$(sed -n 's/.*Result: OK: [^,]*, \([0-9]*\) (.*/\1/p' <<<"$res")
	if [ -z "$usec" ] || [ -z "$pkts" ]; then
		die "pktgen on $dev: $(grep Result <<<"$res")"
	fi
	if [ -n "$out" ]; then
		echo "$usec $pkts $(cpu_delta "$(sed -n 1p <<<"$out")" "$(sed -n 2p <<<"$out")")"
	else
		echo "$usec $pkts 0 0 0"
	fi
}

pg_stop() { [ -z "$PGPID" ] || kill "$PGPID" 2>/dev/null || true; PGPID=; }

# --- arms -----------------------------------------------------------------

# The stateful firewall every *F arm runs (and A1, A3): one forward chain,
# the same rule for conntrack-NAT and for pcpnat, so that the firewall arms
# differ only by the NAT under it. The counter tells whether the
# flowtable (A3) really takes packets off the slow path.
NFT_FWD='chain fw { type filter hook forward priority 0; policy accept;
	ct state invalid drop
	counter
}
'
# nf_nat without any filter chain: the NAT alone, as pcpnat alone is A4.
# nft_nat_chain TARGET: the postrouting chain, TARGET "masquerade" or
# "snat to ...".
nft_nat_chain() {
	printf 'chain post { type nat hook postrouting priority srcnat; policy accept;
		oifname "r1" %s
	}\n' "$1"
}

# The arms (bench/README.md, "Arms"):
#   G   pktgen alone        A0  forwarding          A1  conntrack + NFT_FWD
#   A2  nft masquerade, no filter chain (conntrack + nf_nat: the NAT alone)
#   A2F A2 + NFT_FWD        A3  A2F + a flowtable on r0, r1
#   A4  pcpnat alone        A4F A4 + NFT_FWD (conntrack then runs beside it)
#   A5  A4 with nf_flow_table loaded (kmod/egress.c's check armed)
arm_setup() { # arm_setup ARM [POOL]: configure the router of ARM
	local a=$1 rt=brt_$1 pool=${2:-$POOL_ADDR/32}
	case $a in
	G | A0) ;;
	A1) nft_load "$rt" "$NFT_FWD" ;;
	A2) nft_load "$rt" "$(nft_nat_chain masquerade)" ;;
	A2F) nft_load "$rt" "$NFT_FWD
$(nft_nat_chain masquerade)" ;;
	A3) nft_load "$rt" "$(nft_flowtable_fwd)
$(nft_nat_chain masquerade)" ;;
	A4 | A5) pcpnat_setup "$rt" "$pool" ;;
	A4F) pcpnat_setup "$rt" "$pool"
		nft_load "$rt" "$NFT_FWD" ;;
	*) die "unknown arm $a" ;;
	esac
}

# The flowtable and the forward chain that offloads into it (NFT_FWD with
# "flow add" first: a UDP flow is offloaded once conntrack has confirmed
# it, i.e. from its second packet on, nft_flow_offload_eval()).
nft_flowtable_fwd() {
	printf '%s\n' 'flowtable ft { hook ingress priority 0; devices = { r0, r1 }; }
		chain fw { type filter hook forward priority 0; policy accept;
			ip protocol { tcp, udp } flow add @ft
			ct state invalid drop
			counter
		}'
}

nft_load() { # nft_load NS BODY: table ip bench { BODY } into NS
	ip netns exec "$1" nft -f - <<<"table ip bench {
$2
}" ||
		die "nft in $1 refused: $2"
}

# max-mappings: the capacity tables_cap set (conntrack's nf_conntrack_max).
pcpnat_setup() { # pcpnat_setup NS POOL [EXTRA pcpctl config words...]
	local ns=$1 pool=$2
	shift 2
	ip netns exec "$ns" "$PCPCTL" config set pool "$pool" internal 10.0.0.0/8 \
		ext-dev r1 filtering eif udp-timeout 3600 quota 0 \
		max-mappings "$TABLE_CAP" "$@" ||
		die "pcpctl config set in $ns failed"
}

# For arms that time conntrack entries out: no expiry during a run. The
# flowtable's own timeout only once nf_flow_table is loaded (the A3 arms).
ct_long_timeouts() {
	ip netns exec "$1" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 \
		net.netfilter.nf_conntrack_udp_timeout_stream=3600 ||
		die "conntrack timeouts in $1 not set"
	[ ! -e /proc/sys/net/netfilter/nf_flowtable_udp_timeout ] ||
		ip netns exec "$1" sysctl -qw net.netfilter.nf_flowtable_udp_timeout=3600 ||
		die "flowtable timeout in $1 not set"
}

# reply_from_sink ARM SPORT: one packet back from the server to the flow
# (sport -> 9), so conntrack sees the reply (ESTABLISHED: the flowtable
# offloads only such flows) and the arms all see the same two-way flow.
reply_from_sink() {
	local a=$1 sport=$2 dst port
	case $a in
	A0 | A1) dst=10.0.0.2 port=$sport ;;
	A2 | A2F | A3) dst=$RT_EXT port=$sport ;;
	A4 | A4F | A5) dst=$POOL_ADDR
		port=$(ip netns exec "brt_$a" "$PCPCTL" map get proto udp int "10.0.0.2:$sport" --json |
			jq -r '.ext_port') || die "no pcpnat mapping for 10.0.0.2:$sport" ;;
	*) return 0 ;;
	esac
	echo r | ip netns exec "bsk_$a" socat -u - "UDP4-SENDTO:$dst:$port,sourceport=9" ||
		die "reply packet in $a failed"
}

# --- results ----------------------------------------------------------------
# One CSV of raw observations; bench/report.sh turns it into the table.
#   phase,arm,param,run,metric,value

emit() { # emit PHASE ARM PARAM RUN METRIC VALUE
	printf '%s,%s,%s,%s,%s,%s\n' "$@" >>"$BENCH_OUT/raw.csv"
}

# emit_pktgen PHASE ARM PARAM RUN "usec pkts sirq busy total"
emit_pktgen() {
	local usec pkts sirq busy
	read -r usec pkts sirq busy _ <<<"$5"
	emit "$1" "$2" "$3" "$4" ns_per_pkt "$(awk -v u="$usec" -v p="$pkts" 'BEGIN { printf "%.1f", u * 1000 / p }')"
	[ "$busy" = 0 ] || emit "$1" "$2" "$3" "$4" softirq_pct \
		"$(awk -v s="$sirq" -v b="$busy" 'BEGIN { printf "%.1f", 100 * s / b }')"
	emit "$1" "$2" "$3" "$4" pkts "$pkts"
}

# Packets the sink of ARM dropped (= packets the router forwarded).
sink_pkts() {
	tc -n "bsk_$1" -s filter show dev s0 ingress |
		sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n 1
}

# flows_split N: "A P" with A*P = N, gcd(A, P) = 1 and P < 60000, the most
# balanced such pair (more addresses on a tie): pktgen stepping address and
# port together then visits each of the N (address, port) pairs once per N
# packets.
flows_split() {
	awk -v n="$1" 'function gcd(a, b) { while (b) { t = b; b = a % b; a = t } return a }
	BEGIN { best = -1
		for (a = 1; a <= n && a <= 65000; a++) {
			if (n % a) continue
			p = n / a
			if (p >= 60000 || gcd(a, p) != 1) continue
			m = a < p ? a : p
			if (m > best || (m == best && a > ba)) { best = m; ba = a; bp = p }
		}
		if (best < 0) exit 1
		print ba, bp }'
}

# addr_plus BASE N: BASE + N as a dotted quad.
addr_plus() {
	awk -v b="$1" -v n="$2" 'BEGIN { split(b, o, "."); v = ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4] + n
		printf "%d.%d.%d.%d\n", int(v / 16777216) % 256, int(v / 65536) % 256, int(v / 256) % 256, v % 256 }'
}

# Slab and free memory, in kB: "slab_kB avail_kB".
mem_snap() {
	awk '/^Slab:/ { s = $2 } /^MemAvailable:/ { a = $2 } END { print s, a }' /proc/meminfo
}

# Entries of the conntrack or pcpnat table of a router namespace.
table_entries() {
	case $1 in
	A4 | A4F | A5) ip netns exec "brt_$1" "$PCPCTL" config --json | jq -r .mappings ;;
	*) ip netns exec "brt_$1" cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	esac
}

# After namespaces holding big tables are deleted, their cleanup runs in
# workqueues: wait until the tables' slabs have drained.
settle_tables() {
	local i n
	for i in $(seq 1 300); do
		n=$(awk '$1 == "nf_conntrack" || $1 == "pcpnat_mapping" { s += $2 } END { print s + 0 }' /proc/slabinfo)
		[ "$n" -lt 2000 ] && break
		sleep 1
	done
	sleep 1
}

# --- table sizes --------------------------------------------------------------
# Each table sized as an operator sizing the router for its load would:
# conntrack's buckets (the nf_conntrack `hashsize` parameter, i.e.
# nf_conntrack_buckets) and nf_conntrack_max, pcpnat's max-mappings and,
# while the module has that parameter, its hash_bits (read at load: the
# module is loaded again when it changes). Same capacity for both, so that
# neither runs a longer chain than the other.

TABLE_CAP=65536

# tables_for N: capacity for N entries, the smallest power of two >= 2N
# (at least 1024, conntrack's own floor): half full at N, the kernel's
# own default of nf_conntrack_max = buckets kept.
tables_for() {
	local cap=1024
	while [ "$cap" -lt $((2 * $1)) ]; do cap=$((cap * 2)); done
	tables_cap "$cap"
}

# tables_cap CAP: CAP (a power of two) buckets and entries for both.
tables_cap() {
	local cap=$1 bits=0 hb=/sys/module/pcpnat/parameters/hash_bits
	while [ $((1 << bits)) -lt "$cap" ]; do bits=$((bits + 1)); done
	echo "$cap" >/sys/module/nf_conntrack/parameters/hashsize ||
		die "conntrack hashsize $cap refused"
	[ "$(cat /proc/sys/net/netfilter/nf_conntrack_buckets)" = "$cap" ] ||
		die "nf_conntrack_buckets is $(cat /proc/sys/net/netfilter/nf_conntrack_buckets), not $cap"
	sysctl -qw net.netfilter.nf_conntrack_max="$cap" ||
		die "nf_conntrack_max $cap refused"
	[ "$bits" -ge 8 ] && [ "$bits" -le 22 ] || die "pcpnat hash_bits $bits out of 8..22"
	if ! grep -qw '^pcpnat' /proc/modules; then
		pcpnat_load "$bits"
	elif [ -e "$hb" ] && [ "$(cat "$hb")" != "$bits" ]; then
		rmmod pcpnat || die "rmmod pcpnat (to load it with hash_bits $bits) failed"
		pcpnat_load "$bits"
	fi
	TABLE_CAP=$cap
	log "tables: conntrack buckets = nf_conntrack_max = $cap; pcpnat max-mappings $cap$([ -e "$hb" ] && echo ", hash_bits $(cat "$hb")")"
}

# pcpnat_load BITS: insmod, with hash_bits only where the module has it
# (a module whose buckets follow max-mappings has no such parameter).
pcpnat_load() {
	local arg=
	modinfo -p "$BENCH_KO" | grep -q '^hash_bits:' && arg="hash_bits=$1"
	# shellcheck disable=SC2086
	insmod "$BENCH_KO" $arg || die "insmod $BENCH_KO $arg failed"
}
