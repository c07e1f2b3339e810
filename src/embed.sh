#!/bin/sh
# embed.sh FILE OUT.S SYMBOL: an assembler file that carries FILE's bytes as
# SYMBOL .. SYMBOL_end in .rodata (used for the mnt view's trampoline).
set -eu
{
        printf '\t.section .rodata\n\t.balign 16\n\t.globl %s\n%s:\n' "$3" "$3"
        printf '\t.incbin "%s"\n' "$1"
        printf '\t.globl %s_end\n%s_end:\n' "$3" "$3"
        printf '\t.section .note.GNU-stack,"",%%progbits\n'
} >"$2"
