# lib.sh - private loopback MTAs for the integration tests (sourced).
#
# Owns: one temporary directory per run (OT_TMP) and everything started in
# it: a private Postfix instance (Debian's postfix package, its own
# config_directory, queue and Maildir sink), a private sendmail (Debian's
# sendmail-bin unpacked by fetch-sendmail.sh into a cache, never installed),
# the milter under test, and an SMTP client (swaks). Used by postfix.sh,
# sendmail.sh, tools/quickstart.sh and tools/bench-postfix.sh.
#
# Limits: every server listens on 127.0.0.1 only, on a port found free at
# start; nothing is relayed off the machine (the only transports are a
# local sink and "error:"); no DNS is asked (peer name lookups off, DNS
# support disabled, sendmail's service switch reads files only). Every wait
# is bounded. Postfix and sendmail must run as root. The EXIT trap stops
# every process started here, by its own pid, and removes OT_TMP (keep it
# for a post-mortem with OT_KEEP=1).
#
# Shell state lives in a few OT_* variables: a sourced library has no
# other place for it, and nothing outside this file writes them.

OT_TMP=
OT_PIDS=
OT_POSTFIX_DIRS=
OT_LAST_PID=
OT_SMTP_HOST=127.0.0.1
OT_TEST_DOMAIN=example.net
OT_TEST_MX=mx.example.net

ot_log() { printf '# %s\n' "$*" >&2; }

ot_die() { ot_log "fatal: $*"; exit 1; }

# ---- the run's directory and its cleanup ---------------------------------

ot_tmp_init() { # [prefix]
    OT_TMP=$(mktemp -d "/tmp/${1:-ot-it}.XXXXXX") || ot_die "mktemp failed"
    # the postfix user must be able to reach its queue and the Maildir below
    chmod 0755 "$OT_TMP"
    trap ot_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
}

ot_register_pid() { OT_PIDS="$OT_PIDS $1"; }

ot_unregister_pid() {
    OT_PIDS=$(printf '%s\n' $OT_PIDS | grep -vx "$1" | tr '\n' ' ')
}

# Stops one process we started: TERM, up to 10 s, then KILL. (libmilter's
# listener notices a stop only every few seconds.)
ot_stop_pid() { # pid
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

ot_cleanup() {
    local rc=$? pid dir
    trap - EXIT
    for dir in $OT_POSTFIX_DIRS; do pf_stop "$dir"; done
    for pid in $OT_PIDS; do ot_stop_pid "$pid"; done
    if [ -n "$OT_TMP" ] && [ -d "$OT_TMP" ]; then
        if [ "${OT_KEEP:-0}" = 1 ]; then ot_log "kept $OT_TMP"
        else rm -rf "$OT_TMP"; fi
    fi
    exit $rc
}

# ---- waiting, bounded --------------------------------------------------------

# Polls a shell condition every 0.2 s for up to TIMEOUT seconds.
ot_wait_for() { # timeout command...
    local limit=$(( $1 * 5 )) i=0
    shift
    while [ $i -lt $limit ]; do
        "$@" && return 0
        sleep 0.2
        i=$((i + 1))
    done
    "$@"
}

ot_port_listening() { # port
    if command -v ss >/dev/null 2>&1; then
        ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
    else
        (exec 3<>"/dev/tcp/$OT_SMTP_HOST/$1") 2>/dev/null
    fi
}

# A TCP port no socket uses now, listening or connected: a bind fails on a
# port that is the local end of a live connection too. Taken below the
# kernel's ephemeral range, where outgoing connections (the load client's
# hundreds, the resolver's) take their ports, and at random, so that tests
# run in parallel by `make -j check` rarely collide; the MTA's start fails
# loudly if they do.
ot_port_in_use() { # port
    local hex
    hex=$(printf '%04X' "$1")
    if [ -r /proc/net/tcp ]; then
        cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
            awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }'
    else
        ot_port_listening "$1"
    fi
}

