# oisync - plain Makefile. `make` builds, `make check` tests (twice: plain and
# ASan+UBSan), `make demo` shows a full sync against the bundled fakes.
VERSION    = 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
SAN       ?=
# Parallel compiles for `make check` and `make check-plain`: one per core.
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)

CC        ?= cc
CXX       ?= c++
PKG_CONFIG ?= pkg-config

OPT       = -O2
ifeq ($(SAN),1)
OPT       = -O1
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# gcc links its sanitizer runtimes as shared libraries unless told otherwise.
# Linked in, LeakSanitizer's scan at each process's exit touches 1,500 fewer
# pages and costs a quarter less CPU (oisync-apply --version: 68 ms against
# 94 ms), and the ASan pass of make check starts thousands of processes.
# clang links them in anyway.
# A static runtime exports only its interceptors: the phone module, built
# with ASan too, needs ASan's entry points from the executable as well.
SANEXPORT = -Wl,--export-dynamic-symbol='__asan_*'
SANLINK   = $(if $(shell $(CC) --version 2>/dev/null | grep 'Free Software Foundation'),-static-libasan -static-libubsan $(SANEXPORT))
# The module's undefined-behaviour checks trap (SIGILL) instead of calling
# UBSan's runtime, which an executable holds only the handlers of its own
# code from, and has none for C++ (vptr).
MODULE_SANFLAGS = -fno-sanitize=vptr -fsanitize-undefined-trap-on-error
endif
# The libFuzzer build of `make fuzz` (clang only): coverage for libFuzzer, ASan+UBSan.
ifeq ($(SAN),fuzz)
OPT       = -O1
SANFLAGS  = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
MODULE_SANFLAGS = -fno-sanitize=vptr -fsanitize-undefined-trap-on-error
endif

PKGS       = libcurl libxml-2.0 json-c sqlite3 inih nettle hogweed gmp libutf8proc
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
WARN       = -Wall -Wextra -Werror
CPPFLAGS  += -D_GNU_SOURCE -DOIS_VERSION='"$(VERSION)"' -Ilib $(PKG_CFLAGS)
CFLAGS    ?= $(OPT) -g
CFLAGS    += -std=c11 $(WARN) $(SANFLAGS) -MMD -MP
CXXFLAGS  ?= $(OPT) -g
CXXFLAGS  += -std=c++17 $(WARN) $(SANFLAGS) -MMD -MP
# --as-needed: a library an executable names but never calls is not loaded
# at each of its starts (bench/startup).
LDFLAGS   += -Wl,--as-needed $(SANFLAGS) $(SANLINK)

