# shellcheck shell=bash
# Phase 4: the port exhaustion curve.
#
# One external address, every flow to one destination (203.0.113.2:9):
# nf_nat then needs a distinct external port per flow, its worst case, and
# pcpnat (endpoint-independent mapping) a distinct port per internal
# endpoint. Both get the same port range (BENCH_EXH_PORTS). The table is
# filled by traffic to each level of BENCH_EXH_LEVELS (percent of the
# range), then BENCH_EXH_PROBE more new flows are measured there (at most
# a quarter of the ports still free, so the level barely moves and every
# probe can find a port: more probes than free ports would measure running
# out, not the allocator; only where no port is free, at 100 %, do 100
# probes measure running out): ns per new-flow packet, the share that got
# no port (not forwarded), and for pcpnat the ports probed per allocation
# (ALLOC_PROBES / ALLOC_OK). The tables are sized for the whole range
# (lib.sh, tables_for).
#
# Internal endpoints: each step takes fresh addresses, ports 40000..41008
# (1009, prime, so that address and port stepping together never repeat a
# pair within a step).

EXH_P=1009

exh_arm_setup() {
	local a=$1 pr=$2
	case $a in
	A2) nft_load "brt_$a" "$(nft_nat_chain "ip protocol udp snat to $POOL_ADDR:$pr")" ;;
	A4) pcpnat_setup "brt_$a" "$POOL_ADDR/32" ports "$pr" ;;
	esac
}

exh_stat() { # exh_stat ARM NAME: a pcpnat counter (0 for other arms)
	[ "$1" = A4 ] || { echo 0; return; }
	ip netns exec "brt_$1" "$PCPCTL" stats --json | jq -r ".$2 // 0"
}

# exh_send ARM COUNT: COUNT new flows from the next unused addresses; the
# pktgen result lands in EXH_RES. (Not a $(...) subshell: EXH_NEXT must
# move on in this shell, or the next step would repeat these flows.)
exh_send() {
	local a=$1 c=$2 na first last
	na=$(((c + EXH_P - 1) / EXH_P))
	first=$(addr_plus 10.0.0.1 "$EXH_NEXT")
	last=$(addr_plus "$first" $((na - 1)))
	EXH_NEXT=$((EXH_NEXT + na))
	pktgen_setup "g_$a" "$(mac_of "brt_$a" r0)" "$c" "$first" "$last" 40000 $((40000 + EXH_P))
	EXH_RES=$(pktgen_run "g_$a")
}

# exh_probes FREE: new flows to measure with FREE ports left.
exh_probes() {
	local free=$1 k
	[ "$free" -le 0 ] && { echo 100; return; }
	k=$((free / 4))
	[ "$k" -gt "$BENCH_EXH_PROBE" ] && k=$BENCH_EXH_PROBE
	[ "$k" -lt 1 ] && k=1
	echo "$k"
}

exhaust_phase() {
	local arms=(A2 A4) a lvl range pmin pmax filled target k res s0 s1 p0 p1 o0 o1
	[ -n "$PCPNAT_KO_OK" ] || arms=(A2)
	pmin=${BENCH_EXH_PORTS%-*} pmax=${BENCH_EXH_PORTS#*-}
	range=$((pmax - pmin + 1))
	tables_for "$range"
	for a in "${arms[@]}"; do
		log "exhaust: $a, one address, ports $BENCH_EXH_PORTS ($range)"
		topo_arm "$a"
		ct_long_timeouts "brt_$a"
		exh_arm_setup "$a" "$BENCH_EXH_PORTS"
		EXH_NEXT=0
		filled=0
		for lvl in $BENCH_EXH_LEVELS; do
			target=$((range * lvl / 100))
			if [ "$target" -gt "$filled" ]; then
				s0=$(sink_pkts "$a")
				exh_send "$a" $((target - filled))
				filled=$((filled + $(sink_pkts "$a") - s0))
			fi
			k=$(exh_probes $((range - filled)))
			s0=$(sink_pkts "$a")
			p0=$(exh_stat "$a" alloc_probes)
			o0=$(exh_stat "$a" alloc_ok)
			exh_send "$a" "$k"
			res=$EXH_RES
			s1=$(sink_pkts "$a")
			p1=$(exh_stat "$a" alloc_probes)
			o1=$(exh_stat "$a" alloc_ok)
			filled=$((filled + s1 - s0))
			emit_pktgen exhaust "$a" "$lvl" 1 "$res"
			emit exhaust "$a" "$lvl" 1 attempts "$k"
			emit exhaust "$a" "$lvl" 1 failed $((k - (s1 - s0)))
			emit exhaust "$a" "$lvl" 1 fail_pct "$(awk -v f=$((k - (s1 - s0))) -v k="$k" 'BEGIN { printf "%.1f", 100 * f / k }')"
			emit exhaust "$a" "$lvl" 1 entries "$(table_entries "$a")"
			[ "$a" = A4 ] && [ $((o1 - o0)) -gt 0 ] &&
				emit exhaust "$a" "$lvl" 1 probes_per_alloc \
					"$(awk -v p=$((p1 - p0)) -v o=$((o1 - o0)) 'BEGIN { printf "%.2f", p / o }')"
			log "exhaust: $a at $lvl%: $k new flows, $((s1 - s0)) forwarded, $(table_entries "$a") entries"
		done
		topo_del_arm "$a"
		settle_tables
	done
}