ot_free_port() {
    local i port low=32768 span
    read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
    [ "$low" -gt 21024 ] || low=60000   # an unusual range: use the top instead
    span=$(( low - 20000 ))
    for i in $(seq 1 100); do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % span ))
        ot_port_in_use "$port" || { echo "$port"; return 0; }
    done
    ot_die "no free port found"
}

ot_count_files() { # dir (delivered files only, as ot_find_message)
    [ -d "$1" ] || { echo 0; return; }
    find "$1" -path "$1/tmp" -prune -o -type f ! -name '*.tmp' -print | wc -l
}

ot_has_files() { # dir count
    [ "$(ot_count_files "$1")" -ge "$2" ]
}

# ---- reading delivered messages ---------------------------------------------

# Prints every value of header NAME (case-insensitive), unfolded, one a line;
# stops at the end of the header section.
ot_header_values() { # file name
    awk -v want="$(printf '%s' "$2" | tr 'A-Z' 'a-z')" '
        function flush() { if (cur != "") print cur; cur = "" }
        /^\r?$/ { flush(); exit }
        /^[ \t]/ { if (cur != "") { sub(/^[ \t]+/, " "); cur = cur $0 } ; next }
        {
            flush()
            i = index($0, ":")
            if (i > 0 && tolower(substr($0, 1, i - 1)) == want) {
                v = substr($0, i + 1); sub(/^[ \t]+/, "", v); cur = v
            }
        }
        END { flush() }' "$1" | tr -d '\r'
}

ot_header_count() { # file name
    ot_header_values "$1" "$2" | wc -l | tr -d ' '
}

# The value of one token (key=value) in a header value.
ot_token() { # header-value key
    printf '%s\n' "$1" | tr ' ;' '\n\n' | sed -n "s/^$2=//p" | head -n 1
}

# Compares a header's score with a limit: prints below, at-or-above, or
# missing when the score is not a number.
ot_score_vs() { # score limit
    printf '%s\n' "$1" | grep -Eq '^-?[0-9]+(\.[0-9]+)?$' || { echo missing; return; }
    awk -v s="$1" -v l="$2" 'BEGIN { print (s + 0 < l + 0) ? "below" : "at-or-above" }'
}

# A delivered file (in a sink, not still being written: Maildir's tmp/ and
# the sendmail sink's *.tmp are skipped) that mentions a marker.
ot_find_message() { # dir marker
    [ -d "$1" ] || return 1
    find "$1" -path "$1/tmp" -prune -o -type f ! -name '*.tmp' -print0 2>/dev/null |
        xargs -0 -r grep -lF -- "$2" 2>/dev/null | head -n 1
}

# Waits (30 s at most) for the message marked MARK to land in SINK; sets
# `delivered` to its file, or to "" when it never came.
ot_fetch() { # sink mark
    local fetch_sink=$1 fetch_mark=$2
    delivered=
    ot_wait_for 30 eval 'delivered=$(ot_find_message "$fetch_sink" "$fetch_mark"); [ -n "$delivered" ]'
}

# The first X-Origin-Trace of the delivered message; nothing when none came.
ot_trace_header() {
    [ -n "$delivered" ] && ot_header_values "$delivered" X-Origin-Trace | head -n 1
}

# What every clean message shows, whichever MTA carried it, with the test
# configuration's QuarantineScore 4: delivered, one X-Origin-Trace with
# score= and path=, handoff= as expected, action=accept, below 4. Seven TAP
# lines; when nothing came, runs the command SHOW... to say why. Sets h.
ot_check_clean_delivery() { # what handoff handoff-how show...
    local what=$1 handoff=$2 how=$3 i
    shift 3
    [ -n "$delivered" ]; ok $? "$what: delivered to the sink"
    if [ -z "$delivered" ]; then
        for i in 1 2 3 4 5 6; do ok 1 "$what: (not delivered)"; done
        "$@"
        return
    fi
    is "$(ot_header_count "$delivered" X-Origin-Trace)" 1 "$what: exactly one X-Origin-Trace"
    h=$(ot_trace_header)
    echo "# $what: X-Origin-Trace: $h"
    like "$h" '(^| )score=-?[0-9]+(\.[0-9]+)?( |$)' "$what: header carries score="
    like "$h" '(^| )path=[a-z-]+( |$)' "$what: header carries path="
    is "$(ot_token "$h" handoff)" "$handoff" "$what: handoff= is $how"
    is "$(ot_token "$h" action)" accept "$what: action=accept"
    is "$(ot_score_vs "$(ot_token "$h" score)" 4)" below "$what: score stays below QuarantineScore"
}

