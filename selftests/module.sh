#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module is loaded, its generic netlink family is registered with the
# ABI version of uapi/linux/pcpnat.h, and every network namespace sees it.
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
here=$(cd "$(dirname "$0")" && pwd)
hdr=$here/../uapi/linux/pcpnat.h

ns=pcpnat-mod-$$
cleanup() { ip netns del "$ns" 2>/dev/null; }
trap cleanup EXIT

ktap_print_header
ktap_set_plan 4

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

ktap_finished
