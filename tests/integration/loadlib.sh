# loadlib.sh - load runs against a private Postfix with origin-trace-milter
# (sourced after lib.sh).
#
# Owns: what tools/load-postfix.sh, tests/integration/load.sh and
# tests/integration/faults.sh share: a Postfix instance sized for hundreds
# of concurrent sessions, the load client (tests/load/smtp-load), a
# sampler of the milter's memory and descriptors, a supervisor that
# restarts the milter the way systemd's Restart=on-failure does, and the
# accounting that matches what the client was told against what the
# Maildir sink received, token by token.
#
# Limits: loopback only; every run is bounded by the caller's seconds plus
# a fixed margin, and every process started here is stopped by
# ld_cleanup (hooked in front of lib.sh's EXIT trap by ld_init). The
# sampler reads /proc once a second, so a growth shorter than a few
# seconds is invisible to it; the growth check is a heuristic over means,
# not a leak detector.
#
# Shell state: a few LD_* variables, written only here.

LD_SAMPLER_PID=
LD_SUPERVISOR_PID=
LD_SUPERVISOR_PIDFILE=
LD_LOAD_PID=
LD_MSGDIR=

ld_load_bin() { echo "${OT_LOAD_BIN:-${top_builddir:-.}/tests/load/smtp-load}"; }

# Hooks ld_cleanup in front of lib.sh's cleanup (after ot_tmp_init): the
# supervisor needs longer than lib.sh's ten seconds to stop a milter under
# load, and lib.sh does not know the milter's pid behind it.
ld_init() {
    LD_MSGDIR="${top_srcdir:-.}/tests/integration/msg"
    trap 'ld_rc=$?; ld_cleanup; (exit $ld_rc); ot_cleanup' EXIT
}

ld_cleanup() {
    [ -n "$LD_LOAD_PID" ] && { kill -TERM "$LD_LOAD_PID" 2>/dev/null; wait "$LD_LOAD_PID" 2>/dev/null; }
    LD_LOAD_PID=
    ld_sampler_stop
    ld_supervisor_stop
}

# Writes an instance (lib.sh's pf_setup) able to hold SESSIONS concurrent
# SMTP sessions: Postfix's process limit is 100 by default, and its error
# limits would slow down (soft limit) and then drop (hard limit) a session
# that has had many messages refused - which a long session of forged
# mail is, by design.
ld_postfix_setup() { # dir port sessions
    local dir=$1 port=$2 sessions=$3
    pf_setup "$dir" "$port" || return 1
    postconf -c "$dir/etc" -e \
        "default_process_limit = $((sessions + 50))" \
        "smtpd_soft_error_limit = 100000" \
        "smtpd_hard_error_limit = 100000" \
        "smtpd_junk_command_limit = 100000" \
        "smtpd_error_sleep_time = 0"
}

# The enforce-mode test config with one threshold: no message lands in the
# hold queue, so every message is either refused (5xx) or delivered.
ld_write_config() { # file
    ot_write_config "$1" enforce 6 6
    sed -i 's/^LogLevel .*/LogLevel info/' "$1"
}

# ---- the load client ---------------------------------------------------------

# Runs smtp-load in the background against PORT, writing RESULTS and the
# key=value SUMMARY (progress lines go to SUMMARY.progress); BOUND seconds
# at most (SIGTERM, then SIGKILL 5 s later). Sets LD_LOAD_PID; ld_load_wait
# collects it.
ld_load_start() { # bound port results summary smtp-load-args...
    local bound=$1 port=$2 results=$3 summary=$4
    shift 4
    timeout --kill-after=5 "$bound" "$(ld_load_bin)" -s "$OT_SMTP_HOST:$port" \
        -C "$LD_MSGDIR/clean-relayed.eml" -F "$LD_MSGDIR/forged-relayed.eml" \
        -R "user@$OT_TEST_DOMAIN" -e "gw.$OT_TEST_DOMAIN" -o "$results" "$@" \
        > "$summary" 2> "$summary.progress" &
    LD_LOAD_PID=$!
}

ld_load_wait() {
    local rc=0
    [ -n "$LD_LOAD_PID" ] || return 1
    wait "$LD_LOAD_PID" || rc=$?
    LD_LOAD_PID=
    return $rc
}

# One value from a key=value summary line.
ld_get() { # summary key
    tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -n 1
}

# ---- what was delivered --------------------------------------------------------

# Waits (bounded) until Postfix has delivered everything it accepted.
ld_drain() { # pf-dir seconds
    ot_wait_for "$2" pf_queue_empty "$1"
}

