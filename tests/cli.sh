#!/bin/sh
# cli.sh - origin-trace-check over the project's own sample messages (TAP).
#
# Covers: one valid JSON object per message with every field of the
# interface; mbox, Maildir, directory and stdin input; exit statuses;
# golden outputs of the scenario messages (regenerate them with
# `REGEN=1 tests/cli.sh` after an intended change, and review the diff);
# --explain and --summary; and the seeds' scenarios coming out right.
# Runs from the source tree so that file names in the outputs are the
# stable relative paths tests/fixtures/...
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
. "$top_srcdir/tests/tap.sh"

BIN=$top_builddir/milter/cli/origin-trace-check
[ -x "$BIN" ] || skip_all "origin-trace-check is not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed to read JSON"

cd "$top_srcdir" || exit 1
FIX=tests/fixtures
MSG=$FIX/messages
GOLD=$FIX/golden
CONF=$FIX/test.conf
NOW=1715702400            # 2024-05-14T16:00:00Z, after every fixture's dates
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cli-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

check() { "$BIN" -c "$CONF" --now "$NOW" "$@"; }

# ---- JSON helpers (python3: never parse JSON with sed) -------------------------
cat > "$tmp/validate.py" <<'EOF'
import json, re, sys
REQUIRED = {"file", "score", "action", "path", "origin", "handoff", "signals", "hops", "header"}
ACTIONS = {"accept", "quarantine", "reject"}
PATHS = {"direct-to-mx", "relay", "open-relay", "webform", "submission", "internal", "unknown"}
TRUST = {"trusted", "untrusted", "unparsed"}
HOPKEYS = {"index", "parsed", "trust", "from_helo", "from_rdns", "from_ip", "by", "with",
           "id", "for", "date"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SIG = re.compile(r"^[A-Z][A-Z0-9_]*$")

def printable(s):
    return all(0x20 <= ord(c) < 0x7f for c in s)

def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)

def opt_str(v):
    return v is None or (isinstance(v, str) and v != "")

def check(o):
    keys = set(o)
    if not REQUIRED <= keys: return "missing " + ",".join(sorted(REQUIRED - keys))
    if keys - REQUIRED - {"error"}: return "extra " + ",".join(sorted(keys - REQUIRED))
    if not isinstance(o["file"], str) or not o["file"]: return "file"
    if not isinstance(o["score"], (int, float)) or isinstance(o["score"], bool): return "score"
    if o["action"] not in ACTIONS: return "action"
    if o["path"] not in PATHS: return "path"
    if not isinstance(o["header"], str): return "header"
    for name, keyset in (("origin", {"ip", "rdns", "helo"}), ("handoff", {"ip", "rdns", "helo", "hop"})):
        e = o[name]
        if e is None: continue
        if not isinstance(e, dict) or set(e) != keyset: return name + " keys"
        if not all(opt_str(e[k]) for k in ("ip", "rdns", "helo")): return name + " strings"
        if name == "handoff" and (not isinstance(e["hop"], int) or e["hop"] < -1): return "handoff.hop"
    if not isinstance(o["signals"], list): return "signals"
    for s in o["signals"]:
        if set(s) != {"name", "weight", "detail"}: return "signal keys"
        if not SIG.match(s["name"]): return "signal name " + s["name"]
        if not isinstance(s["weight"], (int, float)): return "signal weight"
        if not opt_str(s["detail"]): return "signal detail"
    if not isinstance(o["hops"], list): return "hops"
    for i, h in enumerate(o["hops"]):
        if set(h) != HOPKEYS: return "hop keys"
        if h["index"] != i: return "hop index"
        if not isinstance(h["parsed"], bool): return "hop parsed"
        if h["trust"] not in TRUST: return "hop trust"
        for k in HOPKEYS - {"index", "parsed", "trust"}:
            if not opt_str(h[k]): return "hop " + k
        if h["date"] is not None and not ISO.match(h["date"]): return "hop date"
    if "error" in o and not (isinstance(o["error"], str) and o["error"]): return "error"
    if not all(printable(s) for s in strings(o)): return "non-printable text"
    return None

n = 0
for line in sys.stdin.buffer:
    try:
        text = line.decode("ascii")
        o = json.loads(text)
    except Exception as e:
        print("invalid JSON line %d: %s" % (n + 1, e)); sys.exit(1)
    why = check(o)
    if why:
        print("line %d (%s): %s" % (n + 1, o.get("file"), why)); sys.exit(1)
    n += 1
