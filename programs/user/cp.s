# cp SOURCE DEST: copy the file SOURCE to DEST (created, or emptied first), a block at a time.
# When DEST is a directory, the copy goes into it under SOURCE's last name component. Errors:
# "cp: PATH: message", exit 1; a directory as SOURCE gives "Is a directory" (no -r).
        .include "user.inc"
        .equ BUF, HEAP_BASE
        .equ BUFSIZE, 4096
        .equ PATHBUF, HEAP_BASE + 0x1000
        .equ STBUF, HEAP_BASE + 0x3000
_start: li   t1, 3
        bne  a1, t1, .usage             # crt0: a1 = argc, a2 = argv
        lw   s0, 4(a2)                  # source
        lw   s1, 8(a2)                  # destination
        mv   a0, s0
        li   a1, STBUF
        call stat
        blt  a0, zero, .srcfail
        li   t1, STBUF                  # a directory opens, but has no bytes to copy
        lw   t1, ST_TYPE(t1)
        li   a0, -EISDIR
        li   t2, T_DIR
        beq  t1, t2, .srcfail
        mv   a0, s0
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .srcfail
        mv   s2, a0                     # s2 = source descriptor
        mv   a0, s0
        mv   a1, s1
        call into_dir
        mv   s1, a0
        li   a1, O_WRONLY | O_CREAT | O_TRUNC
        call open
        blt  a0, zero, .dstfail
        mv   s3, a0                     # s3 = destination descriptor
.copy:  mv   a0, s2
        li   a1, BUF
        li   a2, BUFSIZE
        call read
        beqz a0, .ok
        blt  a0, zero, .srcfail
        mv   a2, a0
        mv   a0, s3
        li   a1, BUF
        call write_all
        bge  a0, zero, .copy
.dstfail:
        mv   s0, s1
.srcfail:
        mv   a2, a0
        la   a0, name
        mv   a1, s0
        call perror
        li   a0, 1
        call exit
.ok:    li   a0, 0                      # exit closes the descriptors
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "cp"
usage:  .asciz "usage: cp SOURCE DEST\n"
        .align 4
        .include "into.inc"
        .include "lib.s"
