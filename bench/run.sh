#!/bin/bash
# `make bench`: pcpnat against Linux's own NAT, and pcpd against miniupnpd,
# in one VM run; prints the table and leaves raw.csv, summary.csv,
# table.txt and bench.png in bench/results/<time>/ (bench/results/latest).
#   bench/run.sh KVER
# Environment (sizes; BENCH_QUICK=1 picks small ones for development):
#   BENCH_RUNS       runs per arm and size (5; quick 3)
#   BENCH_PKTS       packets per measured pktgen run (30000; quick 5000)
#   BENCH_SIZES      table sizes for flow scaling ("1 1000 65000 1000000")
#   BENCH_EXH_PORTS  port range of the exhaustion curve (1024-65535)
#   BENCH_EXH_LEVELS fill levels in percent ("50 90 95 99 100")
#   BENCH_EXH_PROBE  new flows measured at each level (1000)
#   BENCH_CTRL_N     PCP requests per control-plane run (2000)
#   BENCH_CTRL_RUNS  control-plane runs per server and window (3)
#   BENCH_CTRL_N_MINIUPNPD  requests per miniupnpd run (300: it slows
#                    down as its rule set grows, see README.md)
#   BENCH_GENL_N     genl inserts per batching mode (20000)
#   BENCH_RESTART_N  mappings pcpd stores and restores (100000)
#   BENCH_PHASES     "datapath scaling exhaust control pcpd sync failover smp"
#                    (smp runs in a VM of its own: two vCPUs, wall clock)
#   BENCH_SYNC_SIZES bursts of new flows replicated to a standby ("10000 50000")
#   BENCH_SYNC_RUNS  runs of each burst size (3; quick 1)
#   BENCH_SYNC_QUEUE [sync] queue of both pcpds (65536, pcpd's default)
#   BENCH_SMP_RUNS   rounds of the smp phase (5; quick 3)
#   BENCH_SMP_PKTS   packets per pktgen thread and smp run (20000; quick 5000)
#   BENCH_FO_RUNS    failovers per scenario, the active alternating (3)
#   BENCH_PCPD_SIZES other subscribers' mappings beside the measured client
#                    ("100 100000"; quick "100 10000")
#   BENCH_PCPD_REQS  requests per type and size (100; quick 20)
#   BENCH_PCPD_RUNS  runs per type and size (3; quick 1)
#   BENCH_PCPD_FLOODS  flood rates in requests/s beside the paced client
#                    ("0 1000 4000"; 0 is the client alone)
#   BENCH_PCPD_FLOOD_SRCS  source addresses of the flood (200)
#   BENCH_PCPD_FLOOD_SECS  the client's run, 10 requests/s (30; quick 10)
#   BENCH_HASH_BITS  log2 buckets of both conntrack and pcpnat (16)
#   BENCH_BUILD      build directory holding kmod/, host/ (build/)
# See bench/README.md for the method.
set -euo pipefail
kver=${1:?usage: bench/run.sh KVER}
. "$(dirname "$0")/../scripts/paths.sh"
top=$PCPNAT_TOP
# Where `make module userspace` put the module and the binaries.
build=${BENCH_BUILD:-$PCPNAT_BUILD}

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_RUNS:=3}" "${BENCH_PKTS:=5000}" "${BENCH_SIZES:=1 1000 10000}"
	: "${BENCH_EXH_PORTS:=1024-5119}" "${BENCH_EXH_PROBE:=200}" "${BENCH_CTRL_N:=200}"
	: "${BENCH_GENL_N:=2000}" "${BENCH_RESTART_N:=2000}" "${BENCH_CTRL_RUNS:=2}"
	: "${BENCH_PCPD_SIZES:=100 10000}" "${BENCH_PCPD_REQS:=20}" "${BENCH_PCPD_RUNS:=1}"
	: "${BENCH_PCPD_FLOOD_SECS:=10}" "${BENCH_SYNC_SIZES:=10000}" "${BENCH_SYNC_RUNS:=1}"
	: "${BENCH_SMP_RUNS:=3}" "${BENCH_SMP_PKTS:=5000}"
	: "${VM_MEM:=2G}"
