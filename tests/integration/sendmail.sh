#!/bin/bash
# sendmail.sh - origin-trace-milter behind a real sendmail, end to end (TAP).
#
# Owns: the sendmail end-to-end cases. A private sendmail (Debian's
# packages unpacked by fetch-sendmail.sh, run from that copy with a .cf made
# from lib.sh's .mc with INPUT_MAIL_FILTER) on 127.0.0.1 hands every session
# to origin-trace-milter; its local mailer files messages into a sink.
#
# sendmail has no XCLIENT, so the SMTP client is always 127.0.0.1, which
# the milter always trusts. The tests therefore model the common layout of
# a gateway in front of the filtering MTA: each message carries the line
# our gateway gw.example.net (a LocalHostnames name, reached over loopback)
# wrote when the outside client handed it over, and the verdict must come
# from the chain below that trusted line:
#   - clean mail: handoff= is the gateway's client (198.51.100.25), one
#     X-Origin-Trace, accepted;
#   - forged mail (the zombie's bare-IP or lying HELO recorded by the
#     gateway, then a chain that does not connect and claims one of our
#     hosts): 550 5.7.1 in enforce mode, quarantined by sendmail in
#     quarantine mode, delivered with its signals in monitor mode;
#   - forged incoming X-Origin-Trace headers never survive;
#   - with the milter gone sendmail tempfails (F=T).
#
# Limits: needs root; skips otherwise, or when OT_SKIP_INTEGRATION=1.
# Fetches the sendmail packages once (fetch-sendmail.sh) when the cache is
# missing. Every wait is bounded (delivery: 30 s).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
msgdir="$top_srcdir/tests/integration/msg"

ot_require_root "a private sendmail"

if ! sm_available; then
    top_builddir="$top_builddir" "$top_srcdir/tests/integration/fetch-sendmail.sh" |
        sed 's/^/# /'
fi
ot_prerequisites sendmail swaks unshare milter

ot_tmp_init ot-sendmail
sm="$OT_TMP/sendmail"
sock="$OT_TMP/milter/origin-trace.sock"
mkdir -p "$OT_TMP/milter"
run=0
gateway="gw.$OT_TEST_DOMAIN"

start_milter() { # mode [reject [quarantine]]
    run=$((run + 1))
    ot_write_config "$OT_TMP/milter/$1.conf" "$@"
    ot_origin_trace_start "$milter_bin" "$OT_TMP/milter/$1.conf" "$sock" \
        "$OT_TMP/milter/run$run.log"
    local rc=$?
    milter_pid=$OT_LAST_PID
    return $rc
}

show_logs() {
    sed 's/^/#   milter: /' "$OT_TMP/milter/run$run.log" | tail -n 40
    sed 's/^/#   sendmail: /' "$sm/sendmail.log" | tail -n 20
}

# send NAME TEMPLATE [HELO]: HELO is the outside client's, as our gateway
# recorded it in the message; sets mark, out (transcript) and send_rc.
send() {
    mark="ot-sendmail-$$-$1"
    ot_message_from_template "$msgdir/$2" "$OT_TMP/$1.eml" "$mark" "${3:-}"
    out="$OT_TMP/$1.out"
    ot_send "$port" "sender@sender.example" "root@$OT_TEST_MX" "$gateway" \
        "$OT_TMP/$1.eml" "$out"
    send_rc=$?
}

fetch() { ot_fetch "$(sm_sink "$sm")" "$mark"; }
header_of() { ot_trace_header; }

# The queue holds nothing for this run but quarantined files.
sm_queue_settled() { [ -z "$(find "$sm/queue" -type f -name 'qf*' | head -n 1)" ]; }

# ---- start --------------------------------------------------------------------------
start_milter enforce 6 4
ok $? "origin-trace-milter starts and listens on $sock"

port=$(ot_free_port)
SM_MILTER="unix:$sock" SM_MILTER_FLAGS=T sm_setup "$sm" "$port"
ok $? "sendmail .cf generated from the .mc with INPUT_MAIL_FILTER"
sm_start "$sm" "$port"
ok $? "private sendmail listens on 127.0.0.1:$port"

