#!/bin/bash
# Runs every libFuzzer target of a -Dfuzz=true build for SECONDS each, starting
# from the seeds in tests/fuzz/corpus/NAME (real state files of each runtime),
# and prints TAP: a crash, a leak, a timeout or a sanitizer report is "not ok"
# with the input that caused it (base64), to be kept as a regression seed.
#   usage: run.sh BUILD_DIR SECONDS
set -uo pipefail
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
n=0 failed=0
for seeds in "$here"/corpus/*/; do
        name=$(basename "$seeds")
        n=$((n + 1))
        exe=$build/tests/fuzz-$name
        if [ ! -x "$exe" ]; then
                echo "not ok $n - fuzz-$name: not built"
                failed=$((failed + 1))
                continue
        fi
        work=$(mktemp -d)
        mkdir "$work/corpus"
        log=$work/log
        "$exe" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
                -artifact_prefix="$work/" "$work/corpus" "$seeds" >"$log" 2>&1
        rc=$?
        runs=$(grep -oE 'Done [0-9]+ runs' "$log" | tail -n 1)
        if [ $rc -eq 0 ]; then
                echo "ok $n - fuzz-$name: ${runs:-no run count} in ${seconds}s, no finding"
        else
                echo "not ok $n - fuzz-$name: exit $rc"
                grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$log" | head -n 20 | sed 's/^/#   /'
                for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
                        [ -f "$a" ] && echo "#   input $(basename "$a"): $(base64 -w0 "$a" | head -c 4000)"
                done
                failed=$((failed + 1))
        fi
        rm -rf "$work"
done
echo "1..$n"
[ "$failed" -eq 0 ]