# ---- test messages ---------------------------------------------------------------

# Writes a message from a template, filling @DATE@ (now, RFC 5322), @OLDDATE@
# (one hour ago), @MSGID@ (unique), @MARK@ (a marker to find it by) and
# @HELO@ (a HELO name a line records; default 203.0.113.77).
ot_message_from_template() { # template out marker [helo]
    local now old id
    now=$(LC_ALL=C date -R)
    old=$(LC_ALL=C date -R -d '1 hour ago')
    id="$(date +%s).$$.$RANDOM@${OT_TEST_DOMAIN}"
    sed -e "s|@DATE@|$now|g" -e "s|@OLDDATE@|$old|g" -e "s|@MSGID@|$id|g" \
        -e "s|@MARK@|$3|g" -e "s|@HELO@|${4:-203.0.113.77}|g" "$1" > "$2"
}

# ---- the SMTP client ------------------------------------------------------------

# Sends one message with swaks; the transcript goes to OUT. With XADDR
# (Postfix only), presents that client address, reverse name and HELO via
# XCLIENT first. Returns swaks's status (0 accepted, 26 refused after DATA).
ot_send() { # port from to helo msgfile out [xaddr [xname]]
    local port=$1 from=$2 to=$3 helo=$4 msg=$5 out=$6
    set -- --server "$OT_SMTP_HOST:$port" --from "$from" --to "$to" \
        --helo "$helo" --data "@$msg" --timeout 60s --hide-informational \
        ${7:+--xclient-addr "$7"} ${7:+--xclient-name "${8:-[UNAVAILABLE]}"} \
        ${7:+--xclient-helo "$helo"}
    swaks "$@" > "$out" 2>&1
}

# The server's last reply in a swaks transcript, without swaks's arrow
# ("<-", "<**", "<~"): e.g. "550 5.7.1 rejected". The greeting and the
# QUIT answer are left out.
ot_last_reply() { # transcript
    sed -n 's/^<[-~*]* \{1,\}\([2-5][0-9][0-9][ -].*\)$/\1/p' "$1" |
        grep -Ev '^(220|221)[ -]' | tail -n 1
}

# ---- the milter under test ------------------------------------------------------

# Runs a milter command (which must stay in the foreground and listen on
# unix socket SOCK) logging to LOG, and waits for the socket. Sets
# OT_LAST_PID (not printed: a command substitution would lose the pid).
ot_milter_start() { # sock log command args...
    local sock=$1 log=$2 pid
    shift 2
    rm -f "$sock"
    # the MTA's processes (user postfix) connect to the socket: it must be
    # writable for them whatever umask the daemon keeps
    ( umask 000; exec "$@" ) > "$log" 2>&1 &
    pid=$!
    ot_register_pid "$pid"
    if ! ot_wait_for 20 test -S "$sock"; then
        ot_log "milter did not create $sock; its log:"
        sed 's/^/#   /' "$log" >&2
        return 1
    fi
    chmod 0666 "$sock" 2>/dev/null
    OT_LAST_PID=$pid
}

# origin-trace-milter itself, in the foreground with config CONF.
ot_origin_trace_start() { # bin conf sock log
    ot_milter_start "$3" "$4" "$1" -f -c "$2" -p "unix:$3"
}

ot_milter_stop() { # pid
    ot_stop_pid "$1"
    ot_unregister_pid "$1"
}

# ---- a private Postfix ---------------------------------------------------------------

ot_postfix_available() {
    command -v postfix >/dev/null 2>&1 && [ -x /usr/lib/postfix/sbin/master ] &&
        getent passwd postfix >/dev/null && getent group postdrop >/dev/null
}

