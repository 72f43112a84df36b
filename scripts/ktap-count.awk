# Counts test results in kselftest runner output (KTAP): the results one
# level down (each program's own cases) where a program reports them, the
# program's own line where it does not. A program that fails without a
# failing case (crash, timeout, leak found afterwards) counts as a failure.
# Prints "passed failed skipped".
function flush_top(line) {
	if (np + nf + ns > 0) {
		pass += np; fail += nf; skip += ns
		if (line ~ /^not ok/ && nf == 0) fail++
	} else if (line ~ /^not ok/) fail++
	else if (line ~ /# *[Ss][Kk][Ii][Pp]/) skip++
	else pass++
	np = nf = ns = 0
}
/^(not )?ok / { flush_top($0); next }
/^# (not )?ok / {
	if ($0 ~ /^# not ok/) nf++
	else if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) ns++
	else np++
}
END { printf "%d %d %d\n", pass, fail, skip }
