#!/usr/bin/env bats
# package.bats - `make deb` and `make install`: the Debian package is built
# from this build, unpacked into a scratch root (dpkg-deb -x: nothing is
# installed on the machine), and what it holds runs from there: oisync
# --version, check (--offline, and against the fakes: the real probes), and
# oisync-run syncing the fakes' users with the packaged stages. Its systemd
# units are hardened, its postinst makes the oisync user once, and lintian
# finds no error in it.

load helper

# pkg_make TARGET [VAR=VALUE...]: make in the source tree for this build. A
# make check's jobserver (MAKEFLAGS) is not this make's to use.
pkg_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" --no-print-directory BUILD="$OISYNC_BUILD" "$@"
}

# bats 1.8 cannot skip from setup_file: it names the reason, each test skips.
setup_file() {
	# The package is made of the plain build; the sanitizer pass would only
	# package the same files built another way.
	if sanitized_build; then
		export PKG_SKIP="the package is built from the plain build only"
		return 0
	fi
	local tool
	for tool in dpkg-deb dpkg-shlibdeps; do
		if ! command -v "$tool" >/dev/null; then
			export PKG_SKIP="no $tool: install dpkg-dev (make deps)"
			return 0
		fi
	done
	export PKG="$BATS_FILE_TMPDIR/pkg" SCRATCH="$BATS_FILE_TMPDIR/root"
	mkdir -p "$PKG" "$SCRATCH"
	# Everything is built already (make check builds first): this only packages.
	pkg_make deb DEB_DIR="$PKG" >"$PKG/make.log" 2>&1 || { cat "$PKG/make.log" >&2; return 1; }
	DEB=$(ls "$PKG"/oisync_*.deb)
	export DEB
	dpkg-deb -x "$DEB" "$SCRATCH"
}

setup() {
	[ -z "${PKG_SKIP:-}" ] || skip "$PKG_SKIP"
}

teardown() {
	fakes_stop "$BATS_TEST_TMPDIR/fakes"
}

# The one version: the Makefile's, which the executables print.
make_version() {
	sed -n 's/^VERSION *= *//p' "$ROOT/Makefile"
}

@test "make deb: a package of the Makefile's version, depending on runtime libraries only" {
	[ "$(basename "$DEB")" = "oisync_$(make_version)_$(dpkg --print-architecture).deb" ]
	run dpkg-deb -f "$DEB" Package Version Depends
	assert_success
	assert_line "Package: oisync"
	assert_line "Version: $(make_version)"
	# What the executables link, found by dpkg-shlibdeps, and what the scripts call.
	local dep
	for dep in libc6 libcurl4 libxml2 libjson-c5 libsqlite3-0 libinih1 libnettle8 libutf8proc2 adduser bash; do
		assert_output --regexp "[ ,]$dep( \\(|,|$)"
	done
	# The phone module's library (libphonenumber8, built against some protobuf).
	assert_output --regexp "[ ,]libphonenumber8"
	refute_output --partial -dev
	# The example configuration is a conffile: an administrator's edits survive upgrades.
	[ "$(dpkg-deb -I "$DEB" conffiles)" = /etc/oisync/oisync.conf ]
	[ -f "$SCRATCH/etc/oisync/oisync.conf" ]
	# Stripped executables, compressed manual pages, a copyright and a changelog.
	run readelf -S "$SCRATCH/usr/bin/oisync-extract"
	assert_success
	refute_output --partial .symtab
	[ -f "$SCRATCH/usr/share/man/man1/oisync-run.1.gz" ]
	[ -f "$SCRATCH/usr/share/man/man5/oisync.conf.5.gz" ]
	[ -f "$SCRATCH/usr/share/doc/oisync/copyright" ]
	run zcat "$SCRATCH/usr/share/doc/oisync/changelog.gz"
	assert_line --index 0 "oisync ($(make_version)) unstable; urgency=medium"
}

