#!/bin/bash
# In-VM entry of `make bench`: loads what the arms need and runs the phases
# named in BENCH_PHASES. Configuration comes from the env file that
# bench/run.sh wrote (its only argument); results go next to it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$1"
export BENCH_OUT
BENCH_OUT=$(dirname "$1")
# shellcheck source=bench/vm/lib.sh
. "$here/lib.sh"
# shellcheck source=bench/tools.sh
. "$here/../tools.sh"
for f in datapath scaling exhaust control pcpd_cost failover; do
	# shellcheck source=/dev/null
	. "$here/$f.sh"
done

trap 'pg_stop; pkill -P $$ 2>/dev/null || true' EXIT

# The tools of the phases asked for, checked here too: the VM may not see
# what the host installed.
read -ra phases <<<"$BENCH_PHASES"
bench_need_tools "${phases[@]}"

log "kernel $(uname -r), $(nproc) vCPU, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
# nf_flow_table and its users: the datapath phase loads them for its
# flowtable arm only (datapath.sh says why).
for m in veth pktgen nf_conntrack nf_nat nft_masq sch_ingress cls_matchall act_gact; do
	modprobe "$m" 2>/dev/null || log "modprobe $m failed (arm may be skipped)"
done
# The same number of hash buckets for conntrack and for pcpnat.
echo $((1 << ${BENCH_HASH_BITS:-16})) >/sys/module/nf_conntrack/parameters/hashsize 2>/dev/null || true
sysctl -qw net.netfilter.nf_conntrack_max="${BENCH_CT_MAX:-2000000}" 2>/dev/null || true

PCPNAT_KO_OK=
if [ -n "${BENCH_KO:-}" ] && [ -f "$BENCH_KO" ] && [ -x "$PCPCTL" ]; then
	if insmod "$BENCH_KO" hash_bits="${BENCH_HASH_BITS:-16}"; then
		PCPNAT_KO_OK=1
	else
		log "insmod $BENCH_KO failed"
		exit 1
	fi
else
	log "no pcpnat.ko or pcpctl"
	exit 1
fi
emit meta all 0 0 kernel "$(uname -r)"
emit meta all 0 0 a4 "${PCPNAT_KO_OK:-0}"

for p in "${phases[@]}"; do
	"${p}_phase"
done
[ -z "$PCPNAT_KO_OK" ] || rmmod pcpnat || log "rmmod pcpnat failed"
log "done"
