# rm [-r] FILE...: remove each file (unlink). A directory needs -r, which removes everything
# below it first, then the directory itself (rmdir). An error ("rm: PATH: message") does not
# stop the others; the exit status is then 1.
#
# -r walks the tree depth first with one path buffer: entering a directory appends "/NAME", and
# leaving it cuts the path back. Each level keeps its directory open and reads one entry at a
# time into its own stack frame, so the depth is bounded by NOFILE descriptors (a deeper tree
# gives "Too many open files") and the buffer by PATH_MAX.
        .include "user.inc"
        .equ PATHBUF, HEAP_BASE         # the path of the file being removed
        .equ STBUF, HEAP_BASE + 0x2000
_start: addi s1, a2, 4                  # crt0: a1 = argc, a2 = argv; s1 = the next argument
        lw   a0, 0(s1)
        beqz a0, .usage
        la   a1, opt_r
        call strcmp
        bnez a0, .each
        li   t1, 1
        swg  t1, recursive, t3
        addi s1, s1, 4
        lw   a0, 0(s1)
        beqz a0, .usage
.each:  lw   a1, 0(s1)
        beqz a1, .done
        li   a0, PATHBUF                # a path is shorter than PATH_MAX (exec's ARG_MAX)
        call strcpy
        call remove
        addi s1, s1, 4
        j    .each
.done:  lwg  a0, status
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit

# remove(): remove the file or (with -r) the tree at PATHBUF.
remove: push ra
        push s0
        push s1
        addi sp, sp, -DE_SIZEOF         # one directory entry
        lwg  t1, recursive
        beqz t1, .unlink
        li   a0, PATHBUF
        la   a1, STBUF
        call stat
        blt  a0, zero, .unlink          # unlink reports the error
        li   t1, STBUF
        lw   t1, ST_TYPE(t1)
        li   t2, T_DIR
        bne  t1, t2, .unlink
        li   a0, PATHBUF
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .fail
        mv   s0, a0                     # s0 = the directory
        li   a0, PATHBUF
        call strlen
        li   s1, PATHBUF
        add  s1, s1, a0                 # s1 = the end of its path
.entry: mv   a0, s0
        mv   a1, sp
        li   a2, DE_SIZEOF
        call getdents
        beqz a0, .empty
        blt  a0, zero, .readfail
        lw   t1, DE_INUM(sp)
        beqz t1, .entry
        addi a0, sp, DE_NAME            # skip . and ..
        la   a1, dot
        call strcmp
        beqz a0, .entry
        addi a0, sp, DE_NAME
        la   a1, dotdot
        call strcmp
        beqz a0, .entry
        li   t1, '/'                    # PATH/NAME
        sb   t1, 0(s1)
        addi a0, s1, 1
        addi a1, sp, DE_NAME
        call strcpy
        call remove
        sb   zero, 0(s1)                # back to PATH
        j    .entry
.readfail:
        mv   a2, a0
        la   a0, name
        li   a1, PATHBUF
        call perror
        li   t1, 1
        swg  t1, status, t3
.empty: mv   a0, s0
        call close
        li   a0, PATHBUF
        call rmdir
        blt  a0, zero, .fail
        j    .out
.unlink:
        li   a0, PATHBUF
        call unlink
        bge  a0, zero, .out
.fail:  mv   a2, a0
        la   a0, name
        li   a1, PATHBUF
        call perror
        li   t1, 1
        swg  t1, status, t3
.out:   addi sp, sp, DE_SIZEOF
        pop  s1
        pop  s0
        pop  ra
        ret

name:   .asciz "rm"
opt_r:  .asciz "-r"
dot:    .asciz "."
dotdot: .asciz ".."
usage:  .asciz "usage: rm [-r] FILE...\n"
        .align 4
recursive: .word 0
status:    .word 0
        .include "lib.s"
