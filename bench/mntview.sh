#!/usr/bin/env bash
# Benchmark: the cost of the mnt view (SPEC 5.3) against nsenter's plain -m.
#
# One hyperfine run (no intermediate shell) over:
#   nsenter             nsenter -t PID -m -p /bin/true        (the target's /bin/true)
#   nsattach-container  nsattach -t PID -m --exec=container -- /bin/true
#   nsattach            nsattach -t PID -m -- /bin/true       (the host's, in the mnt view)
# where PID is pid 1 of a fresh mount and pid namespace that this script
# starts (its files are the host's, so nsenter finds /bin/true there).
# nsattach's mnt view composes a root for the program on every run; this
# measures what that costs.
#
# Usage: bench/mntview.sh [path-to-nsattach]     (root; RUNS, OUT as attach.sh)
set -euo pipefail

die() {
	printf 'mntview.sh: %s\n' "$*" >&2
	exit 2
}
repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
(( EUID == 0 )) || die "must run as root"
runs=${RUNS:-200}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$runs'"
nsattach=${1:-$repo_root/build/nsattach}
[[ -x $nsattach ]] || die "nsattach binary not found: $nsattach (build it first, or pass its path)"
out_json=${OUT:-$repo_root/bench/results/mntview.json}
mkdir -p -- "$(dirname -- "$out_json")"
for t in hyperfine jq nsenter unshare; do
	command -v "$t" >/dev/null || die "'$t' not found"
done

unshare --mount --pid --fork sleep infinity </dev/null >/dev/null 2>&1 &
shim=$!
target=
# SIGKILL: the target is pid 1 of its namespace, which ignores SIGTERM from outside.
trap '[[ -n $target ]] && kill -KILL $target 2>/dev/null; wait $shim 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	target=$(pgrep -P "$shim" -x sleep || true)
	[[ -n $target ]] && break
	sleep 0.02
done
[[ -n $target ]] || die "the target did not start"

# Both must really be in the target's mount namespace's world.
want=$(readlink "/proc/$target/ns/pid")
got=$("$nsattach" -t "$target" -m -- readlink /proc/self/ns/pid)
[[ $got == "$want" ]] || die "nsattach -m is not in the target's pid namespace ($got, want $want)"

hyperfine -N --warmup 20 --runs "$runs" --export-json "$out_json" \
	-n nsenter "nsenter -t $target -m -p /bin/true" \
	-n nsattach-container "$nsattach -t $target -m --exec=container -- /bin/true" \
	-n nsattach "$nsattach -t $target -m -- /bin/true"

jq -r '.results as $r | ($r[] | select(.command == "nsenter") | .mean) as $base |
	$r[] | "\(.command): \(.mean * 1000 | . * 100 | round / 100) ms, \(.mean / $base | . * 100 | round / 100)x nsenter"' \
	"$out_json"
