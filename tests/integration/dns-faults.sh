#!/bin/bash
# dns-faults.sh - origin-trace-milter behind a real Postfix while its DNS
# server misbehaves (TAP).
#
# Owns: the DNS fault cases of issue #5. One private Postfix on 127.0.0.1
# and one origin-trace-milter (DNS yes, DNSTimeout 2, DNSBLZones bl.test,
# SPF and DKIM on, monitor mode, so every message is delivered and its
# X-Origin-Trace read) whose Nameservers is switched from case to case by
# rewriting its file and sending SIGHUP: the same process meets every
# fault, and each reload also frees a resolver with queries still out.
# The server is tests/dns/blackhole.py (ot_blackhole_start MODE DELAY):
#   - slow, 0.5 s: the answers arrive within the deadline and are used
#     (A 127.0.0.2 lists the client, PTR NXDOMAIN is RDNS_NONE, nothing is
#     incomplete), and every message asks the server anew (TTL 0);
#   - slow, 5 s: every message still gets its verdict within DNSTimeout
#     + 1 s, the checks named in incomplete=;
#   - garbage (random bytes, a cut header, a wrong id, a wrong question,
#     counts and lengths that lie, compression loops, over-long labels and
#     names, TC with a TCP side that hangs up; each carrying a "bait"
#     answer): every message delivered with a header within the same
#     bound, every check named incomplete, no signal a bait would cause
#     (DNSBL_LISTED, RDNS_DYNAMIC, SPF_PASS, DKIM_FAIL, ...), and every
#     variant was served;
#   - the garbage server with OnDNSError tempfail: 451 4.4.3;
#   - servfail and refused servers: checks incomplete, accepted.
# Every message has a DKIM-signed sibling (tests/dns/dkim-sign), so the
# key lookup at end of message meets the fault too. At the end the
# milter is the process it was at the start, its log holds no control
# character, and (for a sanitizer build) no sanitizer report.
#
# The only timing asserted is that deadline: the SMTP transaction (swaks
# to Postfix to the milter and back) within DNSTimeout + 1 s. Each
# transaction's time is printed; the summary at the end lists them.
#
# Limits: needs root (Postfix), nsd's tools (dig) and python3; skips
# otherwise or with OT_SKIP_INTEGRATION=1. About a minute; every wait is
# bounded. OT_KEEP=1 keeps the temporary directory (the milter's log is
# milter/milter.log, each server's query log is under dns/).
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

ot_tmp_init ot-dns-faults
pf="$OT_TMP/postfix"
mdir="$OT_TMP/milter"
sock="$mdir/origin-trace.sock"
conf="$mdir/origin-trace.conf"
mlog="$mdir/milter.log"
delays="$OT_TMP/delays"
mkdir -p "$mdir"
: > "$delays"

timeout_s=2
limit_ms=$(( (timeout_s + 1) * 1000 ))   # the verdict within DNSTimeout + 1 s
client=192.0.2.10
helo=mail.good.test
sender=alice@pass.auth.test

# ---- helpers -------------------------------------------------------------------------

# write_config NAMESERVER [extra lines...]: written aside and renamed, so a
# reload never reads half a file
write_config() {
    local ns=$1 line
    shift
    ot_write_config "$conf.new" monitor 6 4
    {
        echo "DNS yes"   # the last DNS line wins over ot_write_config's "DNS no"
        echo "Nameservers $ns"
        echo "DNSTimeout $timeout_s"
        echo "DNSBLZones bl.test"
        echo "SPF yes"
        echo "DKIM yes"
        for line in "$@"; do echo "$line"; done
    } >> "$conf.new"
    mv "$conf.new" "$conf"
}

reloads() { grep -c 'reloaded: generation' "$mlog" 2>/dev/null; }

# reload_milter: SIGHUP and wait (bounded) until the new file is in force
reload_milter() {
    local before   # read by the condition ot_wait_for evaluates
    # shellcheck disable=SC2034
    before=$(reloads)
    kill -HUP "$milter_pid" 2>/dev/null || return 1
    ot_wait_for 10 eval '[ "$(reloads)" -gt "$before" ]'
}

# use_server MODE DELAY [extra config lines...]: a fresh server of that
# mode, and the milter pointed at it
use_server() {
    local mode=$1 delay=$2
    shift 2
    ot_blackhole_stop
    ot_blackhole_start "$mode" "$delay" || return 1
    write_config "127.0.0.1@$OT_BLACKHOLE_PORT" "$@"
    reload_milter
}

queries_seen() { wc -l < "$OT_BLACKHOLE_LOG" | tr -d ' '; }

