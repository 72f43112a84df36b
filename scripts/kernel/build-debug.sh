#!/bin/bash
# Builds the debug kernel of the test matrix from Debian's linux-source-6.12:
# x86_64_defconfig + kvm_guest.config + scripts/kernel/debug.config +
# selftests/config, everything built in. The result is cached per machine,
# outside any clone, under a key made of the source package version and the
# configuration, so a second clone or CI reuses it and a change of either
# rebuilds it (the key leaves this script out: edit it, then remove the
# cache directory, when a change here must rebuild). Prints the kernel release on stdout.
#   build-debug.sh            build if needed, print the release
#   build-debug.sh --dir      print the cache directory of the current key
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/scripts/paths.sh"

tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
frags=("$here/debug.config" "$top/selftests/config")
key=$( { echo "$srcver"; cat "${frags[@]}"; } | sha256sum | cut -c1-12)
dir=$PCPNAT_KCACHE/debug-$key
if [ "${1:-}" = --dir ]; then echo "$dir"; exit 0; fi

mkdir -p "$PCPNAT_KCACHE"
exec 9>"$PCPNAT_KCACHE/debug.lock"
flock 9
if [ -f "$dir/.done" ]; then
	# A release written by an older build-debug.sh may hold make's noise.
	cp "$dir/build/include/config/kernel.release" "$dir/kernelrelease" 2>/dev/null
	cat "$dir/kernelrelease"; exit 0
fi

log=$PCPNAT_KCACHE/debug-$key.log
echo "build-debug: building the debug kernel into $dir (log: $log)" >&2
start=$SECONDS
src=$PCPNAT_KCACHE/src-$srcver
if [ ! -f "$src/.done" ]; then
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.done"
fi

rm -rf "$dir" && mkdir -p "$dir/build"
{
	make -C "$src" O="$dir/build" x86_64_defconfig kvm_guest.config
	"$src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
		"$dir/build/.config" "${frags[@]}"
	make -C "$src" O="$dir/build" olddefconfig
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; exit 1; }

# Kconfig drops what it cannot satisfy: a checker that silently went
# missing would make the whole run prove nothing.
bad=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx -- "$line" "$dir/build/.config" ||
			{ echo "build-debug: $line did not take" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$dir/build/.config" ||
			{ echo "build-debug: $opt is still set" >&2; bad=1; } ;;
	esac
done < <(cat "${frags[@]}")
((bad == 0)) || exit 1

make -C "$src" O="$dir/build" -j"$(nproc)" bzImage modules >>"$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; exit 1; }
make -C "$src" O="$dir/build" INSTALL_MOD_PATH="$dir/root" \
	INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; exit 1; }
cp "$dir/build/arch/x86/boot/bzImage" "$dir/vmlinuz"
# From the file kbuild wrote, not from `make kernelrelease`: run under
# make check, that make prints "Entering directory" lines to stdout too.
cp "$dir/build/include/config/kernel.release" "$dir/kernelrelease"
echo "$((SECONDS - start))" >"$dir/build-seconds"
touch "$dir/.done"
echo "build-debug: built $(cat "$dir/kernelrelease") in $((SECONDS - start)) s" >&2
cat "$dir/kernelrelease"
