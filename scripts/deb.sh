#!/bin/bash
# make deb: the Debian packages (debian/), built by dpkg-buildpackage -b from
# a copy of the tree, so that the build writes nothing into the tree itself.
# The .debs and .changes land in build/deb, with the source package (.dsc)
# made from the clean copy first, so that lintian sees debian/ as an archive
# would (make check-package). The copy is in a directory of its own under
# /tmp: debhelper and make split a path with a space (a clone in "/tmp/x y"
# installed pcpd into /tmp/x), and that path has none.
set -euo pipefail
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
out=$PCPNAT_BUILD/deb
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
work=$(mktemp -d /tmp/pcpnat-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/pcpnat-$ver

rm -rf "$out" && mkdir -p "$out" "$src"
# What git would commit: .gitignore's patterns (build/ among them) stay out.
rsync -a --exclude=/.git --filter=':- .gitignore' "$top/" "$src/"
# The copy is a tree of its own: nothing of the caller's make may point
# back into this one.
unset PCPNAT_TOP PCPNAT_BUILD PCPNAT_HOST PCPNAT_SELFTESTS PCPCTL PCPD PROBE \
	MAKEFLAGS MAKELEVEL MFLAGS
cd "$src"
dpkg-source -b . >"$out/source.log" 2>&1 ||
	{ tail -n 20 "$out/source.log" >&2; exit 1; }
dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 ||
	{ tail -n 60 "$out/build.log" >&2; exit 1; }
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work"/*.dsc "$work"/*.tar.* "$out/"
ls "$out"/*.deb
