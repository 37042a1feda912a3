# mountstats TARGET: the counters of the overlay mounted at TARGET (the mountstats call, what
# Linux's /proc/self/mountstats shows for a mount): its options, the lookups that searched each
# layer, the copy-ups and the bytes they copied. Errors: no TARGET or more than one: the usage,
# exit 2; the call fails (not the root of an overlay: "Invalid argument"): "mountstats: TARGET:
# message", exit 1.
        .include "user.inc"
        .equ BUF, HEAP_BASE
_start: li   t0, 2
        bne  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        lw   s1, 4(a2)
        mv   a0, s1
        li   a1, BUF
        li   a2, 0x2000
        call mountstats
        blt  a0, zero, .fail
        mv   a2, a0
        li   a0, 1
        li   a1, BUF
        call write_all
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s1
        call perror
        li   a0, 1
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "mountstats"
usage:  .asciz "usage: mountstats TARGET\n"
        .align 4
        .include "lib.s"
