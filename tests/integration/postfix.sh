#!/bin/bash
# postfix.sh - origin-trace-milter behind a real Postfix, end to end (TAP).
#
# Owns: the Postfix end-to-end cases. A private Postfix on 127.0.0.1 (see
# lib.sh) hands every session to origin-trace-milter on a unix socket; the
# test presents the remote client it wants with XCLIENT (address, reverse
# name, HELO) and reads what the virtual(8) Maildir sink received:
#   - clean mail arrives with exactly one X-Origin-Trace naming the client;
#   - forged mail (a zombie with a bare-IP or a lying HELO, a Received chain
#     that does not connect and claims one of our hosts) is refused with
#     550 5.7.1 in enforce mode, held in quarantine mode, and delivered with
#     its signals in monitor mode;
#   - a forged incoming X-Origin-Trace never survives;
#   - a hostile HELO reaches the header only as sanitized printable ASCII;
#   - with the milter gone Postfix tempfails (the filter is really in the path).
#
# Limits: needs root (Postfix runs its own users); skips otherwise, or when
# OT_SKIP_INTEGRATION=1. Every wait is bounded (delivery: 30 s).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
msgdir="$top_srcdir/tests/integration/msg"

ot_require_root "a private Postfix"

ot_prerequisites postfix swaks milter

ot_tmp_init ot-postfix
pf="$OT_TMP/postfix"
sock="$OT_TMP/milter/origin-trace.sock"
mkdir -p "$OT_TMP/milter"
run=0
# the zombie's reverse name: a public name the forged chain contradicts (a
# bare IP alone proves no break: the analysis needs a name to disagree with)
zombie_rdns=host77.pool.zombienet.example

start_milter() { # mode [reject [quarantine]]
    run=$((run + 1))
    ot_write_config "$OT_TMP/milter/$1.conf" "$@"
    ot_origin_trace_start "$milter_bin" "$OT_TMP/milter/$1.conf" "$sock" \
        "$OT_TMP/milter/run$run.log"
    local rc=$?
    milter_pid=$OT_LAST_PID
    return $rc
}

show_milter_log() { sed 's/^/#   milter: /' "$OT_TMP/milter/run$run.log" | tail -n 40; }

# send NAME TEMPLATE HELO XADDR XNAME: a message from TEMPLATE presented as
# client XADDR/XNAME; sets mark, out (transcript) and send_rc.
send() {
    mark="ot-postfix-$$-$1"
    ot_message_from_template "$msgdir/$2" "$OT_TMP/$1.eml" "$mark"
    out="$OT_TMP/$1.out"
    ot_send "$port" "sender@sender.example" "user@$OT_TEST_DOMAIN" "$3" \
        "$OT_TMP/$1.eml" "$out" "$4" "$5"
    send_rc=$?
}

# Waits (30 s at most) for the message marked $mark; sets delivered.
fetch() { ot_fetch "$(pf_sink "$pf")" "$mark"; }
header_of() { ot_trace_header; }

# ---- start: the milter in enforce mode, then Postfix --------------------------
start_milter enforce 6 4
ok $? "origin-trace-milter starts and listens on $sock"

port=$(ot_free_port)
PF_MILTER="unix:$sock" PF_DEFAULT_ACTION=tempfail pf_setup "$pf" "$port"
pf_start "$pf" "$port"
ok $? "private Postfix listens on 127.0.0.1:$port"

# ---- clean mail -------------------------------------------------------------------
send clean clean.eml mail.sender.example 198.51.100.25 mail.sender.example
is "$send_rc" 0 "clean: accepted at end of DATA"
[ "$send_rc" -eq 0 ] || sed 's/^/#   /' "$out"
fetch
show_why() { pf_log "$pf"; show_milter_log; }
ot_check_clean_delivery clean 198.51.100.25 "the XCLIENT client address" show_why

# ---- the client's address as IPv6 -------------------------------------------------
send clean6 clean.eml mail.sender.example IPV6:2001:db8::25 mail.sender.example
is "$send_rc" 0 "IPv6 client: accepted"
fetch
h=$([ -n "$delivered" ] && header_of)
is "$(ot_token "$h" handoff)" 2001:db8::25 "IPv6 client: handoff= names the IPv6 address"

# ---- forged mail -----------------------------------------------------------------------
# The zombie 203.0.113.77 (reverse name $zombie_rdns) hands over forged.eml,
# whose Received lines claim relay7.bigisp.example and our own
# mx.example.net. Table: variant, the zombie's HELO, signals that must fire.
# A bare-IP HELO names nothing the chain could contradict, so CHAIN_BREAK
# is asserted where the HELO claims a name (the bank's) instead.
forged_variants='
bare  203.0.113.77      HELO_BARE_IP,RCVD_FORGED_OURS
named mail.bank.example CHAIN_BREAK,RCVD_FORGED_OURS
'

