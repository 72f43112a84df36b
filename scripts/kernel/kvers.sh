#!/bin/bash
# The kernels pcpnat is built and tested for, looked up when asked (after
# setup has installed them), never when a Makefile is read.
#   kvers.sh newest    the newest Debian kernel with headers installed
#   kvers.sh matrix    the test matrix: Debian bookworm's 6.1, Debian's 6.12,
#                      and the debug kernel when it is built (scripts/kernel/
#                      build-debug.sh; check.sh builds it first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
installed() { ls -d /lib/modules/*/build 2>/dev/null | cut -d/ -f4 | sort -V; }
case ${1:-} in
newest) installed | grep -v -- -pcpnat-debug | tail -n1 ;;
matrix)
	installed | grep -E '^6\.1\.[0-9]+-[0-9]+-amd64$' | tail -n1
	installed | grep -E '^6\.12\.[0-9]+\+deb12-amd64$' | tail -n1
	dir=$("$here/build-debug.sh" --dir)
	[ -f "$dir/.done" ] && cat "$dir/kernelrelease"
	;;
*) echo "usage: kvers.sh newest|matrix" >&2; exit 2 ;;
esac
exit 0
