# shellcheck shell=bash
# Phase "failover": the traffic gap of a failover between two pcpnat
# routers under keepalived (etc/keepalived.conf.example, advert_int 1,
# keepalived's default), and the mappings it loses. The topology,
# keepalived and pcpd are selftests/pcp_failover.sh's
# (selftests/failover_lib.sh); a UDP stream, a datagram every 10 ms from
# the client to the outside host, and the largest gap between two arrivals
# at the outside host is the gap. Planned switch-over, kill -9 of pcpd and
# keepalived, the inside link down; BENCH_FO_RUNS (3) times each, the
# active alternating. Guest clock: VRRP's timers run on it, so the gap is
# what the guest's routers took, whatever TCG's speed.
#
# Metrics (phase failover, arm = the scenario): gap_ms (UDP), tcp_gap_ms
# (the TCP connection's echoes), lost (explicit mappings not on the new
# active at the same endpoint, plus the flows whose external port changed).

FO_BENCH_MAPS=20

failover_phase() {
	# A subshell: selftests/lib.sh's namespaces, temporary directory and
	# EXIT trap end with the phase.
	# selftests/lib.sh is written for scripts without set -e (main.sh's).
	(set +e; fo_bench) || log "failover: failed"
}

fo_bench() {
	local here=${BENCH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
	# shellcheck source=selftests/lib.sh
	. "$here/selftests/lib.sh"
	# shellcheck source=selftests/failover_lib.sh
	. "$here/selftests/failover_lib.sh"
	local act=a new sc run s gap tgap lost p e ports=() fu ft
	fo_names bfo
	fo_key
	fo_conf a
	fo_conf b
	fo_ka_conf a 150
	fo_ka_conf b 100
	fo_setup >"$tmp/setup" 2>&1 || { cat "$tmp/setup" >&2; return 1; }
	fo_pcpd_start a && fo_pcpd_start b || return 1
	fo_ka_start a
	fo_wait 100 eval '[ "$(fo_active)" = a ]' || return 1
	fo_ka_start b
	fo_wait 100 fo_synced a || return 1
	for p in $(seq 7000 $((7000 + FO_BENCH_MAPS - 1))); do
		e=$(in_ns "$C1" python3 "$top/selftests/pcp_client.py" map "$GW" --proto udp \
			--int-port "$p" --lifetime 3600 | jq -r .ext_port)
		ports+=("$p:$e")
	done
	fo_flows_start 5000 41000 || return 1
	fo_wait 100 eval 'fo_flow_dump server | jq -e ".udp.count > 0"' >/dev/null || return 1
	fu=$(in_ns "$A" "$PCPCTL" show proto udp int "$H1:41000" --json | jq -r '.[0].ext_port')
	ft=$(in_ns "$A" "$PCPCTL" show proto tcp int "$H1:41000" --json | jq -r '.[0].ext_port')
	fo_wait 100 fo_synced a || return 1
	for run in $(seq "${BENCH_FO_RUNS:-3}"); do
		for sc in planned kill link; do
			sleep 1
			fo_flow_dump server >/dev/null
			fo_fail "$sc" "$act"
			new=$(fo_other "$act")
			fo_takeover "$new" || { log "failover: $sc run $run: no takeover"; return 1; }
			sleep 3
			s=$(fo_flow_dump server)
			gap=$(jq -r .udp.max_gap_ms <<<"$s")
			tgap=$(jq -r .tcp.max_gap_ms <<<"$s")
			lost=0
			for p in "${ports[@]}"; do
				e=$(in_ns "$(fo_ns "$new")" "$PCPCTL" show proto udp int "$H1:${p%:*}" --json |
					jq -r '.[0].ext_port')
				[ "$e" = "${p#*:}" ] || lost=$((lost + 1))
			done
			[ "$(jq -c .udp.endpoints <<<"$s")" = "[\"$EXT:$fu\"]" ] || lost=$((lost + 1))
			[ "$(jq -c .tcp.endpoints <<<"$s")" = "[\"$EXT:$ft\"]" ] || lost=$((lost + 1))
			log "failover: $sc run $run, $act -> $new: UDP gap $gap ms, TCP gap $tgap ms, lost $lost"
			emit failover "$sc" 0 "$run" gap_ms "$gap"
			emit failover "$sc" 0 "$run" tcp_gap_ms "$tgap"
			emit failover "$sc" 0 "$run" lost "$lost"
			fo_restore "$sc" "$act" || { log "failover: $sc run $run: $act not back"; return 1; }
			act=$new
		done
	done
}
