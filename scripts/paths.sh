# Sourced, never run: the one place that says where pcpnat's build lives.
# Every script, selftest and benchmark finds the project's binaries through
# these names, computed from the tree this file is in, never from a fixed
# path. PCPNAT_TOP may be a space-free alias of the tree (see Makefile).
# shellcheck shell=bash
PCPNAT_TOP=${PCPNAT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PCPNAT_BUILD=$PCPNAT_TOP/build
PCPNAT_HOST=$PCPNAT_BUILD/host
PCPNAT_SELFTESTS=$PCPNAT_BUILD/selftests
PCPNAT_KSFT=$PCPNAT_BUILD/cache/kselftest
# Per machine, shared by every clone: the debug kernel and tree aliases.
PCPNAT_KCACHE=${PCPNAT_KCACHE:-/var/cache/pcpnat}

PCPCTL=${PCPCTL:-$PCPNAT_HOST/pcpctl}
PCPD=${PCPD:-$PCPNAT_HOST/pcpd}
PROBE=${PROBE:-$PCPNAT_SELFTESTS/udp_tcp_probe}
export PCPNAT_TOP PCPNAT_BUILD PCPNAT_HOST PCPNAT_SELFTESTS PCPNAT_KSFT \
	PCPNAT_KCACHE PCPCTL PCPD PROBE
