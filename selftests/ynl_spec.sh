#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The family's spec (Documentation/netlink/specs/pcpnat.yaml) describes the
# module as it is: the kernel's own YNL client, tools/net/ynl/cli.py from
# linux-source-6.12 (set-up puts it in the machine cache), driven by the
# spec alone, reads the configuration pcpctl set, makes a mapping that
# pcpctl then shows, dumps it and reads the counters. A spec that names a
# wrong type, number or nest fails here, where the generated policies
# alone could not tell.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)

source "$here/lib.sh"
topo_names ynl
YNL_DIR=$PCPNAT_KCACHE/ynl
SPEC=$PCPNAT_TOP/Documentation/netlink/specs/pcpnat.yaml

ktap_print_header
ktap_set_plan 4

ktap_need "$PCPCTL"
[ -e "$YNL_DIR/tools/net/ynl/cli.py" ] ||
	ktap_exit_fail_msg "missing $YNL_DIR/tools/net/ynl/cli.py (make setup)"

ynl() {
	in_ns "$R" /usr/bin/python3 "$YNL_DIR/tools/net/ynl/cli.py" --spec "$SPEC" \
		--schema "$YNL_DIR/Documentation/netlink/genetlink-legacy.yaml" \
		--output-json "$@"
}

# ynl_to FILE ARGS...: cli.py's JSON in FILE; a failure counts against the
# test at hand (its traceback is printed) rather than ending it silently.
ynl_to() {
	local f=$1; shift
	ynl "$@" >"$f" 2>"$f.err" && return 0
	ktap_print_msg "cli.py $*: $(tail -n 1 "$f.err")"
	fails=$((fails + 1))
}

setup() {
	ip netns add "$R" && in_ns "$R" ip link set lo up &&
		pcpctl config set pool 203.0.113.0/30 internal 10.0.0.0/8 udp-timeout 600
}
ktap_setup setup

t_config() {
	ynl_to "$tmp/cfg" --do config-get --json '{}'
	want eq "$(jq -r '.config["ext-pool"].prefix[0] | "\(.addr)/\(.len)"' "$tmp/cfg")" 203.0.113.0/30
	want eq "$(jq -r '.config["int-prefixes"].prefix[0].addr' "$tmp/cfg")" 10.0.0.0
	want eq "$(jq -r '.config["udp-timeout"]' "$tmp/cfg")" 600
	want eq "$(jq -r '.config.filtering' "$tmp/cfg")" address-dependent
	want eq "$(jq -r .version "$tmp/cfg")" "$(pcpctl version --json | jq -r .module_abi)"
	ok "cli.py decodes CONFIG_GET from the spec as pcpctl set it"
}
t_config

# 10.0.0.2 as the big-endian u32 the spec says it is.
t_map_add() {
	ynl_to "$tmp/add" --do map-add --json '{"map": {"proto": 17, "int-addr": 167772162,
		"int-port": 5000, "lifetime": 100, "nonce": "000102030405060708090a0b",
		"descr": "ynl"}}'
	want eq "$(jq -r .map.kind "$tmp/add")" explicit
	pcpctl show --json >"$tmp/show"
	want eq "$(jq -r '.[0].ext_port' "$tmp/show")" "$(jq -r '.map["ext-port"]' "$tmp/add")"
	want eq "$(jq -r '.[0].descr' "$tmp/show")" ynl
	ok "cli.py makes a mapping (MAP_ADD from the spec) that pcpctl shows"
}
t_map_add

t_dump() {
	ynl_to "$tmp/dump" --dump map-get
	want eq "$(jq -r length "$tmp/dump")" 1
	want eq "$(jq -r '.[0].map["int-addr"]' "$tmp/dump")" 10.0.0.2
	want eq "$(jq -r '.[0].map.nonce' "$tmp/dump")" 000102030405060708090a0b
	ok "cli.py dumps the table (MAP_GET dump) with every attribute decoded"
}
t_dump

t_stats() {
	ynl_to "$tmp/stats" --do stats-get
	want eq "$(jq -r '.stats["map-created"]' "$tmp/stats")" "$(pcpctl stats --json | jq -r .map_created)"
	want eq "$(jq -r '.stats.mappings' "$tmp/stats")" 1
	ok "cli.py decodes STATS_GET, every counter named by the spec"
}
t_stats

ktap_finished
