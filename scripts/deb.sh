#!/bin/bash
# make deb: the Debian packages (debian/), built by dpkg-buildpackage -b from
# a copy of the tree in build/deb/pcpnat-VERSION, so that the build writes
# nothing into the tree itself. The .debs and .changes land in build/deb,
# with the source package (.dsc) made from the clean copy first, so that
# lintian sees debian/ as an archive would (make check-package).
set -euo pipefail
. "$(dirname "$0")/paths.sh"
top=$PCPNAT_TOP
out=$PCPNAT_BUILD/deb
ver=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/pcpnat-$ver

rm -rf "$out" && mkdir -p "$src"
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
ls "$out"/*.deb
