# ring: print the ring it runs in, read with the legacy extension's `rdstatus` (like x86's
# PUSHF, or reading CS: docs/popek-goldberg.md). The assembler sees the instruction and marks the
# executable as needing `legacy` (EX_ISA, docs/fs.md "Executables"), so a machine without the
# extension refuses it at exec (ENOEXEC: "Exec format error") instead of killing it with SIGILL
# at the instruction; `image build` records the requirement in the image's config.
        .include "user.inc"
_start: la   a0, msg
        call print
        rdstatus t0                 # STATUS, in any ring, without trapping
        andi a0, t0, 3               # bits 1:0, the ring
        call print_dec
        call newline
        li   a0, 0
        call exit
msg:    .asciz "ring "
        .include "lib.s"
