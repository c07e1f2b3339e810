# TAP for the shell-driven tests: sourced, not run.
#   ok COND-STATUS NAME        (use: check NAME cmd...; is NAME GOT WANT; skip NAME WHY)
# Under CI=true a skip is a failure: nothing that should run here may silently not run.
tap_n=0
tap_failed=0

tap_out() {
        tap_n=$((tap_n + 1))
        echo "$1 $tap_n - $2"
}

pass() { tap_out ok "$1"; }

fail() { # name, why...
        local name=$1
        shift
        tap_out "not ok" "$name"
        printf '#   %s\n' "$@"
        tap_failed=$((tap_failed + 1))
}

# is NAME GOT WANT
is() {
        if [ "$2" == "$3" ]; then
                pass "$1"
        else
                fail "$1" "got:  $2" "want: $3"
        fi
}

# like NAME GOT GLOB
like() {
        # shellcheck disable=SC2053
        if [[ $2 == $3 ]]; then
                pass "$1"
        else
                fail "$1" "got:  $2" "want: $3"
        fi
}

skip() { # name, why
        if [ "${CI:-}" == true ]; then
                fail "$1" "cannot run here under CI=true: $2"
        else
                tap_out ok "$1 # SKIP $2"
        fi
}

bail() {
        echo "Bail out! $*"
        exit 1
}

tap_done() {
        echo "1..$tap_n"
        [ "$tap_failed" -eq 0 ]
}

# run CMD...: sets $out (stdout+stderr) and $rc, never fails the script,
# and gives up after 20 s so a hang is a failure, not a stuck suite.
run() {
        out=$(timeout -k 2 20 "$@" 2>&1)
        rc=$?
}
