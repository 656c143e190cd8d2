#!/bin/sh
# deps.sh [PACKAGE...] - install the Debian packages oisync needs to build,
# test, package and demo (or the ones named, as `make fuzz` names clang), and
# only those that are missing (apt-get runs only when something is); `make
# deb` needs dpkg-dev, and tests/package.bats lintian. Without names it then
# installs the npm packages package-lock.json pins (the real clients of the
# fakes: the EWS Managed API port, the Microsoft Graph JavaScript SDK and
# MSAL for Node), unless node_modules has them.
# python3-phonenumbers is the reference tests/phone_reference.bats checks
# the phone cases against.
# iso-codes and libicu-dev are needed to build only: the Makefile generates
# the country and time-zone tables from them, and no executable reads them.
set -eu
PKGS="make gcc g++ pkg-config libcurl4-openssl-dev libxml2-dev libjson-c-dev
libsqlite3-dev libinih-dev nettle-dev libutf8proc-dev libphonenumber-dev libicu-dev
iso-codes sqlite3 bats bats-support bats-assert parallel python3 python3-exchangelib python3-phonenumbers jq
ca-certificates curl openssl chromium dpkg-dev lintian"
named=$#
[ $# -eq 0 ] || PKGS="$*"
# Debian's Node.js and npm only where there is no npm: a machine whose npm came
# with another Node.js keeps it (Debian's npm would not go with that nodejs).
if [ "$named" -eq 0 ] && ! command -v npm >/dev/null 2>&1; then
	PKGS="$PKGS nodejs npm"
fi
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi
[ "$named" -eq 0 ] || exit 0

cd "$(dirname "$0")/.."
# npm records what it installed in node_modules/.package-lock.json: the lock
# without its root entry. When that matches, there is nothing to fetch.
if [ -f node_modules/.package-lock.json ] &&
	[ "$(jq -cS 'del(.packages[""])' package-lock.json)" = "$(jq -cS . node_modules/.package-lock.json)" ]; then
	exit 0
fi
echo "deps: npm ci"
npm ci --no-audit --no-fund --no-progress --loglevel=error