@test "the unpacked package runs: oisync --version, and check on a configuration of its own, --offline and not" {
	run "$SCRATCH/usr/bin/oisync" --version
	assert_success
	assert_output "oisync (oisync) $(make_version)"
	# The driver finds its stages beside it, as installed.
	run "$SCRATCH/usr/bin/oisync-run" --version
	assert_success
	assert_output "oisync-run (oisync) $(make_version)"
	# One user on servers that do not answer (port 9, nothing listens).
	local d=$BATS_TEST_TMPDIR
	mkdir -m 700 "$d/state"
	(umask 077 && _fakes_secret >"$d/ex1.secret" && _fakes_secret >"$d/ia.secret")
	cat >"$d/oisync.conf" <<-CONF
		[global]
		state_dir = $d/state
		users_file = $d/users.conf

		[server ex1]
		url = http://127.0.0.1:9/EWS/Exchange.asmx
		username = FIRM\\svc-oisync
		secret_file = $d/ex1.secret
		retries = 0

		[interaction]
		url = http://127.0.0.1:9/api/v1
		client_id = oisync
		secret_file = $d/ia.secret
		retries = 0
	CONF
	printf '[user alice]\nmailbox = alice@firm.example\nserver = ex1\n' >"$d/users.conf"
	# --offline: the configuration only, no server asked. As the service passes it: OISYNC_CONF, no -c.
	OISYNC_CONF=$d/oisync.conf run "$SCRATCH/usr/bin/oisync" check --offline
	assert_success
	assert_output "$d/oisync.conf: ok: 1 server, 1 user (1 enabled)"
	# Plain check asks both servers for alice: neither answers, and the lines say whose check failed.
	OISYNC_CONF=$d/oisync.conf run "$SCRATCH/usr/bin/oisync" check
	assert_failure 69
	assert_line --partial "user alice: mailbox alice@firm.example on [server ex1] cannot be used"
	assert_line --partial "user alice: the InterAction list cannot be read"
	assert_line --partial "1 of 1 enabled user cannot be synced"
}

@test "the package's example configuration is read, and check names what an administrator must add" {
	run "$SCRATCH/usr/bin/oisync" -c "$SCRATCH/etc/oisync/oisync.conf" config servers
	assert_success
	assert_output ex1
	# state_dir is where the unit lets a run write (StateDirectory=oisync).
	run "$SCRATCH/usr/bin/oisync" -c "$SCRATCH/etc/oisync/oisync.conf" config state_dir
	assert_output /var/lib/oisync
	grep -qx 'StateDirectory=oisync' "$SCRATCH/lib/systemd/system/oisync-run@.service"
	run "$SCRATCH/usr/bin/oisync" -c "$SCRATCH/etc/oisync/oisync.conf" check
	[ "$status" -eq 78 ]
	assert_output --partial "cannot open secret file '/etc/oisync/ex1.secret'"
	assert_output --partial "cannot open secret file '/etc/oisync/interaction.secret'"
}

@test "the packaged oisync-run syncs the fakes' users with the packaged stages" {
	local d=$BATS_TEST_TMPDIR/fakes
	fakes_start "$d" "$ROOT/tests/data/demo/ews_seed.json" "$ROOT/tests/data/demo/interaction_seed.json"
	# Nothing of the build on PATH: every stage must come from the scratch root.
	# check opens each user's mailbox and InterAction list on the fakes.
	run env -u OISYNC_BIN PATH=/usr/bin:/bin "$SCRATCH/usr/bin/oisync" -c "$d/oisync.conf" check
	assert_success
	assert_output "user alice: mailbox alice@firm.example on [server ex1] opens
user alice: InterAction list exists
user bob: mailbox bob@firm.example on [server ex1] opens
user bob: InterAction list exists
$d/oisync.conf: ok: 1 server, 2 users (2 enabled)"
	run env -u OISYNC_BIN PATH=/usr/bin:/bin "$SCRATCH/usr/bin/oisync-run" -c "$d/oisync.conf" ex1
	assert_success
	assert_line --regexp '^oisync-run: ex1: 2 users, 2 ok, 0 failed; [1-9][0-9]* created, '
}

