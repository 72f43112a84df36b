# pcpnat: top-level build.
#
#   make                 module for KVER (default: newest installed headers),
#                        pcpd and pcpctl: what `make install` installs
#   make check           host unit tests, then the selftests in a VM for every
#                        kernel of the matrix; ends with "N passed, N failed"
#   make demo            a router in network namespaces, in a VM
#   make bench           benchmarks (not part of check)
#   make unit            host unit tests only
#   make genl-gen        kmod/genl_gen.[ch] again from the family's spec
#                        (Documentation/netlink/specs/pcpnat.yaml)
#   make install         module, binaries and man pages on this machine
#   make install-userspace  pcpd, pcpctl, man pages, configuration, unit and
#                        completion only (what the pcpd package holds)
#   make deb             the Debian packages (pcpnat-dkms, pcpd) in build/deb
#   make check-package   make deb, lintian, dkms build for each kernel, and
#                        the packages installed and used in a VM
#   make W=1 / C=1       passed to kbuild (extra warnings / sparse)
#
# Nothing here is computed when the Makefile is read from what `setup`
# installs: the kernel versions are looked up by the recipes that use them,
# after `setup` has run.

# kbuild and kselftest's lib.mk split paths at spaces. A tree whose path has
# one is built through a space-free alias of it (scripts/tree-alias.sh).
ifneq ($(if $(PCPNAT_TOP),1,$(words $(CURDIR))),1)
ALIAS := $(shell "$(CURDIR)/scripts/tree-alias.sh")
ifeq ($(ALIAS),)
$(error no space-free alias for "$(CURDIR)")
endif
.DEFAULT_GOAL := all
%::
	@"$(ALIAS)/scripts/make-in.sh" $(MAKE) $@
else

TOP := $(if $(PCPNAT_TOP),$(PCPNAT_TOP),$(CURDIR))
BUILD := $(TOP)/build
export PCPNAT_TOP := $(TOP)
# Per machine, shared by every clone (scripts/paths.sh says the same).
export PCPNAT_KCACHE ?= /var/cache/pcpnat
export PCPNAT_KSFT := $(PCPNAT_KCACHE)/kselftest

# The kernel a plain `make` builds for, and the test matrix: looked up when
# used (recursive variables), so a fresh machine's first run sees the
# kernels that `setup` has just installed.
KVER_DEFAULT = $(shell "$(TOP)/scripts/kernel/kvers.sh" newest)
KVER ?= $(KVER_DEFAULT)
# Where make install puts pcpd and pcpctl (daemon/Makefile says the same).
PREFIX ?= /usr/local
export PREFIX

.PHONY: all module userspace selftests-bin check unit demo bench fuzz \
	install install-userspace clean setup print-matrix debug-kernel \
	check-debug genl-gen deb check-package

all: module userspace

setup:
	@"$(TOP)/scripts/setup.sh"

# kbuild writes objects next to the sources; a tree of symlinks per kernel
# keeps the kernels' objects apart and the source tree clean. KMOD_OUT
# moves those trees (check.sh's sparse pass builds beside the VMs' module).
KMOD_OUT ?= $(BUILD)/kmod
module-%:
	@"$(TOP)/scripts/shadow-tree.sh" "$(KMOD_OUT)/$*"
	$(MAKE) -C "$$("$(TOP)/scripts/kernel/kdir.sh" $*)" M="$(KMOD_OUT)/$*" \
		$(if $(W),W=$(W)) $(if $(C),C=$(C)) modules

module:
	@[ -n "$(KVER)" ] || { echo "make: no kernel headers installed" \
		"(apt-get install linux-headers-amd64)" >&2; exit 1; }
	@$(MAKE) --no-print-directory module-$(KVER)

# pcpd and pcpctl only: a router needs no test framework.
userspace:
	$(MAKE) -C "$(TOP)/daemon" O="$(BUILD)/host" bins

# Host unit tests use kselftest_harness.h, which `setup` provides.
unit: setup
	$(MAKE) -C "$(TOP)/daemon" O="$(BUILD)/host" unit

# The selftests' C programs run inside the VM from the host's root.
selftests-bin: setup userspace
	@mkdir -p "$(BUILD)/selftests"
	$(MAKE) -C "$(TOP)/selftests" OUTPUT="$(BUILD)/selftests"

genl-gen: setup
	@"$(TOP)/scripts/genl-gen.sh"

debug-kernel: setup
	@"$(TOP)/scripts/kernel/build-debug.sh" >/dev/null

check: setup
	@"$(TOP)/scripts/check.sh"

# Every selftest on the debug kernel (make check runs a part there), with
# time for it: about an hour on two cores.
check-debug: setup
	@CHECK_DEBUG_FULL=1 VM_TIMEOUT=$${VM_TIMEOUT:-14400} "$(TOP)/scripts/check.sh"

demo: setup
	$(MAKE) module userspace selftests-bin
	@"$(TOP)/scripts/vm/run.sh" "$(KVER)" "$(TOP)/scripts/demo.sh"

bench: setup
	$(MAKE) module userspace
	@"$(TOP)/bench/run.sh" "$(KVER)"

fuzz: setup
	$(MAKE) -C "$(TOP)/daemon" O="$(BUILD)/host" fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),300)

# Where install-userspace puts the unit (the package: /lib/systemd/system).
UNITDIR ?= $(PREFIX)/lib/systemd/system

install: all install-userspace
	install -D -m 644 "$(BUILD)/kmod/$(KVER)/kmod/pcpnat.ko" \
		"$(DESTDIR)/lib/modules/$(KVER)/extra/pcpnat.ko"
	$(if $(DESTDIR),,depmod -a $(KVER))

install-userspace: userspace
	$(MAKE) -C "$(TOP)/daemon" O="$(BUILD)/host" install
	@# An existing configuration is the admin's: never overwritten.
	[ -e "$(DESTDIR)/etc/pcpd.conf" ] || \
		install -D -m 644 "$(TOP)/etc/pcpd.conf" "$(DESTDIR)/etc/pcpd.conf"
	@# The unit names the binary where this install puts it.
	install -d "$(DESTDIR)$(UNITDIR)"
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|' "$(TOP)/etc/pcpd.service" \
		>"$(DESTDIR)$(UNITDIR)/pcpd.service"
	install -D -m 644 "$(TOP)/etc/bash-completion/pcpctl" \
		"$(DESTDIR)$(PREFIX)/share/bash-completion/completions/pcpctl"

# The packages, built from a copy of the tree so that the build leaves
# nothing in it (scripts/deb.sh).
deb:
	@"$(TOP)/scripts/deb.sh"

check-package: setup
	@"$(TOP)/scripts/check-package.sh"

clean:
	rm -rf "$(BUILD)/kmod" "$(BUILD)/sparse" "$(BUILD)/host" "$(BUILD)/selftests" "$(BUILD)/vm"

print-matrix:
	@"$(TOP)/scripts/kernel/kvers.sh" matrix

endif
