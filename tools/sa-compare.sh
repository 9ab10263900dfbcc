#!/bin/sh
# sa-compare.sh - build what tools/sa-compare.pl needs, out of the source
# tree, and run it.
#
# Builds origin-trace-check and tools/bench-core.c in BUILD (default
# /tmp/build-sa-compare; configured there from this source tree when it
# has no Makefile yet), then runs tools/sa-compare.pl with both, passing
# every argument on (e.g. --repeat 5, --default-prefs, directories).
# Needs SpamAssassin's Perl modules: apt-get install spamassassin.
# A development tool: make check never runs it, and it changes nothing in
# the source tree.
#
# usage: [BUILD=DIR] tools/sa-compare.sh [sa-compare.pl options] [DIR|FILE]...
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${BUILD:-/tmp/build-sa-compare}

if ! perl -MMail::SpamAssassin -e 1 2>/dev/null; then
    echo "sa-compare.sh: Mail::SpamAssassin is missing (apt-get install spamassassin)" >&2
    exit 2
fi
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || "$src/configure" -q
make -s -j2 milter/core/libotcore.a milter/common/libotcommon.a milter/cli/origin-trace-check >&2
${CC:-cc} -std=c11 -O2 -I. -I"$src/milter/core" -I"$src/milter/common" \
    "$src/tools/bench-core.c" milter/common/libotcommon.a milter/core/libotcore.a \
    -o bench-core
cd "$src"
exec perl "$here/sa-compare.pl" --check "$build/milter/cli/origin-trace-check" \
    --core "$build/bench-core" "$@"
