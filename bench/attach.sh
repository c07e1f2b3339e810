#!/usr/bin/env bash
# Benchmark: cost of running a program in another process's network namespace.
#
# Compares, with hyperfine (no intermediate shell):
#   true      /bin/true                              (baseline: fork + exec)
#   nsenter   nsenter -t PID -n /bin/true            (util-linux)
#   nsattach  nsattach -t PID -n -- /bin/true
# where PID is a sleeping process that this script starts in a fresh network
# namespace. Afterwards it prints mean ± stddev, the ratios between the
# commands and the peak memory (max RSS) of one run of each.
#
# Usage: bench/attach.sh [path-to-nsattach]
# Environment:
#   RUNS   number of timed runs per command (default 300)
#   OUT    JSON export file (default bench/results/attach.json); the markdown
#          table is written next to it with the extension .md
#
# Must run as root (entering a namespace needs CAP_SYS_ADMIN).

set -euo pipefail

die() {
	local code=$1
	shift
	printf 'attach.sh: %s\n' "$*" >&2
	exit "$code"
}

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "$script_dir/.." && pwd -P)

(( $# <= 1 )) || die 2 "usage: bench/attach.sh [path-to-nsattach]"

if (( EUID != 0 )); then
	die 2 "must run as root: entering another process's network namespace needs CAP_SYS_ADMIN"
fi

runs=${RUNS:-300}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die 2 "RUNS must be a positive integer, got '$runs'"
warmup=20

nsattach=${1:-$repo_root/build/nsattach}
[[ -f $nsattach && -x $nsattach ]] || die 2 "nsattach binary not found or not executable: $nsattach (build it first, or pass its path)"
nsattach=$(cd -- "$(dirname -- "$nsattach")" && pwd -P)/$(basename -- "$nsattach")

out_json=${OUT:-$repo_root/bench/results/attach.json}
case $out_json in
*.json) out_md=${out_json%.json}.md ;;
*) out_md=$out_json.md ;;
esac
mkdir -p -- "$(dirname -- "$out_json")"

need() {
	command -v -- "$1" >/dev/null 2>&1 || die 2 "'$1' not found (Debian package: $2)"
}
need hyperfine hyperfine
need jq jq
need nsenter util-linux
need unshare util-linux
[[ -x /usr/bin/time ]] || die 2 "/usr/bin/time not found (Debian package: time)"

true_bin=/bin/true
nsenter_bin=$(command -v nsenter)

# --- target process in a fresh network namespace ---------------------------
# Without --fork, unshare execs sleep itself, so $! is the target's PID.
target=
cleanup() {
	if [[ -n $target ]]; then
		kill -- "$target" 2>/dev/null || true
		wait -- "$target" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

unshare --net sleep infinity &
target=$!

# Wait until unshare has created the namespace and exec'd sleep.
own_ns=$(readlink /proc/self/ns/net)
target_ns=
for _ in $(seq 1 200); do
	if ! kill -0 -- "$target" 2>/dev/null; then
		die 1 "target process (unshare --net sleep infinity) exited early"
	fi
	target_ns=$(readlink "/proc/$target/ns/net" 2>/dev/null || true)
	comm=$(cat "/proc/$target/comm" 2>/dev/null || true)
	if [[ -n $target_ns && $target_ns != "$own_ns" && $comm == sleep ]]; then
		break
	fi
	target_ns=
	sleep 0.01
done
[[ -n $target_ns ]] || die 1 "target process did not enter a new network namespace"

# Sanity check: both tools must really end up in the target's namespace,
# otherwise the timings would be meaningless.
got=$("$nsenter_bin" -t "$target" -n readlink /proc/self/ns/net) ||
	die 1 "nsenter failed to attach to PID $target"
[[ $got == "$target_ns" ]] || die 1 "nsenter ran in $got, expected $target_ns"
got=$("$nsattach" -t "$target" -n -- readlink /proc/self/ns/net) ||
	die 1 "nsattach failed to attach to PID $target"
[[ $got == "$target_ns" ]] || die 1 "nsattach ran in $got, expected $target_ns"

# hyperfine -N splits commands into words itself; single-quote each word.
sq() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
cmd_true=$(sq "$true_bin")
cmd_nsenter="$(sq "$nsenter_bin") -t $target -n $(sq "$true_bin")"
cmd_nsattach="$(sq "$nsattach") -t $target -n -- $(sq "$true_bin")"

printf 'target: PID %s in %s\n' "$target" "$target_ns"
printf 'nsattach: %s\n\n' "$nsattach"

hyperfine -N \
	--warmup "$warmup" \
	--runs "$runs" \
	--export-json "$out_json" \
	--export-markdown "$out_md" \
	-n true "$cmd_true" \
	-n nsenter "$cmd_nsenter" \
	-n nsattach "$cmd_nsattach"

# --- summary ----------------------------------------------------------------
declare -A mean stddev
while read -r name m s; do
	mean[$name]=$m
	stddev[$name]=$s
done < <(jq -r '.results[] | "\(.command) \(.mean) \(.stddev // 0)"' "$out_json")

for name in true nsenter nsattach; do
	[[ -n ${mean[$name]:-} ]] || die 1 "no result for '$name' in $out_json"
done

# Peak memory of a single run of each command.
maxrss() {
	local f rc=0 kib
	f=$(mktemp)
	/usr/bin/time -f %M -o "$f" "$@" || rc=$?
	kib=$(tail -n 1 -- "$f")
	rm -f -- "$f"
	(( rc == 0 )) || die 1 "measuring memory of '$*' failed (exit $rc)"
	printf '%s' "$kib"
}
declare -A rss
rss[true]=$(maxrss "$true_bin")
rss[nsenter]=$(maxrss "$nsenter_bin" -t "$target" -n "$true_bin")
rss[nsattach]=$(maxrss "$nsattach" -t "$target" -n -- "$true_bin")

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'
}

echo
echo "summary ($runs runs each, $warmup warmup):"
for name in true nsenter nsattach; do
	awk -v n="$name" -v m="${mean[$name]}" -v s="${stddev[$name]}" -v r="${rss[$name]}" \
		'BEGIN { printf "  %-9s %8.3f ms ± %6.3f ms   max RSS %6d KiB\n", n, m * 1000, s * 1000, r }'
done
echo
echo "ratio nsattach/nsenter: $(ratio "${mean[nsattach]}" "${mean[nsenter]}")"
echo "ratio nsattach/true: $(ratio "${mean[nsattach]}" "${mean[true]}")"
echo "ratio nsenter/true: $(ratio "${mean[nsenter]}" "${mean[true]}")"
echo
echo "results: $out_json"
echo "         $out_md"
