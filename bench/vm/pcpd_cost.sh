# shellcheck shell=bash
# Phase 8: what pcpd must satisfy whatever the table holds and whoever
# floods it.
#
# A. Cost per request independent of the table size. One client
#    (10.0.0.2) holds 10 mappings made over PCP; other subscribers'
#    explicit mappings (BENCH_PCPD_SIZES, 100 and 100,000) are added
#    straight into the module with genl MAP_ADD (genlbench: 100 mappings
#    per subscriber, the subscriber being the internal address, as the
#    uapi defaults it) while pcpd serves the same instance. At each size the
#    client sends, window 1, BENCH_PCPD_REQS of each: a PCP GET listing its
#    10 mappings (draft-boucadair-pcp-failure App. B), a NAT-PMP external
#    address request (RFC 6886 §3.2), a PCP MAP refresh of one of its
#    mappings (RFC 6887 §11.2.1). Measured: the client's latency (guest
#    instructions under -icount: nothing else runs) and pcpd's own CPU time
#    per request (/proc/PID/schedstat, nanoseconds of guest time). Rate
#    limits are off here: the client sends as fast as it is answered.
# B. A legitimate client beside a flood, pcpd with its default rate limits
#    (pcpd.conf(5): rate_limit 100/s per client, rate_limit_total 2000/s).
#    The client sends 10 new MAP requests a second for BENCH_PCPD_FLOOD_SECS
#    (paced, pcpload -r) while BENCH_PCPD_FLOOD_SRCS other addresses send
#    valid MAP requests at each total rate of BENCH_PCPD_FLOODS (0: none, the
#    baseline; 1000: within the total budget; 4000: twice over it).
#    Measured: the client's requests answered with SUCCESS within RFC 6887
#    §8.1.1's first retransmission time (3 s), their p50/p99 latency, and
#    pcpd's CPU share over the client's run (/proc/PID/stat utime+stime).
#
# Everything runs in the bench's namespaces: the client and the flood's
# sources are addresses of g_P in the generator namespace, the server is
# the router's inside address.

PCOST_DIR=/tmp/bench-pcpd
PCOST_PER_SUB=100
PCOST_FLOOD_NET=10.1.0.1
PCOST_RATE=10

# pcost_conf NAME RATE_LIMIT_LINES: $PCOST_DIR/NAME.conf, with a state
# file of its own (a part must not start by restoring the other's table).
pcost_conf() {
	{
		cat <<-CONF
		[pcpd]
		listen = $RT_INT
		natpmp = on
		announce = off
		state_file = $PCOST_DIR/state-$1/pcpd.state
		$2
		CONF
		pcpd_nat_section
	} >"$PCOST_DIR/$1.conf"
}

# pcost_start NAME: pcpd in brt_P (ip netns exec becomes pcpd: same PID).
pcost_start() {
	ip netns exec brt_P "$PCPD" -d -c "$PCOST_DIR/$1.conf" >>"$PCOST_DIR/pcpd.log" 2>&1 &
	PCOST_PID=$!
	wait_udp_listen brt_P 5351 ||
		die "pcpd: not listening in brt_P: $(tail -n 3 "$PCOST_DIR/pcpd.log" | tr '\n' ' ')"
	[ "$(cat "/proc/$PCOST_PID/comm")" = pcpd ] ||
		die "pcpd: PID $PCOST_PID is $(cat "/proc/$PCOST_PID/comm"), not pcpd"
}

pcost_stop() {
	[ -n "${PCOST_PID:-}" ] || return 0
	kill "$PCOST_PID" 2>/dev/null || true
	wait "$PCOST_PID" 2>/dev/null || true
	PCOST_PID=
}