# The token of every delivered message, one a line (a message delivered
# twice appears twice).
ld_delivered_tokens() { # sink out
    find "$1" -path "$1/tmp" -prune -o -type f -print0 2>/dev/null |
        xargs -0 -r grep -h -m 1 '^marker: ' | sed 's/^marker: //; s/\r$//' > "$2"
}

# Delivered files with not exactly one field NAME in the header.
ld_header_not_once() { # sink name
    find "$1" -path "$1/tmp" -prune -o -type f -print0 2>/dev/null |
        xargs -0 -r awk -v want="$(printf '%s' "$2" | tr 'A-Z' 'a-z')" '
            FNR == 1 { if (NR > 1 && n != 1) bad++; n = 0; inhdr = 1 }
            inhdr && /^\r?$/ { inhdr = 0 }
            inhdr && tolower(substr($0, 1, length(want) + 1)) == want ":" { n++ }
            END { if (NR > 0 && n != 1) bad++; print bad + 0 }' |
        awk '{ bad += $1 } END { print bad + 0 }'   # xargs may run several batches
}

# Delivered files whose header has a field NAME at all.
ld_header_present() { # sink name
    find "$1" -path "$1/tmp" -prune -o -type f -print0 2>/dev/null |
        xargs -0 -r grep -l -i -m 1 "^$2:" | wc -l | tr -d ' '
}

# Matches the client's results against the delivered tokens. Prints one
# key=value line:
#   tokens      messages the client began
#   accepted rejected tempfail aborted drop lost incomplete
#               tokens by their last event (tempfail/drop: given up)
#   retried     tokens with more than one attempt
#   missing     accepted but not delivered
#   duplicated  delivered more than once
#   leaked      refused, aborted or given up, yet delivered
#   unknown     delivered but never sent by this run
#   forged_accepted clean_rejected
ld_account() { # results delivered-tokens
    awk '
        FNR == NR { n[$1]++; last[$1] = $3; kind[$1] = $2; next }
        { got[$1]++ }
        END {
            for (t in last) {
                tokens++
                e = last[t]
                if (e ~ /^abort-/) e = "aborted"
                if (e == "lost-reply") e = "lost"
                count[e]++
                if (n[t] > 1) retried++
                if (e == "accepted" && !(t in got)) missing++
                if ((e == "rejected" || e == "aborted" || e == "tempfail" || e == "drop") && (t in got)) leaked++
                if (e == "accepted" && kind[t] == "forged") forged_accepted++
                if (e == "rejected" && kind[t] == "clean") clean_rejected++
            }
            for (t in got) {
                if (got[t] > 1) duplicated++
                if (!(t in last)) unknown++
            }
            printf "tokens=%d accepted=%d rejected=%d tempfail=%d aborted=%d drop=%d lost=%d incomplete=%d retried=%d missing=%d duplicated=%d leaked=%d unknown=%d forged_accepted=%d clean_rejected=%d\n",
                tokens, count["accepted"], count["rejected"], count["tempfail"], count["aborted"],
                count["drop"], count["lost"], count["incomplete"], retried, missing, duplicated,
                leaked, unknown, forged_accepted, clean_rejected
        }' "$1" "$2"
}

# ---- the milter's footprint -------------------------------------------------------

