#!/bin/sh
# corpus.sh - the analyzer over 3,000 real messages of the shared corpus.
#
# Every message must yield one JSON object (no crash, no lost message),
# and at least 99% of the Received lines must parse. The corpus is read
# where it lies (../shared/corpus beside the checkout, or $OT_CORPUS);
# without it the test skips.
. "$top_srcdir/tests/tap.sh"

corpus=${OT_CORPUS:-$top_srcdir/../shared/corpus}
check="$top_builddir/milter/cli/origin-trace-check"
[ -d "$corpus/sa-public" ] || skip_all "no corpus at $corpus"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not installed"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$check" --json --offline --trusted "$corpus/trusted-relays.txt" "$corpus/sa-public" > "$out"
ok $? "origin-trace-check reads the whole corpus (exit 0)"

files=$(find "$corpus/sa-public" -type f | wc -l)
objects=$(wc -l < "$out")
is "$objects" "$files" "one JSON line per message"

python3 - "$out" <<'PY'
import json, sys
n = hops = parsed = missing = errors = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    n += 1
    for k in ("file", "score", "action", "path", "origin", "handoff", "signals", "hops", "header"):
        if k not in r:
            missing += 1
    if "error" in r:
        errors += 1
    for h in r["hops"]:
        hops += 1
        parsed += 1 if h["parsed"] else 0
share = parsed / hops if hops else 0
print(f"# {n} messages, {hops} Received lines, {parsed} parsed ({share*100:.2f}%), {errors} errors")
print(f"{'ok' if missing == 0 else 'not ok'} 3 - every object has every interface field")
print(f"{'ok' if errors == 0 else 'not ok'} 4 - no message failed analysis")
print(f"{'ok' if share >= 0.99 else 'not ok'} 5 - at least 99% of Received lines parse")
PY
echo "1..5"
