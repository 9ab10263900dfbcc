#!/bin/sh
# hostile.sh - origin-trace-check --json over thousands of hostile messages (TAP).
#
# tools/hostile-corpus.py writes OT_HOSTILE_COUNT (default 3000) mutations
# of real messages (the shared corpus, $OT_CORPUS or ../shared/corpus, when
# present, else tests/fixtures/messages) into a temporary directory, one directory
# per kind of mutation. Each kind is analysed twice, offline and under a
# live session with the test configuration; for each run this checks: no
# crash (exit status 0 or 1, no sanitizer report on standard error), one
# JSON object per line and exactly one per message, each with a numeric
# score and a known action, and no control character in any header value
# or signal detail. Prints the count and the time taken.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
. "$top_srcdir/tests/tap.sh"

BIN=$top_builddir/milter/cli/origin-trace-check
[ -x "$BIN" ] || skip_all "origin-trace-check is not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"
count=${OT_HOSTILE_COUNT:-3000}
NOW=1715702400
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hostile-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
start=$(date +%s)

python3 "$top_srcdir/tools/hostile-corpus.py" "$tmp/corpus" "$count" > "$tmp/generate.log" 2>&1
ok $? "hostile-corpus.py wrote $count messages"
sed 's/^/# /' "$tmp/generate.log"

cat > "$tmp/validate.py" <<'PY'
import json, os, sys
directory, output = sys.argv[1], sys.argv[2]
ACTIONS = {"accept", "quarantine", "reject"}
files = sorted(n for n in os.listdir(directory) if not n.startswith("."))
seen = {n: 0 for n in files}
problems = []
def clean(s):
    return isinstance(s, str) and all(0x20 <= ord(c) < 0x7f for c in s)
with open(output, "rb") as f:
    for number, raw in enumerate(f, 1):
        try:
            o = json.loads(raw)
        except ValueError as e:
            problems.append("line %d is not JSON: %s" % (number, e)); continue
        if not isinstance(o, dict):
            problems.append("line %d is not an object" % number); continue
        name = os.path.basename(str(o.get("file", "")))
        if name not in seen:
            problems.append("line %d names an unknown file %r" % (number, o.get("file"))); continue
        seen[name] += 1
        score = o.get("score")
        if not isinstance(score, (int, float)) or isinstance(score, bool):
            problems.append("%s: score %r" % (name, score))
        if o.get("action") not in ACTIONS:
            problems.append("%s: action %r" % (name, o.get("action")))
        if not clean(o.get("header")):
            problems.append("%s: header with a control character: %r" % (name, o.get("header")))
        for s in o.get("signals") or []:
            if not clean(s.get("detail")):
                problems.append("%s: %s detail %r" % (name, s.get("name"), s.get("detail")))
for name, n in seen.items():
    if n != 1:
        problems.append("%s: %d objects" % (name, n))
print("%d messages, %d objects, %d problems" % (len(files), sum(seen.values()), len(problems)))
for p in problems[:10]:
    print("problem: " + p)
sys.exit(1 if problems else 0)
PY

messages=0
for dir in "$tmp"/corpus/*/; do
    kind=$(basename "$dir")
    n=$(find "$dir" -type f | wc -l)
    messages=$((messages + n))
    for mode in offline session; do
        if [ $mode = offline ]; then
            set -- --json --now "$NOW" "$dir"
        else
            set -- -c "$top_srcdir/tests/fixtures/test.conf" --json --now "$NOW" \
                --client-ip 203.0.113.45 --client-rdns dsl-203-0-113-45.dyn.example.net \
                --helo '[999.1.1.1]' --mail-from '<>' --rcpt '<alice@example.org>' "$dir"
        fi
        "$BIN" "$@" > "$tmp/out.jsonl" 2> "$tmp/err"
        status=$?
        ok $([ $status -le 1 ] && echo 0 || echo 1) "$kind ($mode): exit status $status (0 or 1: no crash)"
        if grep -q -E 'Sanitizer|runtime error:' "$tmp/err"; then
            ok 1 "$kind ($mode): no sanitizer report"
            head -n 20 "$tmp/err" | sed 's/^/# /'
        else
            ok 0 "$kind ($mode): no sanitizer report"
        fi
        result=$(python3 "$tmp/validate.py" "$dir" "$tmp/out.jsonl")
        ok $? "$kind ($mode): one JSON object per message, score/action, clean header: $(echo "$result" | head -n 1)"
        echo "$result" | sed -n 's/^problem: /# /p'
    done
done
is "$messages" "$count" "every generated message was analysed"
echo "# $messages messages, two runs each, in $(( $(date +%s) - start )) s"
done_testing