fi
: "${BENCH_RUNS:=5}" "${BENCH_PKTS:=30000}" "${BENCH_SIZES:=1 1000 65000 1000000}"
: "${BENCH_EXH_PORTS:=1024-65535}" "${BENCH_EXH_LEVELS:=50 90 95 99 100}"
: "${BENCH_EXH_PROBE:=1000}" "${BENCH_CTRL_N:=2000}" "${BENCH_GENL_N:=20000}"
: "${BENCH_RESTART_N:=100000}" "${BENCH_PHASES:=datapath scaling exhaust control pcpd sync failover smp}"
: "${BENCH_SMP_RUNS:=5}" "${BENCH_SMP_PKTS:=20000}"
: "${BENCH_HASH_BITS:=16}" "${BENCH_CTRL_RUNS:=3}" "${VM_MEM:=3G}" "${BENCH_FO_RUNS:=3}"
: "${BENCH_PCPD_SIZES:=100 100000}" "${BENCH_PCPD_REQS:=100}" "${BENCH_PCPD_RUNS:=3}"
: "${BENCH_PCPD_FLOODS:=0 1000 4000}" "${BENCH_PCPD_FLOOD_SRCS:=200}" "${BENCH_PCPD_FLOOD_SECS:=30}"
: "${BENCH_SYNC_SIZES:=10000 50000}" "${BENCH_SYNC_RUNS:=3}" "${BENCH_SYNC_QUEUE:=65536}"
: "${BENCH_CTRL_N_MINIUPNPD:=$((BENCH_CTRL_N < 300 ? BENCH_CTRL_N : 300))}"

