#!/bin/bash
# Static analysis of src/ and include/: cppcheck, and clang-tidy with the checks
# of .clang-tidy at the top of the tree.  One test a tool; any finding fails it,
# but for the entries of tests/lint/cppcheck.supp and tests/lint/clang-tidy.supp.
# Where a tool is missing its test is skipped (under CI=true: failed).
#   usage: lint.sh SOURCE_ROOT BUILD_DIR   (BUILD_DIR: where meson wrote compile_commands.json)
set -uo pipefail

if [ $# -ne 2 ]; then
        echo "usage: $0 SOURCE_ROOT BUILD_DIR" >&2
        exit 2
fi
SRC=$(realpath "$1") || exit 2
BUILD=$(realpath "$2") || exit 2
# shellcheck source=tests/lib/tap.sh
. "$SRC/tests/lib/tap.sh"

cd "$SRC" || bail "no source tree at $SRC"
tmp=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
jobs=$(nproc 2>/dev/null) || jobs=2

mapfile -d '' sources < <(find src -name '*.c' -print0 | LC_ALL=C sort -z)
[ "${#sources[@]}" -gt 0 ] || bail "no C files under $SRC/src"

# The lines of FILE as TAP diagnostics.
diag_file() {
        sed 's/^/#   /' "$1"
}

# ---- cppcheck ----
# Only the configuration the build uses (-D_GNU_SOURCE, as meson.build sets it).
# No --library=posix: its resource-leak checks do not know the cleanup
# attribute, and every fd of a _cleanup_close_ variable would be called leaked.
name="cppcheck: no findings in src/ (${#sources[@]} files) and include/"
if ! command -v cppcheck >/dev/null 2>&1; then
        skip "$name" "cppcheck is not installed (tools/install-deps installs it)"
else
        cppcheck --enable=warning,style,performance,portability --inline-suppr --error-exitcode=1 \
                --std=c11 -D_GNU_SOURCE -Iinclude --library=tests/lint/cppcheck.cfg \
                --suppressions-list=tests/lint/cppcheck.supp -j "$jobs" --quiet \
                --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
                src >"$tmp/cppcheck" 2>&1
        rc=$?
        if [ "$rc" -eq 0 ] && [ ! -s "$tmp/cppcheck" ]; then
                pass "$name"
        else
                fail "$name" "exit status $rc:"
                diag_file "$tmp/cppcheck"
        fi
        grep -vE '^[[:space:]]*(#|$)' tests/lint/cppcheck.supp |
                sed 's/^/# suppressed (tests\/lint\/cppcheck.supp): /'
fi

# ---- clang-tidy ----
# One clang-tidy a file, as many at once as there are CPUs; each writes its own
# log, so that the diagnostics of two files do not interleave.
tidy_one() { # build dir, log dir, source file
        local log
        log="$2/$(printf '%s' "$3" | tr / _)"
        clang-tidy -p "$1" --quiet "$3" >"$log.out" 2>&1
        echo $? >"$log.rc"
}

# Diagnostics as "FILE:LINE:COL: error: MESSAGE [CHECKS]", FILE relative to the
# source root (clang-tidy names a file as the compile database reaches it,
# through the build directory), each once: a header is seen by every file that
# includes it, and hostexec.c is compiled twice.
tidy_findings() { # log dir
        local line file
        cat "$1"/*.out | grep -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error): ' |
                while IFS= read -r line; do
                        file=${line%%:*}
                        printf '%s:%s\n' "$(realpath -m --relative-to="$SRC" "$file")" "${line#*:}"
                done | LC_ALL=C sort -u
}

# Is finding $1 ("FILE:LINE:COL: ... [CHECK,...]") on the list of tolerated ones?
# Sets $tolerated_by to the entry.
tolerated() {
        local where=${1%%:*} rest=${1#*:} checks c
        where="$where:${rest%%:*}"
        checks=${1##*\[}
        checks=${checks%]}
        tolerated_by=
        for c in ${checks//,/ }; do
                [ "$c" == -warnings-as-errors ] && continue
                if grep -qxF -- "$where: $c" "$tmp/tidy-supp"; then
                        tolerated_by="$where: $c"
                        return 0
                fi
        done
        return 1
}

name="clang-tidy: no findings in src/ (${#sources[@]} files) and include/"
if ! command -v clang-tidy >/dev/null 2>&1; then
        skip "$name" "clang-tidy is not installed (tools/install-deps installs it)"
elif [ ! -f "$BUILD/compile_commands.json" ]; then
        fail "$name" "no compile_commands.json in $BUILD (a meson build directory)"
else
        mkdir "$tmp/tidy"
        export -f tidy_one
        printf '%s\0' "${sources[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'tidy_one "$@"' tidy_one "$BUILD" "$tmp/tidy"
        grep -vE '^[[:space:]]*(#|$)' tests/lint/clang-tidy.supp >"$tmp/tidy-supp"
        tidy_findings "$tmp/tidy" >"$tmp/tidy-all"
        : >"$tmp/tidy-new"
        : >"$tmp/tidy-used"
        while IFS= read -r f; do
                if tolerated "$f"; then
                        echo "$tolerated_by" >>"$tmp/tidy-used"
                else
                        echo "$f" >>"$tmp/tidy-new"
                fi
        done <"$tmp/tidy-all"
        # A file that failed without a diagnostic: clang-tidy itself went wrong.
        : >"$tmp/tidy-broken"
        for rcfile in "$tmp"/tidy/*.rc; do
                log=${rcfile%.rc}.out
                if [ "$(cat "$rcfile")" != 0 ] && ! grep -qE ': (warning|error): ' "$log"; then
                        echo "${rcfile##*/}: exit status $(cat "$rcfile"):" >>"$tmp/tidy-broken"
                        tail -n 20 "$log" >>"$tmp/tidy-broken"
                fi
        done
        if [ -s "$tmp/tidy-new" ] || [ -s "$tmp/tidy-broken" ]; then
                fail "$name" "$(wc -l <"$tmp/tidy-new") findings (the analyzer's path: clang-tidy -p BUILD_DIR FILE):"
                cat "$tmp/tidy-new" "$tmp/tidy-broken" >"$tmp/tidy-report"
                diag_file "$tmp/tidy-report"
        else
                pass "$name"
        fi
        LC_ALL=C sort -u "$tmp/tidy-used" >"$tmp/tidy-used-sorted"
        sed 's/^/# tolerated for now (tests\/lint\/clang-tidy.supp): /' "$tmp/tidy-used-sorted"
        LC_ALL=C sort -u "$tmp/tidy-supp" | LC_ALL=C comm -23 - "$tmp/tidy-used-sorted" |
                sed 's/^/# tests\/lint\/clang-tidy.supp: matches nothing any more, remove it: /'
fi

tap_done