# Appends "SECONDS PID RSS_KB FDS THREADS" to OUT every second. PIDSRC is a
# pid, or a file holding one, read at every sample: a supervisor restarts
# the milter under a new pid. A missing process gives "- - -".
ld_sampler_start() { # pidsrc out
    local src=$1 out=$2
    : > "$out"
    (
        trap 'exit 0' TERM
        start=$(date +%s%N)
        while :; do
            pid=$src
            [ -f "$src" ] && pid=$(cat "$src" 2>/dev/null)
            t=$(( ($(date +%s%N) - start) / 1000000 ))
            t=$(printf '%d.%d' $((t / 1000)) $((t % 1000 / 100)))
            if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
                read -r rss threads < <(awk '/^VmRSS:/ { r = $2 } /^Threads:/ { h = $2 }
                    END { print r + 0, h + 0 }' "/proc/$pid/status" 2>/dev/null)
                fds=(/proc/"$pid"/fd/*)
                echo "$t $pid ${rss:--} ${#fds[@]} ${threads:--}" >> "$out"
            else
                echo "$t ${pid:--} - - -" >> "$out"
            fi
            sleep 1
        done
    ) &
    LD_SAMPLER_PID=$!
}

ld_sampler_stop() {
    [ -n "$LD_SAMPLER_PID" ] || return 0
    kill -TERM "$LD_SAMPLER_PID" 2>/dev/null
    wait "$LD_SAMPLER_PID" 2>/dev/null
    LD_SAMPLER_PID=
}

# Compares the mean of column COL (3 RSS, 4 fds, 5 threads) over the first
# and the last quarter of the samples taken between FROM and TO seconds
# (FROM skips the warm-up: process start, glibc arenas, Postfix spawning
# its smtpd processes). Prints "FIRST LAST PERCENT", or "- - -" with fewer
# than 8 samples.
ld_growth() { # samples col from to
    awk -v col="$2" -v from="$3" -v to="$4" '
        $1 + 0 >= from && $1 + 0 <= to && $col ~ /^[0-9]+$/ { v[n++] = $col }
        END {
            if (n < 8) { print "- - -"; exit }
            q = int(n / 4)
            for (i = 0; i < q; i++) { a += v[i]; b += v[n - q + i] }
            a /= q; b /= q
            printf "%.0f %.0f %.1f\n", a, b, (a > 0 ? (b - a) * 100 / a : 0)
        }' "$1"
}

# 0 when PERCENT is below LIMIT (a number; "-" fails).
ld_below() { # percent limit
    awk -v p="$1" -v l="$2" 'BEGIN { exit !(p ~ /^-?[0-9.]+$/ && p + 0 < l + 0) }'
}

# ---- a supervisor, as systemd's Restart=on-failure -----------------------------------

# Runs the milter in the foreground under a bash loop: when it ends with a
# non-zero status or by a signal it is started again after RestartSec (1 s
# here); a clean exit ends the loop. PIDFILE always holds the current
# milter's pid; RESTARTS gets "EPOCH PID STATUS" for every restart. TERM to
# the loop (ld_supervisor_stop) stops the milter with TERM, as systemd's
# stop does.
ld_supervisor_start() { # bin conf sock log pidfile restarts
    local bin=$1 conf=$2 sock=$3 log=$4 pidfile=$5 restarts=$6
    : > "$restarts"
    rm -f "$pidfile"
    (
        # bash reports a killed child on its standard error: into the log
        exec 2>> "$log"
        child=
        trap '[ -n "$child" ] && { kill -TERM "$child" 2>/dev/null; wait "$child"; }; exit 0' TERM
        while :; do
            ( umask 000; exec "$bin" -f -c "$conf" -p "unix:$sock" ) >> "$log" 2>&1 &
            child=$!
            echo "$child" > "$pidfile"
            wait "$child"
            rc=$?
            [ "$rc" -eq 0 ] && break
            echo "$(date +%s) $child $rc" >> "$restarts"
            sleep 1
        done
    ) &
    LD_SUPERVISOR_PID=$!
    LD_SUPERVISOR_PIDFILE=$pidfile
}

# Stops the loop and its milter: TERM, 30 s at most (a milter under load
# drains for up to five seconds, and libmilter notices the stop only every
# few), then KILL to both.
ld_supervisor_stop() {
    local i child=
    [ -n "$LD_SUPERVISOR_PID" ] || return 0
    [ -r "$LD_SUPERVISOR_PIDFILE" ] && child=$(cat "$LD_SUPERVISOR_PIDFILE")
    kill -TERM "$LD_SUPERVISOR_PID" 2>/dev/null
    for i in $(seq 1 300); do
        kill -0 "$LD_SUPERVISOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$LD_SUPERVISOR_PID" 2>/dev/null; then
        [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
        kill -KILL "$LD_SUPERVISOR_PID" 2>/dev/null
    fi
    wait "$LD_SUPERVISOR_PID" 2>/dev/null
    LD_SUPERVISOR_PID=
}

# The supervised milter is up: its pid is alive, its socket exists and the
# log says "started" at least STARTS times (once more after each restart).
ld_supervised_up() { # log sock starts
    local pid
    [ -S "$2" ] || return 1
    pid=$(cat "$LD_SUPERVISOR_PIDFILE" 2>/dev/null)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    [ "$(grep -c 'started: socket' "$1")" -ge "$3" ]
}

# Waits (20 s at most) for the STARTS-th start; prints the milter's pid.
ld_supervised_pid() { # log sock starts
    ot_wait_for 20 ld_supervised_up "$1" "$2" "$3" || return 1
    cat "$LD_SUPERVISOR_PIDFILE"
}
