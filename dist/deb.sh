#!/bin/sh
# deb.sh WORK VERSION OUTDIR - make the Debian package oisync_VERSION_ARCH.deb
# in OUTDIR from WORK/debian/oisync, a tree `make install` has filled (the
# Makefile's deb target does both). Prints the package's path.
#
# What debhelper would do, done by hand with dpkg-dev's tools so the package
# needs no source package: binaries stripped, manual pages and the changelog
# compressed with gzip -9n, the runtime libraries as Depends from
# dpkg-shlibdeps, md5sums, files owned by root.
set -eu

[ $# -eq 3 ] || { echo "usage: deb.sh WORK VERSION OUTDIR" >&2; exit 64; }
work=$1 version=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$here/debian
root=$work/debian/oisync
for tool in dpkg-deb dpkg-shlibdeps strip; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "deb.sh: no $tool: install dpkg-dev (make deps)" >&2; exit 69; }
done
[ -x "$root/usr/bin/oisync" ] || { echo "deb.sh: '$root' has no usr/bin/oisync: make install DESTDIR=... first" >&2; exit 66; }
arch=$(dpkg --print-architecture)

# One date for the changelog and every file's time, so the same commit makes
# the same package: the last commit's, unless the caller set one.
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$here" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

# The ELF files stripped (lintian: unstripped-binary-or-object); the
# driver is a script.
for f in "$root"/usr/bin/* "$root"/usr/lib/oisync/*.so; do
	if [ "$(head -c 4 "$f" | tr -d '\177')" = ELF ]; then
		strip --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
	fi
done
find "$root/usr/share/man" -type f ! -name '*.gz' -exec gzip -9nf {} +

maintainer=$(sed -n 's/^Maintainer: //p' "$src/control")
doc=$root/usr/share/doc/oisync
install -d -m 755 "$doc"
install -m 644 "$src/copyright" "$doc/copyright"
# A native package: its changelog is changelog.gz, in Debian's format.
{
	printf 'oisync (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * oisync %s.\n\n' "$version"
	printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 644 "$doc/changelog.gz"

# Modes as dpkg expects them, whatever the umask of `make install` was.
find "$root" -type d -exec chmod 755 {} +
find "$root" -type f ! -path '*/usr/bin/*' -exec chmod 644 {} +
chmod 755 "$root"/usr/bin/*

rm -rf "$root/DEBIAN"
install -d -m 755 "$root/DEBIAN"
install -m 755 "$src/postinst" "$src/postrm" "$root/DEBIAN/"
install -m 644 "$src/conffiles" "$root/DEBIAN/"

# Depends: what the executables link, from the shlibs of the installed
# libraries, then what the maintainer scripts and oisync-run call beyond the
# essential set: adduser, and bash 5.1 for `wait -n -p`. dpkg-shlibdeps
# reads WORK/debian/control for the package's name.
printf 'Source: oisync\n\nPackage: oisync\nArchitecture: any\n' >"$work/debian/control"
elves=
for f in "$root"/usr/bin/* "$root"/usr/lib/oisync/*.so; do
	[ "$(head -c 4 "$f" | tr -d '\177')" != ELF ] || elves="$elves ${f#"$work"/}"
done
# shellcheck disable=SC2086
shlibs=$(cd "$work" && dpkg-shlibdeps -O $elves | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no libraries" >&2; exit 70; }
# The libraries the executables open on first use (lib/lazy.h) are no
# NEEDED entry dpkg-shlibdeps could see: each SONAME the build was made
# against ($OIS_DLOPEN_SONAMES, from the Makefile), by the package that has it.
for so in ${OIS_DLOPEN_SONAMES:-}; do
	path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|x32|64bit/ { print $NF; exit }')
	[ -n "$path" ] || path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	pkg=$(dpkg-query -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p')
	[ -n "$pkg" ] || { echo "deb.sh: no package has $so (opened at run time)" >&2; exit 70; }
	case ", $shlibs, " in *", $pkg "*|*", $pkg,"*) ;; *) shlibs="$shlibs, $pkg" ;; esac
done
depends="$shlibs, adduser, bash (>= 5.1), util-linux (>= 2.27)"

# Conffiles have no md5sum here: dpkg keeps theirs apart.
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	grep -vxF "$(sed 's|^/||' "$src/conffiles")" | tr '\n' '\0' |
	xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/md5sums"
size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" \
	-e "s|@DEPENDS@|$depends|" "$src/control" >"$root/DEBIAN/control"

mkdir -p "$outdir"
deb=$outdir/oisync_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
