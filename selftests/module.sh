#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module is loaded, its generic netlink family is registered with the
# ABI version of uapi/linux/pcpnat.h, and every network namespace sees it.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
hdr=$here/../uapi/linux/pcpnat.h
source "$here/../scripts/paths.sh"

ns=pcpnat-mod-$$
cleanup() { ip netns del "$ns" 2>/dev/null; }
trap cleanup EXIT

ktap_print_header
ktap_set_plan 6

if [ -d /sys/module/pcpnat ] && grep -qw '^pcpnat' /proc/modules; then
	ktap_test_pass "pcpnat.ko is loaded"
else
	ktap_test_fail "pcpnat.ko is loaded"
fi

want=$(awk '$2 == "PCPNAT_GENL_VERSION" { print $3 }' "$hdr")
info=$(genl ctrl get name pcpnat 2>&1)
if grep -q 'Name: pcpnat' <<<"$info"; then
	ktap_test_pass "genl family pcpnat is registered"
else
	ktap_print_msg "$info"
	ktap_test_fail "genl family pcpnat is registered"
fi

have=$(sed -n 's/.*Version: 0x\([0-9a-f]*\).*/\1/p' <<<"$info")
if [ -n "$have" ] && [ "$((16#$have))" = "$want" ]; then
	ktap_test_pass "family version is $want, as uapi/linux/pcpnat.h says"
else
	ktap_test_fail "family version is $want, as uapi/linux/pcpnat.h says (module: ${have:-none})"
fi

ip netns add "$ns"
if ip netns exec "$ns" genl ctrl get name pcpnat | grep -q 'Name: pcpnat'; then
	ktap_test_pass "a new network namespace sees the family"
else
	ktap_test_fail "a new network namespace sees the family"
fi

# The egress check (kmod/egress.c) exists exactly while nf_flow_table is
# loaded: it is announced as it comes after pcpnat, or seen at pcpnat's
# load when it came first, and it goes when that module goes. Each change
# says so in the kernel log.
# The suite goes on as it began, pcpnat loaded and nf_flow_table not, so
# that nat_traffic.sh's flowtable case meets a check the notifier added.
flowtable_unload() {
	local m
	for m in nft_flow_offload nf_flow_table_inet nf_flow_table; do
		! grep -qw "^$m" /proc/modules || rmmod "$m" || return 1
	done
}
reload() { rmmod pcpnat && insmod "$PCPNAT_KO"; }
configure() {
	ip -n "$ns" link add "$1" type dummy &&
	ip -n "$ns" link set "$1" up &&
	ip netns exec "$ns" "$PCPCTL" config set pool 203.0.113.1/32 \
		internal 10.9.0.0/24 ext-dev "$1" ports 1024-32767 >/dev/null
}
logged() { dmesg | grep -c "nf_flow_table is loaded: checking what leaves $1\$"; }

# report OK NAME [DETAIL]: one result; DETAIL is shown when it fails.
report() {
	if [ "$1" = 1 ]; then ktap_test_pass "$2"; else ktap_test_fail "$2${3:+ ($3)}"; fi
}

builtin=0
grep -q '/nf_flow_table\.ko' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null &&
	builtin=1

if ((builtin)); then
	# This kernel (the debug build) has nf_flow_table built in: it is
	# there before pcpnat, always, and so is the check, from the start.
	ok=1
	reload && configure ext-a || ok=0
	n=$(logged ext-a)
	[ "$n" = 1 ] || ok=0
	report $ok "egress check: nf_flow_table is built in, the check is there from the start" \
		"$n registrations"
	ok=1
	reload && configure ext-b || ok=0
	n=$(logged ext-b)
	reload && [ "$n" = 1 ] || ok=0
	report $ok "egress check: there again after pcpnat is loaded anew" "$n registrations"
	ktap_finished
fi

ok=1
flowtable_unload && reload && configure ext-a || ok=0
n0=$(logged ext-a)
modprobe nf_flow_table || ok=0
n1=$(logged ext-a)
[ "$n0" = 0 ] && [ "$n1" = 1 ] || ok=0
report $ok "egress check: none without nf_flow_table, added as it loads after pcpnat" \
	"before nf_flow_table: $n0 registrations, after: $n1"

ok=1
reload && configure ext-b || ok=0
n=$(logged ext-b)
flowtable_unload || ok=0
gone=$(dmesg | grep -c "nf_flow_table is gone: no check on ext-b\$")
reload && [ "$n" = 1 ] && [ "$gone" = 1 ] || ok=0
report $ok "egress check: present when nf_flow_table was loaded before pcpnat, gone with it" \
	"$n added, $gone removed"

ktap_finished
