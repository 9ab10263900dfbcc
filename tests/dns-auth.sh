#!/bin/sh
# dns-auth.sh - SPF (libspf2) and DKIM (libopendkim) through our resolver,
# against nsd serving tests/dns/zones on 127.0.0.1 (TAP).
#
# Signs one message with tests/dns/dkim-sign and the test key
# tests/dns/keys/ot-test.private under the selectors auth.test publishes
# (ot2024: its key; stale: another key; revoked: none), then runs
# tests/dns/test_auth, whose results are relayed here. What each case
# expects is in test_auth.c and in the comments of auth.test.zone.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/dns/lib.sh"

SIGN=$top_builddir/tests/dns/dkim-sign
RUN=$top_builddir/tests/dns/test_auth
KEY=$top_srcdir/tests/dns/keys/ot-test.private
[ -x "$SIGN" ] && [ -x "$RUN" ] || skip_all "tests/dns/dkim-sign and test_auth are not built"
missing=$(ot_dns_available) || skip_all "$missing"

ot_dns_scratch || exit 1
tmp=$OT_DNS_SCRATCH

ot_dns_start || { echo "1..0 # SKIP nsd could not serve the test zones"; exit 0; }
like "$(ot_dns_query pass.auth.test TXT)" 'v=spf1 ip4:192\.0\.2\.25' "nsd serves auth.test"

# The message: folded header fields, a body with trailing white space and
# a trailing empty line, so both canonicalizations have work to do.
cat > "$tmp/message.eml" <<'EOF'
From: Alice Example <alice@auth.test>
To: bob@example.org
Subject: the quarterly
	report, folded
Date: Tue, 14 May 2024 12:00:00 +0000
Message-ID: <dkim-test-1@auth.test>
X-Note:   spaced   value  

The quick brown fox jumps over the lazy dog.   
Second line	with a tab.

EOF

sign() { # selector canon out
    "$SIGN" -k "$KEY" -s "$1" -d auth.test -c "$2" "$tmp/message.eml" > "$3"
}
sign ot2024 relaxed "$tmp/signed.eml"
ok $? "dkim-sign signs (relaxed/relaxed)"
like "$(head -n 1 "$tmp/signed.eml")" \
    '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=auth\.test; s=ot2024;' \
    "the signature field comes first, rsa-sha256, d=auth.test"
awk 'body { print; next } NR == 1 || /^[ \t]/ { next } { body = 1; print }' "$tmp/signed.eml" |
    cmp -s - "$tmp/message.eml"
ok $? "the message follows the signature unchanged"
sign ot2024 simple "$tmp/simple.eml"
ok $? "dkim-sign signs (simple/simple)"
sign stale relaxed "$tmp/stale.eml" && sign revoked relaxed "$tmp/revoked.eml"
ok $? "dkim-sign signs under the stale and revoked selectors"
"$SIGN" -k "$tmp/nonexistent.pem" -s x -d auth.test "$tmp/message.eml" > /dev/null 2>&1
is $? 1 "dkim-sign fails on a missing key file"

# test_auth's TAP, renumbered into ours
"$RUN" "$tmp/signed.eml" "$tmp/simple.eml" "$tmp/stale.eml" "$tmp/revoked.eml" \
    "$tmp/message.eml" > "$tmp/run.out" 2> "$tmp/run.err"
tap_fold test_auth "$tmp/run.out" "$tmp/run.err" $?

done_testing
