#!/bin/sh
# docs.sh - every configuration key and every signal is documented.
#
# Reads the key table of milter/core/config.c and the signal table of
# milter/core/signals.c, and checks that the sample configuration and the
# man page name each of them, so that a new key cannot land undocumented.
. "$top_srcdir/tests/tap.sh"

keys=$(sed -n 's/^ *{ "\([A-Za-z]*\)", *KEY_.*/\1/p' "$top_srcdir/milter/core/config.c")
signals=$(sed -n 's/^ *ROW(\([A-Z_]*\),.*/\1/p' "$top_srcdir/milter/core/signals.c")
[ -n "$keys" ]; ok $? "found the configuration key table"
[ -n "$signals" ]; ok $? "found the signal table"

for k in $keys; do
    grep -Eq "^#?$k( |$)" "$top_srcdir/conf/origin-trace.conf"; ok $? "sample configuration shows $k"
    grep -q "^\.B $k" "$top_srcdir/man/origin-trace.conf.5"; ok $? "origin-trace.conf(5) documents $k"
done
for s in $signals; do
    grep -q "^\.B $s$" "$top_srcdir/man/origin-trace.conf.5"; ok $? "origin-trace.conf(5) documents $s"
done
done_testing