# send CASE NAME [sign]: one message; sets mark, out, send_rc, elapsed_ms,
# asked (queries the server saw meanwhile) and records the delay
send() {
    local case=$1 name=$2 how=${3:-} eml t0 t1 q0
    eml="$OT_TMP/$case-$name.eml"
    mark="ot-dns-faults-$$-$case-$name"
    ot_message_from_template "$msgdir/dns.eml" "$eml.plain" "$mark"
    if [ "$how" = sign ]; then
        "$signer" -k "$top_srcdir/tests/dns/keys/ot-test.private" -s ot2024 -d auth.test \
            "$eml.plain" > "$eml" || ot_log "dkim-sign failed"
    else
        cp "$eml.plain" "$eml"
    fi
    out="$OT_TMP/$case-$name.out"
    q0=$(queries_seen)
    t0=$(date +%s%N)
    ot_send "$port" "$sender" "user@$OT_TEST_DOMAIN" "$helo" "$eml" "$out" "$client" "[TEMPUNAVAIL]"
    send_rc=$?
    t1=$(date +%s%N)
    elapsed_ms=$(( (t1 - t0) / 1000000 ))
    asked=$(( $(queries_seen) - q0 ))
    echo "# $case/$name: SMTP transaction took $elapsed_ms ms; the server saw $asked queries"
    echo "$case $name $elapsed_ms" >> "$delays"
}

fetch() { ot_fetch "$(pf_sink "$pf")" "$mark"; }
header_of() { ot_trace_header; }

has_item() { # comma-list item
    case ",$1," in *",$2,"*) return 0 ;; esac
    return 1
}

# deliver CASE NAME [sign]: send, then the checks every accepted message
# passes whatever the fault; sets h (its header), sigs, inc
deliver() {
    send "$@"
    is "$send_rc" 0 "$1/$2: accepted (monitor mode)"
    [ "$elapsed_ms" -lt "$limit_ms" ]
    ok $? "$1/$2: the verdict came within DNSTimeout + 1 s ($elapsed_ms ms < $limit_ms)"
    fetch
    h=$(header_of)
    echo "# $1/$2: X-Origin-Trace: $h"
    like "$h" '(^| )score=-?[0-9]' "$1/$2: delivered, analysed (X-Origin-Trace with a score)"
    sigs=$(ot_token "$h" signals)
    inc=$(ot_token "$h" incomplete)
    [ -n "$h" ] || { pf_log "$pf"; sed 's/^/#   milter: /' "$mlog" | tail -n 20; }
}

must_fire() { # case/name signal...
    local what=$1 s
    shift
    for s in "$@"; do has_item "$sigs" "$s"; ok $? "$what: $s fires"; done
}

must_not_fire() { # case/name signal...
    local what=$1 s
    shift
    for s in "$@"; do ! has_item "$sigs" "$s"; ok $? "$what: $s does not fire"; done
}

must_be_incomplete() { # case/name check...
    local what=$1 c
    shift
    for c in "$@"; do has_item "$inc" "$c"; ok $? "$what: $c named incomplete"; done
}

milter_same() { # what
    kill -0 "$milter_pid" 2>/dev/null && [ -S "$sock" ]
    ok $? "$1: the milter is still process $milter_pid"
}

# Signals a bait answer of the garbage server would cause if believed.
bait_signals="DNSBL_LISTED RDNS_DYNAMIC RDNS_NONE FCRDNS_FAIL HELO_MISMATCH HELO_NXDOMAIN SPF_PASS SPF_FAIL SPF_SOFTFAIL DKIM_PASS DKIM_FAIL"

# ---- start: a slow server, the milter, Postfix -----------------------------------------
ot_blackhole_start slow 0.5
ok $? "slow DNS server (0.5 s) on 127.0.0.1:$OT_BLACKHOLE_PORT"
write_config "127.0.0.1@$OT_BLACKHOLE_PORT"
ot_origin_trace_start "$milter_bin" "$conf" "$sock" "$mlog"
ok $? "origin-trace-milter starts (DNS yes, DNSTimeout $timeout_s)"
milter_pid=$OT_LAST_PID
port=$(ot_free_port)
PF_MILTER="unix:$sock" PF_DEFAULT_ACTION=tempfail pf_setup "$pf" "$port"
pf_start "$pf" "$port"
ok $? "private Postfix listens on 127.0.0.1:$port"

# ---- slow, 0.5 s: late but in time; the answers are used -----------------------------
# per message: how= is "sign" for the signed one, dk= its extra check
for m in plain-1 plain-2 signed; do
    how=; dk=; [ $m = signed ] && how=sign dk=dkim
    deliver slow-0.5 "$m" "$how"
    [ "$asked" -gt 0 ]; ok $? "slow-0.5/$m: the server was asked ($asked queries; TTL 0, no cache)"
    is "$inc" "" "slow-0.5/$m: nothing incomplete"
    # A 127.0.0.2 for the blocklist and NXDOMAIN for the PTR: both arrived
    must_fire "slow-0.5/$m" DNSBL_LISTED RDNS_NONE
    is "$(ot_token "$h" spf)" none "slow-0.5/$m: spf=none (the TXT answer, NXDOMAIN, arrived)"
