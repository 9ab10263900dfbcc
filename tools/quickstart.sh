#!/bin/bash
# quickstart.sh - see origin-trace work on a real Postfix in one command.
#
# Owns: the README's first command. On a Debian 12 machine, as root, it
#   1. installs what the build and the demo need (apt-get; Postfix is
#      preseeded "No configuration", so no system mail server is set up or
#      started, and nothing listens on port 25);
#   2. builds: autoreconf -fi && ./configure && make, at the repository root;
#   3. starts origin-trace-milter (enforce mode) and a private Postfix on
#      127.0.0.1 at a free port (tests/integration/lib.sh), wired together;
#   4. sends a clean message and a forged one shaped like real spam (a
#      zombie with a bare-IP HELO and a forged Received chain), presenting
#      their outside clients with XCLIENT;
#   5. prints the delivered message's headers with X-Origin-Trace, and the
#      SMTP rejection of the forged one; then stops everything and removes
#      its temporary directory (OT_KEEP=1 keeps it for a look around).
#
# Limits: loopback only; no DNS; every wait bounded. --no-install skips
# step 1, --no-build skips step 2 (uses the existing build in
# $top_builddir, default the repository root).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}

install=1
build=1
for arg in "$@"; do
    case $arg in
    --no-install) install=0 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--no-install] [--no-build]" >&2; exit 2 ;;
    esac
done

say() { printf '\n==> %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || { echo "quickstart: run as root (installs packages, runs Postfix)" >&2; exit 1; }

# What the build needs, then what the demo needs.
build_packages="build-essential autoconf automake pkg-config libjson-c-dev libmilter-dev
    libunbound-dev libevent-dev libspf2-dev libopendkim-dev"
demo_packages="postfix swaks m4 iproute2"

if [ $install -eq 1 ]; then
    say "installing packages: $build_packages $demo_packages"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || exit 1
    apt-get install -y -q --no-install-recommends $build_packages $demo_packages || exit 1
fi

if [ $build -eq 1 ]; then
    say "building in $top_srcdir"
    (cd "$top_srcdir" && autoreconf -fi && ./configure -q && make -j"$(nproc)") || exit 1
    top_builddir=$top_srcdir
fi

. "$top_srcdir/tests/integration/lib.sh"
milter_bin=$(ot_milter_bin)
[ -x "$milter_bin" ] || { echo "quickstart: no $milter_bin" >&2; exit 1; }
ot_postfix_available || { echo "quickstart: Postfix is not installed" >&2; exit 1; }

ot_tmp_init ot-quickstart
pf="$OT_TMP/postfix"
sock="$OT_TMP/milter/origin-trace.sock"
mkdir -p "$OT_TMP/milter"

say "starting origin-trace-milter (enforce: reject at score 6)"
ot_write_config "$OT_TMP/milter/origin-trace.conf" enforce 6 4
sed 's/^/    /' "$OT_TMP/milter/origin-trace.conf"
ot_origin_trace_start "$milter_bin" "$OT_TMP/milter/origin-trace.conf" "$sock" \
    "$OT_TMP/milter/milter.log" || exit 1

port=$(ot_free_port)
say "starting a private Postfix on 127.0.0.1:$port (smtpd_milters = unix:$sock)"
PF_MILTER="unix:$sock" pf_setup "$pf" "$port"
pf_start "$pf" "$port" || exit 1

msgdir="$top_srcdir/tests/integration/msg"
ot_message_from_template "$msgdir/clean.eml" "$OT_TMP/clean.eml" "quickstart-clean-$$"
ot_message_from_template "$msgdir/forged.eml" "$OT_TMP/forged.eml" "quickstart-forged-$$"

say "sending a clean message: client 198.51.100.25 mail.sender.example"
ot_send "$port" alice@sender.example "user@$OT_TEST_DOMAIN" mail.sender.example \
    "$OT_TMP/clean.eml" "$OT_TMP/clean.out" 198.51.100.25 mail.sender.example
echo "    Postfix answered: $(ot_last_reply "$OT_TMP/clean.out")"

delivered=
ot_wait_for 30 eval 'delivered=$(ot_find_message "$(pf_sink "$pf")" "quickstart-clean-$$"); [ -n "$delivered" ]'
if [ -n "$delivered" ]; then
    say "the clean message as delivered (headers)"
    sed -n '1,/^$/p' "$delivered" | sed 's/^/    /'
else
    echo "quickstart: the clean message was not delivered; Postfix's log:" >&2
    tail -n 20 "$pf/maillog" >&2
fi

say "sending a forged message: client 203.0.113.77 (host77.pool.zombienet.example), HELO 203.0.113.77, forged Received chain"
sed -n '1,/^$/p' "$OT_TMP/forged.eml" | sed 's/^/    | /'
ot_send "$port" service@bank.example "user@$OT_TEST_DOMAIN" 203.0.113.77 \
    "$OT_TMP/forged.eml" "$OT_TMP/forged.out" 203.0.113.77 host77.pool.zombienet.example
say "Postfix's answer to the forged message"
echo "    Postfix answered: $(ot_last_reply "$OT_TMP/forged.out")"
grep -E 'milter-reject|reject:' "$pf/maillog" | tail -n 1 | sed 's/^/    maillog: /'
say "why: origin-trace-milter's log line for it"
grep -E 'action=reject' "$OT_TMP/milter/milter.log" | tail -n 1 | sed 's/^/    /'

say "done; stopping the milter and Postfix"