pkglibs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
# Each executable links only what it uses: a libcurl executable costs ~11 ms
# to start, and the driver starts several per user per run.
# hogweed and gmp: the OAuth client signs a certificate's assertion (lib/oauth_assertion.c).
# libcurl, libxml2 and SQLite are no executable's either: lib/lazy_curl.c,
# lib/lazy_xml.c and lib/lazy_sqlite.c open them on their first call
# (lib/lazy.h says why), by the SONAME of the libraries built against, read
# here from the linker's files.
LIBS_extract   = $(call pkglibs,json-c inih nettle hogweed gmp)
# libphonenumber is no executable's: it lives in PHONE_MODULE (below).
LIBS_transform = $(call pkglibs,json-c inih nettle libutf8proc)
LIBS_reconcile = $(call pkglibs,json-c inih nettle)
# apply normalizes a firm contact it adopts as transform does (libutf8proc, the phone module).
LIBS_apply     = $(call pkglibs,json-c inih nettle hogweed gmp libutf8proc)
LIBS_admin     = $(call pkglibs,json-c inih nettle hogweed gmp libutf8proc)
# Tests also call libxml2 and SQLite functions the product does not.
LIBS_all       = $(call pkglibs,$(PKGS))
soname = $(shell objdump -p $$($(CC) -print-file-name=$(1)) 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')
CURL_SONAME := $(call soname,libcurl.so)
XML_SONAME  := $(call soname,libxml2.so)
SQLITE_SONAME := $(call soname,libsqlite3.so)

# libphonenumber, and with it the C++ runtime, protobuf, abseil and ICU,
# cost each start of an executable that links them ~6 ms (bench/startup),
# numbers or not: lib/phone_module.cc is built into a module of its own that
# lib/phone_load.c opens on the first number to parse. MODDIR is its folder
# under PREFIX and under BUILD alike, so the executables (bin/) find it at
# ../MODDIR both installed and in the build tree; the tests' executables
# (tests/unit/, tests/fuzz/) find it through the link $(BUILD)/tests/lib.
MODDIR       = lib/oisync
PHONE_MODULE = $(BUILD)/$(MODDIR)/oisync-phone.so

STAGES    = extract transform reconcile apply
# lib/ is flat but for one folder per backend (lib/ews/, lib/interaction/).
LIB_OBJ   = $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/*.c lib/*/*.c))
stage_obj = $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c))
# A stage's files other than main.c, so unit tests can link them.
STAGE_LIB_OBJ = $(filter-out %/main.o,$(foreach s,$(STAGES),$(call stage_obj,$(s))))
BINS      = $(STAGES:%=$(BUILD)/bin/oisync-%) $(BUILD)/bin/oisync
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
UNITS     = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.t)
# Fuzz targets (tests/fuzz/fuzz_*.c): `make fuzz` links each with libFuzzer;
# every other build links each with replay.c, and tests/run-all.sh replays
# the corpus tests/fuzz/corpus/TARGET/ through it.
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY  = $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/%.replay)
FUZZ_CC      = clang-14
FUZZ_CXX     = clang++-14
FUZZ_SECONDS = 600
SCRIPTS   = scripts/oisync-run
# systemd's unit folder: under PREFIX for a local install (systemd reads
# /usr/local/lib/systemd/system); the package puts them in /lib/systemd/system.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# The configuration folder is fixed: every executable's default
# (/etc/oisync/oisync.conf, lib/config.c) and the service's ConfigurationDirectory.
CONFDIR    = /etc/oisync
# Where `make deb` leaves the package.
DEB_DIR   ?= $(BUILD)
MAN1      = $(wildcard man/*.1)
MAN5      = $(wildcard man/*.5)
MAN7      = $(wildcard man/*.7)

.PHONY: all units check check-plain demo deps install deb clean fuzz fuzz-targets man-fields
.SECONDARY:

all: $(BINS) $(PHONE_MODULE) $(BUILD)/man-fields.ok

$(BUILD)/liboisync.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

$(BUILD)/lib/lazy_curl.o: CPPFLAGS += -DOIS_CURL_SONAME='"$(CURL_SONAME)"'
$(BUILD)/lib/lazy_xml.o: CPPFLAGS += -DOIS_XML_SONAME='"$(XML_SONAME)"'
$(BUILD)/lib/lazy_sqlite.o: CPPFLAGS += -DOIS_SQLITE_SONAME='"$(SQLITE_SONAME)"'
$(BUILD)/lib/phone_load.o: CPPFLAGS += -DOIS_MODULE_DIR='"../$(MODDIR)"'
# Only the entry point is exported; the sanitizers' runtime, when there is
# one, is the executable's (linked in), so the module links none.
$(BUILD)/lib/phone_module.o: CXXFLAGS += -fPIC -fvisibility=hidden $(MODULE_SANFLAGS)
$(PHONE_MODULE): $(BUILD)/lib/phone_module.o
	@mkdir -p $(@D)
	$(CXX) -shared -Wl,--as-needed -o $@ $^ -lphonenumber

$(BUILD)/tests/lib:
	@mkdir -p $(@D)
	ln -sfn ../lib $@

# The admin command: scripts/oisync.c (main, options) and one scripts/oisync_*.c per command.
ADMIN_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard scripts/oisync*.c))
$(BUILD)/bin/oisync: $(ADMIN_OBJ) $(BUILD)/liboisync.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_admin)

.SECONDEXPANSION:
$(BUILD)/bin/oisync-%: $$(call stage_obj,$$*) $(BUILD)/liboisync.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_$*)

# Stage files reach unit tests through an archive, so a test pulls in only
# the members it uses (and none of their unrelated dependencies).
$(BUILD)/stages.a: $(STAGE_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/unit/%.t: $(BUILD)/tests/unit/%.o $(BUILD)/tests/unit/unit.o $(BUILD)/stages.a $(BUILD)/liboisync.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_all)

units: $(UNITS) $(FUZZ_REPLAY) $(PHONE_MODULE) $(BUILD)/tests/lib

# oisync-records(5)'s field tables are made from lib/contact_fields.def and
# lib/appointment_fields.def (the regions between its "BEGIN contact fields"
# and "END contact fields" comments, and the same for appointment fields):
# `make man-fields` rewrites them, and a build fails while the committed page
# differs, so the page cannot drift from the code.
FIELDS_PAGE = man/oisync-records.5
FIELDS_MAN  = $(BUILD)/scripts/fields_man

$(FIELDS_MAN): scripts/fields_man.c lib/contact_fields.def lib/appointment_fields.def
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/man-fields.ok: $(FIELDS_MAN) $(FIELDS_PAGE)
	@$(FIELDS_MAN) < $(FIELDS_PAGE) | cmp -s - $(FIELDS_PAGE) || { \
		echo "$(FIELDS_PAGE): a field table differs from lib/contact_fields.def or lib/appointment_fields.def;" \
		     "run 'make man-fields' and commit the page" >&2; exit 1; }
	@touch $@

man-fields: $(FIELDS_MAN)
	$(FIELDS_MAN) < $(FIELDS_PAGE) > $(FIELDS_PAGE).tmp
	mv $(FIELDS_PAGE).tmp $(FIELDS_PAGE)

# lib/tz.c's Windows <-> IANA zone tables (CLDR's windowsZones) are made
# from ICU at build time: only this generator links ICU, so no stage opens
# ICU's zone data at run time, and oisync-reconcile loads no ICU at all (the
# others load the parts libxml2 and libphonenumber link). Not committed.
WINDOWS_ZONES_GEN = $(BUILD)/scripts/gen_windows_zones
WINDOWS_ZONES_INC = $(BUILD)/gen/windows_zones.inc

$(WINDOWS_ZONES_GEN): scripts/gen_windows_zones.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(shell $(PKG_CONFIG) --cflags icu-uc icu-i18n 2>/dev/null) $(CFLAGS) $(LDFLAGS) \
		-o $@ $< $(call pkglibs,icu-uc icu-i18n)

$(WINDOWS_ZONES_INC): $(WINDOWS_ZONES_GEN)
	@mkdir -p $(@D)
	$(WINDOWS_ZONES_GEN) > $@.tmp
	mv $@.tmp $@

$(BUILD)/lib/tz.o: $(WINDOWS_ZONES_INC)
$(BUILD)/lib/tz.o: CPPFLAGS += -I$(BUILD)/gen

# lib/country.c's name -> ISO 3166-1 alpha-2 table is made the same way:
# scripts/gen_countries.c reads ISO's codes and English names (iso-codes),
# CLDR's territory names in many languages (ICU) and lib/country_aliases.txt,
# and folds every name with lib/country_fold.c, the fold the lookup uses.
# So iso-codes and ICU are needed to build only, and no stage reads a data
# file to look a country up. Not committed.
ISO3166_JSON  ?= /usr/share/iso-codes/json/iso_3166-1.json
COUNTRIES_GEN  = $(BUILD)/scripts/gen_countries
COUNTRIES_INC  = $(BUILD)/gen/countries.inc

$(COUNTRIES_GEN): scripts/gen_countries.c lib/country_fold.c lib/country_fold.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(shell $(PKG_CONFIG) --cflags icu-uc icu-i18n 2>/dev/null) $(CFLAGS) $(LDFLAGS) \
		-o $@ scripts/gen_countries.c lib/country_fold.c \
		$(call pkglibs,icu-uc icu-i18n json-c libutf8proc)

$(COUNTRIES_INC): $(COUNTRIES_GEN) lib/country_aliases.txt $(ISO3166_JSON)
	@mkdir -p $(@D)
	$(COUNTRIES_GEN) $(ISO3166_JSON) lib/country_aliases.txt > $@.tmp
	mv $@.tmp $@

$(BUILD)/lib/country.o: $(COUNTRIES_INC)
$(BUILD)/lib/country.o: CPPFLAGS += -I$(BUILD)/gen

# lib/phone_fast.c's table of valid North American numbers is made the same
# way, from libphonenumber itself (scripts/gen_nanp.cc asks it about every
# six-digit prefix; ~40 s, once per build folder), so the fast path and the
# library cannot disagree on validity. Built without sanitizers: it is a
# build tool. Not committed. NANP_FROM names another build folder's table
# to take instead (`make check` gives the sanitized build the plain one's:
# the table is data, the same whatever the flags).
NANP_GEN = $(BUILD)/scripts/gen_nanp
NANP_INC = $(BUILD)/gen/nanp_valid.inc

$(NANP_GEN): scripts/gen_nanp.cc
	@mkdir -p $(@D)
	$(CXX) -O2 -std=c++17 $(WARN) -o $@ $< -lphonenumber

ifneq ($(NANP_FROM),)
$(NANP_INC): $(NANP_FROM)
	@mkdir -p $(@D)
	cp $< $@
else
$(NANP_INC): $(NANP_GEN)
	@mkdir -p $(@D)
	$(NANP_GEN) > $@.tmp
	mv $@.tmp $@
endif

$(BUILD)/lib/phone_fast.o: $(NANP_INC)
$(BUILD)/lib/phone_fast.o: CPPFLAGS += -I$(BUILD)/gen

$(BUILD)/tests/fuzz/%.replay: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/liboisync.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_all)

$(BUILD)/tests/fuzz/%.fuzz: $(BUILD)/tests/fuzz/%.o $(BUILD)/liboisync.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS_all)

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/%.fuzz) $(PHONE_MODULE) $(BUILD)/tests/lib

# Each target under libFuzzer with ASan+UBSan for FUZZ_SECONDS, one after
# the other, from its corpus (tests/fuzz/run.sh says what it found).
# Developers only: make check needs no clang.
fuzz:
	@scripts/deps.sh $(FUZZ_CC) libclang-rt-14-dev
	$(MAKE) BUILD=build-fuzz SAN=fuzz CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) fuzz-targets
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

deps:
	@scripts/deps.sh

# Plain build and tests, then the same under ASan+UBSan in its own folder;
# tests/run-all.sh prints the one closing line "N passed, N failed".
check: deps
	@start=$$(date +%s); \
	$(MAKE) -j$(JOBS) all units && \
	$(MAKE) -j$(JOBS) BUILD=build-asan SAN=1 NANP_FROM=$(BUILD)/gen/nanp_valid.inc all units && \
	echo "== builds (plain, ASan+UBSan): $$(( $$(date +%s) - start )) s"
	tests/run-all.sh build build-asan

check-plain:
	$(MAKE) -j$(JOBS) all units
	tests/run-all.sh build

demo: deps all
	scripts/demo.sh $(BUILD)

# The executables, the driver, the manual pages, the systemd units (the
# service's ExecStart names PREFIX/bin) and, where there is none yet, the
# example configuration: an administrator's own is never overwritten.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(CONFDIR)
	install -m 755 $(BINS) $(SCRIPTS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/$(MODDIR)
	install -m 644 $(PHONE_MODULE) $(DESTDIR)$(PREFIX)/$(MODDIR)/
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(PREFIX)/share/man/man7/)
	sed 's|@bindir@|$(PREFIX)/bin|g' dist/systemd/oisync-run@.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/oisync-run@.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/oisync-run@.service
	install -m 644 dist/systemd/oisync-run@.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	[ -e $(DESTDIR)$(CONFDIR)/oisync.conf ] || install -m 644 dist/oisync.conf $(DESTDIR)$(CONFDIR)/oisync.conf

# The Debian package, from this build: installed for /usr into a fresh
# $(BUILD)/deb/debian/oisync, then made into DEB_DIR/oisync_VERSION_ARCH.deb
# by dist/deb.sh (dpkg-dev's tools; doc/ARCHITECTURE.md, "Packaging").
deb: all
	rm -rf $(BUILD)/deb
	$(MAKE) --no-print-directory install DESTDIR=$(BUILD)/deb/debian/oisync PREFIX=/usr \
		SYSTEMDUNITDIR=/lib/systemd/system
	OIS_DLOPEN_SONAMES="$(CURL_SONAME) $(XML_SONAME) $(SQLITE_SONAME)" dist/deb.sh $(BUILD)/deb $(VERSION) $(DEB_DIR)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