# Writes a complete instance under DIR listening on PORT. Settings by
# environment:
#   PF_MILTER          libmilter socket spec (unix:/path) or empty for none
#   PF_DEFAULT_ACTION  milter_default_action (default tempfail)
#   PF_SINK            maildir (default: every recipient's mail into
#                      DIR/mail/sink/) or discard (nothing is kept)
pf_setup() { # dir port
    local dir=$1 port=$2 uid gid
    uid=$(id -u postfix) gid=$(id -g postfix)
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/mail"
    chown postfix:postfix "$dir/data" "$dir/mail"
    local transport="virtual"
    [ "${PF_SINK:-maildir}" = discard ] && transport="discard:sink"
    cat > "$dir/etc/main.cf" <<EOF
# private test instance: loopback only, nothing leaves the machine
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
myhostname = $OT_TEST_MX
mydomain = $OT_TEST_DOMAIN
myorigin = \$myhostname
mydestination =
inet_interfaces = $OT_SMTP_HOST
# all: Postfix takes an IPv6 XCLIENT ADDR only then; it still listens on
# inet_interfaces alone
inet_protocols = all
mynetworks = 127.0.0.0/8
relayhost =
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_authorized_xclient_hosts = 127.0.0.1
smtpd_banner = \$myhostname ESMTP origin-trace test instance
alias_maps =
alias_database =
local_recipient_maps =
biff = no
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
smtpd_timeout = 60s
virtual_mailbox_domains = $OT_TEST_DOMAIN
virtual_transport = $transport
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = static:sink/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
default_transport = error:this test instance delivers nothing off the machine
relay_transport = error:this test instance delivers nothing off the machine
local_transport = error:this test instance has no local users
smtpd_milters = ${PF_MILTER:-}
milter_default_action = ${PF_DEFAULT_ACTION:-tempfail}
milter_protocol = 6
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s
EOF
    # no chroot: the instance's paths are not under a jail
    cat > "$dir/etc/master.cf" <<EOF
$OT_SMTP_HOST:$port inet n - n - - smtpd
pickup    unix  n - n 60   1 pickup
cleanup   unix  n - n -    0 cleanup
qmgr      unix  n - n 300  1 qmgr
rewrite   unix  - - n -    - trivial-rewrite
bounce    unix  - - n -    0 bounce
defer     unix  - - n -    0 bounce
trace     unix  - - n -    0 bounce
verify    unix  - - n -    1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -    - proxymap
smtp      unix  - - n -    - smtp
showq     unix  n - n -    - showq
error     unix  - - n -    - error
retry     unix  - - n -    - error
discard   unix  - - n -    - discard
virtual   unix  - n n -    - virtual
anvil     unix  - - n -    1 anvil
scache    unix  - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
}

pf_start() { # dir port
    local dir=$1 port=$2
    postfix -c "$dir/etc" check > "$dir/check.log" 2>&1 ||
        { ot_log "postfix check failed:"; sed 's/^/#   /' "$dir/check.log" >&2; return 1; }
    OT_POSTFIX_DIRS="$OT_POSTFIX_DIRS $dir"
    postfix -c "$dir/etc" start > "$dir/start.log" 2>&1 ||
        { ot_log "postfix start failed:"; sed 's/^/#   /' "$dir/start.log" "$dir/maillog" >&2 2>/dev/null; return 1; }
    ot_wait_for 30 ot_port_listening "$port" ||
        { ot_log "postfix is not listening on $port:"; sed 's/^/#   /' "$dir/maillog" >&2; return 1; }
}

pf_master_pid() { # dir
    local f="$1/queue/pid/master.pid"
    [ -r "$f" ] && tr -d ' \n' < "$f"
}

pf_stop() { # dir
    local dir=$1 pid
    case " $OT_POSTFIX_DIRS " in *" $dir "*) ;; *) return 0 ;; esac
    pid=$(pf_master_pid "$dir")
    postfix -c "$dir/etc" stop > /dev/null 2>&1
    if [ -n "$pid" ]; then
        ot_wait_for 15 eval "! kill -0 $pid 2>/dev/null" ||
            kill -KILL "$pid" 2>/dev/null
    fi
    OT_POSTFIX_DIRS=$(printf '%s\n' $OT_POSTFIX_DIRS | grep -vx "$dir" | tr '\n' ' ')
}

