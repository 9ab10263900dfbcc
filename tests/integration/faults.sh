#!/bin/bash
# faults.sh - origin-trace-milter behind a real Postfix when things go wrong (TAP).
#
# Owns: the fault cases of issue #5. One private Postfix on 127.0.0.1 (lib.sh,
# sized by loadlib.sh) and the load client tests/load/smtp-load:
#   - a stale unix socket left by a killed milter is replaced at start; a
#     regular file in its place is refused and left alone;
#   - a PidFile that cannot be written (missing directory as root,
#     read-only directory as an unprivileged user, foreground and
#     background) stops the start with status 1 and a message naming the
#     path; a writable one holds the pid and is removed at stop;
#   - SIGHUP with a broken file under load: the error is logged with
#     FILE:LINE, the old configuration stays in force (its header name and
#     its enforce mode), no session sees a 4xx, a 5xx it should not, or a
#     drop, and Postfix logs no milter trouble; a good file afterwards does
#     take effect (so the check above could have failed);
#   - sessions aborting mid-message under load (QUIT after MAIL, RSET after
#     RCPT, a drop after RCPT, a drop in the middle of DATA): the milter
#     keeps its pid, its memory and descriptors stay flat, no aborted
#     message is delivered, and the next messages get their verdicts;
#   - SIGKILL mid-load under a supervisor loop that does what systemd's
#     Restart=on-failure does (the unit is checked to say so): with
#     milter_default_action=accept (what README.md recommends) clients see
#     no 4xx and every message answered 250 is delivered once; with
#     tempfail clients see 4xx, re-send, and every message is delivered
#     once, each with its header. Either way the restarted milter is back
#     in the path (a forged message is refused again).
#
# Limits: needs root (Postfix; setpriv for the unprivileged cases); skips
# otherwise or with OT_SKIP_INTEGRATION=1. Loads are OT_FAULT_SESSIONS
# sessions (100) for OT_FAULT_SECONDS (12 s) each, the aborts 2x+6 s;
# everything is bounded; about three minutes in all.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/loadlib.sh"

ot_require_root "a private Postfix and its faults"

ot_prerequisites postfix swaks setpriv milter smtp-load

ot_tmp_init ot-faults
ld_init
pf="$OT_TMP/postfix"
mdir="$OT_TMP/milter"
sock="$mdir/milter.sock"
conf="$mdir/origin-trace.conf"
slog="$mdir/supervised.log"
restarts="$mdir/restarts"
sessions=${OT_FAULT_SESSIONS:-100}
seconds=${OT_FAULT_SECONDS:-12}
mkdir -p "$mdir"
ld_write_config "$conf"
sink=
nogroup=$(id -gn nobody)

port=$(ot_free_port)
PF_MILTER="unix:$sock" PF_DEFAULT_ACTION=tempfail ld_postfix_setup "$pf" "$port" "$sessions"
pf_start "$pf" "$port"
ok $? "private Postfix listens on 127.0.0.1:$port"
sink=$(pf_sink "$pf")

# ---- helpers ---------------------------------------------------------------------

# send NAME TEMPLATE: one message by swaks; sets mark, out, send_rc.
send() {
    mark="ot-faults-$$-$1"
    ot_message_from_template "$LD_MSGDIR/$2" "$OT_TMP/$1.eml" "$mark"
    out="$OT_TMP/$1.out"
    ot_send "$port" "sender@sender.example" "user@$OT_TEST_DOMAIN" "gw.$OT_TEST_DOMAIN" \
        "$OT_TMP/$1.eml" "$out"
    send_rc=$?
}

# Waits (30 s) for the message marked $mark; sets delivered.
fetch() { ot_fetch "$sink" "$mark"; }

# The milter is in the path: a clean message gets header NAME, a forged
# one is refused with 550 5.7.1. Two TAP lines prefixed by WHAT.
milter_in_path() { # what [header-name]
    local name=${2:-X-Origin-Trace}
    send "$1-clean" clean-relayed.eml
    fetch
    is "$([ -n "$delivered" ] && ot_header_count "$delivered" "$name")" 1 \
        "$1: a clean message is delivered with one $name"
    send "$1-forged" forged-relayed.eml
    like "$(ot_last_reply "$out")" '^550[ -]5\.7\.1' "$1: a forged message is refused with 550 5.7.1"
}

