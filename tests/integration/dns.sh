#!/bin/bash
# dns.sh - origin-trace-milter behind a real Postfix, doing its lookups
# against a real DNS server on 127.0.0.1 (TAP).
#
# Owns: the end-to-end DNS cases of issue 4. nsd serves tests/dns/zones
# (see tests/dns/README.md for every fixture address) on a free port of
# 127.0.0.1; the milter's Nameservers points there, so nothing leaves the
# machine (libunbound's built-in answers for the documentation ranges and
# test. are bypassed, which is itself under test). Postfix looks nothing
# up itself: XCLIENT presents each client with NAME=[TEMPUNAVAIL], which
# Postfix passes on as {client_resolve} TEMP, so the milter asks for the
# PTR itself (one case presents [UNAVAILABLE], Postfix's FAIL, to show the
# MTA's verdict is reused and not asked again). The milter runs in monitor
# mode so that every message is delivered and its X-Origin-Trace read:
#   - FCrDNS pass and fail, no PTR, a dynamic-looking PTR name;
#   - HELO NXDOMAIN; a provider's HELO from outside it; a DNSBL listing;
#   - SPF pass, fail, softfail (spf= in the header);
#   - DKIM pass, and fail once the body is altered after signing (dkim=);
#   - a black-hole server with DNSTimeout 2: still a verdict, within 3 s,
#     with the checks named incomplete=; a dead server likewise.
#
# Limits: needs root (Postfix) and nsd; every wait is bounded.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/dns/lib.sh"
msgdir="$top_srcdir/tests/integration/msg"

ot_require_root "a private Postfix"

ot_prerequisites postfix swaks dns milter dkim-sign
signer="$top_builddir/tests/dns/dkim-sign"

ot_tmp_init ot-dns
pf="$OT_TMP/postfix"
sock="$OT_TMP/milter/origin-trace.sock"
mkdir -p "$OT_TMP/milter"
run=0

ot_dns_start
ok $? "nsd serves the test zones on 127.0.0.1:$OT_DNS_PORT"

# config NAMESERVER [extra lines...]: monitor mode, DNS on
write_dns_config() {
    local file=$1 ns=$2
    shift 2
    ot_write_config "$file" monitor 6 4
    {
        echo "DNS yes"
        echo "Nameservers $ns"
        echo "DNSTimeout ${OT_DNS_TIMEOUT:-5}"
        echo "DNSBLZones bl.test"
        echo "DNSBLCode bl.test 127.0.0.10 1"
        for line in "$@"; do echo "$line"; done
    } >> "$file"
    # the last DNS line wins over ot_write_config's "DNS no"
}

start_milter() { # nameserver [extra config lines...]
    run=$((run + 1))
    write_dns_config "$OT_TMP/milter/run$run.conf" "$@"
    ot_origin_trace_start "$milter_bin" "$OT_TMP/milter/run$run.conf" "$sock" \
        "$OT_TMP/milter/run$run.log"
    local rc=$?
    milter_pid=$OT_LAST_PID
    return $rc
}

show_milter_log() { sed 's/^/#   milter: /' "$OT_TMP/milter/run$run.log" | tail -n 30; }

# send NAME XADDR HELO MAILFROM [sign|sign-altered [XNAME]]: sets mark,
# out, send_rc, elapsed_ms
send() {
    local name=$1 xaddr=$2 helo=$3 from=$4 how=${5:-} xname=${6:-[TEMPUNAVAIL]}
    local eml="$OT_TMP/$name.eml" t0 t1
    mark="ot-dns-$$-$name"
    ot_message_from_template "$msgdir/dns.eml" "$eml.plain" "$mark"
    case $how in
    sign|sign-altered)
        "$signer" -k "$top_srcdir/tests/dns/keys/ot-test.private" -s ot2024 -d auth.test \
            "$eml.plain" > "$eml" || ot_log "dkim-sign failed"
        [ "$how" = sign-altered ] && sed -i 's/figures for Thursday.s meeting/figures for Friday/' "$eml"
        ;;
    *) cp "$eml.plain" "$eml" ;;
    esac
    out="$OT_TMP/$name.out"
    t0=$(date +%s%N)
    ot_send "$port" "$from" "user@$OT_TEST_DOMAIN" "$helo" "$eml" "$out" "$xaddr" "$xname"
    send_rc=$?
    t1=$(date +%s%N)
    elapsed_ms=$(( (t1 - t0) / 1000000 ))
}

