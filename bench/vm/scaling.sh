# shellcheck shell=bash
# Phases 2, 3 and 5: flow scaling, new flows per second and memory per entry.
#
# For each table size N, A2 (nftables SNAT to the same 32-address pool, so
# that 1M flows fit: nf_nat's uniqueness is per destination) and A4
# (pcpnat, pool 198.51.100.0/27) each get a fill pass in which every
# packet is a new flow (N flows: the new-flows-per-second figure, and the
# slab growth that gives bytes per entry), then BENCH_RUNS measured passes
# over the same flows, interleaved with A0 (no state), each pass
# BENCH_PKTS packets long.

SCALE_POOL=198.51.100.0/27

scale_arm_setup() {
	local a=$1
	case $a in
	A0) ;;
	A2) ip netns exec "brt_$a" nft -f - <<<"table ip bench { $NFT_FWD
		chain post { type nat hook postrouting priority srcnat; policy accept;
			oifname \"r1\" snat to 198.51.100.0-198.51.100.31
		}
		}" ;;
	A4) pcpnat_setup "brt_$a" "$SCALE_POOL" max-mappings 4000000 ;;
	esac
}

scaling_phase() {
	local arms=(A0 A2 A4) n a r i ap first last pmin pmax res m0 m1 e c na np
	[ -n "$PCPNAT_KO_OK" ] || arms=(A0 A2)
	for n in $BENCH_SIZES; do
		ap=$(flows_split "$n") || die "no flow split for $n"
		read -r na np <<<"$ap"
		first=10.0.0.1
		last=$(addr_plus "$first" $((na - 1)))
		pmin=1024 pmax=$((1024 + np))
		log "scaling: $n flows = $na addresses x $np ports"
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
			sleep 1
			read -r m1 _ <<<"$(mem_snap)"
			[ "$a" = A0 ] && continue
			e=$(table_entries "$a")
			emit scaling "$a" "$n" 0 entries "$e"
			emit scaling "$a" "$n" 0 slab_kb "$((m1 - m0))"
			[ "$e" -ge 1000 ] && emit memory "$a" "$n" 0 slab_bytes_per_entry \
				"$(((m1 - m0) * 1024 / e))"
			log "scaling: $a filled: $e entries, slab +$((m1 - m0)) kB, $(sink_pkts "$a") forwarded"
		done
		[ -z "$PCPNAT_KO_OK" ] || emit memory A4 "$n" 0 mapping_bytes \
			"$(ip netns exec brt_A4 "$PCPCTL" stats --json | jq -r .mapping_bytes)"
		for r in $(seq 1 "$BENCH_RUNS"); do
			for i in $(seq 0 $((${#arms[@]} - 1))); do
				a=${arms[$(((i + r) % ${#arms[@]}))]}
				pktgen_setup "g_$a" "$(mac_of "brt_$a" r0)" "$BENCH_PKTS" \
					"$first" "$last" "$pmin" "$pmax"
				res=$(pktgen_run "g_$a")
				emit_pktgen scaling "$a" "$n" "$r" "$res"
			done
		done
		for a in "${arms[@]}"; do
			emit scaling "$a" "$n" 0 entries_after "$(table_entries "$a" 2>/dev/null || echo 0)"
			topo_del_arm "$a"
		done
		settle_tables
	done
}
