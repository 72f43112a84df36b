# shellcheck shell=bash
# Phase "sync": pcpd's state replication ([sync], Documentation/pcpd-sync.md)
# from an active router to a standby, under a burst of new flows.
#
# The active is brt_S (topo_arm S: pktgen in, sink out, pcpnat pool
# 198.51.100.1/32), the standby bsb_S (its own pcpnat instance, the same
# pool on a dummy device), linked by a veth pair 192.168.255.1/30 -
# .2/30. For each burst size N of BENCH_SYNC_SIZES, pktgen sends N packets
# that are each a new flow (new sources, so every burst adds N mappings);
# mapstamp (bench/tools) in each router stamps every MAP_NEW on
# CLOCK_MONOTONIC, which both namespaces share. Results:
#   mappings_per_s  N / (last installed on the standby - first made on
#                   the active)
#   delay_p50_ms, delay_p99_ms, delay_max_ms
#                   per mapping: its stamp on the standby - on the active
#   missing         made on the active, never seen on the standby
#   restates        bulks the active started because its events socket
#                   overran (pcpd link.c resync), during this burst
#   overruns        stamps mapstamp itself lost (its socket overran)
# Times are guest time under -icount (bench/README.md).

SYNC_DIR=/tmp/bench-sync
SYNC_A=brt_S
SYNC_B=bsb_S

# pcpd makes its state directory its own (it keeps sync-status.json
# there once it has dropped privileges).
sync_conf() { # NAME LISTEN MY PEER NODE PEER_NODE
	cat >"$SYNC_DIR/$1.conf" <<-CONF
	[pcpd]
	listen = $2
	announce = off
	state_file = $SYNC_DIR/$1/pcpd.state

	[sync]
	listen = $3
	peer = $4
	node_id = $5
	peer_node_id = $6
	key_file = $SYNC_DIR/sync.key
	queue = $BENCH_SYNC_QUEUE
	CONF
}

# sync_start NAME NS: pcpd (ip netns exec becomes pcpd: $! is its PID).
sync_start() {
	ip netns exec "$2" "$PCPD" -d -v -c "$SYNC_DIR/$1.conf" >>"$SYNC_DIR/$1.log" 2>&1 &
	eval "SYNC_PID_$1=$!"
	wait_udp_listen "$2" 5351 || die "sync: pcpd $1 not listening: $(tail -n 3 "$SYNC_DIR/$1.log" | tr '\n' ' ')"
}

sync_status() { jq -r ".$2" "$SYNC_DIR/$1/sync-status.json" 2>/dev/null; }