fetch() { ot_fetch "$(pf_sink "$pf")" "$mark"; }
header_of() { ot_trace_header; }

signals_of() { ot_token "$1" signals; }

# case NAME XADDR HELO MAILFROM HOW MUST MUST_NOT [TOKEN=VALUE...]
check_case() {
    local name=$1 xaddr=$2 helo=$3 from=$4 how=$5 must=$6 mustnot=$7 h sigs s tok
    shift 7
    send "$name" "$xaddr" "$helo" "$from" "$how"
    is "$send_rc" 0 "$name: accepted (monitor mode)"
    fetch
    h=$(header_of)
    echo "# $name: X-Origin-Trace: $h"
    [ -n "$h" ]; ok $? "$name: delivered with X-Origin-Trace"
    sigs=",$(signals_of "$h"),"
    for s in ${must//,/ }; do
        like "$sigs" ",$s," "$name: $s fires"
    done
    for s in ${mustnot//,/ }; do
        [ "${sigs#*,$s,}" = "$sigs" ]; ok $? "$name: $s does not fire"
    done
    for tok in "$@"; do
        is "$(ot_token "$h" "${tok%%=*}")" "${tok#*=}" "$name: header says $tok"
    done
    [ -n "$h" ] || { pf_log "$pf"; show_milter_log; }
}

# ---- start: milter with lookups against nsd, then Postfix ----------------------
start_milter "127.0.0.1@$OT_DNS_PORT"
ok $? "origin-trace-milter (DNS yes) starts"
port=$(ot_free_port)
PF_MILTER="unix:$sock" PF_DEFAULT_ACTION=tempfail pf_setup "$pf" "$port"
pf_start "$pf" "$port"
ok $? "private Postfix listens on 127.0.0.1:$port"

# ---- the client's reverse DNS -------------------------------------------------------
check_case fcrdns-pass 192.0.2.10 mail.good.test alice@good.test "" \
    "" FCRDNS_FAIL,RDNS_NONE,RDNS_DYNAMIC,HELO_NXDOMAIN,HELO_MISMATCH,DNSBL_LISTED spf=none
check_case fcrdns-fail 192.0.2.20 mail.good.test alice@good.test "" \
    FCRDNS_FAIL RDNS_NONE
check_case no-ptr 192.0.2.30 mail.good.test alice@good.test "" \
    RDNS_NONE FCRDNS_FAIL
check_case dynamic 203.0.113.45 mail.good.test alice@good.test "" \
    RDNS_DYNAMIC RDNS_NONE,FCRDNS_FAIL
# Postfix's own verdict (FAIL: no name) is taken as it is: 192.0.2.10 has a
# PTR in the zone, but nobody asks for it
send mta-verdict 192.0.2.10 mail.good.test alice@good.test "" "[UNAVAILABLE]"
fetch
like "$(signals_of "$(header_of)")" 'RDNS_NONE' "mta-verdict: Postfix's FAIL is reused (RDNS_NONE, no lookup)"
grep -q 'lookups: client=192.0.2.10 ptr=0 (mta-resolve=2)' "$OT_TMP/milter/run$run.log"
ok $? "mta-verdict: the milter planned no PTR lookup"

# ---- HELO and blocklists -------------------------------------------------------------
check_case helo-nxdomain 192.0.2.10 nxdomain.good.test alice@good.test "" \
    HELO_NXDOMAIN FCRDNS_FAIL
# a provider's name from an address whose reverse name is not that provider's
check_case provider-forged 192.0.2.10 smtp.gmail.com alice@good.test "" \
    HELO_PROVIDER_FORGED ""
check_case dnsbl 192.0.2.99 mail.good.test alice@good.test "" \
    DNSBL_LISTED ""
grep -q 'DNSBL_LISTED' "$OT_TMP/milter/run$run.log"; ok $? "dnsbl: the log line names the signal"

# ---- SPF (client 192.0.2.25, the address the auth.test policies name) ----------------
check_case spf-pass 192.0.2.25 mail.auth.test alice@pass.auth.test "" \
    SPF_PASS SPF_FAIL,SPF_SOFTFAIL spf=pass
check_case spf-fail 192.0.2.25 mail.auth.test alice@fail.auth.test "" \
    SPF_FAIL SPF_PASS spf=fail
check_case spf-softfail 192.0.2.25 mail.auth.test alice@softfail.auth.test "" \
    SPF_SOFTFAIL SPF_PASS,SPF_FAIL spf=softfail
grep -q ' spf=softfail' "$OT_TMP/milter/run$run.log"; ok $? "spf: the log line carries spf="

# ---- DKIM: signed by the test with its own key -----------------------------------------
check_case dkim-pass 192.0.2.25 mail.auth.test alice@pass.auth.test sign \
    DKIM_PASS DKIM_FAIL dkim=pass
check_case dkim-fail 192.0.2.25 mail.auth.test alice@pass.auth.test sign-altered \
    DKIM_FAIL DKIM_PASS dkim=fail
grep -q ' dkim=fail' "$OT_TMP/milter/run$run.log"; ok $? "dkim: the log line carries dkim="

# ---- DNS that never answers: DNSTimeout 2, still a verdict within 3 s -----------------
ot_milter_stop "$milter_pid"
ot_blackhole_start
ok $? "black-hole DNS server on 127.0.0.1:$OT_BLACKHOLE_PORT"
OT_DNS_TIMEOUT=2 start_milter "127.0.0.1@$OT_BLACKHOLE_PORT"
ok $? "milter restarted against the black hole, DNSTimeout 2"
for n in 1 2 3; do
    send "blackhole-$n" 192.0.2.10 mail.good.test alice@pass.auth.test
    is "$send_rc" 0 "black hole $n: accepted"
    echo "# black hole $n: SMTP transaction took $elapsed_ms ms"
    fetch
    h=$(header_of)
    like "$h" 'incomplete=[a-z,]*ptr' "black hole $n: header names the incomplete checks"
    like "$h" '(^| )score=' "black hole $n: analysed (score=)"
done
# the verdict's own delay, as the milter measured it, not Postfix's scheduling
send blackhole-signed 192.0.2.10 mail.good.test alice@pass.auth.test sign
is "$send_rc" 0 "black hole, signed message: accepted"
echo "# black hole, signed: SMTP transaction took $elapsed_ms ms"
[ "$elapsed_ms" -lt 3000 ]; ok $? "black hole: the verdict came within 3 s ($elapsed_ms ms)"
fetch
like "$(header_of)" 'incomplete=[a-z,]*dkim' "black hole, signed: dkim named incomplete"

# ---- OnDNSError tempfail: the client is asked to come back ---------------------------------
ot_milter_stop "$milter_pid"
OT_DNS_TIMEOUT=1 start_milter "127.0.0.1@$OT_BLACKHOLE_PORT" "OnDNSError tempfail"
ok $? "milter restarted against the black hole with OnDNSError tempfail"
send tempfail 192.0.2.10 mail.good.test alice@pass.auth.test
[ "$send_rc" -ne 0 ]; ok $? "OnDNSError tempfail: not accepted"
like "$(ot_last_reply "$out")" '^451[ -]4\.4\.3' "OnDNSError tempfail: 451 4.4.3"
grep -q 'action=tempfail dns-incomplete=' "$OT_TMP/milter/run$run.log"; ok $? "OnDNSError tempfail: logged"

# ---- a dead server (nothing listens) -----------------------------------------------------
ot_milter_stop "$milter_pid"
OT_DNS_TIMEOUT=2 start_milter "127.0.0.1@$(ot_dns_dead_port)"
ok $? "milter restarted against a dead port"
send dead 192.0.2.10 mail.good.test alice@pass.auth.test
is "$send_rc" 0 "dead server: accepted"
echo "# dead server: SMTP transaction took $elapsed_ms ms"
fetch
like "$(header_of)" 'incomplete=' "dead server: header names the incomplete checks"

ot_milter_stop "$milter_pid"
pf_stop "$pf"
done_testing
