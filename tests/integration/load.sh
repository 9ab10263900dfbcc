#!/bin/bash
# load.sh - the load run of tools/load-postfix.sh, short, as a TAP test.
#
# Owns: turning one bounded run of tools/load-postfix.sh (60 s, 200
# concurrent SMTP sessions against a private Postfix with
# origin-trace-milter) into TAP: each "check:" line the tool prints is one
# test, and the set of checks must be complete (a check that never ran is
# a failure, not a pass). The tool's figures (msg/s, RSS and descriptors
# over time) are echoed as TAP comments; speed is never asserted.
#
# Limits: needs root; skips otherwise or with OT_SKIP_INTEGRATION=1. About
# a minute and a half: 60 s of load (the growth check compares 15-26 s
# with 49-60 s: RSS reaches its plateau after some 17 s, then wanders by
# about 5% around it, so a shorter run would mostly measure the C
# library's arenas filling up and its noise; 180 s measured 0.3%), the
# Postfix start, delivery, and the milter's stop. OT_LOAD_SECONDS and
# OT_LOAD_SESSIONS change the run.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"

ot_require_root "a private Postfix under load"

ot_prerequisites postfix milter smtp-load

out=$(mktemp /tmp/ot-load-test.XXXXXX) || exit 1
trap 'rm -f "$out"' EXIT
seconds=${OT_LOAD_SECONDS:-60}
sessions=${OT_LOAD_SESSIONS:-200}
timeout --kill-after=10 $((seconds + 300)) "$top_srcdir/tools/load-postfix.sh" "$seconds" "$sessions" > "$out" 2>&1
rc=$?
grep -v '^check: ' "$out" | sed 's/^/# /'

# every check the tool makes, by the start of its description
expected='the load client ran to its end
both verdicts under load
Postfix delivered everything it accepted
sent-accepted == delivered
refused messages are absent
no 4xx, no dropped session
forged refused, clean accepted
every delivered message has exactly one X-Origin-Trace
the milter is still running
the milter served
RSS growth below 10%
descriptor growth below 10%'
while IFS= read -r what; do
    line=$(grep -F "check: " "$out" | grep -F -- "- $what" | head -n 1)
    if [ -z "$line" ]; then
        ok 1 "$what (the check did not run)"
    else
        case $line in
        "check: ok "*) ok 0 "${line#check: * - }" ;;
        "check: skip "*) skip "$what" "${line#check: * - $what }" ;;
        *) ok 1 "${line#check: * - }" ;;
        esac
    fi
done <<< "$expected"
is "$rc" 0 "tools/load-postfix.sh $seconds $sessions exits 0"
done_testing
