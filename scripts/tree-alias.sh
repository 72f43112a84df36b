#!/bin/bash
# Prints a space-free path that leads to this tree: the tree itself when its
# path has no white space, else its alias in the machine cache (paths.sh).
set -euo pipefail
unset PCPNAT_TOP
. "$(dirname "$0")/paths.sh"
echo "$PCPNAT_TOP"
