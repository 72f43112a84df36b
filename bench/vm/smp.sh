# shellcheck shell=bash
# Phase "smp": two vCPUs, wall clock. Sourced by main.sh; bench/run.sh
# boots a VM of its own for it (two vCPUs, one host thread each, no
# -icount: icount runs the vCPUs in turn on one thread, so nothing could
# run in parallel).
#
# What it looks for: anything in a datapath that serialises packets handled
# on different CPUs (a lock, a shared counter) would keep two CPUs from
# doing twice the work of one. Each arm forwards with one pktgen thread
# (kpktgend_0 on CPU 0), then with two (kpktgend_0 and kpktgend_1, the
# same veth as g_ARM@0 and g_ARM@1), each thread its own flows: veth hands
# a packet to the backlog of the sending CPU, so each CPU receives,
# forwards and translates its own packets. Reported: packets per second
# with one and with two threads and their ratio ("2T/1T", 2.0 were the
# CPUs free), for an established flow per thread ("est") and for a new
# flow per packet ("new": the table's insert path).
#
# The clock is wall time under qemu TCG on a shared host: it swings from
# run to run, so the arms are interleaved, BENCH_SMP_RUNS times, and the
# table gives min / median / max. Compare the arms with each other, not
# with 2.0: the host's other load caps every arm alike.

SMP_ARMS=(A0 A2 A4 A2F A4F)

# smp_setup ARM THREADS COUNT MODE: pktgen jobs, one per thread.
# Thread t sends from 10.<t+1>.x.y: "est" one flow (port 1234), "new" a
# block of addresses of its own for this run and count, stepping address
# and port together (EXH_P ports, prime, so no pair repeats).
smp_setup() {
	local a=$1 nt=$2 c=$3 mode=$4 t mac first last na dev
	mac=$(mac_of "brt_$a" r0)
	for ((t = 0; t < 2; t++)); do
		pg_clear "kpktgend_$t"
	done
	for ((t = 0; t < nt; t++)); do
		dev="g_$a@$t"
		pg "kpktgend_$t" "add_device $dev"
		pg "$dev" "count $c"
		pg "$dev" "clone_skb 0"
		pg "$dev" "pkt_size 60"
		pg "$dev" "delay 0"
		pg "$dev" "burst 1"
		pg "$dev" "dst $SRV_ADDR"
		pg "$dev" "dst_mac $mac"
		if [ "$mode" = est ]; then
			first=10.$((t + 1)).0.2 last=$first
			pg "$dev" "udp_src_min 1234"
			pg "$dev" "udp_src_max 1234"
		else
			na=$(((c + SMP_P - 1) / SMP_P))
			first=$(addr_plus "10.$((t + 1)).0.0" "$SMP_NEXT")
			last=$(addr_plus "$first" $((na - 1)))
			pg "$dev" "udp_src_min 40000"
			pg "$dev" "udp_src_max $((40000 + SMP_P - 1))"
		fi
		pg "$dev" "src_min $first"
		pg "$dev" "src_max $last"
		pg "$dev" "udp_dst_min 9"
		pg "$dev" "udp_dst_max 9"
		pg "$dev" "flag UDPCSUM"
	done
	[ "$mode" = est ] || SMP_NEXT=$((SMP_NEXT + na))
}
SMP_P=1009
SMP_NEXT=1

# smp_run ARM THREADS: runs the jobs; prints "pps" over all threads, from
# the longest thread's time (they start together).
smp_run() {
	local a=$1 nt=$2 t res usec pkts maxu=0 sum=0
	ip netns exec "$BENCH_GEN" sh -c 'echo start >/proc/net/pktgen/pgctrl' ||
		die "smp: pktgen start failed"
	for ((t = 0; t < nt; t++)); do
		for _ in $(seq 1 600); do
			res=$(<"/proc/$PGPID/net/pktgen/g_$a@$t")
			grep -q 'Result: OK: [0-9]' <<<"$res" && break
			sleep 0.2
		done
		usec=$(sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p' <<<"$res")
		pkts=$(sed -n 's/.*Result: OK: [^,]*, \([0-9]*\) (.*/\1/p' <<<"$res")
		[ -n "$usec" ] && [ -n "$pkts" ] || die "smp: pktgen on g_$a@$t: $(grep Result <<<"$res")"
		[ "$usec" -gt "$maxu" ] && maxu=$usec
		sum=$((sum + pkts))
	done
	awk -v p="$sum" -v u="$maxu" 'BEGIN { printf "%.0f\n", p * 1e6 / u }'
}

smp_phase() {
	local r i a n mode nt pps c=${BENCH_SMP_PKTS:-20000} runs=${BENCH_SMP_RUNS:-5} s0 s1
	[ "$(nproc)" -ge 2 ] || die "smp: $(nproc) vCPU, the phase needs 2"
	# Tables for every new flow the runs make: per arm, each run sends
	# c (one thread) + 2c (two threads).
	tables_for $((runs * 3 * c))
	log "smp: arms ${SMP_ARMS[*]}, $runs runs x $c packets per thread, wall clock"
	for a in "${SMP_ARMS[@]}"; do
		topo_arm "$a"
		ct_long_timeouts "brt_$a"
		arm_setup "$a"
	done
	pg_anchor
	n=${#SMP_ARMS[@]}
	for r in $(seq 1 "$runs"); do
		for i in $(seq 0 $((n - 1))); do
			a=${SMP_ARMS[$(((i + r) % n))]}
			for mode in est new; do
				for nt in 1 2; do
					smp_setup "$a" "$nt" "$c" "$mode"
					s0=$(sink_pkts "$a")
					pps=$(smp_run "$a" "$nt")
					s1=$(sink_pkts "$a")
					# Every packet must have been forwarded: a drop
					# would look like speed.
					[ $((s1 - s0)) -ge $((nt * c)) ] ||
						die "smp: $a $mode ${nt}T forwarded $((s1 - s0)) of $((nt * c))"
					emit smp "$a" "$mode$nt" "$r" pps "$pps"
				done
			done
		done
		log "smp: round $r of $runs done"
	done
	for a in "${SMP_ARMS[@]}"; do topo_del_arm "$a"; done
	settle_tables
}