# Rewrites main.cf parameters and reloads: `pf_set DIR name=value...`.
pf_set() { # dir name=value...
    local dir=$1
    shift
    postconf -c "$dir/etc" -e "$@" && postfix -c "$dir/etc" reload > /dev/null 2>&1
    # reload is asynchronous: let master re-read before the next session
    sleep 1
}

pf_sink() { echo "$1/mail/sink"; }

pf_log() { [ -r "$1/maillog" ] && sed 's/^/#   /' "$1/maillog" >&2; }

# Every queue file is gone: what was accepted has been delivered.
pf_queue_empty() { # dir
    [ -z "$(find "$1/queue/incoming" "$1/queue/active" "$1/queue/deferred" -type f 2>/dev/null | head -n 1)" ]
}

# ---- a private sendmail ------------------------------------------------------------------

# Where fetch-sendmail.sh unpacked Debian's sendmail packages: OT_SENDMAIL_ROOT,
# else beside the build, else beside the sources (a CI script may fetch
# from the checkout and build elsewhere).
sm_root() {
    local d
    if [ -n "${OT_SENDMAIL_ROOT:-}" ]; then echo "$OT_SENDMAIL_ROOT"; return; fi
    for d in "${top_builddir:-.}" "${top_srcdir:-.}"; do
        if [ -x "$d/tests/integration/sendmail-pkg/root/usr/libexec/sendmail/sendmail" ]; then
            echo "$d/tests/integration/sendmail-pkg/root"
            return
        fi
    done
    echo "${top_builddir:-.}/tests/integration/sendmail-pkg/root"
}

sm_available() {
    [ -x "$(sm_root)/usr/libexec/sendmail/sendmail" ] &&
        [ -r "$(sm_root)/usr/share/sendmail/cf/m4/cf.m4" ] && command -v m4 >/dev/null 2>&1
}

