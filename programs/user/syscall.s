# syscall: system-call bound. Each iteration makes three cheap calls: getpid, a zero-length
# write and divzero(0); it counts the getpid answers that equal the first one.
        .include "user.inc"
_start: mv   s0, a0                 # iterations
        call getpid
        mv   s1, a0                 # my pid
        li   s2, 0                  # correct answers
        li   s3, 0
.loop:  bge  s3, s0, .done
        call getpid
        bne  a0, s1, .wrong
        addi s2, s2, 1
.wrong: li   a0, 1
        la   a1, m_calls
        li   a2, 0
        call write
        li   a0, 0
        call divzero
        addi s3, s3, 1
        j    .loop
.done:  la   a0, m_calls
        mv   a1, s0
        call print_kv
        la   a0, m_ok
        mv   a1, s2
        call print_kv
        call newline
        li   a0, 0
        call exit
m_calls: .asciz "syscall: iterations="
m_ok:    .asciz " getpid-ok="
        .include "lib.s"
