# lib.sh - DNS servers on 127.0.0.1 for the tests (sourced; POSIX sh).
#
# Owns: a private authoritative server (Debian's nsd, run as the current
# user in the foreground) serving every tests/dns/zones/*.zone (the zone
# is the file name without ".zone"); a black-hole server that takes
# queries and never answers, or answers late, with garbage or with an
# error code (blackhole.py); and a port nobody listens on.
# Used by tests/dns.sh and by the MTA integration tests.
#
#   ot_dns_available            0 when nsd, dig and python3 are there (else
#                               prints what is missing: feed it to skip_all)
#   ot_dns_start [ZONEDIR]      starts nsd, waits (bounded) until every zone
#                               answers; exports OT_DNS_PORT, OT_DNS_PID
#   ot_dns_stop                 stops it
#   ot_dns_query NAME TYPE      dig +short against it (for diagnostics)
#   ot_blackhole_start [MODE [DELAY]]
#                               a misbehaving server (blackhole.py --mode):
#                               silent (default: never answers), slow
#                               (answers after DELAY seconds, default 1),
#                               garbage (hostile bytes), servfail, refused;
#                               exports OT_BLACKHOLE_PORT, OT_BLACKHOLE_PID
#                               and OT_BLACKHOLE_LOG (one line per query)
#   ot_blackhole_stop           stops the one started last
#   ot_dns_dead_port            prints a port free on UDP and TCP right now
#   ot_dns_cleanup              stops everything started here
#   ot_dns_scratch              a test's scratch directory, OT_DNS_SCRATCH
#
# Limits: servers listen on 127.0.0.1 only, on ports found free at start
# (a start that loses the race for its port is retried twice); every wait
# is bounded; each server also dies by itself after OT_DNS_LIFETIME
# seconds (default 900), so a killed test cannot leave one behind for
# long. Cleanup: when tests/integration/lib.sh is loaded too, the pids go
# to its ot_register_pid and the files under its OT_TMP (call ot_tmp_init
# first); otherwise an EXIT trap here stops them and removes the files
# (OT_KEEP=1 keeps them).
#
# Needs top_srcdir (set by make check and by every test script).

OT_DNS_SRC=${top_srcdir:-.}/tests/dns
OT_DNS_LIFETIME=${OT_DNS_LIFETIME:-900}
OT_DNS_RUNDIR=
OT_DNS_PORT=
OT_DNS_PID=
OT_BLACKHOLE_PORT=
OT_BLACKHOLE_PID=
OT_BLACKHOLE_LOG=
OT_BLACKHOLE_RUNS=0
OT_BLACKHOLE_PIDS=

ot_dns_log() { printf '# %s\n' "$*" >&2; }

ot_dns_available() {
    command -v nsd >/dev/null 2>&1 || { echo "nsd is not installed (Debian: nsd)"; return 1; }
    command -v dig >/dev/null 2>&1 || { echo "dig is not installed (Debian: bind9-dnsutils)"; return 1; }
    command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed"; return 1; }
    return 0
}

# One directory per run for configs, pid files and logs.
ot_dns_rundir() {
    [ -n "$OT_DNS_RUNDIR" ] && [ -d "$OT_DNS_RUNDIR" ] && return 0
    if command -v ot_register_pid >/dev/null 2>&1 && [ -n "${OT_TMP:-}" ] && [ -d "$OT_TMP" ]; then
        OT_DNS_RUNDIR=$OT_TMP/dns
        mkdir -p "$OT_DNS_RUNDIR" || return 1
    else
        OT_DNS_RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/ot-dns.XXXXXX") || return 1
        trap ot_dns_cleanup EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM HUP
    fi
}

# A scratch directory for a test script, inside the run directory so that
# the same cleanup removes it: sets OT_DNS_SCRATCH (no subshell, so that
# the run directory and its EXIT trap stay with the script).
ot_dns_scratch() {
    ot_dns_rundir || return 1
    OT_DNS_SCRATCH=$OT_DNS_RUNDIR/scratch
    mkdir -p "$OT_DNS_SCRATCH"
}

ot_dns_track() { # pid
    if command -v ot_register_pid >/dev/null 2>&1; then ot_register_pid "$1"; fi
}