# Writes an instance under DIR on PORT: its .mc and the .cf made from it, a
# queue, an alias database, and a local mailer that files every message
# into DIR/sink. SM_MILTER: a libmilter socket spec, or empty for none;
# SM_MILTER_FLAGS: F= of the filter (default T: tempfail when unreachable).
sm_setup() { # dir port
    local dir=$1 port=$2 root
    root=$(sm_root)
    mkdir -p "$dir/queue" "$dir/sink" "$dir/etc"
    chmod 0700 "$dir/queue"
    # the local mailer runs as sendmail's default user, not root
    chmod 1777 "$dir/sink"
    cat > "$dir/sink.sh" <<EOF
#!/bin/sh
# sink: the local mailer; files each message whole, atomically
umask 022
f="$dir/sink/msg.\$(date +%s%N).\$\$"
cat > "\$f.tmp" && mv "\$f.tmp" "\$f.eml"
EOF
    chmod 0755 "$dir/sink.sh"
    printf 'hosts\tfiles\naliases\tfiles\npasswd\tfiles\n' > "$dir/etc/service.switch"
    printf '127.0.0.1\tlocalhost %s\n' "$OT_TEST_MX" > "$dir/etc/hosts"
    : > "$dir/etc/aliases"
    : > "$dir/etc/local-host-names"
    local filter=""
    if [ -n "${SM_MILTER:-}" ]; then
        filter="INPUT_MAIL_FILTER(\`origin-trace', \`S=${SM_MILTER}, F=${SM_MILTER_FLAGS:-T}, T=C:10s;S:30s;R:30s;E:1m')"
    fi
    cat > "$dir/etc/test.mc" <<EOF
divert(-1)
# private test instance: loopback only, no DNS, every message to the sink
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$OT_TEST_MX')dnl
define(\`confHOSTS_FILE', \`$dir/etc/hosts')dnl
define(\`confSERVICE_SWITCH_FILE', \`$dir/etc/service.switch')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confQUEUE_DIR', \`$dir/queue')dnl
define(\`QUEUE_DIR', \`$dir/queue')dnl
define(\`confPID_FILE', \`$dir/sendmail.pid')dnl
define(\`STATUS_FILE', \`$dir/statistics')dnl
define(\`ALIAS_FILE', \`$dir/etc/aliases')dnl
define(\`confCW_FILE', \`$dir/etc/local-host-names')dnl
define(\`confHELP_FILE', \`')dnl
define(\`confDEF_USER_ID', \`$(id -u nobody):$(id -g nobody)')dnl
define(\`confDONT_BLAME_SENDMAIL', \`AssumeSafeChown,GroupWritableDirPathSafe,RunProgramInUnsafeDirPath,RunWritableProgram,TrustStickyBit,WorldWritableAliasFile,GroupWritableAliasFile,MapInUnsafeDirPath,LinkedAliasFileInWritableDir')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confTO_CONNECT', \`10s')dnl
define(\`confREFUSE_LA', \`999')dnl
define(\`confQUEUE_LA', \`999')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`confPRIVACY_FLAGS', \`goaway')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`LOCAL_MAILER_PATH', \`$dir/sink.sh')dnl
define(\`LOCAL_MAILER_ARGS', \`sink.sh \$u')dnl
define(\`confMILTER_MACROS_CONNECT', \`j, _, {daemon_name}, {if_name}, {if_addr}, {client_addr}, {client_name}, {client_resolve}')dnl
define(\`confMILTER_MACROS_HELO', \`{tls_version}, {cipher}, {cipher_bits}, {cert_subject}, {cert_issuer}')dnl
define(\`confMILTER_MACROS_ENVFROM', \`i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}')dnl
define(\`confMILTER_MACROS_ENVRCPT', \`{rcpt_mailer}, {rcpt_host}, {rcpt_addr}')dnl
define(\`confMILTER_MACROS_EOM', \`{msg_id}, i')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
DAEMON_OPTIONS(\`Port=$port, Addr=$OT_SMTP_HOST, Name=MTA')dnl
$filter
LOCAL_DOMAIN(\`$OT_TEST_MX')dnl
LOCAL_DOMAIN(\`$OT_TEST_DOMAIN')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
    m4 -D_CF_DIR_="$root/usr/share/sendmail/cf/" \
        "$root/usr/share/sendmail/cf/m4/cf.m4" "$dir/etc/test.mc" > "$dir/etc/test.cf" ||
        { ot_log "m4 failed on $dir/etc/test.mc"; return 1; }
    chmod 0644 "$dir/etc/test.cf"
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > "$dir/etc/nsswitch.conf"
    ( sm_exec "$dir" -bi ) > "$dir/newaliases.log" 2>&1 ||
        { ot_log "newaliases failed:"; sed 's/^/#   /' "$dir/newaliases.log" >&2; return 1; }
}

# Runs the unpacked sendmail with the instance's .cf and ARGS, in place of
# the calling shell. sendmail qualifies the machine's own name with the C
# library before it reads its .cf, and sleeps a minute when it cannot: so it
# runs in its own UTS and mount namespaces (unshare without fork: the pid
# stays sendmail's), named mx.example.net, with /etc/hosts and
# /etc/nsswitch.conf bound to files-only copies. The machine's own files and
# name are not touched, and no DNS query leaves the process.
sm_exec() { # dir args...
    local dir=$1
    shift
    exec unshare --uts --mount -- /bin/sh -c '
        dir=$1 name=$2 binary=$3
        shift 3
        mount --make-rprivate / 2>/dev/null
        mount --bind "$dir/etc/hosts" /etc/hosts &&
        mount --bind "$dir/etc/nsswitch.conf" /etc/nsswitch.conf &&
        hostname "$name" || exit 1
        exec "$binary" -C "$dir/etc/test.cf" "$@"' \
        sm "$dir" "$OT_TEST_MX" "$(sm_root)/usr/libexec/sendmail/sendmail" "$@"
}

# Runs sendmail in the foreground (-bD) under our control; sets OT_LAST_PID.
sm_start() { # dir port
    local dir=$1 port=$2 pid
    ( sm_exec "$dir" -bD -q1m ) > "$dir/sendmail.log" 2>&1 &
    pid=$!
    ot_register_pid "$pid"
    if ! ot_wait_for 30 ot_port_listening "$port"; then
        ot_log "sendmail is not listening on $port:"
        sed 's/^/#   /' "$dir/sendmail.log" >&2
        return 1
    fi
    OT_LAST_PID=$pid
}

sm_sink() { echo "$1/sink"; }

# ---- the milter's test configuration ------------------------------------------------

# Writes origin-trace.conf for a test: MODE (enforce|monitor), thresholds
# REJECT and QUARANTINE, and pinned weights for the signals the forged
# fixtures are built to fire, so that the verdicts do not hang on the
# defaults of the day. Every other signal keeps its default weight: a clean
# message that scores anyway is a false positive the test should show.
ot_write_config() { # file mode [reject [quarantine]]
    cat > "$1" <<CONF
# origin-trace test configuration, written by tests/integration/lib.sh
Mode ${2:-enforce}
RejectScore ${3:-6}
QuarantineScore ${4:-4}
TrustedRelays 127.0.0.0/8
LocalHostnames $OT_TEST_MX, gw.$OT_TEST_DOMAIN
HeaderName X-Origin-Trace
DNS no
Syslog no
LogLevel debug
Umask 000
Weight HELO_BARE_IP 3
Weight CHAIN_BREAK 3
Weight RCVD_FORGED_OURS 3
Weight RCVD_DATE_REVERSED 1
Weight MSGID_MISSING 1
# The fixtures' outside hosts use the documentation ranges of RFC 5737 and
# RFC 3849, which the analysis rightly counts as reserved: they stand in
# for public addresses here, so this one signal is off.
Weight RCVD_PRIVATE_IP 0
CONF
}

# The milter under test: OT_MILTER_BIN, else the build's.
ot_milter_bin() {
    echo "${OT_MILTER_BIN:-${top_builddir:-.}/milter/daemon/origin-trace-milter}"
}

# ot_prerequisites WHAT...: checks what a test needs (postfix, sendmail,
# swaks, setpriv, unshare, dns, milter, dkim-sign, smtp-load), says on a TAP
# comment why each missing one is missing, reports one TAP line, and ends
# the test as failed when anything is missing: CI installs all of it, and a
# silent skip there would hide the whole end-to-end check. Sets milter_bin.
ot_prerequisites() {
    local missing=0 what why
    milter_bin=$(ot_milter_bin)
    for what in "$@"; do
        why=
        case $what in
        postfix) ot_postfix_available || why="postfix missing: apt-get install postfix" ;;
        sendmail) sm_available || why="no sendmail at $(sm_root) (tests/integration/fetch-sendmail.sh)" ;;
        swaks|setpriv|unshare) command -v "$what" >/dev/null 2>&1 || why="$what missing" ;;
        dns) why=$(ot_dns_available) && why= ;;
        milter) [ -x "$milter_bin" ] || why="no milter at $milter_bin (make first)" ;;
        dkim-sign) [ -x "$top_builddir/tests/dns/dkim-sign" ] || why="no tests/dns/dkim-sign (make check builds it)" ;;
        smtp-load) [ -x "${OT_LOAD_BIN:-$top_builddir/tests/load/smtp-load}" ] ||
            why="no tests/load/smtp-load (make check builds it)" ;;
        *) why="unknown prerequisite $what" ;;
        esac
        [ -z "$why" ] || { missing=1; echo "# $why"; }
    done
    ok $missing "prerequisites: $*"
    [ $missing -eq 0 ] || { done_testing; exit 1; }
}

# ot_require_root WHAT: the MTA tests run their own servers as root; skip
# (TAP plan 0) without root or when OT_SKIP_INTEGRATION=1 (make distcheck).
ot_require_root() {
    [ "$(id -u)" -eq 0 ] || skip_all "needs root to run $1"
    [ "${OT_SKIP_INTEGRATION:-0}" = 1 ] && skip_all "OT_SKIP_INTEGRATION=1"
    return 0
}
