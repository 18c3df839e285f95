# swdbridge build. `make` builds everything, `make test` runs every suite
# (unit tests plain and under ASan+UBSan, then the integration tests with
# real gdb), `make run` starts the demo on the simulated STM32H743.
# Sources are found by folder, so adding a file needs no Makefile change.

SHELL   := /bin/bash
.DEFAULT_GOAL := all
CC      ?= gcc
ARM_CC  ?= arm-none-eabi-gcc
ARM_OBJCOPY ?= arm-none-eabi-objcopy
B       := build

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wconversion -Wsign-conversion \
        -Wimplicit-fallthrough -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual \
        -Wnull-dereference -Wundef -Wvla -Wdouble-promotion -fno-common
CFLAGS_BASE := -std=c17 -D_GNU_SOURCE -g -O2 $(WARN) -I. -Iinclude -I$(B)/gen
PKGS := libusb-1.0 libftdi1 libjaylink
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS  := -lunicorn $(PKG_LIBS) -lmbedtls -lmbedx509 -lmbedcrypto -lpthread -lm
CFLAGS  := $(CFLAGS_BASE) $(PKG_CFLAGS)
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_DIRS := lib probes adi cortexm targets server server/gdb server/rtt server/net \
            server/flash server/remote server/swo sim client/lib