# ---- clean mail, relayed by our gateway ----------------------------------------------------
send clean clean-relayed.eml
is "$send_rc" 0 "clean: accepted at end of DATA"
[ "$send_rc" -eq 0 ] || sed 's/^/#   /' "$out"
fetch
ot_check_clean_delivery clean 198.51.100.25 "the client our gateway recorded" show_logs

# ---- forged mail -----------------------------------------------------------------------------
# Our gateway recorded the zombie 203.0.113.77 (host77.pool.zombienet.example)
# and its HELO; below that line the message claims relay7.bigisp.example and
# our own mx.example.net. Table: variant, the HELO recorded, signals that
# must fire (a bare-IP HELO names nothing the chain could contradict, so
# CHAIN_BREAK is asserted where the HELO claims the bank's name).
forged_variants='
bare  203.0.113.77      HELO_BARE_IP,RCVD_FORGED_OURS
named mail.bank.example CHAIN_BREAK,RCVD_FORGED_OURS
'

# ---- forged mail, enforce: refused -------------------------------------------------------------
while read -r variant helo signals; do
    [ -n "$variant" ] || continue
    send "forged-$variant" forged-relayed.eml "$helo"
    [ "$send_rc" -ne 0 ]; ok $? "forged ($variant HELO), enforce: not accepted"
    like "$(ot_last_reply "$out")" '^550[ -]5\.7\.1' "forged ($variant HELO), enforce: refused with 550 5.7.1"
    ot_wait_for 30 sm_queue_settled
    sleep 1
    is "$(ot_find_message "$(sm_sink "$sm")" "$mark")" "" "forged ($variant HELO), enforce: nothing delivered"
done <<< "$forged_variants"

# ---- forged mail, quarantine: sendmail keeps it aside ------------------------------------------
ot_milter_stop "$milter_pid"
start_milter enforce 100 1
ok $? "milter restarts with QuarantineScore 1, RejectScore 100"
send quarantine forged-relayed.eml
is "$send_rc" 0 "forged, quarantine: accepted"
# sendmail renames a quarantined queue file from qf* to hf*
ot_wait_for 30 eval '[ -n "$(find "$sm/queue" -type f -name "hf*" | head -n 1)" ]'
is "$(find "$sm/queue" -type f -name 'hf*' | wc -l | tr -d ' ')" 1 "forged, quarantine: quarantined in sendmail's queue"
is "$(ot_find_message "$(sm_sink "$sm")" "$mark")" "" "forged, quarantine: not delivered"

# ---- forged mail, monitor: delivered with the evidence -----------------------------------------
ot_milter_stop "$milter_pid"
start_milter monitor 6 4
ok $? "milter restarts in monitor mode"
while read -r variant helo signals; do
    [ -n "$variant" ] || continue
    what="forged ($variant HELO), monitor"
    send "monitor-$variant" forged-relayed.eml "$helo"
    is "$send_rc" 0 "$what: accepted"
    fetch
    [ -n "$delivered" ]; ok $? "$what: delivered"
    [ -n "$delivered" ] || { show_logs; continue; }
    is "$(ot_header_count "$delivered" X-Origin-Trace)" 1 "$what: exactly one X-Origin-Trace"
    h=$(header_of)
    echo "# $what: X-Origin-Trace: $h"
    for signal in ${signals//,/ }; do
        like ",$(ot_token "$h" signals)," ",$signal," "$what: $signal in signals="
    done
    is "$(ot_token "$h" handoff)" 203.0.113.77 "$what: handoff= is the zombie our gateway recorded"
    is "$(ot_score_vs "$(ot_token "$h" score)" 6)" at-or-above "$what: score reaches RejectScore"
    ! grep -qE 'FORGED_BY_SENDER|LOWERCASE_FORGERY|score=-50' "$delivered"
    ok $? "$what: the sender's own X-Origin-Trace headers are gone"
done <<< "$forged_variants"

# ---- the milter gone: sendmail tempfails (F=T) --------------------------------------------------
ot_milter_stop "$milter_pid"
send nomilter clean-relayed.eml
like "$(ot_last_reply "$out")" '^4[0-9][0-9]' "milter stopped: sendmail tempfails (F=T)"

done_testing
