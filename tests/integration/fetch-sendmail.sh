#!/bin/sh
# fetch-sendmail.sh - unpack Debian's sendmail beside the build, never install it.
#
# Owns: the private copy of sendmail that tests/integration/sendmail.sh runs.
# Debian's sendmail-bin conflicts with postfix, so the packages are fetched
# with `apt-get download` (cached in DEST/debs) and unpacked with `dpkg -x`
# into DEST/root; nothing is configured or started, and no file outside DEST
# changes. The binary's shared libraries must be on the system: on Debian 12
# that needs libwrap0 besides what postfix brings; m4 builds the .cf.
#
# Limits: Debian (apt-get, dpkg-deb) only; needs the package mirror once,
# then works offline from the cache. Re-running is cheap: an unpacked,
# complete DEST is left alone.
#
# Usage: fetch-sendmail.sh [DEST]
#   DEST defaults to $top_builddir/tests/integration/sendmail-pkg (or
#   ./tests/integration/sendmail-pkg); lib.sh's sm_root() looks there too,
#   or wherever OT_SENDMAIL_ROOT points (DEST/root).
set -eu

dest=${1:-${top_builddir:-.}/tests/integration/sendmail-pkg}
packages="sendmail-bin sendmail-cf sendmail-base"
binary=usr/libexec/sendmail/sendmail
cfmacros=usr/share/sendmail/cf/m4/cf.m4

if [ -x "$dest/root/$binary" ] && [ -r "$dest/root/$cfmacros" ]; then
    echo "fetch-sendmail: $dest/root is ready"
    exit 0
fi

command -v dpkg-deb >/dev/null 2>&1 || { echo "fetch-sendmail: needs dpkg-deb (Debian)" >&2; exit 1; }
command -v m4 >/dev/null 2>&1 || echo "fetch-sendmail: warning: m4 is missing (apt-get install m4)" >&2

mkdir -p "$dest/debs"
for p in $packages; do
    if ! ls "$dest/debs/${p}"_*.deb >/dev/null 2>&1; then
        # apt's sandbox user may not write here; run from the directory so
        # the download lands in it either way
        (cd "$dest/debs" && apt-get download -q "$p") ||
            { echo "fetch-sendmail: apt-get download $p failed (apt-get update first?)" >&2; exit 1; }
    fi
done

rm -rf "$dest/root.new"
mkdir -p "$dest/root.new"
for deb in "$dest"/debs/*.deb; do
    dpkg-deb -x "$deb" "$dest/root.new"
done
[ -x "$dest/root.new/$binary" ] || { echo "fetch-sendmail: $binary not in the packages" >&2; exit 1; }
rm -rf "$dest/root"
mv "$dest/root.new" "$dest/root"

missing=$(ldd "$dest/root/$binary" 2>/dev/null | awk '/not found/ { print $1 }')
if [ -n "$missing" ]; then
    echo "fetch-sendmail: sendmail needs libraries not installed: $missing" >&2
    echo "fetch-sendmail: on Debian 12: apt-get install libwrap0 libdb5.3 libldap-2.5-0 libsasl2-2" >&2
    exit 1
fi
echo "fetch-sendmail: unpacked into $dest/root"