# Moves what the sink holds aside, so that each load is counted alone.
sink_reset() { # name
    mkdir -p "$OT_TMP/archive/$1"
    find "$sink" -path "$sink/tmp" -prune -o -type f -print0 2>/dev/null |
        xargs -0 -r mv -t "$OT_TMP/archive/$1"
}

# load NAME SECONDS smtp-load-args...: a load in the background, ramped up
# (all sessions open) before its clock starts; results in $OT_TMP/NAME.*
load_start() {
    local name=$1 secs=$2
    shift 2
    sink_reset "before-$name"
    ld_load_start $((secs + 150)) "$port" "$OT_TMP/$name.results" "$OT_TMP/$name.summary" \
        -W -c "$sessions" -t "$secs" -k "$name$$" "$@"
}

# Waits (60 s) until the load has run N seconds past its ramp-up.
load_reached() { # name n
    ot_wait_for 60 grep -q "t=${2}s " "$OT_TMP/$1.summary.progress" 2>/dev/null
}

# After a load: drain, count; sets acct and prints both summaries.
load_account() { # name
    ld_load_wait
    ld_drain "$pf" 120
    ld_delivered_tokens "$sink" "$OT_TMP/$1.delivered"
    acct=$(ld_account "$OT_TMP/$1.results" "$OT_TMP/$1.delivered")
    echo "# $1 client: $(cat "$OT_TMP/$1.summary")"
    echo "# $1 accounting: $acct"
}
a() { printf '%s\n' "$acct" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# The no-loss assertions every load makes: accepted == delivered, nothing
# refused/aborted/given up delivered, nothing duplicated or unknown.
no_loss() { # what
    [ "$(a missing)" = 0 ] && [ "$(a duplicated)" = 0 ] && [ "$(a unknown)" = 0 ]
    ok $? "$1: every message answered 250 delivered exactly once (missing $(a missing), duplicated $(a duplicated), unknown $(a unknown))"
    is "$(a leaked)" 0 "$1: nothing refused, aborted or given up was delivered"
    [ "$(a lost)" = 0 ] && [ "$(a incomplete)" = 0 ] && [ "$(a drop)" = 0 ] && [ "$(a tempfail)" = 0 ]
    ok $? "$1: every message got a final answer (lost $(a lost), incomplete $(a incomplete), dropped $(a drop), 4xx given up $(a tempfail))"
}

# ---- a stale socket, and a file that is not a socket ------------------------------
ot_origin_trace_start "$milter_bin" "$conf" "$sock" "$mdir/stale1.log"
pid=$OT_LAST_PID
kill -KILL "$pid"; wait "$pid" 2>/dev/null; ot_unregister_pid "$pid"
[ -S "$sock" ]
ok $? "stale socket: SIGKILL leaves $sock behind"
# inode numbers are reused at once: the change time (ns) tells the files apart
id0=$(stat -c '%i %z' "$sock" 2>/dev/null)
sleep 0.1
( umask 000; exec "$milter_bin" -f -c "$conf" -p "unix:$sock" ) > "$mdir/stale2.log" 2>&1 &
pid=$!
ot_register_pid "$pid"
ot_wait_for 20 grep -q 'started: socket' "$mdir/stale2.log"
ok $? "stale socket: the milter starts over it"
id1=$(stat -c '%i %z' "$sock" 2>/dev/null)
[ -S "$sock" ] && [ -n "$id0" ] && [ "$id1" != "$id0" ]
ok $? "stale socket: replaced by a new one ($id0 -> $id1)"
milter_in_path "stale socket"
ot_milter_stop "$pid"
[ ! -e "$sock" ]
ok $? "stale socket: a clean stop removes the socket"

printf 'not a socket\n' > "$sock"
timeout 30 "$milter_bin" -f -c "$conf" -p "unix:$sock" > "$mdir/regular.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
ok $? "a regular file at the socket path: the milter refuses to start (status $rc)"
like "$(cat "$mdir/regular.log")" "$sock" "a regular file at the socket path: the message names it"
is "$(cat "$sock" 2>/dev/null)" "not a socket" "a regular file at the socket path: left as it was"
rm -f "$sock"

# ---- PidFile ---------------------------------------------------------------------------
# main.c writes it after opening the socket, before dropping privileges,
# and stops with status 1 if it cannot: no silent run without it.
pidsock="$mdir/pid.sock"
missing="$OT_TMP/no-such-dir/origin-trace-milter.pid"
timeout 30 "$milter_bin" -f -c "$conf" -p "unix:$pidsock" -P "$missing" > "$mdir/pid1.log" 2>&1
is "$?" 1 "PidFile in a missing directory (root, -f): exit status 1"
like "$(cat "$mdir/pid1.log")" "PidFile $missing: No such file or directory" \
    "PidFile in a missing directory (root, -f): the message names the path and the reason"
timeout 30 "$milter_bin" -c "$conf" -p "unix:$pidsock" -P "$missing" > "$mdir/pid2.log" 2>&1
is "$?" 1 "PidFile in a missing directory (background): the starting command exits 1"
like "$(cat "$mdir/pid2.log")" "origin-trace-milter: PidFile $missing" \
    "PidFile in a missing directory (background): the reason reaches the terminal"

mkdir -p "$OT_TMP/readonly" "$OT_TMP/nobody"
chmod 0555 "$OT_TMP/readonly"
chown nobody:"$nogroup" "$OT_TMP/nobody"
chmod 0644 "$conf"
# a copy nobody can run: the build may sit where only root can enter
cp "$milter_bin" "$OT_TMP/nobody/origin-trace-milter"
timeout 30 setpriv --reuid=nobody --regid="$nogroup" --clear-groups -- \
    "$OT_TMP/nobody/origin-trace-milter" -f -c "$conf" -p "unix:$OT_TMP/nobody/pid.sock" -P "$OT_TMP/readonly/m.pid" \
    > "$mdir/pid3.log" 2>&1
is "$?" 1 "PidFile in a read-only directory (as nobody): exit status 1"
like "$(cat "$mdir/pid3.log")" "PidFile $OT_TMP/readonly/m.pid: Permission denied" \
    "PidFile in a read-only directory (as nobody): the message names the path and the reason"
[ -z "$(pgrep -f -- "-P $OT_TMP/readonly/m.pid")" ] && [ -z "$(pgrep -f -- "-P $missing")" ]
ok $? "PidFile failures: no milter process is left running"

ot_milter_start "$pidsock" "$mdir/pid4.log" "$milter_bin" -f -c "$conf" -p "unix:$pidsock" -P "$mdir/m.pid"
pid=$OT_LAST_PID
ot_wait_for 10 test -s "$mdir/m.pid"
is "$(tr -d ' \n' < "$mdir/m.pid" 2>/dev/null)" "$pid" "PidFile: holds the daemon's pid"
ot_milter_stop "$pid"
[ ! -e "$mdir/m.pid" ]
ok $? "PidFile: removed at a clean stop"
rm -f "$pidsock"

# ---- from here on, the milter runs under the supervisor ------------------------------
grep -Eq '^Restart=(on-failure|always)$' "$top_srcdir/systemd/origin-trace-milter.service"
ok $? "the systemd unit restarts the milter after a failure (Restart=on-failure or always)"
ld_supervisor_start "$milter_bin" "$conf" "$sock" "$slog" "$mdir/supervised.pid" "$restarts"
pid=$(ld_supervised_pid "$slog" "$sock" 1)
ok $? "supervised milter started (pid $pid)"

# ---- SIGHUP with a broken file, under load ----------------------------------------------
# Postfix tempfails when the milter misbehaves, so any hiccup of the
# reload shows as a 4xx; the client does not retry here.
maillog_before=$(wc -l < "$pf/maillog")
load_start hup "$seconds" -r 0
load_reached hup 2
cp "$conf" "$mdir/good.conf"
{
    # a file that would change the header name and stop rejecting, had
    # any of it been applied before the error
    sed -e '/^Mode /d' -e '/^HeaderName /d' "$mdir/good.conf"
    echo "Mode monitor"
    echo "HeaderName X-Trace-Broken"
    echo "NoSuchKey yes"
} > "$mdir/broken.conf"
broken_line=$(grep -n '^NoSuchKey' "$mdir/broken.conf" | cut -d: -f1)
cp "$mdir/broken.conf" "$conf.new" && mv "$conf.new" "$conf"
for i in 1 2 3 4 5; do
    kill -HUP "$pid"
    sleep 1
done
load_account hup
cp "$mdir/good.conf" "$conf.new" && mv "$conf.new" "$conf"
kill -0 "$pid" 2>/dev/null && [ "$(cat "$mdir/supervised.pid")" = "$pid" ] && [ ! -s "$restarts" ]
ok $? "SIGHUP, broken file: the milter keeps running, same pid $pid"
is "$(grep -c 'reload refused' "$slog")" 5 "SIGHUP, broken file: each of the 5 reloads is refused in the log"
like "$(grep 'reload refused' "$slog" | head -n 1)" "$conf:$broken_line" \
    "SIGHUP, broken file: the log names FILE:LINE of the error"
s_tempfail=$(ld_get "$OT_TMP/hup.summary" tempfail)
s_dropped=$(ld_get "$OT_TMP/hup.summary" dropped)
[ "$s_tempfail" = 0 ] && [ "$s_dropped" = 0 ]
ok $? "SIGHUP, broken file: no 4xx and no dropped session under load (4xx $s_tempfail, dropped $s_dropped)"
[ "$(a accepted)" -gt 0 ] && [ "$(a forged_accepted)" = 0 ] && [ "$(a clean_rejected)" = 0 ] &&
    [ "$(a rejected)" -gt 0 ]
ok $? "SIGHUP, broken file: still enforcing: forged refused ($(a rejected)), clean accepted ($(a accepted))"
no_loss "SIGHUP, broken file"
is "$(ld_header_not_once "$sink" X-Origin-Trace)" 0 "SIGHUP, broken file: every delivered message has one X-Origin-Trace (the old HeaderName)"
is "$(ld_header_present "$sink" X-Trace-Broken)" 0 "SIGHUP, broken file: no message has the broken file's HeaderName"
is "$(tail -n +"$((maillog_before + 1))" "$pf/maillog" | grep -c 'warning:.*milter')" 0 \
    "SIGHUP, broken file: Postfix logged no milter warning"
# the control: a good file is taken, so the checks above could fail
sed 's/^HeaderName .*/HeaderName X-Trace-Reloaded/' "$mdir/good.conf" > "$conf.new" && mv "$conf.new" "$conf"
kill -HUP "$pid"
ot_wait_for 10 grep -q 'reloaded: generation 2' "$slog"
ok $? "SIGHUP, good file: reloaded as generation 2"
milter_in_path "after a good reload" X-Trace-Reloaded
cp "$mdir/good.conf" "$conf.new" && mv "$conf.new" "$conf"
kill -HUP "$pid"
ot_wait_for 10 grep -q 'reloaded: generation 3' "$slog"

# ---- sessions aborting mid-message, under load -------------------------------------
ld_sampler_start "$mdir/supervised.pid" "$OT_TMP/abort.samples"
# longer than the others (12 s more): the samples' quarters must average
# out the swings of libmilter's worker pool
abort_seconds=$((seconds * 2 + 6))
load_start abort "$abort_seconds" -r 0 -a 50
load_account abort
ld_sampler_stop
kill -0 "$pid" 2>/dev/null && [ "$(cat "$mdir/supervised.pid")" = "$pid" ] && [ ! -s "$restarts" ]
ok $? "aborts: the milter keeps running, same pid $pid"
for kind in abort-quit-mail abort-rset abort-drop-rcpt abort-drop-data; do
    n=$(awk -v k="$kind" '$3 == k' "$OT_TMP/abort.results" | wc -l | tr -d ' ')
    [ "$n" -gt 0 ]
    ok $? "aborts: $kind happened under load ($n)"
done
no_loss "aborts"
[ "$(a accepted)" -gt 0 ] && [ "$(a rejected)" -gt 0 ] && [ "$(a forged_accepted)" = 0 ] &&
    [ "$(a clean_rejected)" = 0 ]
ok $? "aborts: the messages between them get their verdicts (accepted $(a accepted), refused $(a rejected))"
is "$(ld_header_not_once "$sink" X-Origin-Trace)" 0 "aborts: every delivered message has one X-Origin-Trace"
# the milter had a load behind it already (the reload case), but the C
# library's arenas take 10 to 15 s of load to reach their working size
ramp=$(ld_get "$OT_TMP/abort.summary" ramp)
from=$(awk -v r="${ramp:-0}" 'BEGIN { print r + 10 }')
to=$(awk -v r="${ramp:-0}" -v s="$abort_seconds" 'BEGIN { print r + s }')
read -r r0 r1 rp <<< "$(ld_growth "$OT_TMP/abort.samples" 3 "$from" "$to")"
read -r f0 f1 fp <<< "$(ld_growth "$OT_TMP/abort.samples" 4 "$from" "$to")"
sed 's/^/# abort sample: t pid rss fds threads: /' "$OT_TMP/abort.samples"
ld_below "$rp" 10
ok $? "aborts: RSS flat (first quarter $r0 kB, last $r1 kB: $rp%)"
ld_below "$fp" 10
ok $? "aborts: descriptors flat (first quarter $f0, last $f1: $fp%)"
milter_in_path "after the aborts"

# ---- SIGKILL mid-load, milter_default_action=accept (README.md) ---------------------
grep -q '^milter_default_action = accept' "$top_srcdir/README.md"
ok $? "README.md recommends milter_default_action = accept"
pf_set "$pf" milter_default_action=accept
load_start killa "$seconds" -r 100 -w 300 -g 60
load_reached killa 4
kill -KILL "$pid"
killed=$pid
load_account killa
pid=$(ld_supervised_pid "$slog" "$sock" 2)
[ -n "$pid" ] && [ "$pid" != "$killed" ] && [ "$(wc -l < "$restarts")" -eq 1 ] &&
    [ "$(awk '{ print $3 }' "$restarts")" = 137 ]
ok $? "SIGKILL (accept): the supervisor restarted the milter (pid $killed -> $pid, killed by signal 9)"
is "$(ld_get "$OT_TMP/killa.summary" tempfail)" 0 "SIGKILL (accept): clients saw no 4xx"
no_loss "SIGKILL (accept)"
unfiltered=$(ld_header_not_once "$sink" X-Origin-Trace)
echo "# SIGKILL (accept): $unfiltered message(s) passed unfiltered while the milter was down"
[ "$unfiltered" -gt 0 ]
ok $? "SIGKILL (accept): the kill hit the load (messages passed unchecked meanwhile: $unfiltered)"
milter_in_path "SIGKILL (accept), restarted"

# ---- SIGKILL mid-load, milter_default_action=tempfail ---------------------------------
pf_set "$pf" milter_default_action=tempfail
load_start killt "$seconds" -r 100 -w 300 -g 60
load_reached killt 4
kill -KILL "$pid"
killed=$pid
load_account killt
pid=$(ld_supervised_pid "$slog" "$sock" 3)
[ -n "$pid" ] && [ "$pid" != "$killed" ] && [ "$(wc -l < "$restarts")" -eq 2 ]
ok $? "SIGKILL (tempfail): the supervisor restarted the milter (pid $killed -> $pid)"
s_tempfail=$(ld_get "$OT_TMP/killt.summary" tempfail)
[ "${s_tempfail:-0}" -gt 0 ] && [ "$(a retried)" -gt 0 ]
ok $? "SIGKILL (tempfail): clients saw 4xx and re-sent ($s_tempfail 4xx, $(a retried) messages re-sent)"
no_loss "SIGKILL (tempfail)"
retried_ok=$(awk 'FNR == NR { n[$1]++; last[$1] = $3; next } { got[$1]++ }
    END { for (t in n) if (n[t] > 1 && last[t] == "accepted" && got[t] == 1) c++; print c + 0 }' \
    "$OT_TMP/killt.results" "$OT_TMP/killt.delivered")
[ "$retried_ok" -gt 0 ]
ok $? "SIGKILL (tempfail): re-sent messages were delivered once ($retried_ok)"
is "$(a forged_accepted)" 0 "SIGKILL (tempfail): no forged message got through"
is "$(ld_header_not_once "$sink" X-Origin-Trace)" 0 "SIGKILL (tempfail): every delivered message was checked (one X-Origin-Trace each)"
milter_in_path "SIGKILL (tempfail), restarted"

# ---- the supervisor's stop ---------------------------------------------------------------
ld_supervisor_stop
! kill -0 "$pid" 2>/dev/null
ok $? "supervisor stop: the milter is gone"
is "$(grep -c '^stopped$' "$slog")" 1 "supervisor stop: the milter stopped cleanly (logged once: the killed ones could not)"

done_testing