print(n)
EOF
# objects: prints how many valid objects arrived on stdin, or why not
objects() { python3 "$tmp/validate.py"; }
# jfield EXPR: evaluates EXPR for each object of stdin, with o the object
# and g("handoff", "ip") a lookup that gives None instead of failing
jfield() {
    python3 -c 'import json, sys
def walk(o, keys):
    for k in keys:
        if isinstance(o, dict): o = o.get(k)
        elif isinstance(o, list) and isinstance(k, int) and -len(o) <= k < len(o): o = o[k]
        else: return None
    return o
for line in sys.stdin:
    o = json.loads(line)
    print(eval(sys.argv[1], {"o": o, "g": lambda *keys: walk(o, keys)}))' "$1"
}
signals_of() { jfield '",".join(s["name"] for s in o["signals"])'; }

# ---- every sample message: exactly one valid object -----------------------------
for f in "$MSG"/*.eml; do
    name=$(basename "$f" .eml)
    check --json "$f" > "$tmp/out" 2> "$tmp/err"
    ok $? "$name: exit status 0"
    is "$(objects < "$tmp/out")" 1 "$name: exactly one valid JSON object with every field"
    is "$(jfield 'o["file"]' < "$tmp/out")" "$f" "$name: file is the path as given"
    like "$(jfield 'o["header"]' < "$tmp/out")" '^score=-?[0-9]+\.[0-9] action=[a-z]+ path=[a-z-]+' \
        "$name: header starts with score, action, path"
done

check "$MSG"/*.eml > "$tmp/lines"
is "$(wc -l < "$tmp/lines" | tr -d ' ')" "$(ls "$MSG"/*.eml | wc -l | tr -d ' ')" \
    "default output: one line per message"
is "$(awk -F '\t' 'NF != 4' "$tmp/lines" | wc -l | tr -d ' ')" 0 \
    "default output: four tab-separated columns"
is "$(awk -F '\t' '$2 !~ /^-?[0-9]+\.[0-9]$/' "$tmp/lines" | wc -l | tr -d ' ')" 0 \
    "default output: score with one decimal"

# ---- input kinds --------------------------------------------------------------------
check --json "$FIX/mbox/sample.mbox" > "$tmp/out"
is "$(objects < "$tmp/out")" 3 "mbox: three messages"
is "$(jfield 'o["file"]' < "$tmp/out" | tr '\n' ' ')" \
    "$FIX/mbox/sample.mbox:1 $FIX/mbox/sample.mbox:2 $FIX/mbox/sample.mbox:3 " \
    "mbox: messages named PATH:N"
is "$(jfield 'g("hops", 0, "id")' < "$tmp/out" | tr '\n' ' ')" "mbox0001 mbox0002 mbox0003 " \
    "mbox: each message keeps its own header (>From body line does not split)"

check --json - < "$FIX/mbox/sample.mbox" > "$tmp/out"
is "$(jfield 'o["file"]' < "$tmp/out" | tr '\n' ' ')" "-:1 -:2 -:3 " "stdin: an mbox on standard input"
check --json - < "$MSG/clean-direct.eml" > "$tmp/out"
ok $? "stdin: exit status 0"
is "$(objects < "$tmp/out")" 1 "stdin: one message"
is "$(jfield 'o["file"]' < "$tmp/out")" "-" "stdin: named -"

check --json "$FIX/maildir" > "$tmp/out"
is "$(objects < "$tmp/out")" 3 "Maildir: cur and new read, tmp skipped"
jfield 'o["file"]' < "$tmp/out" > "$tmp/names"
like "$(head -n 1 "$tmp/names")" '/maildir/cur/1715695830' "Maildir: sorted, cur first"
like "$(tail -n 1 "$tmp/names")" '/maildir/new/' "Maildir: new last"
is "$(grep -c '/tmp/' "$tmp/out")" 0 "Maildir: nothing from tmp"

check --json "$FIX/tree" > "$tmp/out"
is "$(jfield 'o["file"]' < "$tmp/out" | tr '\n' ' ')" \
    "$FIX/tree/one.eml $FIX/tree/sub/deeper/three.eml $FIX/tree/sub/two.eml " \
    "directory: every file below, recursively, sorted, dotfiles skipped"

# ---- exit statuses ---------------------------------------------------------------------
check --json "$tmp/no-such-file.eml" "$MSG/clean-direct.eml" > "$tmp/out" 2> "$tmp/err"
is $? 1 "missing file: exit status 1"
is "$(objects < "$tmp/out")" 1 "missing file: the other input is still analysed"
like "$(cat "$tmp/err")" 'no-such-file\.eml' "missing file: named on standard error"

"$BIN" --no-such-option "$MSG/clean-direct.eml" > /dev/null 2> "$tmp/err"
is $? 2 "unknown option: exit status 2"
"$BIN" --json --summary "$MSG/clean-direct.eml" > /dev/null 2>&1
is $? 2 "two output formats: exit status 2"
"$BIN" > /dev/null 2>&1
is $? 2 "no PATH: exit status 2"
"$BIN" --client-ip 203.0.113.999 "$MSG/clean-direct.eml" > /dev/null 2>&1
is $? 2 "invalid --client-ip: exit status 2"
"$BIN" --helo example.net "$MSG/clean-direct.eml" > /dev/null 2>&1
is $? 2 "--helo without --client-ip: exit status 2"
"$BIN" --now yesterday "$MSG/clean-direct.eml" > /dev/null 2>&1
is $? 2 "bad --now: exit status 2"
"$BIN" -c "$FIX/bad-key.conf" "$MSG/clean-direct.eml" > /dev/null 2> "$tmp/err"
is $? 2 "config with an unknown key: exit status 2"
like "$(cat "$tmp/err")" 'bad-key\.conf:4' "config error names FILE:LINE"
"$BIN" -c "$tmp/no-such.conf" "$MSG/clean-direct.eml" > /dev/null 2>&1
is $? 2 "missing config file: exit status 2"
"$BIN" --help > "$tmp/out"
is $? 0 "--help: exit status 0"
like "$(cat "$tmp/out")" '--client-ip' "--help lists the options"
like "$("$BIN" --version)" '^origin-trace-check .*[0-9]+\.[0-9]+' "--version prints the version"
# --dns against a port where nothing listens: every check is incomplete,
# the message is still analysed (the DNS tests use a real server)
printf 'Nameservers 127.0.0.1@9\nDNSTimeout 1\nTrustedRelays 192.0.2.0/24\n' > "$tmp/deaddns.conf"
"$BIN" -c "$tmp/deaddns.conf" --dns --now "$NOW" "$MSG/clean-direct.eml" > "$tmp/out" 2> "$tmp/err"
is $? 0 "--dns with a dead server: exit status 0"
like "$(cat "$tmp/out")" 'score=' "--dns with a dead server: the message is analysed"

: > "$tmp/empty.eml"
check --json "$tmp/empty.eml" > "$tmp/out"
is $? 0 "empty file: read, exit status 0"
like "$(jfield 'o.get("error", "")' < "$tmp/out")" '.' "empty file: error field present"
is "$(objects < "$tmp/out")" 1 "empty file: the object still has every field"
check "$tmp/empty.eml" > "$tmp/out"
like "$(cat "$tmp/out")" "	-	error	" "empty file: default line says error"

# ---- hostile input: nothing unprintable comes out ---------------------------------------
for mode in "" --json --explain; do
    check $mode "$MSG/folded-weird.eml" > "$tmp/out"
    ok $? "folded-weird ${mode:-line}: exit status 0"
    is "$(LC_ALL=C tr -d '\t\n\040-\176' < "$tmp/out" | wc -c | tr -d ' ')" 0 \
        "folded-weird ${mode:-line}: output is printable ASCII"
done
check --json "$MSG/folded-weird.eml" > "$tmp/out"
like "$(jfield 'len(o["hops"])' < "$tmp/out")" '^[1-9]' "folded-weird: Received lines kept"
is "$(jfield 'g("hops", 0, "by")' < "$tmp/out")" "mail.example.org" "folded-weird: CRLF header read"
is "$(jfield 'g("hops", 2, "trust")' < "$tmp/out")" "untrusted" \
    "folded-weird: lines below an unreadable handoff line are not trusted"
isnt_internal=$(jfield 'o["path"] != "internal"' < "$tmp/out")
is "$isnt_internal" "True" "folded-weird: mail from outside is not called internal"

# ---- trust options -----------------------------------------------------------------
"$BIN" --now "$NOW" --trusted "./$FIX/trusted.txt" --json "$MSG/zombie-direct-to-mx.eml" > "$tmp/a"
"$BIN" --now "$NOW" --trusted 192.0.2.25 --json "$MSG/zombie-direct-to-mx.eml" > "$tmp/b"
ok "$(cmp -s "$tmp/a" "$tmp/b"; echo $?)" "--trusted FILE and --trusted LIST agree"
is "$(jfield 'g("handoff", "ip")' < "$tmp/a")" "203.0.113.45" "--trusted: handoff below our MX"
"$BIN" --now "$NOW" --json "$MSG/zombie-direct-to-mx.eml" > "$tmp/c"
is "$(jfield 'g("handoff", "ip")' < "$tmp/c")" "192.0.2.25" \
    "without trust, our own MX is the handoff"

# ---- a live session given on the command line ----------------------------------------
check --json --client-ip 203.0.113.45 --client-rdns dsl-203-0-113-45.dyn.example.net \
    --helo 203.0.113.45 --mail-from '<kc4712@example.com>' --rcpt alice@example.org \
    "$MSG/zombie-direct-to-mx.eml" > "$tmp/out"
is "$(jfield 'g("handoff", "hop")' < "$tmp/out")" "-1" "session: handoff is the live session (hop -1)"
is "$(jfield 'g("handoff", "ip")' < "$tmp/out")" "203.0.113.45" "session: handoff address"
like "$(signals_of < "$tmp/out")" 'HELO_BARE_IP' "session: bare-IP HELO judged"
check --json --client-ip ::ffff:203.0.113.45 "$MSG/clean-direct.eml" > "$tmp/out"
is "$(jfield 'g("handoff", "ip")' < "$tmp/out")" "203.0.113.45" "session: IPv4-mapped IPv6 printed as IPv4"

# ---- the seeds' scenarios -------------------------------------------------------------
scenario() { check --json "$MSG/$1.eml" > "$tmp/s.json"; }
field() { jfield "$1" < "$tmp/s.json"; }

scenario zombie-direct-to-mx
is "$(field 'o["path"]')" "direct-to-mx" "zombie: path direct-to-mx"
is "$(field 'g("handoff", "ip")')" "203.0.113.45" "zombie: handoff is the zombie"
is "$(field 'g("handoff", "hop")')" "1" "zombie: handoff recorded by hop 1"
like "$(signals_of < "$tmp/s.json")" 'HELO_BARE_IP' "zombie: HELO_BARE_IP"
like "$(signals_of < "$tmp/s.json")" 'RDNS_DYNAMIC' "zombie: RDNS_DYNAMIC"
like "$(signals_of < "$tmp/s.json")" 'PATH_DIRECT_DYNAMIC' "zombie: PATH_DIRECT_DYNAMIC"
like "$(signals_of < "$tmp/s.json")" 'MSGID_MISSING' "zombie: MSGID_MISSING"
like "$(signals_of < "$tmp/s.json")" 'CHAIN_BREAK' "zombie: forged provider lines do not connect"
is "$(field 'g("origin", "ip")')" "203.0.113.45" "zombie: origin stops at the zombie"
is "$(field 'o["action"]')" "reject" "zombie: rejected"

scenario zombie-no-rdns
is "$(field 'o["path"]')" "direct-to-mx" "zombie without rDNS: path direct-to-mx"
like "$(signals_of < "$tmp/s.json")" 'RDNS_NONE' "zombie without rDNS: RDNS_NONE"
like "$(signals_of < "$tmp/s.json")" 'HELO_PROVIDER_FORGED' "zombie without rDNS: HELO_PROVIDER_FORGED"
like "$(signals_of < "$tmp/s.json")" 'MSGID_INVALID' "zombie without rDNS: MSGID_INVALID"

scenario open-relay
is "$(field 'o["path"]')" "open-relay" "open relay: path open-relay"
is "$(field 'g("handoff", "ip")')" "198.51.100.60" "open relay: handoff is the relay"
is "$(field 'g("origin", "ip")')" "203.0.113.88" "open relay: origin is the dynamic client below it"
like "$(signals_of < "$tmp/s.json")" 'PATH_OPEN_RELAY' "open relay: PATH_OPEN_RELAY"
like "$(signals_of < "$tmp/s.json")" 'RCVD_HELO_FORGED' "open relay: HELO aol.com from a dynamic address below the relay"

for w in webform webform-qmail; do
    scenario $w
    is "$(field 'o["path"]')" "webform" "$w: path webform"
    like "$(signals_of < "$tmp/s.json")" 'PATH_WEBFORM' "$w: PATH_WEBFORM"
done

scenario inserted-received
like "$(signals_of < "$tmp/s.json")" 'CHAIN_BREAK' "inserted lines: CHAIN_BREAK"
like "$(signals_of < "$tmp/s.json")" 'RCVD_FORGED_OURS' "inserted lines: RCVD_FORGED_OURS"
like "$(signals_of < "$tmp/s.json")" 'RCVD_PRIVATE_IP' "inserted lines: RCVD_PRIVATE_IP"
like "$(signals_of < "$tmp/s.json")" 'RCVD_DATE_REVERSED' "inserted lines: RCVD_DATE_REVERSED"
is "$(field 'g("handoff", "ip")')" "198.51.100.99" "inserted lines: handoff is the real sender"
is "$(field 'g("origin", "ip")')" "198.51.100.99" "inserted lines: origin not taken from forged lines"

scenario forged-ours-helo
like "$(signals_of < "$tmp/s.json")" 'HELO_OURS' "HELO claiming our MX: HELO_OURS"

scenario submission
is "$(field 'o["path"]')" "submission" "submission: path submission"
is "$(field 'o["action"]')" "accept" "submission: accepted"

scenario internal
is "$(field 'o["path"]')" "internal" "internal: path internal"
is "$(field 'o["handoff"]')" "None" "internal: no untrusted handoff"
is "$(field 'o["action"]')" "accept" "internal: accepted"

for c in clean-relay clean-direct exchange-online gmail-style ipv6-client; do
    scenario $c
    is "$(field 'o["action"]')" "accept" "$c: accepted"
done
scenario clean-relay
is "$(field 'o["path"]')" "relay" "clean relay: path relay"
is "$(field 'g("handoff", "ip")')" "198.51.100.20" "clean relay: handoff is the list server"
scenario ipv6-client
is "$(field 'g("handoff", "ip")')" "2001:db8:85a3::8a2e:370:7334" "IPv6 client: handoff address"
scenario gmail-style
is "$(field 'g("handoff", "ip")')" "198.51.100.45" "gmail-style: handoff is the provider's outbound"

# ---- --explain and --summary ------------------------------------------------------------
for s in zombie-direct-to-mx open-relay inserted-received; do
    check --explain "$MSG/$s.eml" > "$tmp/explain"
    ok $? "explain $s: exit status 0"
    like "$(cat "$tmp/explain")" 'trust boundary' "explain $s: boundary marked"
    like "$(cat "$tmp/explain")" 'score [0-9.-]+ +action [a-z]+ +path [a-z-]+' "explain $s: verdict on top"
    missing=""
    for sig in $(check --json "$MSG/$s.eml" | signals_of | tr ',' ' '); do
        grep -q "! $sig " "$tmp/explain" || missing="$missing $sig"
    done
    is "$missing" "" "explain $s: every signal shown beside its hop"
done

check --summary "$MSG" "$FIX/mbox/sample.mbox" > "$tmp/summary"
ok $? "summary: exit status 0"
total=$(( $(ls "$MSG"/*.eml | wc -l) + 3 ))
like "$(head -n 1 "$tmp/summary")" "^messages: $total analysed" "summary: counts every message"
for heading in path action signal score; do
    like "$(cat "$tmp/summary")" "  $heading +messages +share" "summary: $heading table"
done
like "$(cat "$tmp/summary")" 'direct-to-mx +[0-9]+ +[0-9.]+%' "summary: per-path rows with shares"
like "$(cat "$tmp/summary")" 'min -?[0-9.]+ +median -?[0-9.]+ +max -?[0-9.]+' "summary: min, median, max"

# ---- golden outputs ---------------------------------------------------------------------
GOLDEN_CASES="clean-relay clean-direct zombie-direct-to-mx zombie-no-rdns open-relay webform
webform-qmail inserted-received submission internal forged-ours-helo exchange-online
gmail-style ipv6-client folded-weird"

if [ "${REGEN:-0}" = 1 ]; then
    mkdir -p "$GOLD"
    for c in $GOLDEN_CASES; do
        check --json "$MSG/$c.eml" > "$GOLD/$c.json"
    done
    check "$MSG"/*.eml > "$GOLD/messages.txt"
    check --explain "$MSG/open-relay.eml" > "$GOLD/open-relay.explain"
    check --summary "$MSG" > "$GOLD/messages.summary"
    echo "# golden files regenerated in $GOLD"
fi
for c in $GOLDEN_CASES; do
    check --json "$MSG/$c.eml" > "$tmp/g"
    if cmp -s "$tmp/g" "$GOLD/$c.json"; then ok 0 "golden JSON: $c"
    else ok 1 "golden JSON: $c"; diff "$GOLD/$c.json" "$tmp/g" 2>&1 | sed 's/^/# /' | head -n 20; fi
done
for pair in "messages.txt:" "open-relay.explain:--explain" "messages.summary:--summary"; do
    g=${pair%%:*}; mode=${pair#*:}
    case $g in
        messages.txt) check "$MSG"/*.eml > "$tmp/g" ;;
        open-relay.explain) check $mode "$MSG/open-relay.eml" > "$tmp/g" ;;
        *) check $mode "$MSG" > "$tmp/g" ;;
    esac
    if cmp -s "$tmp/g" "$GOLD/$g"; then ok 0 "golden: $g"
    else ok 1 "golden: $g"; diff "$GOLD/$g" "$tmp/g" 2>&1 | sed 's/^/# /' | head -n 20; fi
done

done_testing
