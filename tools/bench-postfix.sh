#!/bin/bash
# bench-postfix.sh - what origin-trace-milter costs a real Postfix.
#
# Owns: one benchmark run. A private loopback Postfix (tests/integration/
# lib.sh) receives the same load three times: with no milter, with
# tests/bench/null_milter (speaks the milter protocol, does nothing), and
# with origin-trace-milter (monitor mode, DNS off: every message is accepted
# and fully analysed, no resolver in the figure); then, when nsd is there,
# twice more with DNS on against nsd on 127.0.0.1 (tests/dns/lib.sh):
# "dns-warm" with the zones' TTLs (the resolver's cache answers all but
# the first message) and "dns-cold" with every TTL 0, so that every lookup
# of every message goes to the server. The handoff (our gateway's line
# names 203.0.113.77, HELO mail.good.test) gets a PTR lookup, the HELO's
# A and AAAA, one blocklist (bl.test) and SPF for the envelope sender
# (pass.auth.test). smtp-source sends
# MESSAGES messages over SESSIONS parallel sessions, one message per
# connection, as an MX sees them. For each run it prints messages per
# second (smtp-source's wall time) and CPU milliseconds per message, split
# into Postfix (master and every child, living or reaped, from /proc) and
# the milter; then the ratios, and one line with the three rates and the
# ratio origin-trace / null_milter.
#
# The message is tests/integration/msg/forged-relayed.eml (or -F FILE): the
# client is 127.0.0.1, which the milter always trusts, so the message
# carries our gateway's Received line and a forged chain below it, and the
# analysis walks it all. The sink discards: the numbers are about receiving.
#
# Limits: root only; loopback only; every run is bounded (-T seconds, 300
# by default) and so is the count (at most 20,000 messages, 100 sessions).
#
# Usage: tools/bench-postfix.sh [-m MESSAGES] [-s SESSIONS] [-F FILE] [-T SECONDS]
#   top_builddir (default: the repository root) must hold a build: the
#   milter and tests/bench/null_milter (made here if missing).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/integration/lib.sh"

messages=2000
sessions=20
message_template="$top_srcdir/tests/integration/msg/forged-relayed.eml"
limit=300
while getopts m:s:F:T: opt; do
    case $opt in
    m) messages=$OPTARG ;;
    s) sessions=$OPTARG ;;
    F) message_template=$OPTARG ;;
    T) limit=$OPTARG ;;
    *) echo "usage: $0 [-m MESSAGES] [-s SESSIONS] [-F FILE] [-T SECONDS]" >&2; exit 2 ;;
    esac
done
case "$messages$sessions$limit" in *[!0-9]*) echo "bench: counts must be numbers" >&2; exit 2 ;; esac
[ "$messages" -ge 1 ] && [ "$messages" -le 20000 ] || { echo "bench: 1..20000 messages" >&2; exit 2; }
[ "$sessions" -ge 1 ] && [ "$sessions" -le 100 ] || { echo "bench: 1..100 sessions" >&2; exit 2; }
[ "$limit" -ge 10 ] && [ "$limit" -le 3600 ] || { echo "bench: 10..3600 seconds" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (Postfix runs its own users)" >&2; exit 1; }
ot_postfix_available || { echo "bench: apt-get install postfix" >&2; exit 1; }
smtp_source=$(command -v smtp-source || echo /usr/sbin/smtp-source)
[ -x "$smtp_source" ] || { echo "bench: smtp-source missing (postfix package)" >&2; exit 1; }
milter_bin=$(ot_milter_bin)
[ -x "$milter_bin" ] || { echo "bench: no $milter_bin: build first" >&2; exit 1; }
null_bin="$top_builddir/tests/bench/null_milter"
if [ ! -x "$null_bin" ]; then
    make -C "$top_builddir" tests/bench/null_milter >/dev/null || { echo "bench: cannot build null_milter" >&2; exit 1; }
fi

ot_tmp_init ot-bench
pf="$OT_TMP/postfix"
mkdir -p "$OT_TMP/milter"
ticks=$(getconf CLK_TCK)

# CPU ticks (user+system, own and reaped children) of one process.
proc_ticks() { # pid
    [ -r "/proc/$1/stat" ] || { echo 0; return; }
    # fields after the ")" that closes the command name: 14-17 of stat(5)
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 + $14 + $15 }'
}

