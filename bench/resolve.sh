#!/usr/bin/env bash
# Benchmark: attaching to a docker container by name, with 1 and with 200
# running containers, against the ways an operator does it today.  Many short
# hyperfine runs per container count (-N, no shell in between, except where the
# command is itself a pipeline):
#   nsenter-pid      nsenter -t PID -n ip addr             (the pid already known)
#   nsattach-pid     nsattach -t PID -n -- ip addr
#   nsattach-name    nsattach -t nsa-bench-web -n -- ip addr   (every runtime searched)
#   nsattach-docker  nsattach -t docker:nsa-bench-web -n -- ip addr
#   inspect+nsenter  sh -c 'nsenter -t $(docker inspect -f {{.State.Pid}} nsa-bench-web) -n ip addr'
#   docker-exec      docker exec nsa-bench-web ip addr         (the container's ip, busybox)
# in short hyperfine runs, each starting at the next command, the attaches in rounds of their own
# and the docker CLI ones in others; then prints each command's median time and its median ratio to
# nsenter-pid and docker exec's to it, each ratio taken within a round.
# dockerd is started (tests/runtimes/lib.sh) if none answers; the containers this
# script creates (nsa-bench-web, nsa-bench-1..N) are removed at exit, and any
# left by an earlier run at the start.
#
# Usage: bench/resolve.sh [path-to-nsattach]
# Environment: FAST_ROUNDS (default 40) of FAST_RUNS (default 20) runs of the attaches alone,
#              ROUNDS (default 10) of RUNS (default 10) with the docker CLI, COUNTS (default
#              "1 200"), OUT (default bench/results/resolve)
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "$script_dir/.." && pwd -P)
nsattach=${1:-$repo_root/build/nsattach}
runs=${RUNS:-10}
rounds=${ROUNDS:-10}
fast_runs=${FAST_RUNS:-20}
fast_rounds=${FAST_ROUNDS:-40}
counts=${COUNTS:-1 200}
out=${OUT:-$repo_root/bench/results/resolve}
mkdir -p "$out"

die() { echo "resolve.sh: $*" >&2; exit 2; }
(( EUID == 0 )) || die "must run as root (dockerd, setns)"
[[ -x $nsattach ]] || die "nsattach not found: $nsattach (build it first, or pass its path)"
for t in hyperfine jq docker nsenter; do command -v "$t" >/dev/null || die "$t not found (tools/install-deps)"; done

# shellcheck source=tests/runtimes/lib.sh
. "$repo_root/tests/runtimes/lib.sh"
trap 'rt_cleanup >/dev/null 2>&1' EXIT
rt_docker_up && rt_image || die "could not start dockerd"
# The bench's own names (nsa-bench-*), so no container of the host's is touched;
# what a run that died left behind goes first.
leftovers=$(docker ps -aq --filter name=^nsa-bench-)
[[ -z $leftovers ]] || docker rm -f $leftovers >/dev/null
rt_docker_run --name nsa-bench-web "$RT_IMAGE" /bin/sleep 100000 >/dev/null || die "docker run failed"

have=1
for n in $counts; do
        # grow to n running containers (nsa-bench-web included)
        if (( n > have )); then
                seq $((have)) $((n - 1)) | xargs -P4 -I{} docker run -d --name nsa-bench-{} "$RT_IMAGE" /bin/sleep 100000 >/dev/null
                have=$n
                sleep 20 # let dockerd and the new shims settle before timing
        fi
        running=$(docker ps -q | wc -l)
        pid=$(rt_docker_pid nsa-bench-web)
        # every command must land in the container's net namespace
        want=$(stat -Lc %i "/proc/$pid/ns/net")
        got=$("$nsattach" -t nsa-bench-web -n -- stat -Lc %i /proc/self/ns/net)
        [[ $got == "$want" ]] || die "nsattach -t nsa-bench-web entered $got, not $want"
        # Many short rounds, and each ratio taken within a round: a 2-core
        # machine drifts by a fifth between minutes, which one long hyperfine
        # run would put on whichever command ran then.  Two kinds of round:
        # the attaches alone (fast), and the docker CLI ones with nsenter-pid
        # and nsattach-name beside them (docker): a docker exec leaves dockerd
        # and the shim busy for a while after it returns, which would land on
        # whatever ran next.
        rm -f "$out/$n".*.json
        names=(nsenter-pid nsattach-pid nsattach-name nsattach-docker inspect+nsenter docker-exec)
        cmds=("nsenter -t $pid -n ip addr"
              "$nsattach -t $pid -n -- ip addr"
              "$nsattach -t nsa-bench-web -n -- ip addr"
              "$nsattach -t docker:nsa-bench-web -n -- ip addr"
              "sh -c 'nsenter -t \$(docker inspect -f {{.State.Pid}} nsa-bench-web) -n ip addr'"
              "docker exec nsa-bench-web ip addr")
        measure() { # KIND ROUNDS RUNS INDEX...
                local kind=$1 nr=$2 rr=$3
                shift 3
                local sel=("$@")
                for round in $(seq "$nr"); do
                        # each round starts at another command: hyperfine runs them in
                        # order, and a place in the order must not be one command's
                        local args=()
                        for k in "${!sel[@]}"; do
                                local i=${sel[$(( (k + round) % ${#sel[@]} ))]}
                                args+=(-n "${names[i]}" "${cmds[i]}")
                        done
                        hyperfine -N -w 3 -r "$rr" --export-json "$out/$n.$kind.$round.json" "${args[@]}" >/dev/null
                done
        }
        measure fast "$fast_rounds" "$fast_runs" 0 1 2 3
        measure docker "$rounds" "$runs" 0 2 4 5
        echo "== $running running containers: $fast_rounds rounds of $fast_runs runs of the attaches," \
             "$rounds rounds of $runs with the docker CLI (hyperfine: $out/$n.*.json)"
        # per round: each command's median, its ratio to nsenter-pid in that round,
        # and docker exec's to it; then the median over the rounds of each
        jq -s -r '
               def median: sort | .[length / 2 | floor];
               def r2: . * 100 | round / 100;
               [.[] | .results as $r
                    | ($r[] | select(.command == "nsenter-pid") | .median) as $base
                    | ([$r[] | select(.command == "docker-exec") | .median] | first) as $exec
                    | ($r | map(.command) | index("docker-exec") != null) as $docker
                    | $r[] | {command, docker: $docker, t: .median, x: (.median / $base),
                              of_exec: (if $exec then $exec / .median else null end)}] as $all
               | ["nsenter-pid", "nsattach-pid", "nsattach-name", "nsattach-docker", "inspect+nsenter", "docker-exec"][] as $n
               | ($all | map(select(.command == $n))) as $m
               | (if ($m | map(select(.docker | not)) | length) > 0 then $m | map(select(.docker | not)) else $m end) as $own
               | ($m | map(select(.of_exec != null) | .of_exec)) as $oe
               | "\($n)\t\($own | map(.t) | median * 1000 | r2) ms\tx\($own | map(.x) | median | r2) nsenter-pid\t\(if ($oe | length) > 0 then "1/\($oe | median * 10 | round / 10) of docker exec" else "" end)\t(per round: \($own | map(.x | r2) | sort | map(tostring) | join(" ")))"' \
                "$out/$n".*.json | column -t -s $'\t'
done
