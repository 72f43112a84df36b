#!/bin/bash
# The module's netlink request policies and op table (kmod/genl_gen.[ch])
# are generated from Documentation/netlink/specs/pcpnat.yaml by the kernel's
# own ynl-gen, taken from linux-source-6.12 by setup.sh, as the kernel's
# in-tree families are. The files are committed, so building the module
# needs neither Python nor the kernel source.
#
#   scripts/genl-gen.sh          write kmod/genl_gen.c and kmod/genl_gen.h
#   scripts/genl-gen.sh --check  fail unless the committed files are what
#                                the spec gives, and uapi/linux/pcpnat.h
#                                agrees with the spec name for name
set -euo pipefail
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
ynl=$PCPNAT_KCACHE/ynl
case ${1:-} in
"" | --check) ;;
*) echo "usage: genl-gen.sh [--check]" >&2; exit 2 ;;
esac
[ -e "$ynl/tools/net/ynl/ynl-gen-c.py" ] && [ -e "$ynl/Documentation/netlink/genetlink-legacy.yaml" ] || {
	echo "genl-gen: no ynl-gen or its schemas in $ynl (make setup extracts them)" >&2
	exit 1
}

# ynl-gen reads the schema next to the spec's directory and names the spec
# by its path below the kernel root (the directory with a MAINTAINERS): a
# scratch tree shaped like the kernel's.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Documentation/netlink/specs"
touch "$work/MAINTAINERS"
cp "$ynl"/Documentation/netlink/*.yaml "$work/Documentation/netlink/"
spec=$work/Documentation/netlink/specs/pcpnat.yaml
cp "$top/Documentation/netlink/specs/pcpnat.yaml" "$spec"

for f in h c; do
	mode=--source
	[ $f = h ] && mode=--header
	/usr/bin/python3 "$ynl/tools/net/ynl/ynl-gen-c.py" --mode kernel $mode \
		--spec "$spec" -o "$work/genl_gen.$f" >"$work/log" 2>&1 ||
		{ cat "$work/log" >&2; exit 1; }
done

if [ "${1:-}" != --check ]; then
	cp "$work/genl_gen.h" "$work/genl_gen.c" "$top/kmod/"
	exit 0
fi
rc=0
for f in h c; do
	diff -u "$top/kmod/genl_gen.$f" "$work/genl_gen.$f" ||
		{ echo "genl-gen: kmod/genl_gen.$f is not what the spec gives (run scripts/genl-gen.sh)" >&2; rc=1; }
done
# Every name and number of the spec, asserted against the uapi header.
/usr/bin/python3 "$top/scripts/genl_uapi_asserts.py" "$ynl/tools/net/ynl" "$spec" \
	>"$work/asserts.c" && cc -std=c11 -Wall -Werror -I"$top/uapi" \
	-o "$work/asserts" "$work/asserts.c" && "$work/asserts" || rc=1
exit "$rc"