LIB_SRCS := $(filter-out %/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
SAN_OBJS := $(LIB_SRCS:%.c=$(B)/san/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
SAN_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests-san/%)
PROGS := $(B)/swdbridge $(if $(wildcard client/main.c),$(B)/swdflash) $(if $(wildcard tools/vjlink/main.c),$(B)/vjlink) $(if $(wildcard sim/mpsse.c),$(B)/swdbridge-mpsse)
PROGS += $(if $(wildcard tools/bench_remote/main.c),$(B)/bench-remote)
PROGS += $(if $(wildcard tools/rtt_bench/main.c),$(B)/rtt_bench)

# Target firmware (demo) and flash loaders, compiled with arm-none-eabi-gcc.
FW_DIR := firmware
include firmware/firmware.mk
include flashloaders/flashloaders.mk
LIB_SRCS += $(LOADER_GEN)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
SAN_OBJS := $(LIB_SRCS:%.c=$(B)/san/%.o)

.PHONY: all test unit unit-san integration run bench fuzz faults valgrind clean deps check-globals install mutants
all: deps-check $(PROGS) $(UNIT_BINS) $(FW_ELFS)

deps-check:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

# The version, from one place: VERSION plus `git describe` of the tree.
# $(B)/gen/sw_version.h is rewritten while the Makefile is read, and only
# when its text changes, so `make -q` and incremental builds stay exact.
SW_VERSION := $(shell cat VERSION 2>/dev/null || echo unknown)
SW_GIT := $(shell git describe --always --dirty 2>/dev/null || echo "no git")
SW_VERSION_H := $(B)/gen/sw_version.h
SW_VERSION_TEXT := \#define SW_VERSION "$(SW_VERSION)"\n\#define SW_GIT "git $(SW_GIT)"\n
$(shell mkdir -p $(B)/gen && printf '$(SW_VERSION_TEXT)' > $(SW_VERSION_H).tmp && \
	{ cmp -s $(SW_VERSION_H).tmp $(SW_VERSION_H) && rm -f $(SW_VERSION_H).tmp || mv $(SW_VERSION_H).tmp $(SW_VERSION_H); })
$(B)/obj/server/options.o $(B)/san/server/options.o $(B)/obj/client/main.o: $(B)/gen/sw_version.h

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -O1 -MMD -MP -c $< -o $@

$(B)/libsw.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/libsw-san.a: $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/swdbridge: $(B)/obj/server/main.o $(B)/libsw.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/vjlink: $(B)/obj/tools/vjlink/main.o $(B)/libsw.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# swdbridge with libftdi1 replaced by the MPSSE model (sim/mpsse.c) at link
# time: the FTDI driver's real command stream runs against a simulated chip
# (SW_MPSSE_CHIP, SW_MPSSE_LOAD). For tests only.
comma := ,
MPSSE_WRAP := $(shell sed -n '/define MPSSE_FTDI_WRAP_LIST/{n;p}' sim/mpsse.h 2>/dev/null | tr -d ' "\t\\')
$(B)/swdbridge-mpsse: $(B)/obj/server/main.o $(B)/libsw.a
	$(CC) $(CFLAGS) -o $@ $^ $(foreach n,$(subst $(comma), ,$(MPSSE_WRAP)),-Wl,--wrap=$(n)) $(LDLIBS)

# RTT latency/throughput in virtual time (for make bench).
$(B)/rtt_bench: $(B)/obj/tools/rtt_bench/main.o $(B)/libsw.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Remote-probe benchmark (issue #8): scripts/bench-remote runs it local and
# through probe-server across two network namespaces with netem.
$(B)/bench-remote: $(B)/obj/tools/bench_remote/main.o $(B)/libsw.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/swdflash: $(B)/obj/client/main.o $(B)/libsw.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: tests/unit/%.c tests/test.h $(B)/libsw.a $(FW_ELFS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DBUILD_DIR='"$(B)"' -o $@ $< $(B)/libsw.a $(LDLIBS)

$(B)/tests-san/%: tests/unit/%.c tests/test.h $(B)/libsw-san.a $(FW_ELFS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -O1 -DBUILD_DIR='"$(B)"' -o $@ $< $(B)/libsw-san.a $(LDLIBS)

unit: all
	scripts/run-tests unit $(UNIT_BINS)

unit-san: all $(SAN_BINS)
	scripts/run-tests unit-asan $(SAN_BINS)

integration: all
	scripts/run-tests integration $(wildcard tests/integration/test_*.py)

# The whole suite; the last line is the total "N passed, N failed".
test: all $(SAN_BINS)
	scripts/run-tests all tests/check_globals.sh $(UNIT_BINS) $(SAN_BINS) $(wildcard tests/integration/test_*.py)

run: all
	scripts/run-demo

# The main gdb-facing integration tests with the server under valgrind
# memcheck (scripts/valgrind-swdbridge): memory errors or leaks fail them.
VALGRIND_TESTS := test_gdb_session test_watchpoints test_nonstop
valgrind: all
	SW_TEST_SERVER=$(CURDIR)/scripts/valgrind-swdbridge scripts/run-tests valgrind \
		$(VALGRIND_TESTS:%=tests/integration/%.py)

# Fault campaign (issues 9, 16): faults injected, fired, survived, data lost
# (must be 0, judged by reading back the whole flash), sectors in doubt.
faults: all
	scripts/faults --rounds 6

# Mutation campaign (issue 18): every mutation in tests/mutants/mutants.txt
# applied to its own copy of the tree, its tests run one mutant at a time;
# prints caught / total and fails unless every mutant is caught. Long: not
# part of `make test` (which only checks that the table still applies).
mutants: all
	scripts/mutants

# Virtual-time benchmarks against the goals of issue #20: the table goes to
# $(B)/bench.txt; a missed goal fails the target (after every job has run).
bench: all
	@s=0; scripts/bench || s=1; scripts/bench-remote || s=1; exit $$s

# make install [PREFIX=/usr/local] [DESTDIR=]: programs (and the J-Link
# argument-mode link in libexec/swdbridge), man pages, udev rules, the
# probe-server systemd unit, bash completion, the user docs.
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/lib/udev/rules.d $(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/doc/swdbridge
	install -m 755 $(B)/swdbridge $(DESTDIR)$(BINDIR)/swdbridge
	# J-Link argument mode: Cortex-Debug's serverpath points here; never on PATH.
	install -d $(DESTDIR)$(PREFIX)/libexec/swdbridge
	ln -sf $(BINDIR)/swdbridge $(DESTDIR)$(PREFIX)/libexec/swdbridge/JLinkGDBServerCLExe
	if [ -x $(B)/swdflash ]; then install -m 755 $(B)/swdflash $(DESTDIR)$(BINDIR)/swdflash; fi
	install -m 644 $(wildcard docs/man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 packaging/udev/60-swdbridge.rules $(DESTDIR)$(PREFIX)/lib/udev/rules.d/
	sed 's#@BINDIR@#$(BINDIR)#' packaging/systemd/swdbridge-probe-server.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/swdbridge-probe-server.service
	for c in $(notdir $(wildcard packaging/completion/*)); do \
		install -m 644 packaging/completion/$$c $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$c; done
	install -m 644 README.md $(wildcard docs/*.md) $(DESTDIR)$(PREFIX)/share/doc/swdbridge/

check-globals: $(B)/libsw.a
	scripts/check-globals $(B)/libsw.a

clean:
	rm -rf $(B)

-include $(LIB_OBJS:.o=.d) $(SAN_OBJS:.o=.d)
# The programs' main.o files are outside LIB_OBJS: without their .d files a
# header change (e.g. struct sw_session) left a stale main.o linked in.
-include $(wildcard $(B)/obj/*/main.d $(B)/obj/*/*/main.d)

# libFuzzer (clang): `make fuzz` runs each target for FUZZ_SECONDS on its
# seed corpus (text seeds in tests/fuzz/corpus/NAME, binary seeds generated
# into $(B)/fuzz/seed-NAME: nothing binary is committed).
FUZZ_SECONDS ?= 60
# -fno-sanitize-recover=all: a UBSan finding aborts the run (otherwise UBSan
# prints a SUMMARY and libFuzzer carries on and exits 0).
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -I. -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SRC_rsp_packet := server/gdb/rsp_packet.c lib/hex.c
FUZZ_SRC_elf := lib/elf.c lib/err.c lib/log.c
FUZZ_SRC_remote_proto := server/remote/proto.c lib/err.c lib/log.c
FUZZ_SRC_rtt_cb := server/rtt/rtt_cb.c
FUZZ_SRC_image := client/lib/image.c client/lib/image_hex.c client/lib/memmap.c lib/elf.c lib/err.c lib/log.c \
                  lib/hex.c
# The monitor target drives a whole simulated board: every library source,
# compiled with clang and the fuzzer's instrumentation.
# So does rsp_session (the whole RSP dispatcher, tests/fuzz/fuzz_board.h).
FUZZ_SRC_monitor := $(LIB_SRCS)
FUZZ_SRC_rsp_session := $(LIB_SRCS)
# The simulator is the test bench, not the code under test: it is built with
# ASan+UBSan but without the fuzzer's coverage instrumentation, which would
# steer mutations into the chip model and cost most of the run time (every
# simulated instruction passes through its hooks).
FUZZ_SIM_OBJS := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(filter sim/%,$(LIB_SRCS)))
FUZZ_BOARD_SRCS := $(filter-out sim/%,$(LIB_SRCS))
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(filter-out -fsanitize=fuzzer%,$(FUZZ_CFLAGS)) -fsanitize=address,undefined $(PKG_CFLAGS) \
		-I$(B)/gen -c $< -o $@
$(B)/fuzz/fuzz_monitor $(B)/fuzz/fuzz_rsp_session: $(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_board.h \
		$(FUZZ_BOARD_SRCS) $(FUZZ_SIM_OBJS) $(FW_ELFS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) -I$(B)/gen -DFUZZ_DEMO_ELF='"$(B)/fw/demo-h743.elf"' -o $@ \
		$< $(FUZZ_BOARD_SRCS) $(FUZZ_SIM_OBJS) $(LDLIBS)

# The TLS handshake of probe-server (server/net/tls.c) against mbedTLS, with
# credentials and seeds (real client first flights) made at build time.
FUZZ_SRC_remote_tls := server/net/tls.c lib/err.c lib/log.c
$(B)/fuzz/fuzz_remote_tls: tests/fuzz/fuzz_remote_tls.c $(FUZZ_SRC_remote_tls)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -DFUZZ_TLS_DIR='"$(CURDIR)/$(B)/fuzz/tls"' -o $@ $^ -lmbedtls -lmbedx509 -lmbedcrypto

$(B)/fuzz/seed-remote_tls/.recorded: tests/fuzz/record_tls_seeds.py $(B)/swdbridge
	python3 tests/fuzz/record_tls_seeds.py $(B)/fuzz/tls $(dir $@)
	touch $@

# Seeds for rsp_session: real gdb sessions against swdbridge, recorded with
# gdb's remotelogfile at build time (tests/fuzz/record_rsp_seeds.py).
$(B)/fuzz/seed-rsp_session/.recorded: tests/fuzz/record_rsp_seeds.py $(B)/swdbridge $(FW_ELFS)
	python3 tests/fuzz/record_rsp_seeds.py $(dir $@)
	touch $@

.SECONDEXPANSION:
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRC_$$*)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^

$(B)/fuzz/seed-elf/demo: $(FW_ELFS)
	@mkdir -p $(dir $@) $(B)/fuzz/seed-image
	cp $(B)/fw/demo-h743.elf $@
	cp $(B)/fw/demo-m55.elf $(dir $@)/demo-m55
	{ printf '\001'; cat $(B)/fw/demo-h743.elf; } > $(B)/fuzz/seed-image/demo-elf

fuzz: $(FUZZERS:%=$(B)/fuzz/fuzz_%) $(B)/fuzz/seed-elf/demo $(B)/fuzz/seed-rsp_session/.recorded \
		$(B)/fuzz/seed-remote_tls/.recorded
	@for f in $(FUZZERS); do \
		mkdir -p $(B)/fuzz/work-$$f; \
		seeds=""; for d in tests/fuzz/corpus/$$f $(B)/fuzz/seed-$$f; do [ -d $$d ] && seeds="$$seeds $$d"; done; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		$(B)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(B)/fuzz/ \
			$(B)/fuzz/work-$$f $$seeds \
			2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|crash-' ; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done
