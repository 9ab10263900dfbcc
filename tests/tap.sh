# tap.sh - TAP helpers for the shell tests (sourced).
# ok COND-EXIT "name"; is "got" "want" "name"; skip "name" "why"; done_testing.
tap_n=0
tap_fail=0
ok() { # status name
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; tap_fail=$((tap_fail + 1)); fi
}
is() { # got want name
    tap_n=$((tap_n + 1))
    if [ "$1" = "$2" ]; then echo "ok $tap_n - $3"
    else echo "not ok $tap_n - $3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2"; tap_fail=$((tap_fail + 1)); fi
}
like() { # got regex name
    tap_n=$((tap_n + 1))
    if printf '%s' "$1" | grep -Eq -- "$2"; then echo "ok $tap_n - $3"
    else echo "not ok $tap_n - $3"; printf '#   got:  %s\n#   want match: %s\n' "$1" "$2"; tap_fail=$((tap_fail + 1)); fi
}
skip() { ok 0 "$1 # SKIP $2"; }   # name why: one test not made, and why
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
done_testing() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; }
# Relays the results a test program printed in OUT under this script's
# numbering, each name after PREFIX; its comments pass through.
tap_relay() { # out [prefix]
    local line
    while IFS= read -r line; do
        case $line in
        "not ok "*) ok 1 "${2:-}${line#not ok * - }" ;;
        "ok "*) ok 0 "${2:-}${line#ok * - }" ;;
        "#"*) echo "$line" ;;
        esac
    done < "$1"
}

# Folds the whole TAP run of a test program (its stdout in OUT, stderr in
# ERR, exit status STATUS) into this script: its results (tap_relay), the
# first 60 lines of stderr as comments, and two more results saying that
# NAME ran to its end (printed a plan) and exited 0.
tap_fold() { # name out err status
    tap_relay "$2"
    sed 's/^/# stderr: /' "$3" | head -n 60
    grep -q '^1\.\.[1-9]' "$2"
    ok $? "$1 ran to its end (plan printed)"
    is "$4" 0 "$1 exit status"
}
