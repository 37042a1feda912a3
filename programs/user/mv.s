# mv SOURCE DEST: rename SOURCE to DEST (the rename system call: one directory entry moves, the
# file's data stays where it is). When DEST is a directory, SOURCE moves into it under its own
# last name component, as mv does. An error: "mv: SOURCE: message", exit 1.
        .include "user.inc"
        .equ PATHBUF, HEAP_BASE
        .equ STBUF, HEAP_BASE + 0x2000
_start: li   t1, 3
        bne  a1, t1, .usage             # crt0: a1 = argc, a2 = argv
        lw   s0, 4(a2)                  # source
        lw   s1, 8(a2)                  # destination
        mv   a0, s0
        mv   a1, s1
        call into_dir
        mv   s1, a0
        mv   a0, s0
        mv   a1, s1
        call rename
        bge  a0, zero, .ok
        mv   a2, a0
        la   a0, name
        mv   a1, s0
        call perror
        li   a0, 1
        call exit
.ok:    li   a0, 0
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "mv"
usage:  .asciz "usage: mv SOURCE DEST\n"
        .align 4
        .include "into.inc"
        .include "lib.s"
