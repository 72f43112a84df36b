#!/bin/bash
# Installs what building and testing pcpnat needs, and takes the kselftest
# framework and the netlink code generator out of Debian's linux-source-6.12
# into the build cache. Each step is skipped when its result is already
# there, so a second run is instant.
set -euo pipefail

. "$(dirname "$0")/paths.sh"

# Debian packages: the toolchain for userspace and the module, both kernels
# of the test matrix with their headers, qemu and the initramfs pieces, and
# what building the debug kernel from linux-source-6.12 takes, and what the
# kernel's ynl-gen (scripts/genl-gen.sh) runs on; and what make deb and
# make check-package build, check and install the packages with.
pkgs=(
	build-essential pkg-config clang llvm sparse
	libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libjson-c-dev
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	qemu-system-x86 busybox-static cpio xz-utils kmod
	bc bison flex libelf-dev libssl-dev rsync python3
	python3-yaml python3-jsonschema
	iproute2 nftables jq procps socat natpmpc libinih-dev libcap-ng-dev
	libsodium-dev keepalived
	debhelper dh-dkms dkms lintian bash-completion systemd
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The real kselftest framework, from the kernel source Debian ships, once
# per machine and again when that source changes version.
ksft=$PCPNAT_KSFT
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
mkdir -p "$PCPNAT_KCACHE"
exec 9>"$PCPNAT_KCACHE/kselftest.lock"
flock 9
if [ "$(cat "$ksft/.done" 2>/dev/null)" != "$srcver" ]; then
	src=$(ls /usr/src/linux-source-6.12.tar.xz)
	rm -rf "$ksft" && mkdir -p "$ksft"
	p=linux-source-6.12/tools/testing/selftests
	tar -xJf "$src" -C "$ksft" --strip-components=4 \
		"$p/kselftest.h" "$p/kselftest_harness.h" "$p/kselftest" \
		"$p/lib.mk" "$p/net/lib.sh"
	echo "$srcver" >"$ksft/.done"
fi

# The kernel's netlink code generator and its schemas, from the same source:
# scripts/genl-gen.sh makes the module's policies and op table with them.
ynl=$PCPNAT_KCACHE/ynl
if [ "$(cat "$ynl/.done" 2>/dev/null)" != "$srcver" ]; then
	rm -rf "$ynl" && mkdir -p "$ynl"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$ynl" --strip-components=1 \
		linux-source-6.12/tools/net/ynl --wildcards \
		'linux-source-6.12/Documentation/netlink/*.yaml'
	echo "$srcver" >"$ynl/.done"
fi
