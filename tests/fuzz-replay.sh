#!/bin/sh
# fuzz-replay.sh - every saved fuzzing crash, and the seed corpora, through
# the harnesses' own entry points, in any build (TAP).
#
# Each tests/fuzz/fuzz_HARNESS.c is linked with tests/fuzz/replay.c into
# tests/fuzz/replay_HARNESS, built in every configuration. This test runs
# every file of tests/fixtures/fuzz-regressions/HARNESS/ (inputs that once
# crashed or broke a check: they must now pass) and the seeds that
# tests/fuzz/seeds.sh builds from the fixtures through it; one result per
# input. With --enable-sanitizers or --enable-fuzzing the same inputs run
# under ASan and UBSan.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/tap.sh"

harnesses="header received date config analyze"
for h in $harnesses; do
    [ -x "$top_builddir/tests/fuzz/replay_$h" ] || skip_all "tests/fuzz/replay_$h is not built"
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$top_srcdir/tests/fuzz/seeds.sh" "$top_srcdir" "$tmp/seeds" || { echo "Bail out! seeds.sh failed"; exit 1; }

for h in $harnesses; do
    regressions=$top_srcdir/tests/fixtures/fuzz-regressions/$h
    "$top_builddir/tests/fuzz/replay_$h" "$regressions" "$tmp/seeds/$h" >"$tmp/out" 2>"$tmp/err"
    status=$?
    tap_relay "$tmp/out" "$h: "
    sed 's/^/# /' "$tmp/err" | head -n 40
    ran=$(grep -c '^\(not \)\{0,1\}ok ' "$tmp/out")
    ok $([ "$status" -eq 0 ] && [ "$ran" -gt 0 ] && echo 0 || echo 1) \
        "$h: replay driver finished ($ran inputs, status $status)"
done
done_testing
