# bash completion for nsattach                             -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Works on its own; when the bash-completion package is loaded, its
# _command_offset is used to complete the program's own arguments.

# Options that take a value in the next word (or after '=' for long ones).
_nsattach_opts_required='--target --setuid --setgid --wdns --env-mode --exec --timeout --runtime --runtime-root --inspect'
# Options whose value is optional and must be attached (--net=SOURCE, -nSOURCE).
_nsattach_opts_optional='--mount --uts --ipc --net --pid --user --cgroup --time --root --wd'
# Options without a value.
_nsattach_opts_flags='--all --preserve-credentials --no-fork --env --confine --privileged --follow --explain --verbose --quiet --list --json --help --version'
_nsattach_opts_short='-t -a -m -u -i -n -p -U -C -T -S -G -r -w -W -F -e -v -q -h -V'

# Print the targets: running containers (as nsattach --list names them) and PIDs.
_nsattach_pids()
{
    local p
    nsattach --list 2>/dev/null | while read -r _ name _ _ _ _ _ target; do
        [[ $name == NAME ]] && continue
        printf '%s\n' "$name" "$target"
    done
    for p in /proc/[0-9]*; do
        [[ -d $p ]] && printf '%s\n' "${p#/proc/}"
    done
}

# compgen results for a glued short value: prefix each, add '/' to directories.
_nsattach_prefixed()
{
    local prefix=$1 what=$2 value=$3 f
    local -a found
    if [[ $what == dirs ]]; then
        mapfile -t found < <(compgen -d -- "$value")
    else
        mapfile -t found < <(compgen -f -- "$value")
    fi
    for f in "${found[@]}"; do
        [[ -d $f ]] && f+=/
        COMPREPLY+=("$prefix$f")
    done
    compopt -o nospace 2>/dev/null
}

# Complete the value of the option $1; $2 is what has been typed of it.
_nsattach_value()
{
    local opt=$1 value=$2
    case $opt in
        -t | --target | --inspect)
            mapfile -t COMPREPLY < <(compgen -W "$(_nsattach_pids)" -- "$value")
            ;;
        -S | --setuid | -G | --setgid)
            mapfile -t COMPREPLY < <(compgen -W 'follow' -- "$value")
            ;;
        --env-mode)
            mapfile -t COMPREPLY < <(compgen -W 'host target clean' -- "$value")
            ;;
        --exec)
            mapfile -t COMPREPLY < <(compgen -W 'host container' -- "$value")
            ;;
        --runtime)
            mapfile -t COMPREPLY < <(compgen -W 'docker podman containerd nerdctl k8s crio lxc machine' -- "$value")
            ;;
        --runtime-root)
            compopt -o nospace 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -W 'docker= docker-exec= podman= podman-run= runc= crun= containerd= lxc= machines= cgroup= home= user-run= cache=' -- "$value")
            ;;
        -r | --root | -w | --wd | -W | --wdns)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$value")
            ;;
        --mount | --uts | --ipc | --net | --pid | --user | --cgroup | --time)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$value")
            ;;
    esac
}

# Where a short-option word ends: prints "next" when its last option takes
# the following word as its value, "glued LETTER OFFSET" when the rest of the
# word from OFFSET is the value of LETTER, and nothing otherwise.  This
# follows nsattach: after a letter with an optional value, the rest is more
# options only when it is made of letters of options without a required value.
_nsattach_short_word()
{
    local w=${1#-} i c rest
    for ((i = 0; i < ${#w}; i++)); do
        c=${w:i:1}
        rest=${w:i+1}
        case $c in
            [tSGW])
                if [[ -z $rest ]]; then
                    echo next
                else
                    echo "glued $c $((i + 2))"
                fi
                return
                ;;
            [muinpUCTrw])
                if [[ -n $rest && $rest == *[!amuinpUCTFrwe]* ]]; then
                    echo "glued $c $((i + 2))"
                    return
                fi
                ;;
        esac
    done
}

_nsattach()
{
    local i w cur cword=-1 prog=-1 prog_raw=-1 expect=
    local -a words=() raw=()

    COMPREPLY=()

    # Put "--opt" "=" "value" back together: '=' is a word break by default.
    for ((i = 0; i < ${#COMP_WORDS[@]} && i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((${#words[@]} > 0)) && [[ $w == '=' && ${words[-1]} == --* && ${words[-1]} != *=* ]]; then
            words[-1]+=$w
        elif ((${#words[@]} > 0)) && [[ ${words[-1]} == --*= && ${COMP_WORDS[i - 1]} == '=' ]]; then
            words[-1]+=$w
        else
            words+=("$w")
            raw+=("$i")
        fi
    done
    cword=$((${#words[@]} - 1))
    cur=${words[cword]}

    # Find the program: after "--", or the first word that is not an option
    # or an option's value.
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ -n $expect ]]; then
            expect=
            continue
        fi
        case $w in
            --)
                prog=$((i + 1))
                break
                ;;
            --*=*) ;;
            --*)
                [[ " $_nsattach_opts_required " == *" $w "* ]] && expect=$w
                ;;
            -?*)
                [[ $(_nsattach_short_word "$w") == next ]] && expect=$w
                ;;
            *)
                prog=$i
                break
                ;;
        esac
    done

    if ((prog >= 0 && prog <= cword)); then
        prog_raw=${raw[prog]}
        if declare -F _command_offset >/dev/null; then
            _command_offset "$prog_raw"
        elif ((prog == cword)); then
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
        else
            compopt -o default 2>/dev/null
        fi
        return 0
    fi

    # The value of the option in the previous word.
    if [[ -n $expect ]]; then
        if [[ $expect == --* ]]; then
            _nsattach_value "$expect" "$cur"
        else
            _nsattach_value "-${expect: -1}" "$cur"
        fi
        return 0
    fi

    case $cur in
        --*=*)
            local opt=${cur%%=*} value=${cur#*=}
            _nsattach_value "$opt" "$value"
            # Without '=' in COMP_WORDBREAKS the whole word is replaced.
            if [[ $COMP_WORDBREAKS != *=* ]]; then
                for i in "${!COMPREPLY[@]}"; do
                    COMPREPLY[i]=$opt=${COMPREPLY[i]}
                done
            fi
            return 0
            ;;
        --*)
            mapfile -t COMPREPLY < <(compgen -W "$_nsattach_opts_required $_nsattach_opts_optional $_nsattach_opts_flags" -- "$cur")
            return 0
            ;;
        -)
            mapfile -t COMPREPLY < <(compgen -W "$_nsattach_opts_short $_nsattach_opts_required $_nsattach_opts_optional $_nsattach_opts_flags" -- "$cur")
            return 0
            ;;
        -?*)
            local how
            read -r -a how <<<"$(_nsattach_short_word "$cur")"
            if [[ ${how[0]} == glued ]]; then
                local prefix=${cur:0:how[2]} value=${cur:how[2]}
                case ${how[1]} in
                    [rwW]) _nsattach_prefixed "$prefix" dirs "$value" ;;
                    [muinpUCT]) _nsattach_prefixed "$prefix" files "$value" ;;
                    *)
                        _nsattach_value "-${how[1]}" "$value"
                        for i in "${!COMPREPLY[@]}"; do
                            COMPREPLY[i]=$prefix${COMPREPLY[i]}
                        done
                        ;;
                esac
            else
                COMPREPLY=("$cur")
            fi
            return 0
            ;;
    esac

    # The first word that is not an option: the program.
    if declare -F _command_offset >/dev/null; then
        _command_offset "${raw[cword]}"
    else
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
    fi
    return 0
} &&
    complete -F _nsattach nsattach

# ex: filetype=sh
