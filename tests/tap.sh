# tap.sh - TAP helpers for the shell tests (sourced).
# ok COND-EXIT "name"; is "got" "want" "name"; done_testing.
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
skip_all() { echo "1..0 # SKIP $1"; exit 0; }
done_testing() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; }
