#!/bin/bash
# hardening.sh - the unit's sandbox and the daemon's refusal to run as root (TAP).
#
# Owns:
#   - systemd-analyze security --offline rates systemd/origin-trace-milter.service
#     "OK" or better. Its scale is 0.0-10.0 (printed) or 0-100 (--threshold):
#     PERFECT 0, SAFE below 1.0, OK below 5.0, then MEDIUM, EXPOSED, UNSAFE,
#     DANGEROUS; so the unit must be at most 4.9, --threshold=49. Skipped
#     (per test) when systemd-analyze or its --offline is missing.
#   - privileges, as main.c and privilege.c promise (origin-trace-milter(8),
#     START-UP and PERMISSIONS):
#       UserID naming a missing user: exit 2, the message names the user,
#       no socket is made (-n only warns: a file for another host);
#       as root with UserID nobody: every uid and gid (real, effective,
#       saved) and the groups are nobody's, the socket belongs to nobody, the
#       PidFile (written as root, mode 0644 whatever Umask says) in a
#       directory nobody can write is removed at stop;
#       as nobody with UserID naming another user: exit 1, "refusing to
#       run", never a silent run; as nobody with UserID nobody: runs;
#       as root without UserID: runs, and warns that it runs as root;
#       a configuration only root can read: the start reads it (as root),
#       a SIGHUP after the drop is refused and logged, the daemon goes on.
#
# Limits: the privilege cases need root (they switch users with setpriv)
# and are skipped without it. Nothing listens on the network: the sockets
# are unix sockets in a temporary directory. Every wait is bounded.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/tap.sh"

unit="$top_srcdir/systemd/origin-trace-milter.service"
milter_bin=${OT_MILTER_BIN:-$top_builddir/milter/daemon/origin-trace-milter}

# ---- the unit's exposure ---------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null 2>&1; then
    skip "systemd-analyze security: exposure at most 4.9" "systemd-analyze missing"
    skip "systemd-analyze security: rated OK or better" "systemd-analyze missing"
elif ! systemd-analyze --help 2>/dev/null | grep -q -- '--offline'; then
    skip "systemd-analyze security: exposure at most 4.9" "systemd-analyze has no --offline (systemd < 250)"
    skip "systemd-analyze security: rated OK or better" "systemd-analyze has no --offline"
else
    report=$(timeout 60 systemd-analyze security --offline=yes --threshold=49 "$unit" 2>&1)
    rc=$?
    overall=$(printf '%s\n' "$report" | grep 'Overall exposure level' | sed 's/^[^O]*//')
    echo "# $overall"
    # what still costs exposure, for whoever tightens the unit next
    printf '%s\n' "$report" | grep '✗' | sed 's/  \+/ /g; s/^/#   /'
    is "$rc" 0 "systemd-analyze security: exposure at most 4.9 (--threshold=49)"
    like "$overall" ': [0-4]\.[0-9] (OK|SAFE|PERFECT)' "systemd-analyze security: rated OK or better"
fi

# ---- privileges -------------------------------------------------------------------------
priv_tests=15
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null 2>&1 || [ ! -x "$milter_bin" ] ||
    ! getent passwd nobody >/dev/null || ! getent passwd daemon >/dev/null; then
    why="needs root, setpriv, the users nobody and daemon, and a built milter"
    for i in $(seq 1 $priv_tests); do skip "privileges ($i)" "$why"; done
    done_testing
    exit $?
fi

