#!/bin/bash
# Turns bench/results/<run>/raw.csv into the table (table.txt, printed),
# summary.csv (the same numbers, one line per cell) and bench.png.
#   report.sh RESULTS_DIR
# Medians over runs; spread is (max - min) / median. Every ns figure is
# guest CPU time under qemu -icount shift=0: one guest instruction is one
# nanosecond, so "ns" reads "instructions" (see bench/README.md).
set -euo pipefail
dir=$1
raw=$dir/raw.csv
[ -s "$raw" ] || { echo "report: no $raw" >&2; exit 1; }

awk -F, -v sum="$dir/summary.csv" -v dat="$dir/plot" '
function median(key,   n, i, j, t, a) {
	n = cnt[key]
	if (!n) return ""
	for (i = 1; i <= n; i++) a[i] = val[key, i]
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	lo[key] = a[1]; hi[key] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function spread(key, m) { return m > 0 ? 100 * (hi[key] - lo[key]) / m : 0 }
function get(p, a, x, m,   k) { k = p SUBSEP a SUBSEP x SUBSEP m; return median(k) }
function out(section, row, col, v) { printf "%s,%s,%s,%s\n", section, row, col, v >> sum }
function fmt(v, f) { return v == "" ? "-" : sprintf(f, v) }
function ratio(x, y) { return (x == "" || y == "" || y == 0) ? "" : x / y }
function diff(x, y) { return (x == "" || y == "") ? "" : x - y }
{
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5
	val[k, ++cnt[k]] = $6
	if ($1 == "scaling" || $1 == "newflow") sizes[$3] = 1
	if ($1 == "exhaust") levels[$3] = 1
	if ($1 == "meta") meta[$5] = $6
	if ($1 == "meta" && $2 == "scaling" && $5 == "table_cap") meta_scal[$3] = $6
	if ($1 == "meta" && $5 == "pcpd_reqs") reqs = $6
}
END {
	printf "" > sum
	print "pcpnat benchmark, kernel " meta["kernel"] ", one vCPU, qemu TCG -icount shift=0 (1 ns = 1 guest instruction)"
	print ""
	# 1. Datapath.
	g = get("datapath", "G", 1, "ns_per_pkt")
	a0 = get("datapath", "A0", 1, "ns_per_pkt")
	print "1. Datapath, one UDP flow, 64-byte frames (median of runs; router ns = arm - pktgen-only baseline G)"
	printf "   %-34s %10s %8s %5s %11s %10s %8s\n", "arm", "ns/pkt", "spread", "runs", "router ns", "above A0", "softirq"
	split("G A0 A1 A2 A2F A3 A4 A4F A5", arms, " ")
	names["G"] = "G   pktgen only (baseline)"; names["A0"] = "A0  forwarding, no conntrack"
	names["A1"] = "A1  conntrack + fw chain"; names["A2"] = "A2  nft masquerade, no filter"
	names["A2F"] = "A2F A2 + fw chain"; names["A3"] = "A3  A2F + flowtable"
	names["A4"] = "A4  pcpnat, no filter"; names["A4F"] = "A4F A4 + fw chain"
	names["A5"] = "A5  A4, nf_flow_table loaded"
	np = 0
	for (i = 1; i <= 9; i++) {
		a = arms[i]; m = get("datapath", a, 1, "ns_per_pkt")
		if (m == "") { printf "   %-34s %10s\n", names[a], "not run"; continue }
		k = "datapath" SUBSEP a SUBSEP 1 SUBSEP "ns_per_pkt"
		sp = spread(k, m); sq = get("datapath", a, 1, "softirq_pct")
		printf "   %-34s %10.0f %7.2f%% %5d %11s %10s %7s%%\n", names[a], m, sp, cnt[k],
			a == "G" ? "-" : fmt(diff(m, g), "%.0f"), a == "G" ? "-" : fmt(diff(m, a0), "%.0f"), fmt(sq, "%.0f")
		out("datapath", a, "ns_per_pkt", m); out("datapath", a, "spread_pct", sprintf("%.2f", sp))
		out("datapath", a, "router_ns", diff(m, g))
		print a, m, lo[k], hi[k] > (dat ".datapath")
		dp[a] = m
	}
	print "   fw chain: nft forward chain \"ct state invalid drop; counter\" (a stateful firewall; under pcpnat it"
	print "   makes conntrack track the flow too). Ratios, pcpnat over conntrack + nf_nat:"
	printf "   %-44s %16s %16s\n", "", "above forwarding", "end to end"
	printf "   %-44s %16s %16s\n", "", "(X - A0)/(Y - A0)", "(X - G)/(Y - G)"
	n = split("A4~A2~NAT alone: A4 / A2 (headline)|A4F~A2F~with the firewall: A4F / A2F|A4~A2F~pcpnat alone / NAT + firewall: A4 / A2F|A4~A3~pcpnat / flowtable: A4 / A3|A5~A2~nf_flow_table loaded: A5 / A2", rr, "|")
	for (i = 1; i <= n; i++) {
		split(rr[i], f, "~")
		x = dp[f[1]]; y = dp[f[2]]
		ra = ratio(diff(x, a0), diff(y, a0)); re = ratio(diff(x, g), diff(y, g))
		# Below forwarding (the flowtable): no cost above A0 to compare.
		if (y != "" && y <= a0) ra = ""
		printf "   %-44s %16s %16s\n", f[3], fmt(ra, "%.3f"), fmt(re, "%.3f")
		out("datapath", "ratio", f[1] "-A0/" f[2] "-A0", ra)
		out("datapath", "ratio", f[1] "-G/" f[2] "-G", re)
	}
	print "   (above forwarding: what the NAT (and firewall) adds to a router that only forwards; end to end: the"
	print "   cost per packet of the whole router, receive, route, transmit included, what the throughput of a CPU-bound"
	print "   router follows; the fast path of the flowtable skips routing, so its row reads end to end)"
	print ""

	# 2 + 3. Scaling and new flows.
	ns = 0
	for (s in sizes) sz[++ns] = s + 0
	for (i = 2; i <= ns; i++) { t = sz[i]; for (j = i - 1; j >= 1 && sz[j] > t; j--) sz[j + 1] = sz[j]; sz[j + 1] = t }
	if (ns) {
		print "2. Flow scaling: ns/pkt with N active entries, traffic over those flows (A2: nft snat to 32 addresses, no filter"
		print "   chain; A3: A2 + flowtable and its forward chain, flows offloaded; A4: pcpnat, pool /27; tables sized for N:"
		print "   conntrack buckets = nf_conntrack_max = pcpnat max-mappings = cap, pcpnat hash_bits log2(cap))"
		printf "   %10s %8s %8s %8s %8s %8s %8s %8s %14s %9s\n", "N", "cap", "A0", "A2", "A3", "A4", "A2-A0", "A4-A0", "(A4-A0)/(A2-A0)", "A4/A3 e2e"
		for (i = 1; i <= ns; i++) {
			n = sz[i]; x0 = get("scaling", "A0", n, "ns_per_pkt"); x2 = get("scaling", "A2", n, "ns_per_pkt")
			x3 = get("scaling", "A3", n, "ns_per_pkt"); x4 = get("scaling", "A4", n, "ns_per_pkt")
			gb = get("datapath", "G", 1, "ns_per_pkt")
			printf "   %10d %8s %8s %8s %8s %8s %8s %8s %14s %9s\n", n, fmt(meta_scal[n], "%d"), fmt(x0, "%.0f"), fmt(x2, "%.0f"),
				fmt(x3, "%.0f"), fmt(x4, "%.0f"),
				fmt(diff(x2, x0), "%.0f"), fmt(diff(x4, x0), "%.0f"), fmt(ratio(diff(x4, x0), diff(x2, x0)), "%.3f"),
				fmt(ratio(diff(x4, gb), diff(x3, gb)), "%.3f")
			out("scaling", n, "A0", x0); out("scaling", n, "A2", x2); out("scaling", n, "A3", x3); out("scaling", n, "A4", x4)
			print n, x0 == "" ? "NaN" : x0, x2 == "" ? "NaN" : x2, x4 == "" ? "NaN" : x4, x3 == "" ? "NaN" : x3 > (dat ".scaling")
		}
		print "   (A4/A3 e2e: router ns, arm - G of the datapath phase; blank without it)"
		print ""
		print "3. New flows: every packet a new flow, table growing from 0 to N (ns/pkt; flows/s = 1e9 / ns at the same CPU);"
		print "   A3 2nd: the second packet of each flow, which offloads it into the flowtable"
		printf "   %10s %9s %9s %9s %9s %11s %11s %12s %12s %8s\n", "N", "A2", "A3", "A3 2nd", "A4", "A2-A0", "A4-A0", "A2 flows/s", "A4 flows/s", "A4/A2"
		for (i = 1; i <= ns; i++) {
			n = sz[i]; if (n < 1000) continue
			x0 = get("newflow", "A0", n, "ns_per_pkt"); x2 = get("newflow", "A2", n, "ns_per_pkt")
			x3 = get("newflow", "A3", n, "ns_per_pkt"); o3 = get("offload", "A3", n, "ns_per_pkt")
			x4 = get("newflow", "A4", n, "ns_per_pkt")
			printf "   %10d %9s %9s %9s %9s %11s %11s %12s %12s %8s\n", n, fmt(x2, "%.0f"), fmt(x3, "%.0f"), fmt(o3, "%.0f"),
				fmt(x4, "%.0f"), fmt(diff(x2, x0), "%.0f"), fmt(diff(x4, x0), "%.0f"),
				fmt(x2 ? 1e9 / x2 : "", "%.0f"), fmt(x4 ? 1e9 / x4 : "", "%.0f"),
				fmt(ratio(diff(x4, x0), diff(x2, x0)), "%.3f")
			out("newflow", n, "A2", x2); out("newflow", n, "A3", x3); out("newflow", n, "A3_offload", o3)
			out("newflow", n, "A4", x4)
		}
		print ""
	}

	# 4. Exhaustion.
	nl = 0
	for (l in levels) lv[++nl] = l + 0
	for (i = 2; i <= nl; i++) { t = lv[i]; for (j = i - 1; j >= 1 && lv[j] > t; j--) lv[j + 1] = lv[j]; lv[j + 1] = t }
	if (nl) {
		print "4. Port exhaustion: one external address, one destination; new flows at each fill level"
		printf "   %6s | %5s %9s %7s %8s | %5s %9s %7s %8s %12s\n", "fill %", "new", "A2 ns", "A2 fail", "A2 occ", "new", "A4 ns", "A4 fail", "A4 occ", "A4 probes/al"
		for (i = 1; i <= nl; i++) {
			l = lv[i]
			printf "   %6d | %5s %9s %6s%% %8s | %5s %9s %6s%% %8s %12s\n", l,
				fmt(get("exhaust", "A2", l, "attempts"), "%d"),
				fmt(get("exhaust", "A2", l, "ns_per_pkt"), "%.0f"), fmt(get("exhaust", "A2", l, "fail_pct"), "%.1f"),
				fmt(get("exhaust", "A2", l, "entries"), "%d"),
				fmt(get("exhaust", "A4", l, "attempts"), "%d"),
				fmt(get("exhaust", "A4", l, "ns_per_pkt"), "%.0f"), fmt(get("exhaust", "A4", l, "fail_pct"), "%.1f"),
				fmt(get("exhaust", "A4", l, "entries"), "%d"), fmt(get("exhaust", "A4", l, "probes_per_alloc"), "%.2f")
			for (a in arms) { b = arms[a]; if (b != "A2" && b != "A4") continue
				out("exhaust", l, b "_ns", get("exhaust", b, l, "ns_per_pkt"))
				out("exhaust", l, b "_fail_pct", get("exhaust", b, l, "fail_pct")) }
			out("exhaust", l, "A4_probes", get("exhaust", "A4", l, "probes_per_alloc"))
		}
		print "   (new: flows measured, at most a quarter of the ports still free, 100 where none is; A2 probes: nf_nat has"
		print "   no counter; it gives up after 128+64+32+16 tries and drops the packet)"
		print ""
	}

	# 5. Memory, at the largest size measured.
	if (ns) {
		n = sz[ns]
		m2 = get("memory", "A2", n, "slab_bytes_per_entry"); m4 = get("memory", "A4", n, "slab_bytes_per_entry")
		m3 = get("memory", "A3", n, "slab_bytes_per_entry")
		print "5. Memory per entry at N = " n " (growth of Slab in /proc/meminfo / entries)"
		printf "   A2 conntrack + nat ext: %s B   A4 pcpnat mapping: %s B (module MAPPING_BYTES: %s B)   A4/A2 = %s\n",
			fmt(m2, "%d"), fmt(m4, "%d"), fmt(get("memory", "A4", n, "mapping_bytes"), "%d"), fmt(ratio(m4, m2), "%.3f")
		printf "   A3 conntrack + nat ext + flowtable entry (after the offload pass): %s B\n", fmt(m3, "%d")
		out("memory", n, "A2", m2); out("memory", n, "A3", m3); out("memory", n, "A4", m4)
		print ""
	}

	# 6. Control plane.
	print "6. Control plane (PCP MAP end to end: client namespace -> server -> kernel -> answer)"
	split("pcpd miniupnpd", srv, " ")
	for (i = 1; i <= 2; i++) {
		s = srv[i]
		if (meta["control_" s] != "") { printf "   %-10s %s\n", s, meta["control_" s]; continue }
		for (w = 1; w <= 16; w *= 16) {
			q = get("control", s, w, "per_sec")
			if (q == "") continue
			printf "   %-10s window %2d: %8.0f req/s  p50 %8.0f us  p99 %8.0f us  answered %s/%s, success %s\n", s, w, q,
				get("control", s, w, "p50_us"), get("control", s, w, "p99_us"),
				get("control", s, w, "answered"), get("control", s, w, "sent"), get("control", s, w, "success")
			out("control", s "_w" w, "per_sec", q); out("control", s "_w" w, "p50_us", get("control", s, w, "p50_us"))
			out("control", s "_w" w, "p99_us", get("control", s, w, "p99_us"))
		}
	}
	if (meta["control_miniupnpd_n"] != "")
		printf "   (requests per run: pcpd as configured, miniupnpd %s on an emptied rule set each run)\n", meta["control_miniupnpd_n"]
	p1 = get("control", "pcpd", 1, "per_sec"); m1 = get("control", "miniupnpd", 1, "per_sec")
	if (p1 != "" && m1 != "") printf "   pcpd / miniupnpd req/s (window 1) = %.1f\n", p1 / m1
	u = get("genl", "unbatched", 1, "per_sec"); b = get("genl", "batched", 64, "per_sec")
	printf "   genl MAP_ADD inserts/s: unbatched %s, batched (64 per sendmsg) %s\n", fmt(u, "%.0f"), fmt(b, "%.0f")
	out("genl", "unbatched", "per_sec", u); out("genl", "batched64", "per_sec", b)
	print ""
	print "7. pcpd restart with a stored table"
	if (meta["restart"] != "") print "   " meta["restart"]
	else {
		t = get("restart", "pcpd", "n", "seconds")
		printf "   %s mappings made over PCP, %s in the pcpd state file, %s restored into a fresh instance in %s s\n",
			fmt(get("restart", "pcpd", "n", "made"), "%d"), fmt(get("restart", "pcpd", "n", "stored"), "%d"),
			fmt(get("restart", "pcpd", "n", "restored"), "%d"), fmt(t, "%.3f")
		out("restart", "pcpd", "seconds", t)
	}

	# 8. pcpd: cost per request against the table size, the first and the
	# last size measured side by side.
	nc = 0
	for (k in cnt) { split(k, f, SUBSEP); if (f[1] == "pcpd_cost" && f[2] == "table") csz[++nc] = f[3] + 0 }
	for (i = 2; i <= nc; i++) { t = csz[i]; for (j = i - 1; j >= 1 && csz[j] > t; j--) csz[j + 1] = csz[j]; csz[j + 1] = t }
	print ""
	print "8. pcpd cost per request vs table size (one client holding 10 mappings; N mappings of other"
	print "   subscribers added through genl; window 1; us = guest k-instructions; goal: ratio <= 1.10)"
	if (nc < 2) print "   not run"
	else {
		n1 = csz[1]; n2 = csz[nc]
		h1 = "N = " n1 ": p50 us"; h2 = "N = " n2 ": p50 us"
		printf "   %-20s %20s %8s %9s | %20s %8s %9s | %10s %6s %10s\n", "request", h1, "pcpd us", "after ms", h2, "pcpd us", "after ms", "ratio pcpd", "(p50)", "with after"
		split("get natpmp refresh", ops, " ")
		opn["get"] = "PCP GET (10 listed)"; opn["natpmp"] = "NAT-PMP opcode 0"; opn["refresh"] = "PCP MAP refresh"
		for (i = 1; i <= 3; i++) {
			o = ops[i]
			p1 = get("pcpd_cost", o, n1, "p50_us"); c1 = get("pcpd_cost", o, n1, "pcpd_us")
			p2 = get("pcpd_cost", o, n2, "p50_us"); c2 = get("pcpd_cost", o, n2, "pcpd_us")
			a1 = get("pcpd_cost", o, n1, "after_ms"); a2 = get("pcpd_cost", o, n2, "after_ms")
			r = ratio(c2, c1); rp = ratio(p2, p1)
			# The save the burst triggered, spread over its requests.
			ra = (c1 == "" || c2 == "" || !reqs) ? "" : ratio(c2 + a2 * 1000 / reqs, c1 + a1 * 1000 / reqs)
			w = (ra != "" && ra > r) ? ra : r
			printf "   %-20s %20s %8s %9s | %20s %8s %9s | %10s %6s %10s  %s\n", opn[o], fmt(p1, "%.0f"), fmt(c1, "%.0f"), fmt(a1, "%.1f"),
				fmt(p2, "%.0f"), fmt(c2, "%.0f"), fmt(a2, "%.1f"), fmt(r, "%.2f"), "(" fmt(rp, "%.2f") ")", fmt(ra, "%.2f"),
				w == "" ? "" : (w <= 1.10 ? "meets goal" : "FAILS goal <= 1.10")
			out("pcpd_cost", o, "ratio_with_after", ra)
			out("pcpd_cost", o, "p50_us_" n1, p1); out("pcpd_cost", o, "p50_us_" n2, p2)
			out("pcpd_cost", o, "pcpd_us_" n1, c1); out("pcpd_cost", o, "pcpd_us_" n2, c2)
			out("pcpd_cost", o, "after_ms_" n1, a1); out("pcpd_cost", o, "after_ms_" n2, a2)
			out("pcpd_cost", o, "ratio_pcpd_us", r); out("pcpd_cost", o, "ratio_p50", rp)
		}
		print "   (pcpd us: CPU of pcpd per request while they ran, /proc/PID/schedstat; after ms: CPU of pcpd once the"
		print "   " reqs " requests were answered, until idle: the coalesced save of the state file, a dump of the table;"
		print "   with after: ratio of pcpd us + after ms / requests, the save spread over the burst that caused it;"
		print "   the verdict takes the worse ratio; p50 us: round trip seen by the client)"
	}

	# 9. A legitimate client beside a flood.
	nf = 0
	for (k in cnt) { split(k, f, SUBSEP); if (f[1] == "pcpd_flood" && f[4] == "sent") { fr[++nf] = f[2] + 0; fsrc[f[2] + 0] = f[3] } }
	for (i = 2; i <= nf; i++) { t = fr[i]; for (j = i - 1; j >= 1 && fr[j] > t; j--) fr[j + 1] = fr[j]; fr[j + 1] = t }
	print ""
	print "9. pcpd beside a flood (default rate limits: 100/s per client, 2000/s in total; the client sends 10 MAP/s,"
	print "   its own new ports; goal: >= 95 % of them answered SUCCESS within 3 s while the flood goes on)"
	if (!nf) print "   not run"
	else {
		printf "   %-26s %9s %8s %9s %10s %9s %9s %14s\n", "flood", "client", "success", "p50 us", "p99 us", "pcpd CPU", "overruns", "flood success"
		for (i = 1; i <= nf; i++) {
			x = fr[i]; src = fsrc[x]
			se = get("pcpd_flood", x, src, "sent"); ok = get("pcpd_flood", x, src, "success")
			pct = se ? 100 * ok / se : ""
			fs = get("pcpd_flood", x, src, "flood_sent"); fo = get("pcpd_flood", x, src, "flood_success")
			printf "   %-26s %4d/%-4d %7s%% %9s %10s %8s%% %9s %14s  %s\n",
				x == 0 ? "none (client alone)" : sprintf("%d/s from %d addresses", x, src), ok, se, fmt(pct, "%.1f"),
				fmt(get("pcpd_flood", x, src, "p50_us"), "%.0f"), fmt(get("pcpd_flood", x, src, "p99_us"), "%.0f"),
				fmt(get("pcpd_flood", x, src, "cpu_pct"), "%.1f"), fmt(get("pcpd_flood", x, src, "rcvbuf_errors"), "%d"),
				x == 0 ? "-" : sprintf("%d/%d", fo, fs),
				pct == "" ? "" : (pct >= 95 ? "meets goal" : "FAILS goal >= 95 %")
			out("pcpd_flood", x, "success_pct", pct); out("pcpd_flood", x, "p50_us", get("pcpd_flood", x, src, "p50_us"))
			out("pcpd_flood", x, "p99_us", get("pcpd_flood", x, src, "p99_us"))
			out("pcpd_flood", x, "cpu_pct", get("pcpd_flood", x, src, "cpu_pct"))
		}
		print "   (pcpd CPU: utime + stime from /proc/PID/stat over the run of the client; overruns: UDP datagrams dropped at"
		print "   the router for a full socket buffer, RcvbufErrors; flood success: its requests answered SUCCESS)"
	}

	# 10. Replication to a standby.
	nq = 0
	for (k in cnt) { split(k, f, SUBSEP); if (f[1] == "sync" && f[4] == "mappings_per_s") synq[++nq] = f[3] + 0 }
	for (i = 2; i <= nq; i++) { t = synq[i]; for (j = i - 1; j >= 1 && synq[j] > t; j--) synq[j + 1] = synq[j]; synq[j + 1] = t }
	print ""
	print "10. Replication to a standby ([sync]): a burst of N new flows through the active, each mapping stamped at its"
	print "    MAP_NEW on the active and on the standby (one clock); medians over runs"
	if (!nq) print "    not run"
	else {
		printf "    %8s %14s %9s %9s %9s %8s %9s %9s\n", "N", "mappings/s", "p50 ms", "p99 ms", "max ms", "missing", "restates", "overruns"
		for (i = 1; i <= nq; i++) {
			x = synq[i]
			printf "    %8d %14s %9s %9s %9s %8s %9s %9s\n", x,
				fmt(get("sync", "S", x, "mappings_per_s"), "%.0f"), fmt(get("sync", "S", x, "delay_p50_ms"), "%.1f"),
				fmt(get("sync", "S", x, "delay_p99_ms"), "%.1f"), fmt(get("sync", "S", x, "delay_max_ms"), "%.1f"),
				fmt(get("sync", "S", x, "missing"), "%d"), fmt(get("sync", "S", x, "restates"), "%d"),
				fmt(get("sync", "S", x, "overruns"), "%d")
			out("sync", x, "mappings_per_s", get("sync", "S", x, "mappings_per_s"))
			out("sync", x, "delay_p50_ms", get("sync", "S", x, "delay_p50_ms"))
			out("sync", x, "delay_p99_ms", get("sync", "S", x, "delay_p99_ms"))
		}
		print "    (mappings/s: N / (last installed on the standby - first made on the active); delay: each mapping on the"
		print "    standby minus on the active; missing: never seen on the standby; restates: bulks the active started"
		print "    because its events socket overran; overruns: stamps the measuring tool lost)"
	}
	# 11. Two vCPUs, wall clock.
	print ""
	print "11. Two vCPUs (wall clock, qemu TCG a host thread per vCPU, no icount; shared host: compare arms, not 2.0):"
	print "   packets/s with one pktgen thread, with two (one per CPU, own flows), and 2T/1T per round: min / median / max"
	split("A0 A2 A4 A2F A4F", sarm, " ")
	shown = 0
	for (i = 1; i <= 5; i++) for (md = 1; md <= 2; md++) {
		a = sarm[i]; mo = md == 1 ? "est" : "new"
		k1 = "smp" SUBSEP a SUBSEP mo "1" SUBSEP "pps"; k2 = "smp" SUBSEP a SUBSEP mo "2" SUBSEP "pps"
		if (!cnt[k1] || !cnt[k2]) continue
		if (!shown++) printf "   %-5s %-4s %5s | %-26s | %-26s | %-20s\n", "arm", "flow", "runs", "1 thread pps (min med max)", "2 threads pps (min med max)", "2T/1T (min med max)"
		m1 = median(k1); l1 = lo[k1]; h1 = hi[k1]
		m2 = median(k2); l2 = lo[k2]; h2 = hi[k2]
		kr = "smpratio" SUBSEP a SUBSEP mo
		nr = cnt[k1] < cnt[k2] ? cnt[k1] : cnt[k2]
		for (j = 1; j <= nr; j++) if (val[k1, j] > 0) val[kr, ++cnt[kr]] = val[k2, j] / val[k1, j]
		mr = median(kr)
		printf "   %-5s %-4s %5d | %8.0f %8.0f %8.0f | %8.0f %8.0f %8.0f | %6.2f %6.2f %6.2f\n", a, mo, nr,
			l1, m1, h1, l2, m2, h2, lo[kr], mr, hi[kr]
		out("smp", a "_" mo, "pps1", m1); out("smp", a "_" mo, "pps2", m2)
		out("smp", a "_" mo, "ratio_min", lo[kr]); out("smp", a "_" mo, "ratio_median", mr); out("smp", a "_" mo, "ratio_max", hi[kr])
	}
	if (!shown) print "   not run"
	else print "   (est: one established flow per thread; new: every packet a new flow, the insert path)"

	# 12. Failover between two routers under keepalived.
	print ""
	print "12. Failover of a router pair under keepalived (advert_int 1; a UDP datagram every 10 ms, the largest"
	print "    gap at the outside host; guest clock; lost: mappings and flows not at the same endpoint after it)"
	if (!cnt["failover", "planned", 0, "gap_ms"]) print "   not run"
	else {
		printf "   %-28s %5s %14s %11s %14s %11s %6s\n", "scenario", "runs", "UDP gap p50 ms", "max ms", "TCP gap p50 ms", "max ms", "lost"
		split("planned kill link", scs, " ")
		scn["planned"] = "planned (keepalived stopped)"; scn["kill"] = "kill -9 pcpd + keepalived"; scn["link"] = "inside link down"
		for (i = 1; i <= 3; i++) {
			o = scs[i]
			g = get("failover", o, 0, "gap_ms"); gmax = hi["failover" SUBSEP o SUBSEP 0 SUBSEP "gap_ms"]
			tg = get("failover", o, 0, "tcp_gap_ms"); tmax = hi["failover" SUBSEP o SUBSEP 0 SUBSEP "tcp_gap_ms"]
			l = get("failover", o, 0, "lost"); lmax = hi["failover" SUBSEP o SUBSEP 0 SUBSEP "lost"]
			printf "   %-28s %5d %14s %11s %14s %11s %6s\n", scn[o], cnt["failover", o, 0, "gap_ms"], fmt(g, "%.0f"), fmt(gmax, "%.0f"),
				fmt(tg, "%.0f"), fmt(tmax, "%.0f"), fmt(lmax, "%d")
			out("failover", o, "gap_ms_p50", g); out("failover", o, "gap_ms_max", gmax)
			out("failover", o, "tcp_gap_ms_p50", tg); out("failover", o, "lost_max", lmax)
		}
	}
}' "$raw" | tee "$dir/table.txt"

# The plot: datapath arms with their spread, and the scaling curves.
if command -v gnuplot >/dev/null && [ -s "$dir/plot.datapath" ]; then
	gnuplot <<EOF || echo "report: gnuplot failed" >&2
set terminal pngcairo size 1200,500 font ",10"
set output "$dir/bench.png"
set multiplot layout 1,2
set title "Datapath: guest ns per packet (median, min-max)"
set style fill solid 0.5
set boxwidth 0.6
set yrange [0:*]
set grid ytics
set xrange [-0.6:*]
plot "$dir/plot.datapath" using (\$0):2:xtic(1) with boxes notitle, \
	'' using (\$0):2:3:4 with yerrorbars pt 0 lc black notitle
set autoscale x
set title "Flow scaling: ns per packet vs active entries"
set logscale x
set key left top
set xlabel "entries"
$( [ -s "$dir/plot.scaling" ] && echo "plot \"$dir/plot.scaling\" using 1:2 with linespoints title \"A0\", '' using 1:3 with linespoints title \"A2 nft snat\", '' using 1:5 with linespoints title \"A3 flowtable\", '' using 1:4 with linespoints title \"A4 pcpnat\"" )
unset multiplot
EOF
fi
rm -f "$dir/plot.datapath" "$dir/plot.scaling"
