#!/bin/sh
# dns.sh - the resolver and the client/HELO/DNSBL evidence against servers
# on 127.0.0.1 (TAP).
#
# Starts nsd serving tests/dns/zones, a black-hole server and picks a dead
# port (tests/dns/lib.sh), checks the zones load and answer, then runs
# tests/dns/test_gather, whose results are relayed here renumbered. What
# each case expects is in test_gather.c and tests/dns/README.md. The
# program stops nsd itself at the end (the cache test). Skips without nsd,
# dig or python3; the whole run is bounded by OT_DNS_TEST_LIMIT seconds
# (default 300).
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/dns/lib.sh"

RUN=$top_builddir/tests/dns/test_gather
ZONES=$top_srcdir/tests/dns/zones
[ -x "$RUN" ] || skip_all "tests/dns/test_gather is not built"
missing=$(ot_dns_available) || skip_all "$missing"

ot_dns_scratch || exit 1
tmp=$OT_DNS_SCRATCH

for f in "$ZONES"/*.zone; do
    zone=$(basename "$f" .zone)
    out=$(nsd-checkzone "$zone" "$f" 2>&1)
    ok $? "zone file $zone: $out"
done

ot_dns_start || { echo "Bail out! nsd could not serve tests/dns/zones"; exit 1; }
ot_blackhole_start || { echo "Bail out! the black-hole server did not start"; exit 1; }
silent_port=$OT_BLACKHOLE_PORT
# misbehaving servers for test_gather's hostile cases (each port by name)
for mode in garbage servfail refused; do
    ot_blackhole_start "$mode" || { echo "Bail out! the $mode server did not start"; exit 1; }
    export "OT_$(echo "$mode" | tr a-z A-Z)_PORT=$OT_BLACKHOLE_PORT"
done
ot_blackhole_start slow 0.3 || { echo "Bail out! the slow server did not start"; exit 1; }
OT_SLOW_PORT=$OT_BLACKHOLE_PORT
OT_BLACKHOLE_PORT=$silent_port
export OT_SLOW_PORT OT_BLACKHOLE_PORT
OT_DEAD_PORT=$(ot_dns_dead_port) || { echo "Bail out! no free port"; exit 1; }
export OT_DEAD_PORT
echo "# nsd on 127.0.0.1:$OT_DNS_PORT, black hole on :$OT_BLACKHOLE_PORT, dead port :$OT_DEAD_PORT"

is "$(ot_dns_query 10.2.0.192.in-addr.arpa PTR)" "mail.good.test." "nsd answers a PTR"
is "$(ot_dns_query 99.2.0.192.bl.test A)" "127.0.0.2" "nsd answers the blocklist"

timeout -k 5 "${OT_DNS_TEST_LIMIT:-300}" "$RUN" > "$tmp/run.out" 2> "$tmp/run.err"
tap_fold test_gather "$tmp/run.out" "$tmp/run.err" $?

done_testing