tmp=$(mktemp -d /tmp/ot-hardening.XXXXXX) || exit 1
chmod 0755 "$tmp"
pids=
cleanup() {
    local rc=$? p i
    for p in $pids; do
        kill -TERM "$p" 2>/dev/null
        for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

nobody_uid=$(id -u nobody)
nobody_gid=$(id -g nobody)
nogroup=$(id -gn nobody)
mkdir -p "$tmp/nobody"
chown nobody:"$nogroup" "$tmp/nobody"
# the unprivileged runs need a binary nobody can reach: the build may sit
# under a directory only root can enter
cp "$milter_bin" "$tmp/origin-trace-milter" && chmod 0755 "$tmp/origin-trace-milter"
user_bin="$tmp/origin-trace-milter"

conf() { # file [extra lines...]
    local f=$1
    shift
    {
        echo "# hardening.sh test configuration"
        echo "Mode monitor"
        echo "DNS no"
        echo "Syslog no"
        echo "LogLevel info"
        echo "Umask 007"
        for line in "$@"; do echo "$line"; done
    } > "$f"
    chmod 0644 "$f"
}

# start LOG CMD...: runs CMD in the background; waits (20 s) for "started".
# Sets pid; returns 1 if the daemon never said it started.
start() {
    local log=$1
    shift
    "$@" > "$log" 2>&1 &
    pid=$!
    pids="$pids $pid"
    local i
    for i in $(seq 1 100); do
        grep -q 'started: socket' "$log" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

stop() { # pid: TERM, 20 s at most
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 1 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

ids_of() { # pid -> "uid-line / gid-line / groups"
    awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 } /^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
         /^Groups:/ { $1 = ""; sub(/^ /, ""); gr = $0 }
         END { print u " / " g " / " gr }' "/proc/$1/status"
}

# 1-3: UserID names a user that does not exist
missing_user="ot-no-such-user-$$"
conf "$tmp/missing.conf" "UserID $missing_user"
timeout 30 "$milter_bin" -f -c "$tmp/missing.conf" -p "unix:$tmp/missing.sock" > "$tmp/missing.log" 2>&1
is "$?" 2 "UserID $missing_user (no such user): exit status 2"
like "$(cat "$tmp/missing.log")" "UserID: unknown user $missing_user" "UserID missing: the message names the user"
[ ! -e "$tmp/missing.sock" ]
ok $? "UserID missing: no socket was made"

# 4: -n on such a file only warns (a file prepared for another host)
timeout 30 "$milter_bin" -n -c "$tmp/missing.conf" > "$tmp/check.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q "warning: UserID" "$tmp/check.log"
ok $? "UserID missing, -n: status 0 with a warning (status $rc)"

# 5-8: root with UserID nobody: everything is nobody's, nothing can go back
conf "$tmp/drop.conf" "UserID nobody"
if start "$tmp/drop.log" "$milter_bin" -f -c "$tmp/drop.conf" -p "unix:$tmp/nobody/drop.sock" \
    -P "$tmp/nobody/drop.pid"; then
    ids=$(ids_of "$pid")
    want="$nobody_uid $nobody_uid $nobody_uid $nobody_uid / $nobody_gid $nobody_gid $nobody_gid $nobody_gid / $nobody_gid"
    is "$ids" "$want" "root with UserID nobody: real, effective, saved uid and gid and the groups are nobody's"
    is "$(stat -c '%U %a' "$tmp/nobody/drop.sock")" "nobody 770" \
        "root with UserID nobody: the socket belongs to nobody, mode 0770 (Umask 007)"
    is "$(stat -c '%U %a' "$tmp/nobody/drop.pid" 2>/dev/null)" "root 644" \
        "root with UserID nobody: the PidFile is written as root, mode 0644 whatever Umask says"
    # a configuration only root can read: read at start, refused at reload
    chmod 0600 "$tmp/drop.conf"
    kill -HUP "$pid"
    for i in $(seq 1 50); do grep -q 'reload refused' "$tmp/drop.log" && break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && grep -q "reload refused.*Permission denied" "$tmp/drop.log"
    ok $? "a configuration only root can read: SIGHUP after the drop is refused, logged, and the daemon goes on"
    stop "$pid"
    [ ! -e "$tmp/nobody/drop.pid" ]
    ok $? "root with UserID nobody: a PidFile in a directory nobody can write is removed at stop"
else
    sed 's/^/#   /' "$tmp/drop.log"
    for i in 1 2 3 4 5; do ok 1 "root with UserID nobody: (did not start)"; done
fi

# 9-10: not root, UserID another user: refuse, never run on as oneself
conf "$tmp/other.conf" "UserID daemon"
timeout 30 setpriv --reuid=nobody --regid="$nogroup" --clear-groups -- \
    "$user_bin" -f -c "$tmp/other.conf" -p "unix:$tmp/nobody/other.sock" > "$tmp/other.log" 2>&1
is "$?" 1 "started as nobody with UserID daemon: exit status 1"
like "$(cat "$tmp/other.log")" "refusing to run: cannot become daemon: not running as root" \
    "started as nobody with UserID daemon: says it refuses and why"

# 11-12: not root, UserID that same user: nothing to switch, it runs
conf "$tmp/same.conf" "UserID nobody"
if start "$tmp/same.log" setpriv --reuid=nobody --regid="$nogroup" --clear-groups -- \
    "$user_bin" -f -c "$tmp/same.conf" -p "unix:$tmp/nobody/same.sock"; then
    ok 0 "started as nobody with UserID nobody: runs"
    is "$(ids_of "$pid" | cut -d/ -f1 | tr -s ' ' | sed 's/ $//')" \
        "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" "started as nobody with UserID nobody: stays nobody"
    stop "$pid"
else
    sed 's/^/#   /' "$tmp/same.log"
    ok 1 "started as nobody with UserID nobody: runs"
    ok 1 "started as nobody with UserID nobody: stays nobody"
fi

# 13-14: root without UserID: runs as root, and says so
conf "$tmp/root.conf"
if start "$tmp/root.log" "$milter_bin" -f -c "$tmp/root.conf" -p "unix:$tmp/root.sock"; then
    like "$(cat "$tmp/root.log")" "running as root: set UserID" "root without UserID: warns that it runs as root"
    is "$(ids_of "$pid" | cut -d' ' -f1)" 0 "root without UserID: runs as root (documented in START-UP)"
    stop "$pid"
else
    sed 's/^/#   /' "$tmp/root.log"
    ok 1 "root without UserID: (did not start)"
    ok 1 "root without UserID: (did not start)"
fi

done_testing
