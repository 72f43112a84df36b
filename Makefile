# pcpnat: top-level build.
#
#   make                 module for KVER (default: newest installed headers),
#                        pcpd and pcpctl
#   make check           host unit tests, then the selftests in a VM for every
#                        kernel of the matrix; ends with "N passed, N failed"
#   make demo            a router in network namespaces, in a VM
#   make bench           benchmarks (not part of check)
#   make install         module, binaries and man pages on this machine
#   make W=1 / C=1       passed to kbuild (extra warnings / sparse)

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build

# Every kernel with headers installed, newest last.
KVERS_INSTALLED := $(shell ls -d /lib/modules/*/build 2>/dev/null | \
		     cut -d/ -f4 | sort -V)
KVER ?= $(lastword $(KVERS_INSTALLED))
# The test matrix: Debian bookworm's 6.1 and Debian's 6.12 for bookworm.
MATRIX ?= $(filter 6.1.% 6.12.%,$(KVERS_INSTALLED))

export PCPNAT_TOP := $(TOP)

.PHONY: all module modules-all userspace selftests-bin check unit demo bench \
	fuzz install clean setup print-matrix

all: module userspace

setup:
	@$(TOP)/scripts/setup.sh

# kbuild writes objects next to the sources; a tree of symlinks per kernel
# keeps the two kernels' objects apart and the source tree clean.
define kmod_rule
module-$(1):
	@$(TOP)/scripts/shadow-tree.sh $(BUILD)/kmod/$(1)
	$$(MAKE) -C /lib/modules/$(1)/build M=$(BUILD)/kmod/$(1) \
		$(if $(W),W=$(W)) $(if $(C),C=$(C)) modules
.PHONY: module-$(1)
endef
$(foreach k,$(KVERS_INSTALLED),$(eval $(call kmod_rule,$(k))))

module: module-$(KVER)
modules-all: $(addprefix module-,$(MATRIX))

userspace:
	$(MAKE) -C $(TOP)/daemon O=$(BUILD)/host

unit: userspace
	$(MAKE) -C $(TOP)/daemon O=$(BUILD)/host unit

# The selftests' C programs run inside the VM from the host's root.
selftests-bin: userspace
	@mkdir -p $(BUILD)/selftests
	$(MAKE) -C $(TOP)/selftests OUTPUT=$(BUILD)/selftests

check: setup
	@$(TOP)/scripts/check.sh

demo: setup
	$(MAKE) module userspace selftests-bin
	@$(TOP)/scripts/vm/run.sh $(KVER) $(TOP)/scripts/demo.sh

bench: setup
	$(MAKE) module userspace
	@$(TOP)/bench/run.sh $(KVER)

fuzz: setup
	$(MAKE) -C $(TOP)/daemon O=$(BUILD)/host fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),300)

install: all
	install -D -m 644 $(BUILD)/kmod/$(KVER)/kmod/pcpnat.ko \
		$(DESTDIR)/lib/modules/$(KVER)/extra/pcpnat.ko
	$(MAKE) -C $(TOP)/daemon O=$(BUILD)/host install
	@# An existing configuration is the admin's: never overwritten.
	[ -e $(DESTDIR)/etc/pcpd.conf ] || \
		install -D -m 644 $(TOP)/etc/pcpd.conf $(DESTDIR)/etc/pcpd.conf
	$(if $(DESTDIR),,depmod -a $(KVER))

clean:
	rm -rf $(BUILD)/kmod $(BUILD)/host $(BUILD)/selftests $(BUILD)/vm

print-matrix:
	@printf '%s\n' $(MATRIX)
