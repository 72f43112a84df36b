#!/bin/bash
# The bash completion pcpd's package installs, against the grammar that
# pcpctl --help prints: every command and keyword of the help is offered
# where it may be typed, every listed value after its keyword; and a few
# places where nothing or files must be offered. KTAP on stdout.
#   completion-test.sh COMPLETION-FILE PCPCTL
set -uo pipefail
. "$PCPNAT_KSFT/kselftest/ktap_helpers.sh"
file=$1 pcpctl=$2

# What completing the last word of "$1" offers, one per line.
offers() {
	local -a COMP_WORDS COMPREPLY
	local COMP_CWORD
	read -ra COMP_WORDS <<<"$1"
	[[ $1 == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_pcpctl 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}
# Whether completing "$1" offers the word $2; says what it offered if not.
offered() {
	# Not grep -q: it would stop reading at the match, and under pipefail
	# the SIGPIPE of offers() would fail the pipeline at random.
	offers "$1" | grep -x -- "$2" >/dev/null && return 0
	ktap_print_msg "'$1<TAB>' does not offer '$2': $(offers "$1" | tr '\n' ' ')"
	return 1
}

ktap_print_header
ktap_set_plan 4

# shellcheck disable=SC1090
if . "$file" && [ "$(complete -p pcpctl 2>/dev/null)" = "complete -F _pcpctl pcpctl" ]; then
	ktap_test_pass "the completion file defines pcpctl's completion"
else
	ktap_test_fail "the completion file defines pcpctl's completion"
fi

# The help's grammar: "  COMMAND [SUB] KEYWORDS...", continued on lines
# indented deeper. A SUB is a bare word the completion offers after the
# command (map add, config set, stats reset). A word "a|b" after a keyword
# lists its values; other lower-case words are keywords and flags.
"$pcpctl" --help >"${TMPDIR:-/tmp}/pcpctl-help.$$" 2>&1
checked=0 bad=0
while IFS= read -r line; do
	[[ $line =~ ^\ \ [a-z] ]] && {
		read -ra w <<<"$line"
		head=${w[0]} rest=("${w[@]:1}")
		offered "pcpctl " "$head" || bad=$((bad + 1))
		if [[ ${w[1]-} =~ ^[a-z]+$ ]] && offers "pcpctl $head " | grep -x -- "${w[1]}" >/dev/null; then
			head+=" ${w[1]}" rest=("${w[@]:2}")
		fi
	}
	[[ $line =~ ^\ {3,}[^\ ] ]] && read -ra rest <<<"$line"
	[[ $line =~ ^\ \  ]] || continue
	prev=
	for t in "${rest[@]}"; do
		t=${t//[\[\]()]/} t=${t%...}
		if [[ $t == *'|'* && -n $prev ]]; then
			for v in ${t//|/ }; do
				[[ $v =~ ^[a-z]+$ ]] || continue
				checked=$((checked + 1))
				offered "pcpctl $head $prev " "$v" || bad=$((bad + 1))
			done
		elif [[ $t =~ ^(--)?[a-z][a-z-]*$ ]]; then
			checked=$((checked + 1))
			offered "pcpctl $head " "$t" || bad=$((bad + 1))
			prev=$t
			continue
		fi
		prev=
	done
done <"${TMPDIR:-/tmp}/pcpctl-help.$$"
rm -f "${TMPDIR:-/tmp}/pcpctl-help.$$"
ktap_print_msg "$checked keywords and values of pcpctl --help checked"
ktap_test_result "every command, keyword and value of pcpctl --help is offered where it goes" \
	test "$bad" = 0 -a "$checked" -gt 40

# Values that are the router's: interface names, files.
bad=0
offered "pcpctl config set ext-dev " lo || bad=1
offered "pcpctl config set ext-dev " none || bad=1
offered "pcpctl batch /etc/host" /etc/hostname || bad=1
ktap_test_result "ext-dev offers the router's interfaces, batch its files" test "$bad" = 0

# Where a number or an address goes, nothing is made up.
bad=0
for at in "pcpctl map add int " "pcpctl config set ports " "pcpctl show ext " \
	"pcpctl monitor --count "; do
	[ -z "$(offers "$at")" ] || { ktap_print_msg "'$at<TAB>' offers $(offers "$at" | tr '\n' ' ')"; bad=1; }
done
ktap_test_result "no word is offered where a number or an address goes" test "$bad" = 0

ktap_finished
