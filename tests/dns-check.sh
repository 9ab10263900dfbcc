#!/bin/sh
# dns-check.sh - origin-trace-check --dns: the milter's lookups for the
# handoff of a stored message, against nsd on 127.0.0.1 (TAP).
#
# Each message carries the line our MX (mx.example.org) wrote when it took
# the message from a fixture client of tests/dns/README.md; the analyzer
# finds that handoff offline, then asks nsd what the milter would have
# asked: PTR and its confirmation, the HELO's addresses, the blocklist,
# SPF for Return-Path, DKIM over the stored body. The same message
# analysed --offline must show none of it.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/dns/lib.sh"

BIN=$top_builddir/milter/cli/origin-trace-check
SIGN=$top_builddir/tests/dns/dkim-sign
KEY=$top_srcdir/tests/dns/keys/ot-test.private
[ -x "$BIN" ] && [ -x "$SIGN" ] || skip_all "origin-trace-check or tests/dns/dkim-sign not built"
missing=$(ot_dns_available) || skip_all "$missing"

ot_dns_scratch || exit 1
tmp=$OT_DNS_SCRATCH

ot_dns_start || { echo "1..0 # SKIP nsd could not serve the test zones"; exit 0; }

cat > "$tmp/dns.conf" <<CONF
DNS yes
Nameservers 127.0.0.1@$OT_DNS_PORT
DNSTimeout 5
DNSBLZones bl.test
LocalHostnames mx.example.org
Weight RCVD_PRIVATE_IP 0
CONF

# message NAME CLIENT-IP HELO RETURN-PATH: the stored message as our MX
# delivered it
message() {
    cat > "$tmp/$1.eml" <<MSG
Return-Path: <$4>
Received: from $3 (unknown [$2])
	by mx.example.org (Postfix) with ESMTP id 4F2A11C0
	for <user@example.org>; Tue, 14 May 2024 12:00:05 +0000 (UTC)
From: Alice Example <alice@auth.test>
To: user@example.org
Subject: figures
Date: Tue, 14 May 2024 12:00:00 +0000
Message-ID: <$1@auth.test>

The figures are attached.
MSG
}

header() { # file [options]: the X-Origin-Trace value
    f=$1
    shift
    "$BIN" -c "$tmp/dns.conf" --now 1715688000 "$@" "$f" | cut -f 4
}

signals() { printf '%s\n' "$1" | sed -n 's/.*signals=\([^ ]*\).*/\1/p'; }

# check NAME IP HELO RETURN-PATH MUST [MUST-NOT]
check() {
    message "$1" "$2" "$3" "$4"
    h=$(header "$tmp/$1.eml" --dns)
    echo "# $1: $h"
    s=",$(signals "$h"),"
    for want in $(echo "$5" | tr ',' ' '); do
        like "$s" ",$want," "$1: $want fires"
    done
    for not in $(echo "${6:-}" | tr ',' ' '); do
        case $s in *",$not,"*) ok 1 "$1: $not does not fire" ;; *) ok 0 "$1: $not does not fire" ;; esac
    done
}

check fcrdns-pass 192.0.2.10 mail.good.test alice@good.test "" FCRDNS_FAIL,RDNS_NONE,HELO_NXDOMAIN
check fcrdns-fail 192.0.2.20 mail.good.test alice@good.test FCRDNS_FAIL RDNS_NONE
check no-ptr 192.0.2.30 mail.good.test alice@good.test RDNS_NONE FCRDNS_FAIL
check dynamic 203.0.113.45 mail.good.test alice@good.test RDNS_DYNAMIC RDNS_NONE
check helo-nxdomain 192.0.2.10 nxdomain.good.test alice@good.test HELO_NXDOMAIN
check dnsbl 192.0.2.99 mail.good.test alice@good.test DNSBL_LISTED
check spf-pass 192.0.2.25 mail.auth.test alice@pass.auth.test SPF_PASS SPF_FAIL
check spf-fail 192.0.2.25 mail.auth.test alice@fail.auth.test SPF_FAIL SPF_PASS
check spf-softfail 192.0.2.25 mail.auth.test alice@softfail.auth.test SPF_SOFTFAIL SPF_FAIL
like "$(header "$tmp/spf-fail.eml" --dns)" ' spf=fail ' "spf-fail: the header carries spf=fail"

off=$(header "$tmp/spf-fail.eml" --offline)
case $off in *spf=*) ok 1 "--offline: no spf= (no lookups)" ;; *) ok 0 "--offline: no spf= (no lookups)" ;; esac
case $(signals "$off") in *FCRDNS*|*SPF_*|*DNSBL*) ok 1 "--offline: no DNS signal" ;; *) ok 0 "--offline: no DNS signal" ;; esac

# DKIM over the stored body: signed as stored, then with the body altered
message dkim 192.0.2.25 mail.auth.test alice@pass.auth.test
"$SIGN" -k "$KEY" -s ot2024 -d auth.test "$tmp/dkim.eml" > "$tmp/signed.eml"
ok $? "dkim-sign signs the stored message"
h=$(header "$tmp/signed.eml" --dns)
echo "# dkim: $h"
like "$h" ' dkim=pass ' "signed: dkim=pass"
like "$(signals "$h")" 'DKIM_PASS' "signed: DKIM_PASS fires"
sed 's/The figures are attached\./The figures are NOT attached./' "$tmp/signed.eml" > "$tmp/altered.eml"
h=$(header "$tmp/altered.eml" --dns)
echo "# dkim altered: $h"
like "$h" ' dkim=fail ' "body altered: dkim=fail"
like "$(signals "$h")" 'DKIM_FAIL' "body altered: DKIM_FAIL fires"
# an mbox of two: the body of each is its own
{ echo "From alice@auth.test Tue May 14 12:00:00 2024"; cat "$tmp/signed.eml"; echo;
  echo "From alice@auth.test Tue May 14 12:00:01 2024"; cat "$tmp/altered.eml"; } > "$tmp/box.mbox"
"$BIN" -c "$tmp/dns.conf" --now 1715688000 --dns "$tmp/box.mbox" > "$tmp/box.out"
is "$(cut -f 4 "$tmp/box.out" | sed -n 's/.* dkim=\([a-z]*\).*/\1/p' | tr '\n' ' ')" "pass fail " \
    "mbox: each message's DKIM over its own body"

# a server that never answers: still a verdict, the checks named incomplete
ot_blackhole_start || { ok 1 "black-hole server started"; done_testing; exit; }
sed "s/^Nameservers .*/Nameservers 127.0.0.1@$OT_BLACKHOLE_PORT/; s/^DNSTimeout .*/DNSTimeout 1/" \
    "$tmp/dns.conf" > "$tmp/blackhole.conf"
h=$("$BIN" -c "$tmp/blackhole.conf" --now 1715688000 --dns "$tmp/fcrdns-fail.eml" | cut -f 4)
echo "# black hole: $h"
like "$h" 'incomplete=[a-z,]*ptr' "black hole: ptr named incomplete"
# our PTR lookup was made and did not answer: what the line recorded
# ("unknown") is not taken for "no name" either
case $(signals "$h") in *FCRDNS_FAIL*|*RDNS_NONE*) ok 1 "black hole: no reverse-DNS signal from an unknown" ;;
    *) ok 0 "black hole: no reverse-DNS signal from an unknown" ;; esac

done_testing
