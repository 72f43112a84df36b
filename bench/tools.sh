# shellcheck shell=bash
# The programs each phase of `make bench` runs, and the Debian package of
# each. Sourced by bench/run.sh (installs and checks them before the VM
# boots) and bench/vm/main.sh (checks them again inside). A phase whose
# tool is missing would measure something else or nothing: the bench stops.

# bench_tools PHASE...: "program:package" lines for the phases, the shared
# topology's and the report's included.
bench_tools() {
	local p
	# lib.sh: namespaces, veths, offloads, the sink, results.
	printf '%s\n' ip:iproute2 tc:iproute2 ss:iproute2 ethtool:ethtool \
		sysctl:procps jq:jq awk:mawk modprobe:kmod insmod:kmod \
		rmmod:kmod modinfo:kmod getconf:libc-bin nft:nftables
	for p in "$@"; do
		case $p in
		datapath)
			# The reply that makes conntrack's flow ESTABLISHED; the plot.
			printf '%s\n' nft:nftables socat:socat gnuplot:gnuplot-nox ;;
		scaling) printf '%s\n' nft:nftables gnuplot:gnuplot-nox ;;
		exhaust) printf '%s\n' nft:nftables ;;
		control)
			# miniupnpd is the other server measured; socat its syslog.
			printf '%s\n' nft:nftables socat:socat miniupnpd:miniupnpd-nftables \
				timeout:coreutils ;;
		pcpd) ;;
		sync) ;;
		# Two routers under keepalived, the flows in python3.
		failover) printf '%s\n' keepalived:keepalived python3:python3 ;;
		smp) printf '%s\n' nft:nftables ;;
		*) echo "bench: unknown phase '$p' (datapath scaling exhaust control pcpd sync failover smp)" >&2
			return 1 ;;
		esac
	done
}

# bench_missing PHASE...: the packages of the tools not on PATH (sbin
# included), one per line, nothing if all are there.
bench_missing() {
	local t list
	list=$(bench_tools "$@") || return 1
	for t in $list; do
		PATH=$PATH:/usr/sbin:/sbin command -v "${t%%:*}" >/dev/null || echo "${t#*:}"
	done | sort -u
}

# bench_need_tools PHASE...: stops (exit 1) naming every missing tool.
bench_need_tools() {
	local t list miss=
	list=$(bench_tools "$@") || exit 1
	for t in $list; do
		PATH=$PATH:/usr/sbin:/sbin command -v "${t%%:*}" >/dev/null || miss="$miss ${t%%:*} (package ${t#*:})"
	done
	if [ -n "$miss" ]; then
		echo "bench: missing tools for phases '$*':$miss" >&2
		exit 1
	fi
}
