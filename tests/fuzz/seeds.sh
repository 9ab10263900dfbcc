#!/bin/sh
# seeds.sh - builds the seed corpora of the fuzz harnesses from the test
# fixtures, at run time (nothing generated is kept in the tree).
#
# Usage: tests/fuzz/seeds.sh SRCDIR OUTDIR
# Writes OUTDIR/HARNESS/ for header, received, date, config and analyze:
#   header    every fixture message (single files, the mbox, the Maildir)
#   received  each case of tests/fixtures/received/*.txt, unfolded as the
#             analysis hands it over (the line break goes, the white space stays)
#   date      the text after the last ';' of each of those cases, and the
#             Date: values of the fixture messages
#   config    the sample configuration and the fixture configurations
#   analyze   each fixture message behind the two control bytes of
#             fuzz_analyze.c: offline, and under a live session (default and
#             fixture configuration, some evidence)
# Limits: file names are numbered per harness; the fixtures are only read.
set -u
[ $# -eq 2 ] || { echo "usage: $0 SRCDIR OUTDIR" >&2; exit 2; }
src=$1
out=$2
fix=$src/tests/fixtures
for h in header received date config analyze; do mkdir -p "$out/$h" || exit 1; done

messages() {
    find "$fix/messages" "$fix/mbox" "$fix/maildir/cur" "$fix/maildir/new" "$fix/tree" \
        -type f 2>/dev/null | LC_ALL=C sort
}

n=0
for m in $(messages); do
    n=$((n + 1))
    cp "$m" "$out/header/msg-$n"
    # offline; live session from a dynamic client; the same with the
    # fixture configuration, a forged resolve verdict and evidence
    { printf '\000\000'; cat "$m"; } > "$out/analyze/offline-$n"
    { printf '\041\000203.0.113.45\tdsl-203-0-113-45.dyn.example.net\tpc7\t<kc4712@hotmail.com>\t<alice@example.org>\n'
      cat "$m"; } > "$out/analyze/session-$n"
    { printf '\155\325192.0.2.77\t[192.0.2.77]\t[192.0.2.1]\t<>\t<postmaster@example.org>\t<bob@example.org>\n'
      cat "$m"; } > "$out/analyze/fixture-$n"
    # Date: values (first line only: enough for a seed)
    sed -n 's/^[Dd][Aa][Tt][Ee]:[ 	]*//p' "$m" | head -n 1 > "$out/date/field-$n"
done

# Received cases: "== title", the value (continuations start with white
# space), "--", expectations. One file per value, and its date part.
for f in "$fix"/received/*.txt; do
    base=$(basename "$f" .txt)
    awk -v dir="$out" -v base="$base" '
        function flush() {
            if (value != "") {
                n++
                file = dir "/received/" base "-" n
                printf "%s", value > file
                close(file)
                semi = value
                while ((i = index(semi, ";")) > 0) semi = substr(semi, i + 1)
                if (semi != value) {
                    file = dir "/date/" base "-" n
                    printf "%s", semi > file
                    close(file)
                }
            }
            value = ""
        }
        /^== /    { flush(); reading = 1; next }
        /^--$/    { if (reading) flush(); reading = 0; next }
        reading   { value = (value == "") ? $0 : value (($0 ~ /^[ \t]/) ? "" : " ") $0 }
        END       { if (reading) flush() }
    ' "$f"
done

n=0
for c in "$src/conf/origin-trace.conf" "$fix"/*.conf; do
    [ -f "$c" ] || continue
    n=$((n + 1))
    cp "$c" "$out/config/conf-$n"
done
# the trusted-relays file as the values of TrustedRelays lines
sed -n 's/#.*//; s/^[ 	]*\([^ 	]\{1,\}\).*/TrustedRelays \1/p' "$fix/trusted.txt" > "$out/config/trusted"
exit 0
