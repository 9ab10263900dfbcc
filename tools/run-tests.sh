#!/bin/bash
# run-tests.sh - the README's test command: set up a fresh Debian 12 machine
# and run every test.
#
# As root: installs the Debian packages the build and the tests need
# (apt-get update first; Postfix preseeded "No configuration" so no system
# mail server is set up), unpacks sendmail privately for its integration
# test, builds from scratch at the repository root, runs `make check`
# (unit, corpus, miltertest, DNS against nsd, and the real Postfix and
# sendmail tests on 127.0.0.1), the same whole `make check` again on an
# ASan+UBSan build (tools/sanitize-check.sh), every libFuzzer harness for
# 60 s (tools/fuzz.sh, clang with ASan+UBSan) and `make distcheck`, then
# prints "N passed, N failed" (each of the last three counts as one).
# --no-install skips the packages; --no-distcheck, --no-sanitize and
# --no-fuzz skip those steps (OT_FUZZ_SECONDS sets the fuzzing time).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1

install=1
distcheck=1
sanitize=1
fuzz=1
for arg in "$@"; do
    case $arg in
    --no-install) install=0 ;;
    --no-distcheck) distcheck=0 ;;
    --no-sanitize) sanitize=0 ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "usage: $0 [--no-install] [--no-distcheck] [--no-sanitize] [--no-fuzz]" >&2; exit 2 ;;
    esac
done

packages="build-essential autoconf automake libtool pkg-config libjson-c-dev libmilter-dev
  miltertest postfix swaks m4 python3 iproute2 binutils procps
  libwrap0 libdb5.3 libldap-2.5-0 libsasl2-2 libnsl2
  libunbound-dev libevent-dev libspf2-dev libopendkim-dev nsd bind9-dnsutils openssl
  clang libfuzzer-14-dev libclang-rt-14-dev"

if [ $install -eq 1 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "run-tests: run as root to install packages (or pass --no-install)" >&2
        exit 1
    fi
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || exit 1
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $packages || exit 1
fi

if [ -f Makefile ]; then make -s distclean >/dev/null 2>&1 || true; fi
autoreconf -fi || exit 1
./configure -q || exit 1
make -j"$(nproc)" || exit 1

# sendmail conflicts with postfix as a package: unpack it privately
if [ "$(id -u)" -eq 0 ]; then
    tests/integration/fetch-sendmail.sh || echo "run-tests: sendmail not available; its test will skip" >&2
fi

log=$(mktemp)
started=$(mktemp)   # older than every test log of this run ($log is not: tee writes it to the end)
make -j"$(nproc)" check 2>&1 | tee "$log"
check_status=${PIPESTATUS[0]}
passed=$(sed -n 's/^# PASS: *\([0-9]*\)$/\1/p' "$log" | tail -n 1)
failed=$(sed -n 's/^# FAIL: *\([0-9]*\)$/\1/p' "$log" | tail -n 1)
errors=$(sed -n 's/^# ERROR: *\([0-9]*\)$/\1/p' "$log" | tail -n 1)
skipped=$(sed -n 's/^# SKIP: *\([0-9]*\)$/\1/p' "$log" | tail -n 1)
passed=${passed:-0}
failed=$(( ${failed:-0} + ${errors:-0} ))
if [ "$check_status" -ne 0 ]; then
    tools/failure-digest.sh . "$started"
    [ "$failed" -gt 0 ] || failed=1
fi

# one more step of the run: counted as one test, its own output kept
step() { # name command...
    local name=$1
    shift
    if "$@"; then
        echo "$name: ok"
        passed=$((passed + 1))
    else
        echo "$name: FAILED"
        failed=$((failed + 1))
    fi
}
if [ $sanitize -eq 1 ] && [ "$check_status" -eq 0 ]; then
    step "make check under ASan+UBSan" tools/sanitize-check.sh
fi
if [ $fuzz -eq 1 ] && [ "$check_status" -eq 0 ]; then
    step "fuzzing (${OT_FUZZ_SECONDS:-60} s per harness)" tools/fuzz.sh "${OT_FUZZ_SECONDS:-60}"
fi

if [ $distcheck -eq 1 ] && [ "$check_status" -eq 0 ]; then
    # the tarball builds and its unit tests pass; the MTA tests ran above
    if OT_SKIP_INTEGRATION=1 make distcheck > "$log.dist" 2>&1; then
        echo "distcheck: ok"
        passed=$((passed + 1))
    else
        tail -n 60 "$log.dist"
        echo "distcheck: FAILED"
        failed=$((failed + 1))
    fi
fi
rm -f "$log" "$log.dist" "$started"

echo "${passed} passed, ${failed} failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