# ---- forged mail, enforce: refused ---------------------------------------------------
while read -r variant helo signals; do
    [ -n "$variant" ] || continue
    send "forged-$variant" forged.eml "$helo" 203.0.113.77 "$zombie_rdns"
    [ "$send_rc" -ne 0 ]; ok $? "forged ($variant HELO), enforce: not accepted"
    like "$(ot_last_reply "$out")" '^550[ -]5\.7\.1' "forged ($variant HELO), enforce: refused with 550 5.7.1"
    ot_wait_for 30 pf_queue_empty "$pf"
    sleep 1
    is "$(ot_find_message "$(pf_sink "$pf")" "$mark")" "" "forged ($variant HELO), enforce: nothing delivered"
done <<< "$forged_variants"

# ---- forged mail, quarantine: held by Postfix ------------------------------------------
ot_milter_stop "$milter_pid"
start_milter enforce 100 1
ok $? "milter restarts with QuarantineScore 1, RejectScore 100"
send quarantine forged.eml 203.0.113.77 203.0.113.77 "$zombie_rdns"
is "$send_rc" 0 "forged, quarantine: accepted"
ot_wait_for 30 eval '[ -n "$(find "$pf/queue/hold" -type f 2>/dev/null | head -n 1)" ]'
is "$(find "$pf/queue/hold" -type f 2>/dev/null | wc -l | tr -d ' ')" 1 "forged, quarantine: held in Postfix's hold queue"
is "$(ot_find_message "$(pf_sink "$pf")" "$mark")" "" "forged, quarantine: not delivered"

# ---- forged mail, monitor: delivered with the evidence -------------------------------
ot_milter_stop "$milter_pid"
start_milter monitor 6 4
ok $? "milter restarts in monitor mode"
while read -r variant helo signals; do
    [ -n "$variant" ] || continue
    what="forged ($variant HELO), monitor"
    send "monitor-$variant" forged.eml "$helo" 203.0.113.77 "$zombie_rdns"
    is "$send_rc" 0 "$what: accepted"
    fetch
    [ -n "$delivered" ]; ok $? "$what: delivered"
    [ -n "$delivered" ] || { pf_log "$pf"; show_milter_log; continue; }
    is "$(ot_header_count "$delivered" X-Origin-Trace)" 1 "$what: exactly one X-Origin-Trace"
    h=$(header_of)
    echo "# $what: X-Origin-Trace: $h"
    for signal in ${signals//,/ }; do
        like ",$(ot_token "$h" signals)," ",$signal," "$what: $signal in signals="
    done
    is "$(ot_token "$h" handoff)" 203.0.113.77 "$what: handoff= is the zombie"
    is "$(ot_score_vs "$(ot_token "$h" score)" 6)" at-or-above "$what: score reaches RejectScore"
    ! grep -qE 'FORGED_BY_SENDER|LOWERCASE_FORGERY|score=-50' "$delivered"
    ok $? "$what: the sender's own X-Origin-Trace headers are gone"
done <<< "$forged_variants"

# ---- a hostile HELO (monitor: always delivered): the header stays sanitized --------
send hostile clean.eml 'x"<script>alert(1)</script>;score=-99' 198.51.100.26 mail.sender.example
fetch
if [ -n "$delivered" ]; then
    is "$(ot_header_count "$delivered" X-Origin-Trace)" 1 "hostile HELO: exactly one X-Origin-Trace"
    raw=$(ot_header_values "$delivered" X-Origin-Trace)
    ! printf '%s' "$raw" | LC_ALL=C grep -q '[^ -~]'
    ok $? "hostile HELO: header is printable ASCII"
    ! printf '%s' "$raw" | grep -qF '<script>'
    ok $? "hostile HELO: the HELO's markup does not reach the header"
    is "$(printf '%s\n' "$raw" | tr ' ' '\n' | grep -c '^score=')" 1 \
        "hostile HELO: cannot inject a second score= token"
else
    is "$send_rc" 0 "hostile HELO: accepted in monitor mode"
    sed 's/^/#   /' "$out"
    for i in 1 2 3; do ok 1 "hostile HELO: (not delivered)"; done
fi

# ---- the milter gone: Postfix tempfails, so the filter was in the path ----------------
ot_milter_stop "$milter_pid"
send nomilter clean.eml mail.sender.example 198.51.100.25 mail.sender.example
like "$(ot_last_reply "$out")" '^4[0-9][0-9]' \
    "milter stopped: Postfix tempfails (milter_default_action=tempfail)"

done_testing
