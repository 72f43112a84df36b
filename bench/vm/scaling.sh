# shellcheck shell=bash
# Phases 2, 3 and 5: flow scaling, new flows per second and memory per entry.
#
# For each table size N the tables are sized for N (lib.sh, tables_for:
# conntrack's buckets and nf_conntrack_max, pcpnat's max-mappings and
# hash_bits), then A2 (nftables SNAT to the same 32-address pool, no
# filter chain, so that 1M flows fit: nf_nat's uniqueness is per
# destination) and A4 (pcpnat, pool 198.51.100.0/27) each get a fill pass
# in which every packet is a new flow (N flows: the new-flows-per-second
# figure, and the slab growth that gives bytes per entry), then BENCH_RUNS
# measured passes over the same flows, interleaved with A0 (no state), each
# pass BENCH_PKTS packets long. A3 (A2's SNAT behind the flowtable and its
# forward chain) follows on its own, with nf_flow_table loaded (which
# would arm pcpnat's egress check, datapath.sh): its fill, then one pass
# over all N flows that offloads them (a UDP flow is offloaded by its
# second packet, once conntrack confirmed it), then the measured passes,
# which must bypass the forward chain.

SCALE_POOL=198.51.100.0/27

scale_arm_setup() {
	local a=$1 snat="snat to 198.51.100.0-198.51.100.31"
	case $a in
	A0) ;;
	A2) nft_load "brt_$a" "$(nft_nat_chain "$snat")" ;;
	A3) nft_load "brt_$a" "$(nft_flowtable_fwd)
$(nft_nat_chain "$snat")" ;;
	A4) pcpnat_setup "brt_$a" "$SCALE_POOL" ;;
	esac
}

scaling_phase() {
	local n
	for n in $BENCH_SIZES; do
		tables_for "$n"
		emit meta scaling "$n" 0 table_cap "$TABLE_CAP"
		scale_group "$n" A0 A2 A4
		flowtable_load
		scale_group "$n" A3
		flowtable_unload
	done
}

# fw_chain_pkts ARM: packets A3's forward chain saw (the slow path).
fw_chain_pkts() {
	ip netns exec "brt_$1" nft list chain ip bench fw |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

# scale_group N ARM...: fill, then measured passes, the arms interleaved.
scale_group() {
	local n=$1 arms=("${@:2}") a r i ap first last pmin pmax res m0 m1 e c na np s0 s1
	ap=$(flows_split "$n") || die "no flow split for $n"
	read -r na np <<<"$ap"
	first=10.0.0.1
	last=$(addr_plus "$first" $((na - 1)))
	pmin=1024 pmax=$((1024 + np))
	log "scaling: ${arms[*]}, $n flows = $na addresses x $np ports"
	for a in "${arms[@]}"; do
		topo_arm "$a"
		ct_long_timeouts "brt_$a"
		scale_arm_setup "$a"
	done
	for a in "${arms[@]}"; do
		# Fill: N packets, N new flows.
		read -r m0 _ <<<"$(mem_snap)"
		# A0 keeps no state: a short pass gives its reference.
		c=$n
		[ "$a" = A0 ] && [ "$c" -gt "$BENCH_PKTS" ] && c=$BENCH_PKTS
		pktgen_setup "g_$a" "$(mac_of "brt_$a" r0)" "$c" "$first" "$last" "$pmin" "$pmax"
		res=$(pktgen_run "g_$a")
		emit_pktgen newflow "$a" "$n" 1 "$res"
		if [ "$a" = A3 ]; then
			# The second packet of every flow: its offload.
			res=$(pktgen_run "g_$a")
			emit_pktgen offload "$a" "$n" 1 "$res"
		fi
		sleep 1
		read -r m1 _ <<<"$(mem_snap)"
		[ "$a" = A0 ] && continue
		e=$(table_entries "$a")
		emit scaling "$a" "$n" 0 entries "$e"
		emit scaling "$a" "$n" 0 slab_kb "$((m1 - m0))"
		[ "$e" -ge 1000 ] && emit memory "$a" "$n" 0 slab_bytes_per_entry \
			"$(((m1 - m0) * 1024 / e))"
		[ "$e" -ge "$n" ] || die "scaling: $a holds $e entries after $n new flows"
		log "scaling: $a filled: $e entries, slab +$((m1 - m0)) kB, $(sink_pkts "$a") forwarded"
	done
	[[ " ${arms[*]} " != *" A4 "* ]] || emit memory A4 "$n" 0 mapping_bytes \
		"$(ip netns exec brt_A4 "$PCPCTL" stats --json | jq -r .mapping_bytes)"
	[[ " ${arms[*]} " != *" A3 "* ]] || s0=$(fw_chain_pkts A3)
	for r in $(seq 1 "$BENCH_RUNS"); do
		for i in $(seq 0 $((${#arms[@]} - 1))); do
			a=${arms[$(((i + r) % ${#arms[@]}))]}
			pktgen_setup "g_$a" "$(mac_of "brt_$a" r0)" "$BENCH_PKTS" \
				"$first" "$last" "$pmin" "$pmax"
			res=$(pktgen_run "g_$a")
			emit_pktgen scaling "$a" "$n" "$r" "$res"
		done
	done
	if [[ " ${arms[*]} " = *" A3 "* ]]; then
		# The measured passes must have taken the flowtable's fast path.
		s1=$(fw_chain_pkts A3)
		emit scaling A3 "$n" 0 slow_path_pkts $((s1 - s0))
		log "scaling: A3 forward-chain packets during the measured passes: $((s1 - s0)) of $((BENCH_RUNS * BENCH_PKTS))"
		[ $(((s1 - s0) * 100)) -le $((BENCH_RUNS * BENCH_PKTS)) ] ||
			die "scaling: A3 sent $((s1 - s0)) measured packets through the forward chain: not offloaded"
	fi
	for a in "${arms[@]}"; do
		emit scaling "$a" "$n" 0 entries_after "$(table_entries "$a")"
		topo_del_arm "$a"
	done
	settle_tables
}
