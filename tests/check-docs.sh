#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-docs.sh NSATTACH SOURCE_ROOT
#
# Checks that --help, the man page and the bash, zsh and fish completions name
# the same long options, and that each of those files is well formed.  Prints
# TAP; exits 0 only when every test passes (skipped ones count as passed).

set -u

if (($# != 2)); then
    echo "usage: $0 NSATTACH SOURCE_ROOT" >&2
    exit 2
fi

bin=$1
src=$2
man=$src/man/nsattach.1
bash_comp=$src/completions/nsattach.bash
zsh_comp=$src/completions/_nsattach
fish_comp=$src/completions/nsattach.fish

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

failed=0
n=0

ok()
{
    n=$((n + 1))
    echo "ok $n - $1"
}

not_ok()
{
    n=$((n + 1))
    failed=1
    echo "not ok $n - $1"
}

skip()
{
    n=$((n + 1))
    echo "# skip: $2"
    echo "ok $n - $1 # SKIP $2"
}

# Print stdin as TAP diagnostics.
diag()
{
    sed 's/^/# /'
}

# ---- the five sets of long options, one option a line, sorted ----

# --help: the first --name on each line of the "Options:" block.
help_opts()
{
    "$bin" --help |
        awk '/^Options:/ { on = 1; next } on && /^[[:space:]]*$/ { exit } on' |
        sed -nE 's/^[[:space:]]+(-[[:alnum:]], )?--([[:alnum:]][[:alnum:]-]*).*/--\2/p' |
        LC_ALL=C sort -u
}

# The man page: the \-\-name forms on the tag line of each .TP entry of the
# OPTIONS section (the line after .TP, whether plain text or a .B/.BR line).
man_opts()
{
    awk '
        /^\.SH[[:space:]]/ {
            name = $0
            sub(/^\.SH[[:space:]]+/, "", name)
            gsub(/"/, "", name)
            sub(/[[:space:]]+$/, "", name)
            in_opts = (name == "OPTIONS")
            tag = 0
            next
        }
        !in_opts { next }
        /^\.\\"/ { next }
        tag { print; tag = 0; next }
        /^\.TP([[:space:]]|$)/ { tag = 1 }
    ' "$man" |
        grep -oE '\\-\\-[[:alnum:]]+(\\-[[:alnum:]]+)*' |
        sed 's/\\-/-/g' |
        LC_ALL=C sort -u
}

# bash: what the completion offers for "nsattach --", in a shell without
# the bash-completion package.
bash_opts()
{
    bash --norc --noprofile -c '
        source "$1" || exit 1
        COMP_WORDS=(nsattach --)
        COMP_CWORD=1
        COMP_LINE="nsattach --"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _nsattach nsattach -- nsattach 2>/dev/null
        printf "%s\n" "${COMPREPLY[@]}"
    ' check "$bash_comp" |
        grep -E -- '^--[[:alnum:]]' |
        LC_ALL=C sort -u
}

# zsh: the options defined by the _arguments specs (one spec a line): a
# leading '*' (repeatable), the exclusion list "(...)" at the start, the descriptions "[...]" and everything
# from the first ':' (messages and actions) are not definitions.
zsh_opts()
{
    grep -E "^[[:space:]]*'?\*?(\([^)]*\))?'?\*?(\{|--)" "$zsh_comp" |
        sed -E "s/^[[:space:]]*'?\*?\([^)]*\)//; s/\[[^]]*\]//g; s/:.*//" |
        grep -oE -- '--[[:alpha:]][[:alnum:]-]*' |
        LC_ALL=C sort -u
}

# fish: the -l NAME (or --long-option NAME) of each complete command.
fish_opts()
{
    grep -E '^[[:space:]]*complete[[:space:]]' "$fish_comp" |
        grep -oE -- '(^|[[:space:]])(-l|--long-option)[=[:space:]]+[[:alpha:]][[:alnum:]-]*' |
        sed -E 's/^[[:space:]]*(-l|--long-option)[=[:space:]]+/--/' |
        LC_ALL=C sort -u
}

echo "1..11"

# 1
if help_opts >"$tmp/help" && [[ -s $tmp/help ]]; then
    ok "nsattach --help lists long options ($(wc -l <"$tmp/help"))"
else
    not_ok "nsattach --help lists long options"
    echo "'$bin --help' gave no options" | diag
fi

# 2-5: each set against --help.
compare()
{
    local what=$1 file=$2
    if [[ ! -s $file ]]; then
        not_ok "$what names the options of --help"
        echo "no long options found in $what" | diag
    elif cmp -s "$tmp/help" "$file"; then
        ok "$what names the options of --help"
    else
        not_ok "$what names the options of --help"
        {
            LC_ALL=C comm -23 "$tmp/help" "$file" | sed "s/^/only in --help: /"
            LC_ALL=C comm -13 "$tmp/help" "$file" | sed "s/^/only in $what: /"
        } | diag
    fi
}

man_opts >"$tmp/man"
bash_opts >"$tmp/bash"
zsh_opts >"$tmp/zsh"
fish_opts >"$tmp/fish"
compare "the man page (OPTIONS)" "$tmp/man"
compare "the bash completion" "$tmp/bash"
compare "the zsh completion" "$tmp/zsh"
compare "the fish completion" "$tmp/fish"

# 6
if out=$(bash -n "$bash_comp" 2>&1); then
    ok "bash -n accepts the bash completion"
else
    not_ok "bash -n accepts the bash completion"
    printf '%s\n' "$out" | diag
fi

# 7: the bash completion must work without the bash-completion package.
if out=$(bash --norc --noprofile -c '
    source "$1" || exit 1
    if declare -F _command_offset >/dev/null; then
        echo "_command_offset is defined: not a clean shell"
        exit 1
    fi
    t() {
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="${COMP_WORDS[*]}"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _nsattach nsattach "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        echo "${COMPREPLY[*]}"
    }
    expect() {
        local want=$1 got
        shift
        got=$(t "$@")
        [[ $got == "$want" ]] && return
        echo "${*:2}: expected \"$want\", got \"${got:0:100}\""
        exit 1
    }
    expect "host target clean" nsattach --env-mode ""
    expect "clean" nsattach --env-mode=c
    expect "--net" nsattach --ne
    expect "follow" nsattach -S ""
    [[ " $(t nsattach -t "") " == *" $$ "* ]] || { echo "-t: the PID of this shell is not offered"; exit 1; }
    [[ " $(t nsattach -t 1 -n ech) " == *" echo "* ]] || { echo "program: echo not offered"; exit 1; }
' check "$bash_comp" 2>&1); then
    ok "the bash completion works without bash-completion"
else
    not_ok "the bash completion works without bash-completion"
    printf '%s\n' "$out" | diag
fi

# 8
if ! command -v zsh >/dev/null 2>&1; then
    skip "zsh -n accepts the zsh completion" "zsh not installed"
elif out=$(zsh -n "$zsh_comp" 2>&1) && [[ -z $out ]]; then
    ok "zsh -n accepts the zsh completion"
else
    not_ok "zsh -n accepts the zsh completion"
    printf '%s\n' "$out" | diag
fi

# 9
if ! command -v fish >/dev/null 2>&1; then
    skip "fish --no-execute accepts the fish completion" "fish not installed"
elif out=$(fish --no-execute "$fish_comp" 2>&1) && [[ -z $out ]]; then
    ok "fish --no-execute accepts the fish completion"
else
    not_ok "fish --no-execute accepts the fish completion"
    printf '%s\n' "$out" | diag
fi

# 10-11: groff, for the default device and for a terminal.
groff_check()
{
    local what=$1
    shift
    if ! command -v groff >/dev/null 2>&1; then
        skip "$what" "groff not installed"
    elif out=$(groff "$@" "$man" 2>&1) && [[ -z $out ]]; then
        ok "$what"
    else
        not_ok "$what"
        printf '%s\n' "$out" | diag
    fi
}
groff_check "groff -man -ww -z: the man page has no warnings" -man -ww -z
groff_check "groff -man -Tutf8 -ww -z: the man page has no warnings" -man -Tutf8 -ww -z

exit "$failed"
