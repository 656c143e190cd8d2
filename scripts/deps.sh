#!/bin/sh
# deps.sh [PACKAGE...] - install the Debian packages oisync needs to build,
# test and demo (or the ones named, as `make fuzz` names clang), and only
# those that are missing (apt-get runs only when something is).
set -eu
PKGS="make gcc g++ pkg-config libcurl4-openssl-dev libxml2-dev libjson-c-dev
libsqlite3-dev libinih-dev nettle-dev libutf8proc-dev libphonenumber-dev
iso-codes sqlite3 bats bats-support bats-assert parallel python3 python3-exchangelib jq
ca-certificates curl"
[ $# -eq 0 ] || PKGS="$*"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
