#!/bin/bash
# Prints a space-free path that leads to this tree: the tree itself when its
# path has no white space, else a symlink to it in the machine's cache
# (kbuild and kselftest's lib.mk cannot build in a path with spaces).
set -euo pipefail
real=$(cd "$(dirname "$0")/.." && pwd -P)
case $real in
*[[:space:]]*) ;;
*) echo "$real"; exit 0 ;;
esac
. "$(dirname "$0")/paths.sh"
dir=$PCPNAT_KCACHE/trees
mkdir -p "$dir"
alias=$dir/$(printf '%s' "$real" | sha256sum | cut -c1-12)
ln -sfn "$real" "$alias"
echo "$alias"