@test "the units: oisync-run@SERVER as the oisync user, hardened, every 15 minutes" {
	local unit=$SCRATCH/lib/systemd/system/oisync-run@.service
	local timer=$SCRATCH/lib/systemd/system/oisync-run@.timer
	local line
	for line in 'User=oisync' 'ExecStart=/usr/bin/oisync-run %i' \
		'Environment=OISYNC_CONF=/etc/oisync/oisync.conf' \
		'StateDirectory=oisync' 'ConfigurationDirectory=oisync' 'LogsDirectory=oisync' \
		'ProtectSystem=strict' 'PrivateTmp=yes' 'NoNewPrivileges=yes' 'CapabilityBoundingSet=' \
		'ProtectHome=yes' 'PrivateDevices=yes' 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
		grep -qxF "$line" "$unit" || { echo "oisync-run@.service lacks '$line'"; false; }
	done
	for line in 'OnCalendar=*:0/15' 'Persistent=true' 'WantedBy=timers.target'; do
		grep -qxF "$line" "$timer" || { echo "oisync-run@.timer lacks '$line'"; false; }
	done
	grep -qx 'RandomizedDelaySec=[0-9]*' "$timer"
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze: the units' syntax is not verified"
	# verify wants ExecStart's command to exist: the copy names the scratch root's.
	local u=$BATS_TEST_TMPDIR/units
	mkdir "$u"
	sed "s|^ExecStart=/usr/bin/|ExecStart=$SCRATCH/usr/bin/|" "$unit" >"$u/oisync-run@.service"
	cp "$timer" "$u/"
	cd "$u"
	run systemd-analyze verify --man=no oisync-run@ex1.service oisync-run@ex1.timer
	assert_success
	assert_output ''
}

@test "postinst makes the oisync system user on the first configure only" {
	local shims=$BATS_TEST_TMPDIR/shims log=$BATS_TEST_TMPDIR/calls
	mkdir "$shims"
	# getent finds the user once adduser has made it; every call is recorded.
	local name
	for name in adduser chmod systemctl; do
		printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$name" "$log" >"$shims/$name"
	done
	printf '#!/bin/sh\ngrep -q "^adduser" "%s" 2>/dev/null\n' "$log" >"$shims/getent"
	chmod 755 "$shims"/*
	local postinst=$BATS_TEST_TMPDIR/postinst
	dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./postinst >"$postinst"
	PATH=$shims:$PATH run sh "$postinst" configure
	assert_success
	PATH=$shims:$PATH run sh "$postinst" configure 0.1.0
	assert_success
	run grep -c '^adduser' "$log"
	assert_output 1
	grep -qx 'adduser --system --group --quiet --home /var/lib/oisync --gecos oisync sync service oisync' "$log"
	grep -qx 'chmod 0700 /var/lib/oisync' "$log"
}

@test "make install: PREFIX and DESTDIR honoured, the units name PREFIX, an existing configuration kept" {
	local dest=$BATS_TEST_TMPDIR/dest
	pkg_make install DESTDIR="$dest" PREFIX=/usr/local >/dev/null
	[ -x "$dest/usr/local/bin/oisync-run" ]
	[ -x "$dest/usr/local/bin/oisync-apply" ]
	[ -f "$dest/usr/local/share/man/man1/oisync-run.1" ]
	grep -qx 'ExecStart=/usr/local/bin/oisync-run %i' "$dest/usr/local/lib/systemd/system/oisync-run@.service"
	[ -f "$dest/usr/local/lib/systemd/system/oisync-run@.timer" ]
	cmp "$ROOT/dist/oisync.conf" "$dest/etc/oisync/oisync.conf"
	echo '# the administrator was here' >>"$dest/etc/oisync/oisync.conf"
	pkg_make install DESTDIR="$dest" PREFIX=/usr/local >/dev/null
	grep -qx '# the administrator was here' "$dest/etc/oisync/oisync.conf"
}

@test "lintian finds no error in the package" {
	command -v lintian >/dev/null || skip "no lintian: the package is not checked (make deps installs it)"
	run lintian "$DEB"
	# Warnings and notes may stay; an error may not.
	refute_output --regexp '^E: '
	[ "$status" -eq 0 ] || { echo "lintian exited $status"; false; }
}
