#!/usr/bin/env bash
# Benchmark: what the size of the host's mount table costs an attach.
#
# nsattach runs every program in a private mount namespace (SPEC 5), and the
# kernel makes one by copying the caller's whole mount table, then frees the
# copy when the program exits; nsenter -n makes none.  Docker adds two mounts
# per running container (its overlay and its /run/docker/netns file), so on a
# busy host this, not resolution, is what grows.  This script measures it
# alone: it runs itself in a private mount namespace of its own, adds tmpfs
# mounts there (nothing reaches the host), and at each size runs one hyperfine
# (-N) over
#   nsenter   nsenter -t PID -n /bin/true
#   nsattach  nsattach -t PID -n -- /bin/true
# against a sleeping process in a fresh network namespace, then prints the
# means, their ratio and their difference.
#
# Usage: bench/mounts.sh [path-to-nsattach]
# Environment: RUNS (default 300), MOUNTS (extra mounts, default "0 400 1000"),
#              OUT (default bench/results/mounts)
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "$script_dir/.." && pwd -P)
die() { echo "mounts.sh: $*" >&2; exit 2; }
(( EUID == 0 )) || die "must run as root (mounts, setns)"
for t in hyperfine jq nsenter unshare; do command -v "$t" >/dev/null || die "$t not found (tools/install-deps)"; done

if [[ ${1:-} != --inside ]]; then
        nsattach=${1:-$repo_root/build/nsattach}
        [[ -x $nsattach ]] || die "nsattach not found: $nsattach (build it first, or pass its path)"
        nsattach=$(cd -- "$(dirname -- "$nsattach")" && pwd -P)/$(basename -- "$nsattach")
        exec unshare --mount --propagation private "$0" --inside "$nsattach"
fi
nsattach=$2
runs=${RUNS:-300}
counts=${MOUNTS:-0 400 1000}
out=${OUT:-$repo_root/bench/results/mounts}
mkdir -p "$out"

dir=$(mktemp -d)
unshare --net sleep infinity &
target=$!
trap 'kill $target 2>/dev/null' EXIT
for _ in $(seq 50); do
        [[ $(stat -Lc %i /proc/$target/ns/net 2>/dev/null) != "$(stat -Lc %i /proc/self/ns/net)" ]] && break
        sleep 0.05
done
want=$(stat -Lc %i "/proc/$target/ns/net")
[[ $("$nsattach" -t "$target" -n -- stat -Lc %i /proc/self/ns/net) == "$want" ]] ||
        die "nsattach did not land in the target's network namespace"

have=0
printf '%-8s %-8s %-16s %-16s %-8s %s\n' extra mounts "nsenter ms" "nsattach ms" ratio "difference ms"
for n in $counts; do
        while (( have < n )); do
                mkdir -p "$dir/$have"
                mount -t tmpfs -o size=4k,mode=0700 nsattach-bench "$dir/$have"
                have=$((have + 1))
        done
        hyperfine -N -w 20 -r "$runs" --export-json "$out/$n.json" \
                -n nsenter "nsenter -t $target -n /bin/true" \
                -n nsattach "$nsattach -t $target -n -- /bin/true" >/dev/null
        jq -r --arg n "$n" --arg m "$(wc -l </proc/self/mountinfo)" '
                (.results[] | select(.command == "nsenter")) as $a
                | (.results[] | select(.command == "nsattach")) as $b
                | [$n, $m,
                   "\($a.mean * 1000 | . * 100 | round / 100) ± \($a.stddev * 1000 | . * 100 | round / 100)",
                   "\($b.mean * 1000 | . * 100 | round / 100) ± \($b.stddev * 1000 | . * 100 | round / 100)",
                   "x\($b.mean / $a.mean | . * 100 | round / 100)",
                   "\(($b.mean - $a.mean) * 1000 | . * 100 | round / 100)"]
                | @tsv' "$out/$n.json" | awk -F'\t' '{ printf "%-8s %-8s %-16s %-16s %-8s %s\n", $1, $2, $3, $4, $5, $6 }'
done
