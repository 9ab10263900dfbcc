#!/bin/bash
# sanitize-check.sh - the whole test suite under AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer.
#
# Usage: tools/sanitize-check.sh      (as root for the Postfix/sendmail tests)
#
# Configures a build directory of its own (SANITIZE_BUILDDIR, default
# ${TMPDIR:-/tmp}/origin-trace-sanitize) with --enable-sanitizers (from a
# `make distdir` copy when the tree itself is configured), builds it and runs the whole `make check` there: unit, fuzz replays, hostile
# input, CLI, miltertest and the integration tests (which need root and
# skip without it, see tests/integration/lib.sh). Every instrumented
# process - the tests and the daemons they start, whose own logs the tests
# delete - writes any report into SANITIZE_BUILDDIR/sanitizer-reports/
# (ASan log_path), and the test logs are searched too. Prints
# "sanitize-check: N passed, N failed, N skipped, N sanitizer reports" and
# exits 1 when a test failed or any report appeared, 2 when the build failed.
# Uses make -j2 (SANITIZE_JOBS to change).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${SANITIZE_BUILDDIR:-${TMPDIR:-/tmp}/origin-trace-sanitize}
jobs=${SANITIZE_JOBS:-2}
reports=$build/sanitizer-reports
report_pattern='ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'

if [ ! -x "$top/configure" ]; then
    (cd "$top" && autoreconf -fi) || exit 2
fi
mkdir -p "$build" || exit 2
if [ -f "$top/config.status" ]; then
    # the tree is configured in place (tools/run-tests.sh does that) and
    # automake refuses a second build from it: build a fresh copy of the
    # distribution instead, with what the tests find beside the checkout
    rm -rf "$build/src"
    make -C "$top" -s distdir distdir="$build/src" >"$build/distdir.log" 2>&1 ||
        { tail -n 20 "$build/distdir.log"; exit 2; }
    build=$build/src
    reports=$build/sanitizer-reports
    sendmail_root=$top/tests/integration/sendmail-pkg/root
    if [ -z "${OT_SENDMAIL_ROOT:-}" ] && [ -x "$sendmail_root/usr/libexec/sendmail/sendmail" ]; then
        export OT_SENDMAIL_ROOT=$sendmail_root
    fi
    if [ -z "${OT_CORPUS:-}" ] && [ -d "$top/../shared/corpus" ]; then
        OT_CORPUS=$(cd "$top/../shared/corpus" && pwd)
        export OT_CORPUS
    fi
    configure=$build/configure
else
    configure=$top/configure
fi
cd "$build" || exit 2
if ! grep -q -- '--enable-sanitizers' config.status 2>/dev/null; then
    "$configure" -q --enable-sanitizers || exit 2
fi
make -s -j"$jobs" >make.log 2>&1 || { tail -n 40 make.log; exit 2; }

rm -rf "$reports"
mkdir -p "$reports" && chmod 1777 "$reports"   # daemons may run as another user
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"

make -j"$jobs" check >check.log 2>&1
check_status=$?
summary() { sed -n "s/^# $1: *\([0-9]*\)\$/\1/p" check.log | tail -n 1; }
passed=$(summary PASS)
fail_count=$(summary FAIL)
error_count=$(summary ERROR)
failed=$(( ${fail_count:-0} + ${error_count:-0} ))
skipped=$(summary SKIP)

# reports written by log_path, then any that reached a test log directly
found=$(find "$reports" -type f -size +0 | wc -l)
logs=$(find tests -name '*.log' -type f 2>/dev/null)
in_logs=0
if [ -n "$logs" ]; then
    # shellcheck disable=SC2086
    in_logs=$(grep -l -E "$report_pattern" $logs 2>/dev/null | wc -l)
fi
total_reports=$((found + in_logs))

if [ "$check_status" -ne 0 ]; then
    grep -E '^(FAIL|ERROR):' check.log | head -n 8
    "$here/failure-digest.sh" .
    [ "$failed" -gt 0 ] || failed=1
fi
if [ "$total_reports" -gt 0 ]; then
    for f in $(find "$reports" -type f -size +0 | head -n 5); do
        echo "--- $f"
        grep -m 1 -B 2 -A 12 -E "$report_pattern" "$f"
    done
    # shellcheck disable=SC2086
    [ -n "$logs" ] && grep -l -E "$report_pattern" $logs 2>/dev/null | sed 's/^/--- report in /'
fi
echo "sanitize-check: ${passed:-0} passed, $failed failed, ${skipped:-0} skipped," \
     "$total_reports sanitizer reports (build: $build)"
[ "$check_status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$total_reports" -eq 0 ]
