#!/bin/bash
# failure-digest.sh - why the tests of one `make check` failed, in a few lines.
#
# Owns: reading the TAP logs a `make check` left under DIR/tests and
# printing, for each log with a failure (at most 6 logs), its first failing
# test with the lines before and after it, then its last lines (where a
# script that died says so). CI shows only part of a long run's output, so
# the first cause must come first and short.
#
# Usage: tools/failure-digest.sh DIR [NEWER-THAN-FILE]
set -u
dir=${1:?usage: failure-digest.sh DIR [NEWER-THAN-FILE]}
newer=${2:-}
shown=0
while IFS= read -r f; do
    grep -q -E '^(not ok|Bail out!)' "$f" 2>/dev/null || continue
    shown=$((shown + 1))
    [ $shown -le 6 ] || { echo "failure-digest: more failed logs not shown"; break; }
    echo "--- ${f#"$dir"/}: first failure"
    # what led to it (a helper's complaint comes before its "not ok")
    # and what follows (is/like print got and expected after it)
    # (the harness's own PASS:/FAIL: copies of each result are left out)
    grep -v -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): ' "$f" |
    awk '!seen { ring[NR % 10] = $0 }
         /^(not ok|Bail out!)/ && !seen {
             seen = 1
             for (i = NR - 9; i < NR; i++) if (i > 0) print "    " substr(ring[i % 10], 1, 300)
         }
         seen && n < 12 { print "    " substr($0, 1, 300); n++ }'
    echo "--- ${f#"$dir"/}: last lines"
    grep -v -E '^(PASS|FAIL|SKIP|XFAIL|XPASS): ' "$f" | tail -n 6 | cut -c 1-300 | sed 's/^/    /'
done < <(find "$dir/tests" -name '*.log' -type f ${newer:+-newer "$newer"} 2>/dev/null | sort)
exit 0
