# shellcheck shell=bash
# Phase 1: the datapath arms (lib.sh, arm_setup), interleaved. Sourced by
# main.sh.
#
# Every arm forwards one UDP flow (10.0.0.2:1234 -> 203.0.113.2:9) that has
# seen one reply, so conntrack holds it ESTABLISHED and the flowtable
# offloads it. Rounds run the arms in a rotating order; pktgen's elapsed
# time under qemu -icount is the CPU cost (see bench/README.md).

datapath_phase() {
	# pcpnat checks what leaves its external device only while
	# nf_flow_table is loaded (kmod/egress.c): A4 is a router without it,
	# A5 the same pcpnat beside a loaded nf_flow_table (with that check),
	# measured with the flowtable arm A3 once the modules are in.
	datapath_arms G A0 A1 A2 A2F A4 A4F
	flowtable_load
	datapath_arms G A3 A5
	flowtable_unload
}

FT_MODS=(nft_flow_offload nf_flow_table_inet nf_flow_table)
flowtable_load() {
	local i
	for ((i = ${#FT_MODS[@]} - 1; i >= 0; i--)); do
		modprobe "${FT_MODS[i]}" || die "modprobe ${FT_MODS[i]} failed: no flowtable arm"
	done
}

# The phases after A3 measure pcpnat without nf_flow_table again (a
# loaded one arms pcpnat's egress check: A5, not A4); the namespaces'
# cleanup may hold a module for a moment.
flowtable_unload() {
	local m i
	for m in "${FT_MODS[@]}"; do
		for i in $(seq 1 30); do
			grep -qw "^$m" /proc/modules || break
			rmmod "$m" 2>/dev/null || sleep 1
		done
		! grep -qw "^$m" /proc/modules || die "$m stays loaded: later pcpnat arms would run its egress check"
	done
}

# datapath_arms G ARM...: the arms, interleaved, G (pktgen alone) first.
datapath_arms() {
	local arms=("$@") a r i n res
	log "datapath: arms ${arms[*]}, $BENCH_RUNS runs x $BENCH_PKTS packets"
	topo_baseline
	for a in "${arms[@]:1}"; do
		topo_arm "$a"
		ct_long_timeouts "brt_$a"
		arm_setup "$a"
	done
	# Warm up: make the flow, answer it once, then let it be offloaded.
	for a in "${arms[@]}"; do
		pktgen_setup "g_$a" "$(mac_of "brt_$a" r0)" 100 10.0.0.2 10.0.0.2 1234 1234
		pktgen_run "g_$a" >/dev/null
		[ "$a" = G ] || reply_from_sink "$a" 1234
		pktgen_run "g_$a" >/dev/null
	done
	n=${#arms[@]}
	for r in $(seq 1 "$BENCH_RUNS"); do
		for i in $(seq 0 $((n - 1))); do
			a=${arms[$(((i + r) % n))]}
			pktgen_setup "g_$a" "$(mac_of "brt_$a" r0)" "$BENCH_PKTS" \
				10.0.0.2 10.0.0.2 1234 1234
			res=$(pktgen_run "g_$a")
			emit_pktgen datapath "$a" 1 "$r" "$res"
		done
	done
	# Check that each arm did what it claims.
	! ip netns list | grep -qw brt_A3 ||
		log "datapath: A3 forward-chain packets (not offloaded): $(ip netns exec brt_A3 nft list chain ip bench fw | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')"
	for a in A4 A4F A5; do
		! ip netns list | grep -qw "brt_$a" ||
			log "datapath: $a pkts_out=$(ip netns exec "brt_$a" "$PCPCTL" stats --json | jq .pkts_out)"
	done
	# An arm that dropped what it was sent (a firewall that found the
	# flow invalid, a NAT without a mapping) would look cheap: it stops.
	for a in "${arms[@]:1}"; do
		n=$(sink_pkts "$a")
		emit datapath "$a" 1 0 sink_pkts "$n"
		[ "$n" -ge $((BENCH_RUNS * BENCH_PKTS)) ] ||
			die "datapath: $a forwarded $n of the $((BENCH_RUNS * BENCH_PKTS)) measured packets"
	done
	for a in "${arms[@]}"; do topo_del_arm "$a"; done
	settle 1
}
