# shellcheck shell=bash
# The runtime-free mini-container for the shell-driven tests: sourced, not run.
#   minictr_start MINICTR ROOT HOSTNAME ADDRESS/PREFIX
# starts it on ROOT (made if missing) in the background of this shell, adds
# its shim to MINICTR_SHIMS (for the caller's cleanup to kill), waits for its
# pid and sets MINICTR_PID, or bails.  Its workers get a moment to start.
MINICTR_SHIMS=
MINICTR_PID=

minictr_start() {
        mkdir -p "$2" || bail "mkdir $2"
        "$1" "$2" "$3" "$4" >"$2.pid" &
        MINICTR_SHIMS+=" $!"
        for _ in $(seq 200); do [ -s "$2.pid" ] && break; sleep 0.05; done
        MINICTR_PID=$(head -n1 "$2.pid")
        if [ -z "$MINICTR_PID" ] || [ ! -d "/proc/$MINICTR_PID" ]; then bail "minictr did not start on $2"; fi
        sleep 0.2 # its workers
}

# Kill every shim started here (from the caller's cleanup).
minictr_stop_all() {
        # shellcheck disable=SC2086
        [ -n "$MINICTR_SHIMS" ] && kill $MINICTR_SHIMS 2>/dev/null
        MINICTR_SHIMS=
}
