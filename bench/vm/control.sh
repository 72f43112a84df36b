# shellcheck shell=bash
# Phases 6 and 7: the control plane and pcpd's restart.
#
# The client is the generator namespace's g_C (10.0.0.2, more addresses
# for the restart table); the server listens on the router's inside
# address 10.255.255.1:5351. pcpd and miniupnpd answer the same request
# stream (pcpload: MAP requests for new UDP mappings, internal ports from
# 20000 up, window 1 for latency and 16 for throughput, BENCH_CTRL_RUNS
# times each), one after the
# other, each in a router namespace of its own.

CTRL_DIR=/tmp/bench-ctrl
CLIENT=10.0.0.2
MUPNP_EXT=100.128.0.1

ctrl_topo() { # ctrl_topo ARM: router + client address
	topo_arm "$1"
	ip -n "$BENCH_GEN" addr add "$CLIENT/8" dev "g_$1"
}

wait_udp_listen() { # wait_udp_listen NS PORT
	local i
	for i in $(seq 1 100); do
		ip netns exec "$1" ss -lun 2>/dev/null | grep -q ":$2 " && return 0
		sleep 0.1
	done
	return 1
}

# ctrl_load SERVER_NAME COUNT RESET_FN: the request stream,
# BENCH_CTRL_RUNS times per window, each run on fresh internal ports.
# miniupnpd's RESET_FN empties its table first (its cost grows with its
# rule count); pcpd's does nothing (a flush would make it restore the
# mappings from its state file; its cost does not depend on the table).
ctrl_load() {
	local s=$1 n=$2 reset=$3 w r out kv port=20000
	for r in $(seq 1 "${BENCH_CTRL_RUNS:-3}"); do
		for w in 1 16; do
			"$reset"
			out=$(ip netns exec "$BENCH_GEN" "$BENCH_TOOLS/pcpload" -s "$RT_INT" -c "$CLIENT" \
				-n "$n" -w "$w" -p "$port" -l 3600 -t 2000) ||
				log "control: $s window $w: $out"
			log "control: $s window $w run $r: $out"
			port=$((port + n))
			for kv in $out; do
				emit control "$s" "$w" "$r" "${kv%%=*}" "${kv#*=}"
			done
		done
	done
}

pcpd_reset() { :; }

# The [nat] section of every pcpd the bench runs (control and pcpd phases).
pcpd_nat_section() {
	cat <<EOF
[nat]
pool = 198.51.100.0/24
internal = 10.0.0.0/8
ext_dev = r1
quota = 0
max_mappings = 4000000
udp_timeout = 3600
EOF
}

pcpd_conf() { # pcpd_conf FILE
	{
		cat <<-EOF
		[pcpd]
		listen = $RT_INT
		natpmp = off
		announce = off
		state_file = $CTRL_DIR/pcpd.state
		EOF
		pcpd_nat_section
	} >"$1"
}

pcpd_start() { # pcpd_start: in brt_C; PCPD_PID
	ip netns exec brt_C "$PCPD" -d -c "$CTRL_DIR/pcpd.conf" >>"$CTRL_DIR/pcpd.log" 2>&1 &
	PCPD_PID=$!
}

pcpd_stop() {
	[ -n "${PCPD_PID:-}" ] || return 0
	kill "$PCPD_PID" 2>/dev/null || true
	wait "$PCPD_PID" 2>/dev/null || true
	PCPD_PID=
}

module_mappings() { ip netns exec brt_C "$PCPCTL" config --json 2>/dev/null | jq -r '.mappings // 0'; }

