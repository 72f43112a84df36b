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
	split("G A0 A1 A2 A3 A4 A5", arms, " ")
	names["G"] = "G  pktgen only (baseline)"; names["A0"] = "A0 forwarding, no conntrack"
	names["A1"] = "A1 conntrack"; names["A2"] = "A2 nft masquerade (ct+nf_nat)"
	names["A3"] = "A3 A2 + flowtable"; names["A4"] = "A4 pcpnat"
	names["A5"] = "A5 pcpnat, nf_flow_table loaded"
	np = 0
	for (i = 1; i <= 7; i++) {
		a = arms[i]; m = get("datapath", a, 1, "ns_per_pkt")
		if (m == "") { printf "   %-34s %10s\n", names[a], "not run"; continue }
		k = "datapath" SUBSEP a SUBSEP 1 SUBSEP "ns_per_pkt"
		sp = spread(k, m); sq = get("datapath", a, 1, "softirq_pct")
		printf "   %-34s %10.0f %7.2f%% %5d %11s %10s %7s%%\n", names[a], m, sp, cnt[k],
			a == "G" ? "-" : fmt(diff(m, g), "%.0f"), a == "G" ? "-" : fmt(diff(m, a0), "%.0f"), fmt(sq, "%.0f")
		out("datapath", a, "ns_per_pkt", m); out("datapath", a, "spread_pct", sprintf("%.2f", sp))
		out("datapath", a, "router_ns", diff(m, g))
		print a, m, lo[k], hi[k] > (dat ".datapath")
	}
	a2 = get("datapath", "A2", 1, "ns_per_pkt"); a3 = get("datapath", "A3", 1, "ns_per_pkt")
	a4 = get("datapath", "A4", 1, "ns_per_pkt")
	r = ratio(diff(a4, a0), diff(a2, a0))
	printf "   headline (A4 - A0) / (A2 - A0) = %s", fmt(r, "%.3f")
	printf "   (A4 - A0) / (A1 - A0) = %s", fmt(ratio(diff(a4, a0), diff(get("datapath", "A1", 1, "ns_per_pkt"), a0)), "%.3f")
	printf "   A4 / A3 router ns = %s\n", fmt(ratio(diff(a4, g), diff(a3, g)), "%.3f")
	a5 = get("datapath", "A5", 1, "ns_per_pkt")
	printf "   with nf_flow_table loaded (A5 - A0) / (A2 - A0) = %s\n", fmt(ratio(diff(a5, a0), diff(a2, a0)), "%.3f")
	out("datapath", "ratio", "A4-A0/A2-A0", r)
	out("datapath", "ratio", "A5-A0/A2-A0", ratio(diff(a5, a0), diff(a2, a0)))
	print ""

	# 2 + 3. Scaling and new flows.
	ns = 0
	for (s in sizes) sz[++ns] = s + 0
	for (i = 2; i <= ns; i++) { t = sz[i]; for (j = i - 1; j >= 1 && sz[j] > t; j--) sz[j + 1] = sz[j]; sz[j + 1] = t }
	if (ns) {
		print "2. Flow scaling: ns/pkt with N active entries, traffic over those flows (A2: nft snat to 32 addresses; A4: pool /27)"
		printf "   %10s %9s %9s %9s %9s %9s %14s\n", "N", "A0", "A2", "A4", "A2-A0", "A4-A0", "(A4-A0)/(A2-A0)"
		for (i = 1; i <= ns; i++) {
			n = sz[i]; x0 = get("scaling", "A0", n, "ns_per_pkt"); x2 = get("scaling", "A2", n, "ns_per_pkt")
			x4 = get("scaling", "A4", n, "ns_per_pkt")
			printf "   %10d %9s %9s %9s %9s %9s %14s\n", n, fmt(x0, "%.0f"), fmt(x2, "%.0f"), fmt(x4, "%.0f"),
				fmt(diff(x2, x0), "%.0f"), fmt(diff(x4, x0), "%.0f"), fmt(ratio(diff(x4, x0), diff(x2, x0)), "%.3f")
			out("scaling", n, "A0", x0); out("scaling", n, "A2", x2); out("scaling", n, "A4", x4)
			print n, x0 == "" ? "NaN" : x0, x2 == "" ? "NaN" : x2, x4 == "" ? "NaN" : x4 > (dat ".scaling")
		}
		print ""
		print "3. New flows: every packet a new flow, table growing from 0 to N (ns/pkt; flows/s = 1e9 / ns at the same CPU)"
		printf "   %10s %9s %9s %11s %11s %12s %12s %8s\n", "N", "A2", "A4", "A2-A0", "A4-A0", "A2 flows/s", "A4 flows/s", "A4/A2"
		for (i = 1; i <= ns; i++) {
			n = sz[i]; if (n < 1000) continue
			x0 = get("newflow", "A0", n, "ns_per_pkt"); x2 = get("newflow", "A2", n, "ns_per_pkt")
			x4 = get("newflow", "A4", n, "ns_per_pkt")
			printf "   %10d %9s %9s %11s %11s %12s %12s %8s\n", n, fmt(x2, "%.0f"), fmt(x4, "%.0f"),
				fmt(diff(x2, x0), "%.0f"), fmt(diff(x4, x0), "%.0f"),
				fmt(x2 ? 1e9 / x2 : "", "%.0f"), fmt(x4 ? 1e9 / x4 : "", "%.0f"),
				fmt(ratio(diff(x4, x0), diff(x2, x0)), "%.3f")
			out("newflow", n, "A2", x2); out("newflow", n, "A4", x4)
		}
		print ""
	}

	# 4. Exhaustion.
	nl = 0
	for (l in levels) lv[++nl] = l + 0
	for (i = 2; i <= nl; i++) { t = lv[i]; for (j = i - 1; j >= 1 && lv[j] > t; j--) lv[j + 1] = lv[j]; lv[j + 1] = t }
	if (nl) {
		print "4. Port exhaustion: one external address, one destination; new flows at each fill level"
		printf "   %6s | %9s %7s %8s | %9s %7s %8s %12s\n", "fill %", "A2 ns", "A2 fail", "A2 occ", "A4 ns", "A4 fail", "A4 occ", "A4 probes/al"
		for (i = 1; i <= nl; i++) {
			l = lv[i]
			printf "   %6d | %9s %6s%% %8s | %9s %6s%% %8s %12s\n", l,
				fmt(get("exhaust", "A2", l, "ns_per_pkt"), "%.0f"), fmt(get("exhaust", "A2", l, "fail_pct"), "%.1f"),
				fmt(get("exhaust", "A2", l, "entries"), "%d"),
				fmt(get("exhaust", "A4", l, "ns_per_pkt"), "%.0f"), fmt(get("exhaust", "A4", l, "fail_pct"), "%.1f"),
				fmt(get("exhaust", "A4", l, "entries"), "%d"), fmt(get("exhaust", "A4", l, "probes_per_alloc"), "%.2f")
			for (a in arms) { b = arms[a]; if (b != "A2" && b != "A4") continue
				out("exhaust", l, b "_ns", get("exhaust", b, l, "ns_per_pkt"))
				out("exhaust", l, b "_fail_pct", get("exhaust", b, l, "fail_pct")) }
			out("exhaust", l, "A4_probes", get("exhaust", "A4", l, "probes_per_alloc"))
		}
		print "   (A2 probes: nf_nat has no counter; it gives up after 128+64+32+16 tries and drops the packet)"
		print ""
	}

	# 5. Memory, at the largest size measured.
	if (ns) {
		n = sz[ns]
		m2 = get("memory", "A2", n, "slab_bytes_per_entry"); m4 = get("memory", "A4", n, "slab_bytes_per_entry")
		print "5. Memory per entry at N = " n " (growth of Slab in /proc/meminfo / entries)"
		printf "   A2 conntrack + nat ext: %s B   A4 pcpnat mapping: %s B (module MAPPING_BYTES: %s B)   A4/A2 = %s\n",
			fmt(m2, "%d"), fmt(m4, "%d"), fmt(get("memory", "A4", n, "mapping_bytes"), "%d"), fmt(ratio(m4, m2), "%.3f")
		out("memory", n, "A2", m2); out("memory", n, "A4", m4)
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

	# 10. Failover between two routers under keepalived.
	print ""
	print "10. Failover of a router pair under keepalived (advert_int 1; a UDP datagram every 10 ms, the largest"
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
$( [ -s "$dir/plot.scaling" ] && echo "plot \"$dir/plot.scaling\" using 1:2 with linespoints title \"A0\", '' using 1:3 with linespoints title \"A2 nft snat\", '' using 1:4 with linespoints title \"A4 pcpnat\"" )
unset multiplot
EOF
fi
rm -f "$dir/plot.datapath" "$dir/plot.scaling"
