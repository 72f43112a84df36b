# Sourced, never run: the one place that says where pcpnat's build lives.
# Every script, selftest and benchmark finds the project's binaries through
# these names, computed from the tree this file is in, never from a fixed
# path.
# shellcheck shell=bash

# Per machine, shared by every clone: the debug kernel and tree aliases.
PCPNAT_KCACHE=${PCPNAT_KCACHE:-/var/cache/pcpnat}

# kbuild, kselftest's lib.mk and the VM's kernel command line cannot take a
# path with white space: such a tree is reached through a space-free alias,
# a symlink in the machine cache named after the real path.
pcpnat_alias() {
	local real=$1 alias
	case $real in
	*[[:space:]]*) ;;
	*) echo "$real"; return ;;
	esac
	mkdir -p "$PCPNAT_KCACHE/trees" || return 1
	alias=$PCPNAT_KCACHE/trees/$(printf '%s' "$real" | sha256sum | cut -c1-12)
	ln -sfn "$real" "$alias" && echo "$alias"
}
PCPNAT_TOP=${PCPNAT_TOP:-$(pcpnat_alias "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)")}
PCPNAT_BUILD=$PCPNAT_TOP/build
PCPNAT_HOST=$PCPNAT_BUILD/host
PCPNAT_SELFTESTS=$PCPNAT_BUILD/selftests
# The kselftest framework, taken from linux-source-6.12 by setup.sh: in the
# machine cache, since lib.mk resolves its own path (an alias would not do).
PCPNAT_KSFT=$PCPNAT_KCACHE/kselftest

PCPCTL=${PCPCTL:-$PCPNAT_HOST/pcpctl}
PCPD=${PCPD:-$PCPNAT_HOST/pcpd}
PROBE=${PROBE:-$PCPNAT_SELFTESTS/udp_tcp_probe}
export PCPNAT_TOP PCPNAT_BUILD PCPNAT_HOST PCPNAT_SELFTESTS PCPNAT_KSFT \
	PCPNAT_KCACHE PCPCTL PCPD PROBE