control_pcpd() {
	local out b n i c stored t0 t1 got
	ctrl_topo C
	pcpd_conf "$CTRL_DIR/pcpd.conf"
	pcpd_start
	if ! wait_udp_listen brt_C 5351; then
		emit meta all 0 0 control_pcpd "pcpd did not start: $(tail -n 3 "$CTRL_DIR/pcpd.log" | tr ',\n' '; ')"
		pcpd_stop
		topo_del_arm C
		return
	fi
	ctrl_load pcpd "$BENCH_CTRL_N" pcpd_reset
	log "control: module holds $(module_mappings) mappings"

	# Raw genl inserts into the same instance, fresh internal addresses.
	for b in 1 64; do
		out=$(ip netns exec brt_C "$BENCH_TOOLS/genlbench" -b "$b" -n "$BENCH_GENL_N" \
			-a "10.$((b == 1 ? 101 : 102)).0.1" -A 256 -p 1024 -l 3600) ||
			log "control: genlbench -b $b: $out"
		log "control: genl batch $b: $out"
		for kv in $out; do
			emit genl "$([ "$b" = 1 ] && echo unbatched || echo batched)" "$b" 1 "${kv%%=*}" "${kv#*=}"
		done
	done
	# A clean instance and no stored state for the restart test.
	pcpd_stop
	topo_del_arm C
	settle_tables
	rm -f "$CTRL_DIR/pcpd.state"
	ctrl_topo C
	pcpd_start
	wait_udp_listen brt_C 5351 || log "control: pcpd did not come back"

	# Restart: BENCH_RESTART_N mappings made through pcpd, stored by it;
	# then the instance is lost (namespace gone), pcpd starts again and
	# restores them. Timed from pcpd's start to the module holding them all.
	n=$BENCH_RESTART_N
	c=0
	i=0
	while [ "$c" -lt "$n" ]; do
		local want=$((n - c > 45000 ? 45000 : n - c)) cl
		cl=10.0.$((1 + i)).2
		ip -n "$BENCH_GEN" addr add "$cl/8" dev g_C 2>/dev/null || true
		ip netns exec "$BENCH_GEN" "$BENCH_TOOLS/pcpload" -s "$RT_INT" -c "$cl" \
			-n "$want" -w 16 -p 20000 -l 3600 -t 2000 >/dev/null || true
		c=$((c + want))
		i=$((i + 1))
	done
	sleep 3
	got=$(module_mappings)
	stored=$( [ -f "$CTRL_DIR/pcpd.state" ] && wc -l <"$CTRL_DIR/pcpd.state" || echo 0)
	log "control: restart table: $got mappings in the module, state file $stored lines"
	pcpd_stop
	if [ "$stored" -le 2 ]; then
		emit meta all 0 0 restart "not available: pcpd stored no state for $got mappings ($(grep -i state "$CTRL_DIR/pcpd.log" | tail -n 1 | tr ',' ';'))"
		topo_del_arm C
		settle_tables
		return
	fi
	topo_del_arm C
	settle_tables
	ctrl_topo C
	# Done when the module holds them all, or when pcpd says it restored
	# what it had (its file may hold fewer: see the report), or after 10 min.
	: >"$CTRL_DIR/pcpd.log"
	t0=$(date +%s.%N)
	pcpd_start
	for i in $(seq 1 3000); do
		c=$(module_mappings)
		[ "${c:-0}" -ge "$got" ] && break
		grep -q 'mappings restored' "$CTRL_DIR/pcpd.log" && { c=$(module_mappings); break; }
		sleep 0.2
	done
	t1=$(date +%s.%N)
	emit restart pcpd n 1 made "$got"
	emit restart pcpd n 1 stored "$((stored > 2 ? stored - 2 : 0))"
	emit restart pcpd n 1 restored "$c"
	emit restart pcpd n 1 seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
	log "control: restart restored $c of $got in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s"
	pcpd_stop
	topo_del_arm C
	settle_tables
}

miniupnpd_conf() { # miniupnpd_conf FILE
	cat >"$1" <<EOF
ext_ifname=r1
listening_ip=r0
port=0
enable_upnp=no
enable_natpmp=yes
secure_mode=yes
system_uptime=yes
min_lifetime=120
max_lifetime=86400
upnp_table_name=filter
upnp_nat_table_name=filter
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07d
allow 1024-65535 10.0.0.0/8 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
}

