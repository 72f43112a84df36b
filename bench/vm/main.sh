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
for f in datapath scaling exhaust control pcpd_cost sync failover smp; do
	# shellcheck source=/dev/null
	. "$here/$f.sh"
done

trap 'pg_stop; pkill -P $$ 2>/dev/null || true' EXIT

# The tools of the phases asked for, checked here too: the VM may not see
# what the host installed.
read -ra phases <<<"$BENCH_PHASES"
bench_need_tools "${phases[@]}"

log "kernel $(uname -r), $(nproc) vCPU, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
# nf_flow_table and its users: the datapath and scaling phases load them
# for their flowtable arm only (datapath.sh says why). Every module here is
# one some arm needs: one that does not load stops the bench.
for m in veth pktgen nf_conntrack nf_nat nft_masq sch_ingress cls_matchall act_gact; do
	modprobe "$m" || die "modprobe $m failed"
done
# conntrack and pcpnat sized alike (lib.sh, tables_cap): 2^BENCH_HASH_BITS
# buckets and entries, what the kernel itself picks for this VM's memory;
# the scaling and exhaustion phases size them for their own loads.
[ -n "${BENCH_KO:-}" ] && [ -f "$BENCH_KO" ] && [ -x "$PCPCTL" ] ||
	die "no pcpnat.ko ($BENCH_KO) or pcpctl ($PCPCTL)"
tables_cap $((1 << ${BENCH_HASH_BITS:-16}))
PCPNAT_KO_OK=1
emit meta all 0 0 kernel "$(uname -r)"
emit meta all 0 0 a4 "${PCPNAT_KO_OK:-0}"

for p in "${phases[@]}"; do
	"${p}_phase"
done
rmmod pcpnat || log "rmmod pcpnat failed"
log "done"
