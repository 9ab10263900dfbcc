#!/bin/sh
# fuzz.sh - builds the libFuzzer harnesses of tests/fuzz and runs each in turn.
#
# Usage: tools/fuzz.sh [SECONDS]            (default 60 s per harness)
#        FUZZ_HARNESSES="date received" tools/fuzz.sh 30
#
# Configures its own build directory (FUZZ_BUILDDIR, default
# ${TMPDIR:-/tmp}/origin-trace-fuzz) with CC=clang --enable-fuzzing, builds
# the harnesses (make -j2), builds fresh seed corpora from the test
# fixtures (tests/fuzz/seeds.sh) and runs every harness, one at a time, for
# SECONDS with -max_total_time, -rss_limit_mb=2048, -timeout=10 and its
# dictionary. The corpus each run grows is kept in the build directory for
# the next run. Prints per harness the executions, executions per second,
# coverage (edges) and features; exits 1 if any harness crashed, failed a
# check, leaked, timed out or ran out of memory. The input that did it is
# saved under FUZZ_BUILDDIR/crashes/HARNESS/; copy it into
# tests/fixtures/fuzz-regressions/HARNESS/ so that `make check` replays it.
# Needs: clang, libfuzzer-14-dev, libclang-rt-14-dev.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
seconds=${1:-60}
case $seconds in
''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
build=${FUZZ_BUILDDIR:-${TMPDIR:-/tmp}/origin-trace-fuzz}
harnesses=${FUZZ_HARNESSES:-header received date config analyze}

# Longest input each harness tries: past the bound it must refuse
# (OT_MAX_RECEIVED_SCAN 8192, OT_MAX_CONF_LINE 4096), and for whole
# messages long enough to hold a real header several times over.
max_len() {
    case $1 in
    header|analyze) echo 32768 ;;
    received|config) echo 9000 ;;
    date) echo 512 ;;
    esac
}

command -v clang >/dev/null 2>&1 || { echo "fuzz: clang is needed (Debian: clang libfuzzer-14-dev)" >&2; exit 2; }
mkdir -p "$build" || exit 2
if [ ! -x "$top/configure" ]; then
    (cd "$top" && autoreconf -fi) || exit 2
fi
# where the harnesses are built: this directory, from the checkout; or,
# when the checkout is configured in place (tools/run-tests.sh does that)
# and automake refuses a second build from it, a copy of the distribution
obj=$build
src=$top
if [ -f "$top/config.status" ]; then
    obj=$build/src
    src=$obj
    if ! grep -q -- '--enable-fuzzing' "$obj/config.status" 2>/dev/null; then
        rm -rf "$obj"
        make -C "$top" -s distdir distdir="$obj" >"$build/distdir.log" 2>&1 ||
            { tail -n 20 "$build/distdir.log"; exit 2; }
    fi
fi
if ! grep -q -- '--enable-fuzzing' "$obj/config.status" 2>/dev/null; then
    (cd "$obj" && "$src/configure" -q CC=clang --enable-fuzzing) || exit 2
fi
targets=
for h in $harnesses; do targets="$targets tests/fuzz/fuzz_$h"; done
# shellcheck disable=SC2086
make -C "$obj" -s -j2 $targets >"$build/make.log" 2>&1 || { tail -n 40 "$build/make.log"; exit 2; }

rm -rf "$build/seeds"
"$top/tests/fuzz/seeds.sh" "$top" "$build/seeds" || exit 2

status=0
printf '%-10s %12s %10s %8s %8s  %s\n' harness execs "exec/s" cov ft result
for h in $harnesses; do
    corpus=$build/corpus/$h
    crashes=$build/crashes/$h
    log=$build/fuzz-$h.log
    mkdir -p "$corpus" "$crashes"
    (cd "$obj" && "./tests/fuzz/fuzz_$h" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -max_len="$(max_len "$h")" -dict="$top/tests/fuzz/$h.dict" \
        -artifact_prefix="$crashes/" -print_final_stats=1 \
        "$corpus" "$build/seeds/$h") >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(sed -n 's/^#[0-9]*.* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' "$log" | tail -n 1)
    found=$(find "$crashes" -type f | head -n 1)
    if [ $rc -eq 0 ] && [ -z "$found" ]; then
        result=ok
    else
        result="FAILED (exit $rc) ${found:-see $log}"
        status=1
    fi
    printf '%-10s %12s %10s %8s %8s  %s\n' "$h" "${execs:--}" "${rate:--}" \
        "${cov% *}" "${cov#* }" "$result"
    if [ $status -ne 0 ] && [ -n "$found" ]; then
        grep -m 3 -E 'ERROR:|runtime error:|fuzz check failed|SUMMARY:' "$log" | sed 's/^/    /'
        echo "    keep it: cp '$found' '$top/tests/fixtures/fuzz-regressions/$h/'"
    fi
done
exit $status