# TERM, up to 5 s, then KILL; never a process we did not start.
ot_dns_kill() { # pid
    local pid=$1 i=0
    [ -n "$pid" ] || return 0
    if kill -TERM "$pid" 2>/dev/null; then
        while [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

# A port free for UDP and TCP on 127.0.0.1 at the moment of asking.
ot_dns_dead_port() {
    python3 - <<'EOF'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        u.close()
        t.close()
    print(port)
    break
else:
    raise SystemExit(1)
EOF
}

ot_dns_query() { # name type
    dig +short +norec +time=1 +tries=1 -p "$OT_DNS_PORT" @127.0.0.1 "$1" "$2" 2>/dev/null
}

# Does every zone answer its SOA?
ot_dns_all_zones_answer() { # zonedir
    local f zone
    for f in "$1"/*.zone; do
        zone=$(basename "$f" .zone)
        [ -n "$(ot_dns_query "$zone" SOA)" ] || return 1
    done
    return 0
}

ot_dns_write_conf() { # conf zonedir port
    local f zone
    {
        printf 'server:\n'
        printf '    ip-address: 127.0.0.1\n    port: %s\n' "$3"
        printf '    do-ip4: yes\n    do-ip6: no\n    reuseport: no\n'
        printf '    username: ""\n    chroot: ""\n    database: ""\n'
        printf '    zonelistfile: "%s/zone.list"\n' "$OT_DNS_RUNDIR"
        printf '    xfrdfile: "%s/xfrd.state"\n' "$OT_DNS_RUNDIR"
        printf '    xfrdir: "%s"\n' "$OT_DNS_RUNDIR"
        printf '    pidfile: "%s/nsd.pid"\n' "$OT_DNS_RUNDIR"
        printf '    logfile: "%s/nsd.log"\n' "$OT_DNS_RUNDIR"
        printf '    server-count: 1\n    verbosity: 1\n    hide-version: yes\n'
        # response rate limiting would throttle the benchmark's one client
        # (every query comes from 127.0.0.1) into truncations and retries
        printf '    rrl-ratelimit: 0\n    rrl-whitelist-ratelimit: 0\n'
        printf 'remote-control:\n    control-enable: no\n'
        for f in "$2"/*.zone; do
            zone=$(basename "$f" .zone)
            printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$zone" "$f"
        done
    } > "$1"
}

ot_dns_start() { # [zonedir]
    local zones=${1:-$OT_DNS_SRC/zones} conf port pid attempt=0 i
    ot_dns_available >/dev/null || return 1
    zones=$(cd "$zones" && pwd) || return 1
    ot_dns_rundir || return 1
    conf=$OT_DNS_RUNDIR/nsd.conf
    while [ $attempt -lt 3 ]; do
        attempt=$((attempt + 1))
        port=$(ot_dns_dead_port) || return 1
        ot_dns_write_conf "$conf" "$zones" "$port"
        rm -f "$OT_DNS_RUNDIR/zone.list" "$OT_DNS_RUNDIR/xfrd.state"
        timeout -k 5 "$OT_DNS_LIFETIME" nsd -d -c "$conf" > "$OT_DNS_RUNDIR/nsd.out" 2>&1 &
        pid=$!
        OT_DNS_PORT=$port
        i=0
        # up to 30 s: a loaded CI machine can be slow to start it
        while [ $i -lt 150 ] && kill -0 "$pid" 2>/dev/null; do
            if ot_dns_all_zones_answer "$zones"; then
                OT_DNS_PID=$pid
                ot_dns_track "$pid"
                export OT_DNS_PORT OT_DNS_PID
                return 0
            fi
            sleep 0.2
            i=$((i + 1))
        done
        ot_dns_log "nsd did not serve every zone on port $port (attempt $attempt):"
        sed 's/^/#   /' "$OT_DNS_RUNDIR/nsd.out" "$OT_DNS_RUNDIR/nsd.log" 2>/dev/null | tail -n 20 >&2
        ot_dns_kill "$pid"
    done
    OT_DNS_PORT=
    return 1
}

ot_dns_stop() {
    ot_dns_kill "$OT_DNS_PID"
    OT_DNS_PID=
}

ot_blackhole_start() { # [mode [delay]]
    local mode=${1:-silent} delay=${2:-1} pf pid i=0
    ot_dns_available >/dev/null || return 1
    ot_dns_rundir || return 1
    OT_BLACKHOLE_RUNS=$((OT_BLACKHOLE_RUNS + 1))
    # one port file and one query log per server: a test may run several
    pf=$OT_DNS_RUNDIR/blackhole-$OT_BLACKHOLE_RUNS.port
    OT_BLACKHOLE_LOG=$OT_DNS_RUNDIR/blackhole-$OT_BLACKHOLE_RUNS-$mode.out
    rm -f "$pf"
    python3 "$OT_DNS_SRC/blackhole.py" --port-file "$pf" --lifetime "$OT_DNS_LIFETIME" \
        --mode "$mode" --delay "$delay" > "$OT_BLACKHOLE_LOG" 2>&1 &
    pid=$!
    while [ $i -lt 50 ] && [ ! -s "$pf" ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    if [ ! -s "$pf" ]; then
        ot_dns_log "the black-hole server ($mode) did not start:"
        sed 's/^/#   /' "$OT_BLACKHOLE_LOG" >&2
        ot_dns_kill "$pid"
        return 1
    fi
    OT_BLACKHOLE_PORT=$(cat "$pf")
    OT_BLACKHOLE_PID=$pid
    OT_BLACKHOLE_PIDS="$OT_BLACKHOLE_PIDS $pid"
    ot_dns_track "$pid"
    export OT_BLACKHOLE_PORT OT_BLACKHOLE_PID OT_BLACKHOLE_LOG
}

ot_blackhole_stop() {
    ot_dns_kill "$OT_BLACKHOLE_PID"
    OT_BLACKHOLE_PIDS=$(printf '%s\n' $OT_BLACKHOLE_PIDS | grep -vx "$OT_BLACKHOLE_PID" | tr '\n' ' ')
    OT_BLACKHOLE_PID=
}

ot_dns_cleanup() {
    local rc=$? pid
    ot_dns_stop
    ot_blackhole_stop
    # any other black-hole server started and not stopped
    for pid in $OT_BLACKHOLE_PIDS; do ot_dns_kill "$pid"; done
    OT_BLACKHOLE_PIDS=
    if [ -n "$OT_DNS_RUNDIR" ] && [ -d "$OT_DNS_RUNDIR" ]; then
        if [ "${OT_KEEP:-0}" = 1 ]; then ot_dns_log "kept $OT_DNS_RUNDIR"
        else rm -rf "$OT_DNS_RUNDIR"; fi
    fi
    OT_DNS_RUNDIR=
    return $rc
}
