#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcpctl against the loaded module, in a namespace of its own: human and
# JSON output of every subcommand (JSON read with jq, never grepped), exit
# codes, and one clear line on stderr for every refusal, the kernel's own
# reason included.
#
# Needs: pcpnat.ko loaded, root, jq. PCPCTL overrides the binary;
# PCPCTL_SCALE the size of the large dump (0 skips it).

source "$(dirname "$0")/../scripts/paths.sh"
source "${KSFT_DIR:-$PCPNAT_KSFT}/kselftest/ktap_helpers.sh"

SCALE=${PCPCTL_SCALE:-100000}
NS=pcpctl-$$
TMP=$(mktemp -d)
MON_PID=

cleanup() {
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ktap_print_header
# All of these are the project's own or installed by its set-up: missing,
# they fail the test, never skip it.
[ "$(id -u)" = 0 ] || ktap_exit_fail_msg "needs root"
command -v jq >/dev/null || ktap_exit_fail_msg "jq is missing (scripts/setup.sh installs it)"
[ -x "$PCPCTL" ] || ktap_exit_fail_msg "missing $PCPCTL (make userspace)"
grep -q '^pcpnat ' /proc/modules || ktap_exit_fail_msg "pcpnat.ko is not loaded"
ktap_set_plan 26

ctl() { ip netns exec "$NS" "$PCPCTL" "$@"; }

# run EXPECTED_RC CMD...: output in $TMP/out, $TMP/err; status checked.
run() {
	local want=$1 rc=0
	shift
	ctl "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		ktap_print_msg "pcpctl $*: exit $rc, wanted $want; stderr: $(head -c 300 "$TMP/err")"
		return 1
	fi
	return 0
}

# A refusal: the wanted status, nothing on stdout, exactly one stderr line
# starting "pcpctl: " and, if given, matching the pattern.
refused() {
	local want=$1 pat=$2
	shift 2
	run "$want" "$@" || return 1
	[ "$(wc -l <"$TMP/err")" = 1 ] || { ktap_print_msg "stderr not one line: $(cat "$TMP/err")"; return 1; }
	grep -q '^pcpctl: ' "$TMP/err" || return 1
	[ ! -s "$TMP/out" ] || { ktap_print_msg "stdout not empty"; return 1; }
	[ -z "$pat" ] || grep -Eq -- "$pat" "$TMP/err" ||
		{ ktap_print_msg "stderr '$(cat "$TMP/err")' lacks /$pat/"; return 1; }
}

# jqt FILTER: true if jq says so about $TMP/out.
jqt() { jq -e "$1" "$TMP/out" >/dev/null 2>&1 || { ktap_print_msg "jq '$1' false on: $(head -c 400 "$TMP/out")"; return 1; }; }

ip netns add "$NS" || ktap_exit_fail_msg "cannot create netns"
ip -n "$NS" link add ext0 type dummy 2>/dev/null ||
	ip -n "$NS" link add ext0 type veth peer name ext1 ||
	ktap_exit_fail_msg "cannot create a device"
ip -n "$NS" link set ext0 up

NONCE=0123456789abcdef01234567

t_version() {
	run 0 version && grep -q 'ABI version' "$TMP/out" &&
	run 0 version --json && jqt '.abi == .module_abi and (.pcpctl|type) == "string"'
}
ktap_test_result "version: human and json agree on the ABI" t_version

t_config_set() {
	run 0 config set pool 198.51.100.0/30 internal 10.0.0.0/16,10.1.0.0/24 \
		ext-dev ext0 ports 2000-60000 udp-timeout 301 tcp-est-timeout 7450 \
		tcp-trans-timeout 250 icmp-timeout 61 filtering eif quota 0 \
		max-mappings 250000 all-ports off &&
	run 0 --json config &&
	jqt '.pool == ["198.51.100.0/30"] and .internal == ["10.0.0.0/16","10.1.0.0/24"]
	     and .ext_dev == "ext0" and .port_min == 2000 and .port_max == 60000
	     and .udp_timeout == 301 and .tcp_est_timeout == 7450
	     and .tcp_trans_timeout == 250 and .icmp_timeout == 61
	     and .filtering == "eif" and .quota == 0 and .max_mappings == 250000
	     and .all_ports == false and .mappings == 0
	     and (.epoch|type) == "number" and (.state_id|type) == "number"'
}
ktap_test_result "config set, then config --json shows every setting" t_config_set

t_config_human() {
	run 0 config &&
	[ "$(awk '$1 == "pool" { print $2 }' "$TMP/out")" = 198.51.100.0/30 ] &&
	[ "$(awk '$1 == "ports" { print $2 }' "$TMP/out")" = 2000-60000 ] &&
	[ "$(awk '$1 == "ext-dev" { print $2 }' "$TMP/out")" = ext0 ] &&
	[ "$(awk '$1 == "filtering" { print $2 }' "$TMP/out")" = eif ] &&
	run 0 config set filtering adf && run 0 config &&
	[ "$(awk '$1 == "filtering" { print $2 }' "$TMP/out")" = adf ]
}
ktap_test_result "config: human output, a single setting changes alone" t_config_human

# The standby role (Documentation/pcpd-sync.md): shown in both outputs,
# set by its words alone, kept by other changes.
t_config_role() {
	run 0 config && [ "$(awk '$1 == "role" { print $2 }' "$TMP/out")" = active ] &&
	run 0 config set role standby && run 0 --json config && jqt '.role == "standby"' &&
	run 0 config set filtering adf && run 0 config &&
	[ "$(awk '$1 == "role" { print $2 }' "$TMP/out")" = standby ] &&
	refused 2 'invalid role "on" \(active or standby\)' config set role on &&
	run 0 config set role active && run 0 --json config && jqt '.role == "active"'
}
ktap_test_result "config: role standby and active, in text and JSON" t_config_role

t_config_bad_syntax() {
	refused 2 'invalid.*10\.0\.0\.0/33' config set pool 10.0.0.0/33 &&
	refused 2 'invalid' config set ports 70000-1 &&
	refused 2 'unknown config setting' config set colour blue &&
	refused 2 'needs a value' config set udp-timeout &&
	refused 2 'no interface' config set ext-dev nosuchdev0
}
ktap_test_result "config set: bad syntax is refused before the kernel (exit 2)" t_config_bad_syntax

t_config_kernel_refusal() {
	# Well formed, but the module's policy says no; its words reach the
	# user, with the setting the kernel pointed at and the bound it broke.
	refused 1 '^pcpctl: config set: udp-timeout: .*out of range \(range 120-604800\)$' \
		config set udp-timeout 10 &&
	refused 1 '^pcpctl: config set: tcp-est-timeout: .*\(range 7440-604800\)$' \
		config set ports 3000-4000 tcp-est-timeout 7439 &&
	refused 1 '^pcpctl: config set: max-mappings: .*\(minimum 1\)$' \
		config set max-mappings 0 &&
	refused 1 '' config set pool 198.51.100.1/30 &&
	! grep -q 'Invalid argument$' "$TMP/err" &&
	run 0 --json config &&
	jqt '.udp_timeout == 301 and .tcp_est_timeout == 7450 and .port_min == 2000
	     and .max_mappings == 250000 and .pool == ["198.51.100.0/30"]'
}
ktap_test_result "config set: kernel refusals print its extack, change nothing" t_config_kernel_refusal

t_config_conf_spelling() {
	# pcpd.conf's spelling (underscores) is taken too, and the module's
	# refusal is still named with pcpctl's word.
	run 0 config set max_mappings 240000 udp_timeout 302 all_ports yes &&
	run 0 --json config &&
	jqt '.max_mappings == 240000 and .udp_timeout == 302 and .all_ports == true' &&
	refused 1 '^pcpctl: config set: udp-timeout: .*\(range 120-604800\)$' \
		config set udp_timeout 10 &&
	run 0 config set max-mappings 250000 udp-timeout 301 all-ports off
}
ktap_test_result "config set: pcpd.conf's spellings are taken too" t_config_conf_spelling

t_map_add() {
	run 0 map add proto udp int 10.0.0.2:5000 lifetime 600 nonce $NONCE \
		descr "test map" filter 203.0.113.0/24:443 filter 192.0.2.7 --json &&
	cp "$TMP/out" "$TMP/added" &&
	jqt '.proto == "udp" and .int_addr == "10.0.0.2" and .int_port == 5000
	     and (.ext_addr|test("^198\\.51\\.100\\.[0-3]$"))
	     and .ext_port >= 2000 and .ext_port <= 60000
	     and .kind == "explicit" and .lifetime > 0 and .lifetime <= 600
	     and .subscriber == "10.0.0.2" and .nonce == "'$NONCE'"
	     and .descr == "test map"
	     and .filters == [{"addr":"203.0.113.0","plen":24,"port":443},
			      {"addr":"192.0.2.7","plen":32,"port":0}]'
}
ktap_test_result "map add --json: the installed mapping, external port chosen" t_map_add

EXT=$(jq -r '"\(.ext_addr):\(.ext_port)"' "$TMP/added" 2>/dev/null)

t_map_get() {
	run 0 map get proto udp int 10.0.0.2:5000 --json &&
	jqt '"\(.ext_addr):\(.ext_port)" == "'"$EXT"'" and .descr == "test map"' &&
	run 0 --json map get proto udp ext "$EXT" &&
	jqt '.int_addr == "10.0.0.2" and .int_port == 5000' &&
	run 0 map get proto udp int 10.0.0.2:5000 &&
	[ "$(awk '$1 == "external" { print $2 }' "$TMP/out")" = "$EXT" ] &&
	[ "$(awk '$1 == "nonce" { print $2 }' "$TMP/out")" = $NONCE ]
}
ktap_test_result "map get by internal and by external key, human and json" t_map_get

t_map_add_bad() {
	refused 2 'nonce' map add proto udp int 10.0.0.9:1 nonce 0123 &&
	refused 2 'protocol' map add proto sctp int 10.0.0.9:1 &&
	refused 2 'internal endpoint' map add proto udp int 10.0.0.9 &&
	refused 2 'needs proto and int' map add proto udp &&
	refused 2 'lifetime' map add proto udp int 10.0.0.9:1 lifetime -5 &&
	refused 2 'filter' map add proto udp int 10.0.0.9:1 filter 0.0.0.0/0
}
ktap_test_result "map add: malformed arguments, exit 2 and one line" t_map_add_bad

t_map_add_kernel() {
	# Port 0 (all ports) is off in the configuration; a port that cannot be had.
	refused 1 'port 0' map add proto udp int 10.0.0.9:0 &&
	# Outside the internal prefixes: named, and nothing installed.
	refused 1 '^pcpctl: map add: int: internal address is outside' \
		map add proto udp int 172.16.0.1:5 &&
	refused 1 '' map add proto udp int 10.0.0.3:5001 ext 198.51.100.0:1000 prefer-failure &&
	run 0 --json show && jqt 'length == 1'
}
ktap_test_result "map add: kernel refusals leave the table as it was" t_map_add_kernel

t_show() {
	run 0 map add proto tcp int 10.0.0.3:80 --json &&
	run 0 map add proto icmp int 10.1.0.4:77 descr ping --json &&
	run 0 show --json &&
	jqt 'length == 3 and (map(.proto)|sort) == ["icmp","tcp","udp"]' &&
	run 0 show &&
	[ "$(wc -l <"$TMP/out")" = 4 ] &&
	head -1 "$TMP/out" | grep -q '^PROTO' &&
	[ "$(awk '$1 == "tcp" { print $2 }' "$TMP/out")" = 10.0.0.3:80 ]
}
ktap_test_result "show: table and json list every mapping" t_show

t_show_filters() {
	run 0 show proto tcp --json && jqt 'length == 1 and .[0].int_port == 80' &&
	run 0 show int 10.0.0.2 --json && jqt 'length == 1 and .[0].proto == "udp"' &&
	run 0 show int 10.0.0.2:5000 --json && jqt 'length == 1' &&
	run 0 show int 10.0.0.2:5001 --json && jqt 'length == 0' &&
	run 0 show ext "$EXT" --json && jqt 'length == 1 and .[0].int_port == 5000' &&
	run 0 show subscriber 10.1.0.4 --json && jqt 'length == 1 and .[0].descr == "ping"' &&
	run 0 show kind explicit --json && jqt 'length == 3' &&
	run 0 show kind implicit --json && jqt 'length == 0' &&
	refused 2 'kind' show kind sometimes
}
ktap_test_result "show: filters by proto, int, ext, subscriber, kind" t_show_filters

t_map_del() {
	refused 1 '' map del proto udp int 10.0.0.2:5000 nonce ffffffffffffffffffffffff &&
	run 0 map del proto udp int 10.0.0.2:5000 nonce $NONCE &&
	refused 1 '' map get proto udp int 10.0.0.2:5000 &&
	refused 1 '' map del proto udp int 10.0.0.2:5000 nonce $NONCE &&
	run 0 map del proto tcp int 10.0.0.3:80 force &&
	run 0 --json show && jqt 'length == 1 and .[0].proto == "icmp"'
}
ktap_test_result "map del: nonce checked, force, gone afterwards" t_map_del

t_stats() {
	run 0 stats --json &&
	jqt '(.pkts_out|type) == "number" and (.drop_filtered|type) == "number"
	     and (.alloc_probes|type) == "number" and .map_created >= 3
	     and .mappings == 1' &&
	run 0 stats &&
	[ "$(awk '$1 == "map_created" { print $2 }' "$TMP/out")" -ge 3 ]
}
ktap_test_result "stats: human and json counters" t_stats

t_stats_reset() {
	run 0 stats reset && run 0 stats --json &&
	jqt '.map_created == 0 and .pkts_out == 0 and .map_deleted == 0'
}
ktap_test_result "stats reset zeroes the counters" t_stats_reset

t_flush_sub() {
	local i
	for i in 1 2 3; do run 0 map add proto udp int 10.0.0.5:$i || return 1; done
	run 0 flush subscriber 10.0.0.5 && grep -qx 'flushed 3 mappings' "$TMP/out" &&
	run 0 --json show && jqt 'length == 1 and .[0].proto == "icmp"'
}
ktap_test_result "flush subscriber removes only that subscriber's" t_flush_sub

t_flush_all() {
	run 0 map add proto udp int 10.0.0.6:1 &&
	run 0 flush --json && jqt '.flushed == 2' &&
	run 0 show --json && jqt 'length == 0' &&
	refused 2 'flush' flush everything
}
ktap_test_result "flush --json removes everything and counts it" t_flush_all

# Starts a monitor in the background and waits until it hears events: it
# is fed probe mappings (udp 10.0.0.250:N) until one shows up in its output.
# With --count the probes themselves may end it, which is what t_monitor_count
# wants.
start_monitor() {
	local i
	: >"$TMP/mon"
	ip netns exec "$NS" "$PCPCTL" monitor "$@" >"$TMP/mon" 2>"$TMP/monerr" &
	MON_PID=$!
	for i in $(seq 100); do
		ctl map add proto udp int 10.0.0.250:$i lifetime 60 >/dev/null 2>&1
		sleep 0.1
		[ -s "$TMP/mon" ] && return 0
	done
	ktap_print_msg "monitor never heard an event"
	return 1
}

# Waits (10 s at most) until the monitor output has N lines matching ERE.
wait_lines() {
	local i
	for i in $(seq 100); do
		[ "$(grep -Ec -- "$2" "$TMP/mon")" -ge "$1" ] && return 0
		sleep 0.1
	done
	ktap_print_msg "monitor output lacks $1 lines /$2/: $(head -c 300 "$TMP/mon")"
	return 1
}

# Stops the monitor (SIGTERM unless it already ended); status in MON_RC.
stop_monitor() {
	kill -TERM "$MON_PID" 2>/dev/null
	MON_RC=0
	wait "$MON_PID" || MON_RC=$?
	MON_PID=
}

t_monitor_json() {
	start_monitor --json || return 1
	run 0 map add proto udp int 10.0.0.7:7000 nonce $NONCE &&
	run 0 map del proto udp int 10.0.0.7:7000 nonce $NONCE &&
	wait_lines 2 '"int_port":7000' || { stop_monitor; return 1; }
	stop_monitor
	[ "$MON_RC" = 0 ] && [ ! -s "$TMP/monerr" ] || return 1
	# Every line is one JSON object.
	jq -e -s 'all(type == "object")' "$TMP/mon" >/dev/null &&
	[ "$(jq -c . "$TMP/mon" | wc -l)" = "$(wc -l <"$TMP/mon")" ] &&
	jq -e -s '[.[] | select(.int_port == 7000)] as $e
		| ($e | length) == 2
		and $e[0].event == "map_new" and $e[0].proto == "udp"
		and $e[0].kind == "explicit" and $e[0].nonce == "'$NONCE'"
		and $e[1].event == "map_del" and $e[1].reason == "deleted"' \
		"$TMP/mon" >/dev/null
}
ktap_test_result "monitor --json: one object per line, map_new then map_del" t_monitor_json

t_monitor_count() {
	local i
	ip netns exec "$NS" "$PCPCTL" monitor --count 1 >"$TMP/mon" 2>"$TMP/monerr" &
	MON_PID=$!
	for i in $(seq 100); do
		kill -0 "$MON_PID" 2>/dev/null || break
		ctl map add proto tcp int 10.0.0.8:$i >/dev/null 2>&1
		sleep 0.1
	done
	MON_RC=0
	wait "$MON_PID" || MON_RC=$?
	MON_PID=
	[ "$MON_RC" = 0 ] && [ "$(wc -l <"$TMP/mon")" = 1 ] &&
	grep -Eq '^map_new tcp 10\.0\.0\.8:[0-9]+ -> 198\.51\.100\.[0-3]:[0-9]+ explicit' "$TMP/mon"
}
ktap_test_result "monitor --count 1: a human line, then exits by itself" t_monitor_count

t_monitor_flush() {
	start_monitor --json || return 1
	run 0 flush &&
	wait_lines 1 '"reason":"flushed"|"event":"state_reset"' || { stop_monitor; return 1; }
	stop_monitor
	[ "$MON_RC" = 0 ]
}
ktap_test_result "monitor: flush is announced" t_monitor_flush

t_monitor_signal() {
	ip netns exec "$NS" "$PCPCTL" monitor >"$TMP/mon" 2>"$TMP/monerr" &
	MON_PID=$!
	sleep 1
	stop_monitor
	[ "$MON_RC" = 0 ] && [ ! -s "$TMP/monerr" ] && [ ! -s "$TMP/mon" ]
}
ktap_test_result "monitor: SIGTERM ends it quietly with status 0" t_monitor_signal

t_usage() {
	refused 2 'unknown command' frobnicate &&
	refused 2 '' map frob &&
	refused 2 'unknown argument' stats everything &&
	run 0 --help && grep -q 'monitor' "$TMP/out" &&
	run 0 show --help && grep -q '^Usage: pcpctl show' "$TMP/out"
}
ktap_test_result "usage errors exit 2 with one line; --help exits 0" t_usage

t_batch() {
	printf '%s\n' '# comment' 'map add proto udp int 10.0.0.9:1 descr "two words"' \
		'map add proto udp int 10.0.0.9:2' >"$TMP/batch" &&
	run 0 batch "$TMP/batch" &&
	run 0 show int 10.0.0.9 --json && jqt 'length == 2 and (map(.descr)|sort) == ["","two words"]' &&
	printf '%s\n' 'map add proto udp int 10.0.0.9:3' 'map add proto udp int nonsense' \
		'map add proto udp int 10.0.0.9:4' >"$TMP/batch" &&
	run 2 batch "$TMP/batch" && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	grep -q '^pcpctl: line 2: ' "$TMP/err" &&
	run 0 show int 10.0.0.9 --json && jqt 'length == 3' &&
	run 0 flush
}
ktap_test_result "batch: many commands over one connection, stops at the first error" t_batch

t_other_netns() {
	# Another namespace has its own, empty instance.
	ip netns add "$NS-b" || return 1
	local rc=0
	ip netns exec "$NS-b" "$PCPCTL" show --json >"$TMP/out" 2>"$TMP/err" || rc=$?
	ip netns del "$NS-b"
	[ "$rc" = 0 ] && jqt 'length == 0'
}
ktap_test_result "a second namespace sees none of this one's mappings" t_other_netns

# The large dump: SCALE mappings loaded in one batch, listed by show in a
# multi-part dump, each exactly once.
t_scale() {
	local t0 t1
	awk -v n="$SCALE" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "map add proto udp int 10.0.%d.%d:%d\n",
				int(i / 50000), int(i / 250) % 200 + 1, 1000 + i % 250
	}' >"$TMP/batch"
	t0=$(date +%s)
	run 0 batch "$TMP/batch" >/dev/null || return 1
	t1=$(date +%s)
	ktap_print_msg "loaded $SCALE mappings in $((t1 - t0)) s"
	run 0 --json show || return 1
	t0=$(date +%s)
	ktap_print_msg "show --json of $SCALE mappings took $((t0 - t1)) s"
	jqt 'length == '"$SCALE"' and ([.[] | "\(.int_addr):\(.int_port)"] | unique | length) == '"$SCALE" &&
	run 0 show && [ "$(($(wc -l <"$TMP/out") - 1))" = "$SCALE" ] &&
	run 0 flush --json && jqt '.flushed == '"$SCALE"
}
if [ "$SCALE" -gt 0 ]; then
	ktap_test_result "show lists $SCALE mappings exactly once" t_scale
else
	ktap_test_skip "large dump (PCPCTL_SCALE=0)"
fi

ktap_finished
