#!/bin/bash
# Mirrors the module's sources into $1 as symlinks, so that kbuild can build
# the same sources for several kernels side by side without writing objects
# into the source tree. Links to files that were removed are pruned.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dst=$1
mkdir -p "$dst"
find "$dst" -xtype l -delete
ln -sfn "$top/Kbuild" "$dst/Kbuild"
for d in kmod uapi; do
	mkdir -p "$dst/$d"
	(cd "$top/$d" && find . -type d) | while read -r sub; do mkdir -p "$dst/$d/$sub"; done
	# genl_gen_mutable.c is made by kmod/Kbuild in the build tree itself.
	(cd "$top/$d" && find . -type f \( -name '*.[ch]' -o -name Kbuild \) ! -name genl_gen_mutable.c) |
		while read -r f; do ln -sfn "$top/$d/$f" "$dst/$d/$f"; done
done
