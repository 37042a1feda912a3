# fsmeta: metadata bound. Each iteration makes a directory, creates a file in it, stats it,
# renames it, unlinks it and removes the directory: six path lookups and directory changes, no
# file data. It prints how many operations succeeded (6 per iteration).
        .include "user.inc"
_start: mv   s0, a0                         # iterations
        li   s1, 0                          # operations that succeeded
        li   s3, 0
.loop:  bge  s3, s0, .done
        la   a0, dir
        call mkdir
        call count
        la   a0, file
        li   a1, O_CREAT | O_EXCL | O_WRONLY
        call open
        blt  a0, zero, .nofd
        call close
        li   a0, 0
.nofd:  call count
        la   a0, file
        la   a1, statbuf
        call stat
        call count
        la   a0, file
        la   a1, renamed
        call rename
        call count
        la   a0, renamed
        call unlink
        call count
        la   a0, dir
        call rmdir
        call count
        addi s3, s3, 1
        j    .loop
.done:  la   a0, m_iter
        mv   a1, s0
        la   a2, m_ok
        mv   a3, s1
        j    report2_exit

# count(a0 = a call's result): one more success if it is not negative.
count:  blt  a0, zero, .no
        addi s1, s1, 1
.no:    ret

dir:     .asciz "/fsmeta.d"
file:    .asciz "/fsmeta.d/f"
renamed: .asciz "/fsmeta.d/g"
m_iter:  .asciz "fsmeta: iterations="
m_ok:    .asciz " ok="
        .align 4
statbuf: .space ST_SIZEOF
        .include "lib.s"