# CPU time pcpd has used, in ns of guest time (every thread).
pcost_cpu_ns() {
	local f s=0 t
	for f in /proc/"$PCOST_PID"/task/*/schedstat; do
		read -r t _ <"$f" && s=$((s + t))
	done
	echo "$s"
}

# utime + stime of pcpd in clock ticks (/proc/PID/stat fields 14, 15; the
# command name in field 2 has no blank).
pcost_ticks() { awk '{ print $14 + $15 }' "/proc/$PCOST_PID/stat"; }

# Until pcpd is idle: less than 1 % of a CPU over two half seconds in a
# row. After a bulk insert it may still be reading the module's
# notifications, and any change arms its save timer (PCPD_SAVE_DELAY_MS,
# 500 ms), whose save dumps the whole table.
pcost_wait_idle() {
	local i a b quiet=0
	for i in $(seq 1 1200); do
		a=$(pcost_cpu_ns)
		sleep 0.5
		b=$(pcost_cpu_ns)
		if [ $((b - a)) -lt 5000000 ]; then
			quiet=$((quiet + 1))
			[ "$quiet" -ge 2 ] && return 0
		else
			quiet=0
		fi
	done
	die "pcpd: still busy after 600 s"
}

# UDP datagrams the router's namespace dropped for a full socket buffer
# (pcpd's, while its event loop is busy elsewhere).
pcost_rcvbuf_errors() {
	ip netns exec brt_P awk '$1 == "Udp:" && $2 !~ /^[0-9]/ { for (i = 2; i <= NF; i++) col[$i] = i; next }
		$1 == "Udp:" { print $col["RcvbufErrors"] }' /proc/net/snmp
}

pcost_mappings() { ip netns exec brt_P "$PCPCTL" config --json | jq -r '.mappings // 0'; }

# pcost_load ARGS...: pcpload from the client to pcpd; its key=value line.
pcost_load() {
	ip netns exec "$BENCH_GEN" "$BENCH_TOOLS/pcpload" -s "$RT_INT" -c "$CLIENT" "$@"
}

kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# Part A at one table size: each request type, BENCH_PCPD_RUNS times.
# pcpd's CPU is read right after the requests (their handling) and again
# once it is idle: what the burst left to do afterwards (the coalesced
# save of the state file, a dump of the whole table) is reported apart.
pcost_measure() { # pcost_measure N
	local n=$1 r op out c0 c1 c2 k=$BENCH_PCPD_REQS
	for r in $(seq 1 "$BENCH_PCPD_RUNS"); do
		for op in get natpmp refresh; do
			pcost_wait_idle
			c0=$(pcost_cpu_ns)
			out=$(pcost_load -o "$op" -n "$k" -w 1 -p 30000 -k 10 -t 5000) ||
				die "pcpd cost: $op at N=$n: $out"
			c1=$(pcost_cpu_ns)
			sleep 0.6
			pcost_wait_idle
			c2=$(pcost_cpu_ns)
			[ "$(kv success "$out")" = "$k" ] ||
				die "pcpd cost: $op at N=$n: not every request succeeded: $out"
			[ "$op" != get ] || [ "$(kv listed "$out")" = 10 ] ||
				die "pcpd cost: GET at N=$n did not list the client's 10 mappings: $out"
			log "pcpd cost: N=$n $op run $r: $out pcpd_us=$(((c1 - c0) / k / 1000)) after_ms=$(((c2 - c1) / 1000000))"
			emit pcpd_cost "$op" "$n" "$r" after_ms \
				"$(awk -v d=$((c2 - c1)) 'BEGIN { printf "%.1f", d / 1e6 }')"
			emit pcpd_cost "$op" "$n" "$r" p50_us "$(kv p50_us "$out")"
			emit pcpd_cost "$op" "$n" "$r" p99_us "$(kv p99_us "$out")"
			emit pcpd_cost "$op" "$n" "$r" mean_us "$(kv mean_us "$out")"
			emit pcpd_cost "$op" "$n" "$r" pcpd_us \
				"$(awk -v d=$((c1 - c0)) -v k="$k" 'BEGIN { printf "%.1f", d / k / 1000 }')"
		done
	done
}

pcost_table_size() {
	local n added=0 want out got
	topo_arm P
	ip -n "$BENCH_GEN" addr add "$CLIENT/8" dev g_P
	pcost_conf size "rate_limit = 0
rate_limit_total = 0"
	pcost_start size
	out=$(pcost_load -o map -n 10 -w 1 -p 30000 -t 5000) || die "pcpd cost: client mappings: $out"
	[ "$(kv success "$out")" = 10 ] || die "pcpd cost: client's 10 mappings: $out"
	for n in $BENCH_PCPD_SIZES; do
		if [ $((n % PCOST_PER_SUB)) != 0 ] || [ "$n" -le "$added" ]; then
			die "BENCH_PCPD_SIZES: $n is not a growing multiple of $PCOST_PER_SUB"
		fi
		want=$((n - added))
		out=$(ip netns exec brt_P "$BENCH_TOOLS/genlbench" -b 64 -n "$want" \
			-a "$(addr_plus 10.200.0.1 $((added / PCOST_PER_SUB)))" -A $((want / PCOST_PER_SUB)) \
			-P "$PCOST_PER_SUB" -p 1024 -l 3600) || die "pcpd cost: genlbench: $out"
		[ "$(kv failed "$out")" = 0 ] || die "pcpd cost: genlbench: $out"
		added=$n
		pcost_wait_idle
		got=$(pcost_mappings)
		[ "$got" = $((n + 10)) ] || die "pcpd cost: the module holds $got mappings, not $((n + 10))"
		log "pcpd cost: table holds $got mappings ($n of $((n / PCOST_PER_SUB)) other subscribers)"
		emit pcpd_cost table "$n" 1 mappings "$got"
		pcost_measure "$n"
	done
	pcost_stop
	topo_del_arm P
	settle_tables
}

# Part B, one flood rate (0: the client alone).
pcost_flood_run() { # pcost_flood_run RATE
	local rate=$1 secs=$BENCH_PCPD_FLOOD_SECS fpid='' out fout t0 t1 k0 k1 c0 c1 n e0
	n=$((PCOST_RATE * secs))
	e0=$(pcost_rcvbuf_errors)
	if [ "$rate" != 0 ]; then
		# The flood starts a second before the client and ends a second after.
		ip netns exec "$BENCH_GEN" "$BENCH_TOOLS/pcpflood" -s "$RT_INT" -a "$PCOST_FLOOD_NET" \
			-N "$BENCH_PCPD_FLOOD_SRCS" -r "$rate" -d $((secs + 2)) \
			-p 1024 >"$PCOST_DIR/flood.out" 2>&1 &
		fpid=$!
		sleep 1
	fi
	read -r t0 _ </proc/uptime
	k0=$(pcost_ticks)
	c0=$(pcost_cpu_ns)
	out=$(pcost_load -o map -r "$PCOST_RATE" -n "$n" -p 40000 -t 3000) || true
	read -r t1 _ </proc/uptime
	k1=$(pcost_ticks)
	c1=$(pcost_cpu_ns)
	fout=
	if [ -n "$fpid" ]; then
		wait "$fpid" || die "pcpflood: $(cat "$PCOST_DIR/flood.out")"
		fout=$(cat "$PCOST_DIR/flood.out")
	fi
	log "pcpd flood $rate/s: client: $out; flood: ${fout:-none}; socket overruns $(($(pcost_rcvbuf_errors) - e0))"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 rcvbuf_errors $(($(pcost_rcvbuf_errors) - e0))
	[ "$(kv sent "$out")" = "$n" ] || die "pcpd flood: the client sent $(kv sent "$out") of $n"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 sent "$n"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 success "$(kv success "$out")"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 p50_us "$(kv p50_us "$out")"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 p99_us "$(kv p99_us "$out")"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 cpu_pct \
		"$(awk -v k=$((k1 - k0)) -v hz="$(getconf CLK_TCK)" -v a="$t0" -v b="$t1" \
			'BEGIN { printf "%.1f", 100 * k / hz / (b - a) }')"
	emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 cpu_pct_schedstat \
		"$(awk -v c=$((c1 - c0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * c / 1e9 / (b - a) }')"
	if [ -n "$fout" ]; then
		emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 flood_sent "$(kv sent "$fout")"
		emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 flood_success "$(kv success "$fout")"
		emit pcpd_flood "$rate" "$BENCH_PCPD_FLOOD_SRCS" 1 flood_sent_per_sec "$(kv sent_per_sec "$fout")"
	fi
}

# Each flood rate on a fresh instance and a fresh pcpd (the flood's
# mappings stay for their lifetime: the next run must not start with them).
pcost_flood() {
	local i=0 rate
	for rate in $BENCH_PCPD_FLOODS; do
		topo_arm P
		ip -n "$BENCH_GEN" addr add "$CLIENT/8" dev g_P
		for i in $(seq 0 $((BENCH_PCPD_FLOOD_SRCS - 1))); do
			echo "addr add $(addr_plus "$PCOST_FLOOD_NET" "$i")/8 dev g_P"
		done | ip -n "$BENCH_GEN" -batch - || die "pcpd flood: source addresses"
		# Default rate limits: no rate_limit keys.
		pcost_conf "flood$rate" ""
		pcost_start "flood$rate"
		pcost_flood_run "$rate"
		grep -i 'rate limit' "$PCOST_DIR/pcpd.log" | tail -n 2 >&2 || true
		pcost_stop
		topo_del_arm P
		settle_tables
	done
}

pcpd_phase() {
	[ -x "${PCPD:-}" ] || die "pcpd phase: no pcpd binary ($PCPD)"
	rm -rf "$PCOST_DIR"
	mkdir -p "$PCOST_DIR"
	emit meta all 0 0 pcpd_reqs "$BENCH_PCPD_REQS"
	pcost_table_size
	pcost_flood
}