sync_setup() {
	local k
	rm -rf "$SYNC_DIR"
	mkdir -p "$SYNC_DIR"
	(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$SYNC_DIR/sync.key")
	topo_arm S
	pcpnat_setup "$SYNC_A" "$POOL_ADDR/32"
	ip netns add "$SYNC_B"
	no_ipv6 "$SYNC_B"
	ip -n "$SYNC_B" link set lo up
	for k in r0 r1; do ip -n "$SYNC_B" link add "$k" type dummy; done
	ip -n "$SYNC_B" addr add "$RT_INT/8" dev r0
	ip -n "$SYNC_B" addr add "$POOL_ADDR/32" dev r1
	ip -n "$SYNC_B" link set r0 up
	ip -n "$SYNC_B" link set r1 up
	pcpnat_setup "$SYNC_B" "$POOL_ADDR/32"
	ip link add sa netns "$SYNC_A" type veth peer name sb netns "$SYNC_B"
	ip -n "$SYNC_A" addr add 192.168.255.1/30 dev sa
	ip -n "$SYNC_B" addr add 192.168.255.2/30 dev sb
	ip -n "$SYNC_A" link set sa up
	ip -n "$SYNC_B" link set sb up
	sync_conf a "$RT_INT" 192.168.255.1 192.168.255.2 1 2
	sync_conf b "$RT_INT" 192.168.255.2 192.168.255.1 2 1
	# A router's tuning: room for a burst's events in pcpd's events
	# socket (it asks for 8 MiB, which rmem_max caps).
	sysctl -qw net.core.rmem_max=$((8 << 20))
	sync_start a "$SYNC_A"
	sync_start b "$SYNC_B"
	kill -USR1 "$SYNC_PID_a"	# keepalived's notify: MASTER
	kill -USR2 "$SYNC_PID_b"	# BACKUP
	for k in $(seq 100); do
		[ "$(sync_status b synced)" = true ] && [ "$(sync_status a established)" = true ] && return 0
		sleep 0.2
	done
	die "sync: the pair did not synchronise: $(tail -n 5 "$SYNC_DIR/b.log" | tr '\n' ' ')"
}

sync_teardown() {
	kill "$SYNC_PID_a" "$SYNC_PID_b" 2>/dev/null || true
	wait "$SYNC_PID_a" "$SYNC_PID_b" 2>/dev/null || true
	ip netns del "$SYNC_B"
	topo_del_arm S
	settle_tables
}

# sync_stamps NS NAME N: mapstamp in NS until N stamps (or 20 s idle),
# into $SYNC_DIR/NAME.t; returns once it listens.
sync_stamps() {
	ip netns exec "$1" "$BENCH_TOOLS/mapstamp" -n "$3" -i 20 \
		>"$SYNC_DIR/$2.t" 2>"$SYNC_DIR/$2.err" &
	eval "SYNC_STAMP_$2=$!"
	local i
	for i in $(seq 100); do
		grep -q listening "$SYNC_DIR/$2.err" && return 0
		sleep 0.1
	done
	die "sync: mapstamp in $1 did not start: $(cat "$SYNC_DIR/$2.err")"
}

# sync_burst N FIRST_SRC RUN: one burst of N new flows, measured.
sync_burst() {
	local n=$1 first=$2 run=$3 ap na np last r0 res
	ap=$(flows_split "$n") || die "no flow split for $n"
	read -r na np <<<"$ap"
	last=$(addr_plus "$first" $((na - 1)))
	r0=$(sync_status a counters.restates)
	sync_stamps "$SYNC_A" a "$n"
	sync_stamps "$SYNC_B" b "$n"
	pktgen_setup g_S "$(mac_of "$SYNC_A" r0)" "$n" "$first" "$last" 1024 $((1024 + np))
	pktgen_run g_S >/dev/null
	wait "$SYNC_STAMP_a" "$SYNC_STAMP_b" || true
	sleep 1.5	# the status file is rewritten each second
	res=$(awk -v n="$n" '
		FNR == NR { a[$2 " " $3 " " $4] = $1; if (!t0 || $1 < t0) t0 = $1; na++; next }
		($2 " " $3 " " $4) in a {
			d[++k] = ($1 - a[$2 " " $3 " " $4]) / 1e6
			if ($1 > t1) t1 = $1
		}
		END {
			if (!k || t1 <= t0) { print "0 0 0 0", na - k; exit }
			for (i = 2; i <= k; i++) { x = d[i]; for (j = i - 1; j >= 1 && d[j] > x; j--) d[j + 1] = d[j]; d[j + 1] = x }
			printf "%.0f %.2f %.2f %.2f %d\n", k / ((t1 - t0) / 1e9),
				d[int((k + 1) * 0.5)], d[int((k - 1) * 0.99) + 1], d[k], na - k
		}' "$SYNC_DIR/a.t" "$SYNC_DIR/b.t")
	read -r rate p50 p99 max miss <<<"$res"
	emit sync S "$n" "$run" mappings_per_s "$rate"
	emit sync S "$n" "$run" delay_p50_ms "$p50"
	emit sync S "$n" "$run" delay_p99_ms "$p99"
	emit sync S "$n" "$run" delay_max_ms "$max"
	emit sync S "$n" "$run" missing "$miss"
	emit sync S "$n" "$run" restates $(($(sync_status a counters.restates) - r0))
	emit sync S "$n" "$run" overruns "$(sed -n 's/.*overruns=//p' "$SYNC_DIR/a.err" "$SYNC_DIR/b.err" |
		awk '{ s += $1 } END { print s + 0 }')"
	log "sync: $n flows (queue $BENCH_SYNC_QUEUE): $rate mappings/s, delay p50 $p50 ms p99 $p99 ms max $max ms, $miss missing"
	# What the pair says about it: the first place to look when
	# mappings are missing.
	log "sync: active $(jq -c '{bulk_active, backlog, last_acked, c: .counters | {overflows, restates, resyncs_served, bulk_postponed, retransmits}}' "$SYNC_DIR/a/sync-status.json" 2>&1)"
	log "sync: standby $(jq -c '{synced, rx_delivered, c: .counters | {rx_records, bulk_mismatch, resyncs_requested, rx_out_of_order}}' "$SYNC_DIR/b/sync-status.json" 2>&1)"
	grep -h 'sync:\|lost\|fail' "$SYNC_DIR/a.log" "$SYNC_DIR/b.log" | tail -n 8 | while read -r l; do log "sync: log: $l"; done
}

sync_phase() {
	local n i=0 run
	[ -n "$PCPNAT_KO_OK" ] || return 0
	sync_setup
	for run in $(seq 1 "${BENCH_SYNC_RUNS:-1}"); do
		for n in ${BENCH_SYNC_SIZES:-10000 50000}; do
			# Each burst from sources of its own: N new mappings.
			i=$((i + 1))
			sync_burst "$n" "10.$i.0.1" "$run"
		done
	done
	sync_teardown
}