# The programs the phases run (bench/tools.sh), their Debian packages
# installed once when missing; then every one must be there, or the bench
# stops before the VM boots.
# shellcheck source=bench/tools.sh
. "$top/bench/tools.sh"
read -ra phases <<<"$BENCH_PHASES"
want=$(bench_missing "${phases[@]}" | tr '\n' ' ') || exit 1
if [ -n "$want" ]; then
	export DEBIAN_FRONTEND=noninteractive
	echo "bench: installing $want"
	apt-get update -qq || true
	# miniupnpd's maintainer scripts would start a service: not here.
	own_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		own_policy=1
	fi
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $want >/dev/null || rc=$?
	[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
	[ "${rc:-0}" = 0 ] || echo "bench: apt-get install failed" >&2
fi
bench_need_tools "${phases[@]}"

make -s -C "$top/bench/tools" O="$build/bench"

# The VM runner passes VM_QEMU_ARGS (-icount, below) on to qemu.
runner=$top/scripts/vm/run.sh

stamp=$(date +%Y%m%d-%H%M%S)
out=$top/bench/results/$stamp
mkdir -p "$out"
ln -sfn "$stamp" "$top/bench/results/latest"
ko=$build/kmod/$kver/kmod/pcpnat.ko
cat >"$out/config.env" <<EOF
BENCH_PHASES="$BENCH_PHASES"
BENCH_RUNS=$BENCH_RUNS
BENCH_PKTS=$BENCH_PKTS
BENCH_SIZES="$BENCH_SIZES"
BENCH_EXH_PORTS=$BENCH_EXH_PORTS
BENCH_EXH_LEVELS="$BENCH_EXH_LEVELS"
BENCH_EXH_PROBE=$BENCH_EXH_PROBE
BENCH_CTRL_N=$BENCH_CTRL_N
BENCH_CTRL_RUNS=$BENCH_CTRL_RUNS
BENCH_CTRL_N_MINIUPNPD=$BENCH_CTRL_N_MINIUPNPD
BENCH_GENL_N=$BENCH_GENL_N
BENCH_RESTART_N=$BENCH_RESTART_N
BENCH_HASH_BITS=$BENCH_HASH_BITS
BENCH_PCPD_SIZES="$BENCH_PCPD_SIZES"
BENCH_PCPD_REQS=$BENCH_PCPD_REQS
BENCH_PCPD_RUNS=$BENCH_PCPD_RUNS
BENCH_PCPD_FLOODS="$BENCH_PCPD_FLOODS"
BENCH_PCPD_FLOOD_SRCS=$BENCH_PCPD_FLOOD_SRCS
BENCH_PCPD_FLOOD_SECS=$BENCH_PCPD_FLOOD_SECS
BENCH_SYNC_SIZES="$BENCH_SYNC_SIZES"
BENCH_SYNC_RUNS=$BENCH_SYNC_RUNS
BENCH_SYNC_QUEUE=$BENCH_SYNC_QUEUE
BENCH_SMP_RUNS=$BENCH_SMP_RUNS
BENCH_SMP_PKTS=$BENCH_SMP_PKTS
BENCH_FO_RUNS=$BENCH_FO_RUNS
BENCH_KO=$ko
PCPCTL=$build/host/pcpctl
PCPD=$build/host/pcpd
BENCH_TOOLS=$build/bench
EOF
echo "bench: kernel $kver, results in $out"
# The module and pcpctl are this project's own: without them the bench
# would measure only Linux's NAT and say nothing of pcpnat.
[ -f "$ko" ] || { echo "bench: $ko missing (make module KVER=$kver)" >&2; exit 1; }
for b in pcpctl pcpd; do
	[ -x "$build/host/$b" ] || { echo "bench: $build/host/$b missing (make userspace)" >&2; exit 1; }
done

# The phases measured in guest instructions, and the smp phase apart.
icount_phases=()
smp=
for p in "${phases[@]}"; do
	if [ "$p" = smp ]; then smp=1; else icount_phases+=("$p"); fi
done

# One vCPU for the device under test; -icount shift=0 makes guest time
# count instructions (1 ns each), immune to load on the host.
rc=0
if [ "${#icount_phases[@]}" -gt 0 ]; then
	sed -i "s/^BENCH_PHASES=.*/BENCH_PHASES=\"${icount_phases[*]}\"/" "$out/config.env"
	VM_SMP=1 VM_MEM=$VM_MEM VM_TIMEOUT=${VM_TIMEOUT:-3600} \
		VM_QEMU_ARGS="-icount shift=0,sleep=on ${VM_QEMU_ARGS:-}" \
		"$runner" "$kver" "$top/bench/vm/main.sh" "$out/config.env" 2>&1 |
		grep --line-buffered -v '^\s*$' | tee "$out/console.log" || rc=$?
	[ "$rc" = 0 ] || { echo "bench: the VM failed (status $rc), see $out/console.log" >&2; exit "$rc"; }
fi
# Two vCPUs, a host thread each, wall clock (bench/vm/smp.sh says why).
if [ -n "$smp" ]; then
	sed 's/^BENCH_PHASES=.*/BENCH_PHASES="smp"/' "$out/config.env" >"$out/config-smp.env"
	VM_SMP=2 VM_TCG_THREAD=multi VM_MEM=$VM_MEM VM_TIMEOUT=${VM_TIMEOUT:-3600} \
		"$runner" "$kver" "$top/bench/vm/main.sh" "$out/config-smp.env" 2>&1 |
		grep --line-buffered -v '^\s*$' | tee "$out/console-smp.log" || rc=$?
	[ "$rc" = 0 ] || { echo "bench: the smp VM failed (status $rc), see $out/console-smp.log" >&2; exit "$rc"; }
fi
[ -s "$out/raw.csv" ] || { echo "bench: the VM produced no results" >&2; exit 1; }
echo
"$top/bench/report.sh" "$out"
echo
echo "bench: $out/{table.txt,summary.csv,raw.csv,bench.png}"
exit "$rc"