# Postfix's ticks: master with all it reaped, plus each living child.
postfix_ticks() {
    local master total child
    master=$(pf_master_pid "$pf")
    total=$(proc_ticks "$master")
    for child in $(pgrep -P "$master"); do
        total=$((total + $(proc_ticks "$child")))
    done
    echo "$total"
}

now() { date +%s.%N; }

ot_message_from_template "$message_template" "$OT_TMP/message.eml" "ot-bench-$$" mail.good.test

port=$(ot_free_port)
PF_SINK=discard pf_setup "$pf" "$port"
pf_start "$pf" "$port" || exit 1

# run NAME MILTER-SOCKET-OR-EMPTY MILTER-PID-OR-EMPTY: one measured load.
run() {
    local name=$1 spec=$2 mpid=$3 pf0 pf1 m0 m1 t0 t1 rc
    local sender=${BENCH_SENDER:-bench@sender.example}
    pf_set "$pf" "smtpd_milters=$spec"
    # a short warm-up so that process start-up is not billed to the run
    timeout 60 "$smtp_source" -s 2 -m 20 -f "$sender" -t "user@$OT_TEST_DOMAIN" \
        -M "gw.$OT_TEST_DOMAIN" -F "$OT_TMP/message.eml" "$OT_SMTP_HOST:$port" >/dev/null 2>&1
    ot_wait_for 60 pf_queue_empty "$pf"
    pf0=$(postfix_ticks); m0=0; [ -n "$mpid" ] && m0=$(proc_ticks "$mpid")
    t0=$(now)
    timeout "$limit" "$smtp_source" -s "$sessions" -m "$messages" \
        -f "$sender" -t "user@$OT_TEST_DOMAIN" -M "gw.$OT_TEST_DOMAIN" \
        -F "$OT_TMP/message.eml" "$OT_SMTP_HOST:$port" > "$OT_TMP/$name.out" 2>&1
    rc=$?
    t1=$(now)
    ot_wait_for "$limit" pf_queue_empty "$pf"
    pf1=$(postfix_ticks); m1=0; [ -n "$mpid" ] && m1=$(proc_ticks "$mpid")
    if [ $rc -ne 0 ]; then
        echo "bench: $name: smtp-source failed ($rc):" >&2
        tail -n 5 "$OT_TMP/$name.out" >&2
        return 1
    fi
    awk -v n="$name" -v m="$messages" -v t0="$t0" -v t1="$t1" -v hz="$ticks" \
        -v p="$((pf1 - pf0))" -v f="$((m1 - m0))" 'BEGIN {
            s = t1 - t0; if (s <= 0) s = 0.001
            printf "%-13s %9.1f %10.3f %10.3f %10.3f\n", n, m / s,
                p * 1000 / hz / m, f * 1000 / hz / m, (p + f) * 1000 / hz / m
        }' | tee -a "$OT_TMP/results"
}

printf '%s messages, %s parallel sessions, message %s (%s bytes)\n' \
    "$messages" "$sessions" "$(basename "$message_template")" "$(wc -c < "$OT_TMP/message.eml" | tr -d ' ')"
printf 'runs: none = no milter; null_milter = tests/bench/null_milter (empty libmilter filter);\n'
printf '      origin-trace = origin-trace-milter, Mode monitor, DNS off;\n'
printf '      dns-warm / dns-cold = the same with lookups against nsd on loopback,\n'
printf '      cache warm (zone TTLs) / cold (every TTL 0); all in this one run\n'
printf '%-13s %9s %10s %10s %10s\n' run "msg/s" "postfix-ms" "milter-ms" "total-ms"

run none "" "" || exit 1

ot_milter_start "$OT_TMP/milter/null.sock" "$OT_TMP/milter/null.log" \
    "$null_bin" -p "unix:$OT_TMP/milter/null.sock" || exit 1
null_pid=$OT_LAST_PID
run null_milter "unix:$OT_TMP/milter/null.sock" "$null_pid" || exit 1
ot_milter_stop "$null_pid"

