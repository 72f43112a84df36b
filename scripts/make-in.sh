#!/bin/bash
# Runs make in the tree this script is reached through (a space-free alias
# made by tree-alias.sh), with PCPNAT_TOP naming that path so that every
# recipe and script below uses it and never the real, spaced one.
#   make-in.sh MAKE GOAL...
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd -L)
cd "$top"
export PCPNAT_TOP=$top
exec "$@"