done
like "$(ot_token "$h" dkim)" '^[a-z]+$' "slow-0.5/signed: the key answer arrived (dkim=$(ot_token "$h" dkim))"
milter_same "slow-0.5"

# ---- slow, 5 s: past the deadline ---------------------------------------------------------
use_server slow 5
ok $? "milter reloaded against a slow DNS server (5 s) on :$OT_BLACKHOLE_PORT"
for m in plain-1 plain-2 signed; do
    how=; dk=; [ $m = signed ] && how=sign dk=dkim
    deliver slow-5 "$m" "$how"
    must_be_incomplete "slow-5/$m" ptr helo dnsbl spf ${dk:+"$dk"}
    # a PTR that did not answer in time is unknown, whatever the MTA's
    # "unknown" name stood for: no RDNS_NONE (README: what does not answer
    # in time fires nothing)
    must_not_fire "slow-5/$m" DNSBL_LISTED RDNS_NONE
done
milter_same "slow-5"

# ---- garbage ----------------------------------------------------------------------------------
use_server garbage 0
ok $? "milter reloaded against a garbage DNS server on :$OT_BLACKHOLE_PORT"
for m in plain-1 plain-2 plain-3 signed; do
    # (after the first message libunbound may judge the server down and
    # fail at once without asking it: the queries seen are only printed)
    how=; dk=; [ $m = signed ] && how=sign dk=dkim
    deliver garbage "$m" "$how"
    must_be_incomplete "garbage/$m" ptr helo dnsbl spf ${dk:+"$dk"}
    # shellcheck disable=SC2086
    must_not_fire "garbage/$m" $bait_signals
done
for v in random short-header wrong-id wrong-question count-lies rdlength-lies \
    pointer-self pointer-loop long-label long-name truncated; do
    grep -q " $v\$" "$OT_BLACKHOLE_LOG"; ok $? "garbage: variant $v was served"
done
milter_same "garbage"

# ---- garbage with OnDNSError tempfail: the client is asked to come back ------------------
write_config "127.0.0.1@$OT_BLACKHOLE_PORT" "OnDNSError tempfail"
reload_milter
ok $? "milter reloaded with OnDNSError tempfail, same garbage server"
for m in plain signed; do
    how=; [ $m = signed ] && how=sign
    send garbage-tempfail "$m" "$how"
    [ "$send_rc" -ne 0 ]; ok $? "garbage-tempfail/$m: not accepted"
    like "$(ot_last_reply "$out")" '^451[ -]4\.4\.3' "garbage-tempfail/$m: 451 4.4.3"
    [ "$elapsed_ms" -lt "$limit_ms" ]
    ok $? "garbage-tempfail/$m: the answer came within DNSTimeout + 1 s ($elapsed_ms ms)"
done
[ "$(grep -c 'action=tempfail dns-incomplete=' "$mlog")" -ge 2 ]
ok $? "garbage-tempfail: both logged as action=tempfail dns-incomplete="
milter_same "garbage-tempfail"

# ---- SERVFAIL and REFUSED -------------------------------------------------------------------
for mode in servfail refused; do
    use_server "$mode" 0
    ok $? "milter reloaded against a $mode DNS server on :$OT_BLACKHOLE_PORT"
    for m in plain signed; do
        how=; dk=; [ $m = signed ] && how=sign dk=dkim
        deliver "$mode" "$m" "$how"
        must_be_incomplete "$mode/$m" ptr helo dnsbl spf ${dk:+"$dk"}
        must_not_fire "$mode/$m" DNSBL_LISTED RDNS_NONE HELO_NXDOMAIN SPF_PASS DKIM_PASS DKIM_FAIL
    done
    milter_same "$mode"
done

# ---- after every case ---------------------------------------------------------------------
milter_same "after every case"
[ "$(grep -c 'reloaded: generation' "$mlog")" -eq 5 ]
ok $? "the milter took five reloads (one process throughout)"
# no byte a DNS answer could have smuggled into a log line: every line
# printable ASCII (no tab, escape, CR, NUL or 8-bit byte)
bad=$(LC_ALL=C grep -c '[^ -~]' "$mlog")
is "$bad" 0 "the milter's log has no line with a control or 8-bit character"
[ "$bad" -eq 0 ] || LC_ALL=C grep -n '[^ -~]' "$mlog" | head -n 5 | cat -v | sed 's/^/#   /'
ot_milter_stop "$milter_pid"
# a sanitizer build reports at exit (leaks) or at the fault, on stderr: the log
! grep -Eq 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$mlog"
ok $? "no sanitizer report in the milter's log"
grep -E 'Sanitizer|runtime error:' "$mlog" | head -n 10 | sed 's/^/#   /'
ot_blackhole_stop
pf_stop "$pf"

echo "# delays (ms), DNSTimeout $timeout_s s, bound $limit_ms ms:"
awk '{ t[$1] = t[$1] " " $2 "=" $3 } END { for (c in t) print "#   " c ":" t[c] }' "$delays" | sort
done_testing
