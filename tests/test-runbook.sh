#!/bin/bash
# The README's runbook (its "## Runbook" section), each recipe run as
# written, through bash, with this build's nsattach first in PATH: against a
# docker container named webserver, and against the demo target (a minimal
# container from tests/fixtures/minictr, its pid in place of the name).  Each
# recipe has a check below, of its exit status and output; a recipe without
# one fails, so the README cannot grow a recipe nobody ran.
#   usage: test-runbook.sh NSATTACH SOURCE_ROOT MINICTR
set -uo pipefail
NSATTACH=$(realpath "$1")
SRC=$2
MINICTR=$(realpath "$3")
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"
# shellcheck source=tests/lib/minictr.sh
. "$SRC/tests/lib/minictr.sh"

[ "$(id -u)" -eq 0 ] || { skip "runbook" "needs root (namespaces, dockerd)"; tap_done; exit; }
for tool in docker dockerd ip ss ps tcpdump strace getent jq ping nsenter busybox; do
        if ! command -v "$tool" >/dev/null; then
                skip "runbook" "$tool is not installed (tools/install-deps installs it)"
                tap_done
                exit
        fi
done

# the recipes: the lines of the section's first code block that run nsattach
mapfile -t recipes < <(awk '/^## Runbook/ { in_section = 1; next }
        in_section && /^## / { exit }
        in_section && /^```/ { if (in_block) exit; in_block = 1; next }
        in_section && in_block && /^nsattach / { print }' "$SRC/README.md")
((${#recipes[@]} >= 10)) || bail "found ${#recipes[@]} recipes in README.md's runbook"

# check RECIPE: the exit status it must have, and a glob its output must match
check() {
        case "${1#nsattach -t webserver }" in
        "-n -- ip -br addr") echo "0" "*lo * UNKNOWN *eth0*" ;;
        "-n -- ip route") echo "0" "*dev eth0*" ;;
        "-n -- ss -tlnp") echo "0" "*Local Address*" ;;
        "-p -- ps -ef") echo "0" "*UID * PID * PPID *"$'\n'"* 1 * 0 *" ;;
        "-n --timeout 20 -- tcpdump -ni any -c 5") echo "0" "*5 packets captured*" ;;
        "-m -- cat /etc/hosts") echo "0" "*localhost*" ;;
        "-m -- ls -l /etc") echo "0" "* hosts*" ;;
        "-p --timeout 5 -- strace -p 1") echo "124" "*Process 1 attached*" ;;
        "-n -- cat /etc/resolv.conf") echo "0" "*nameserver *" ;;
        "-n -- getent hosts localhost") echo "0" "*localhost*" ;;
        "-a --explain --json | jq -r '.namespaces[].type'") echo "0" "*pid*net*" ;;
        "nsattach --mount=toolbox --exec=container --pid=webserver -- ps") echo "0" "*PID * USER * COMMAND*" ;;
        *) return 1 ;;
        esac
}

export RT_PREFIX=nsa-runbook-
# shellcheck source=tests/runtimes/lib.sh
. "$SRC/tests/runtimes/lib.sh"
tmp=$(mktemp -d /tmp/nsa-runbook.XXXXXX) || bail "mktemp failed"
traffic=
cleanup() {
        [ -n "$traffic" ] && kill "$traffic" 2>/dev/null
        minictr_stop_all
        wait 2>/dev/null
        rt_cleanup >/dev/null 2>&1
        rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/bin" "$tmp/root"
ln -s "$NSATTACH" "$tmp/bin/nsattach"

rt_docker_up || bail "could not start dockerd (see the line above)"
rt_image || bail "could not build the test image (see the line above)"
rt_docker rm -f webserver >/dev/null 2>&1
rt_docker_run --name webserver "$RT_IMAGE" /bin/sleep 100000 >/dev/null || bail "docker run webserver failed"
dpid=$(rt_docker_pid webserver) || bail "webserver is not running"
rt_docker rm -f toolbox >/dev/null 2>&1
rt_docker_run --name toolbox "$RT_IMAGE" /bin/sleep 200000 >/dev/null || bail "docker run toolbox failed"

# the demo target, and a second one as its toolbox (busybox's ps added to it)
minictr_start "$MINICTR" "$tmp/root" runbook-demo 198.51.100.40/24
mpid=$MINICTR_PID
minictr_start "$MINICTR" "$tmp/tools" runbook-tools 198.51.100.41/24
tpid=$MINICTR_PID
mkdir -p "$tmp/tools/bin" && cp /bin/busybox "$tmp/tools/bin/busybox" && ln -s busybox "$tmp/tools/bin/ps" ||
        bail "no busybox for the demo's toolbox"

# traffic PID: packets in its network namespace while a recipe listens
start_traffic() {
        (for _ in $(seq 100); do nsenter -t "$1" -n ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1; sleep 0.2; done) &
        traffic=$!
}

for target in webserver demo; do
        pid=$dpid
        [ "$target" = demo ] && pid=$mpid
        for recipe in "${recipes[@]}"; do
                if ! want=$(check "$recipe"); then
                        fail "runbook: $recipe" "no check for this recipe in tests/test-runbook.sh"
                        continue
                fi
                want_rc=${want%% *} want_out=${want#* }
                cmd=$recipe
                if [ "$target" = demo ]; then
                        cmd=${recipe//webserver/$mpid}
                        cmd=${cmd//toolbox/$tpid}
                fi
                [[ $recipe == *tcpdump* ]] && start_traffic "$pid"
                out=$(cd "$tmp" && PATH=$tmp/bin:$PATH timeout -k 2 40 bash -c "$cmd" </dev/null 2>&1)
                rc=$?
                if [ -n "$traffic" ]; then
                        kill "$traffic" 2>/dev/null
                        wait "$traffic" 2>/dev/null
                        traffic=
                fi
                # shellcheck disable=SC2053
                if [ "$rc" = "$want_rc" ] && [[ $out == $want_out ]]; then
                        pass "runbook ($target): $cmd"
                else
                        fail "runbook ($target): $cmd" "exit $rc (want $want_rc), output:" "$(head -c 600 <<<"$out")"
                fi
        done
done
tap_done