# Daemonised, as in service: with -d it would log every request.
mupnp_start() {
	rm -f /run/miniupnpd-bench.pid
	ip netns exec brt_M miniupnpd -f "$CTRL_DIR/miniupnpd.conf" -P /run/miniupnpd-bench.pid
	wait_udp_listen brt_M 5351
}

mupnp_stop() {
	local pid i
	pid=$(cat /run/miniupnpd-bench.pid 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || true
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
}

# A fresh miniupnpd over empty chains.
mupnp_reset() {
	local fam c
	mupnp_stop
	for fam in ip inet; do
		for c in miniupnpd prerouting_miniupnpd postrouting_miniupnpd; do
			ip netns exec brt_M nft flush chain "$fam" filter "$c"
		done
	done
	mupnp_start || log "control: miniupnpd did not restart"
}

control_miniupnpd() {
	# bench/tools.sh made sure of it before the VM booted.
	command -v miniupnpd >/dev/null || die "control: miniupnpd (miniupnpd-nftables) missing"
	ctrl_topo M
	# The chains miniupnpd fills (its nft_init.sh in Debian needs a helper
	# file the package does not ship).
	# Whichever family this build uses for its rules (ip or inet).
	for fam in ip inet; do
		ip netns exec brt_M nft -f - <<EOF
table $fam filter {
	chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
	chain miniupnpd { }
	chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
	chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
	chain prerouting_miniupnpd { }
	chain postrouting_miniupnpd { }
}
EOF
	done
	# miniupnpd refuses reserved external addresses (RFC 5737 ones too):
	# r1 gets one outside its list. The VM has no network card; nothing
	# leaves it.
	ip -n brt_M addr flush dev r1
	ip -n brt_M addr add "$MUPNP_EXT/24" dev r1
	# Its log: a syslog socket of our own (without one it writes to the
	# console, which would slow it down and flood the output).
	rm -f /dev/log
	socat -u UNIX-RECV:/dev/log "OPEN:$CTRL_DIR/miniupnpd.syslog,creat,append" &
	SYSLOG_PID=$!
	sleep 0.5
	miniupnpd_conf "$CTRL_DIR/miniupnpd.conf"
	if ! mupnp_start; then
		# Once more in the foreground for its reason.
		ip netns exec brt_M timeout 5 miniupnpd -f "$CTRL_DIR/miniupnpd.conf" -d \
			-P /run/miniupnpd-bench2.pid >"$CTRL_DIR/miniupnpd.log" 2>&1 || true
		emit meta all 0 0 control_miniupnpd "did not start: $(grep -iE 'error|fail|reserved' "$CTRL_DIR/miniupnpd.log" | head -n 2 | tr ',\n' '; ')"
	else
		ctrl_load miniupnpd "$BENCH_CTRL_N_MINIUPNPD" mupnp_reset
		emit meta all 0 0 control_miniupnpd_n "$BENCH_CTRL_N_MINIUPNPD"
	fi
	mupnp_stop
	# What it said, most frequent first (its successes excepted).
	sed 's/<[0-9]*>/\n/g' "$CTRL_DIR/miniupnpd.syslog" 2>/dev/null | sed 's/^.*miniupnpd\[[0-9]*\]: //' |
		grep -v '^PCP MAP: added\|^$' | sed 's/[0-9]\+/N/g' | sort | uniq -c | sort -rn | head -n 5 >&2 || true
	kill "$SYSLOG_PID" 2>/dev/null || true
	topo_del_arm M
	settle_tables
}

control_phase() {
	mkdir -p "$CTRL_DIR"
	if [ -n "$PCPNAT_KO_OK" ] && [ -x "${PCPD:-}" ]; then
		control_pcpd
	else
		emit meta all 0 0 control_pcpd "not run: pcpd or the module not available"
		emit meta all 0 0 restart "not available: pcpd or the module not built"
	fi
	control_miniupnpd
}