ot_write_config "$OT_TMP/milter/bench.conf" monitor 6 4
# DNS off whatever the test config's default becomes: the figure is the
# analysis, not a resolver's latency
sed -i -e 's/^LogLevel .*/LogLevel error/' -e '/^DNS /d' "$OT_TMP/milter/bench.conf"
echo "DNS no" >> "$OT_TMP/milter/bench.conf"
ot_origin_trace_start "$milter_bin" "$OT_TMP/milter/bench.conf" "$OT_TMP/milter/ot.sock" \
    "$OT_TMP/milter/ot.log" || exit 1
ot_pid=$OT_LAST_PID
run origin-trace "unix:$OT_TMP/milter/ot.sock" "$ot_pid" || exit 1
ot_milter_stop "$ot_pid"

# ---- with lookups: nsd on loopback, warm and cold cache ------------------------------
. "$top_srcdir/tests/dns/lib.sh"
# dns_run NAME ZONEDIR: origin-trace with DNS on against nsd serving ZONEDIR
dns_run() {
    local name=$1 zones=$2 conf="$OT_TMP/milter/$1.conf"
    ot_dns_start "$zones" || { echo "bench: nsd did not start" >&2; return 1; }
    ot_write_config "$conf" monitor 6 4
    sed -i -e 's/^LogLevel .*/LogLevel error/' -e '/^DNS /d' "$conf"
    printf 'DNS yes\nNameservers 127.0.0.1@%s\nDNSTimeout 5\nDNSBLZones bl.test\n' "$OT_DNS_PORT" >> "$conf"
    ot_origin_trace_start "$milter_bin" "$conf" "$OT_TMP/milter/$name.sock" \
        "$OT_TMP/milter/$name.log" || return 1
    local pid=$OT_LAST_PID
    BENCH_SENDER=bench@pass.auth.test run "$name" "unix:$OT_TMP/milter/$name.sock" "$pid"
    local rc=$?
    grep -q 'incomplete=' "$OT_TMP/milter/$name.log" &&
        echo "bench: $name: some lookups did not answer (see the milter log)" >&2
    ot_milter_stop "$pid"
    ot_dns_stop
    return $rc
}
if why=$(ot_dns_available); then
    dns_run dns-warm "$top_srcdir/tests/dns/zones" || exit 1
    # the same zones with every TTL 0: nothing is cached, every message
    # asks (negative answers too: their TTL is at most the SOA record's)
    mkdir -p "$OT_TMP/zones-ttl0"
    for z in "$top_srcdir"/tests/dns/zones/*.zone; do
        sed -e 's/^\$TTL .*/$TTL 0/' \
            -e 's/^\([^ \t;$][^ \t]*\)[ \t][ \t]*[0-9][0-9]*[ \t][ \t]*IN/\1 IN/' \
            "$z" > "$OT_TMP/zones-ttl0/$(basename "$z")"
    done
    dns_run dns-cold "$OT_TMP/zones-ttl0" || exit 1
else
    echo "bench: no DNS runs: $why" >&2
fi

# ratios: origin-trace against each baseline
awk '{ rate[$1] = $2; cpu[$1] = $5 }
    END {
        printf "\norigin-trace / none:        msg/s x%.2f, CPU per message x%.2f\n",
            rate["origin-trace"] / rate["none"], cpu["origin-trace"] / (cpu["none"] > 0 ? cpu["none"] : 1e-9)
        printf "origin-trace / null_milter: msg/s x%.2f, CPU per message x%.2f\n",
            rate["origin-trace"] / rate["null_milter"], cpu["origin-trace"] / (cpu["null_milter"] > 0 ? cpu["null_milter"] : 1e-9)
        printf "\nmsg/s: none %.1f, null_milter %.1f, origin-trace (DNS off) %.1f; origin-trace/null_milter %.2f\n",
            rate["none"], rate["null_milter"], rate["origin-trace"], rate["origin-trace"] / rate["null_milter"]
        if ("dns-warm" in rate)
            printf "with lookups: dns-warm %.1f (x%.2f of none), dns-cold %.1f (x%.2f of none)\n",
                rate["dns-warm"], rate["dns-warm"] / rate["none"], rate["dns-cold"], rate["dns-cold"] / rate["none"]
    }' "$OT_TMP/results"
