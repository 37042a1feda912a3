# ps: the processes, from the procs() system call's snapshot of the kernel's process table:
#       PID  PPID STATE NAME
#         1     0 S     init
# STATE is R (runnable or running), S (asleep: waiting for a child, a pipe, the disk, the
# console or a timer) or Z (a zombie: ended, not yet waited for by its parent).
        .include "user.inc"
        .equ BUF, HEAP_BASE             # NPROC entries fit: 64 x 32 bytes
_start: li   a0, BUF
        li   a1, NPROC * PI_SIZEOF
        call procs
        blt  a0, zero, .fail
        li   s0, BUF
        add  s1, s0, a0                 # s1 = end of the entries
        li   a0, 1
        la   a1, header
        call print_fd
.each:  bgeu s0, s1, .done
        lw   a0, PI_PID(s0)
        call col5
        lw   a0, PI_PPID(s0)
        call col5
        lw   t1, PI_STATE(s0)           # R, S or Z (? for a state ps does not know)
        la   a1, state_other
        li   t2, PROC_RUNNABLE
        bne  t1, t2, .s
        la   a1, state_r
.s:     li   t2, PROC_WAITING
        bne  t1, t2, .z
        la   a1, state_s
.z:     li   t2, PROC_ZOMBIE
        bne  t1, t2, .state
        la   a1, state_z
.state: li   a0, 1
        call print_fd
        sb   zero, 27(s0)               # the name field (PI_NAME, 16 bytes) must end in a zero
        li   a0, 1
        addi a1, s0, PI_NAME
        call print_fd
        li   a0, 1
        la   a1, lib_nl
        call print_fd
        addi s0, s0, PI_SIZEOF
        j    .each
.done:  li   a0, 0
        call exit
.fail:  mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit

# col5(a0 = value): " " and the value right-aligned in 5 columns (6 in all).
col5:   push ra
        addi sp, sp, -8
        li   t0, ' '                    # "      " then digits from the right
        li   t1, 0
.blank: add  t2, sp, t1
        sb   t0, 0(t2)
        addi t1, t1, 1
        li   t2, 6
        blt  t1, t2, .blank
        addi t1, sp, 6
        li   t2, 10
.digit: addi t1, t1, -1
        remu t0, a0, t2
        addi t0, t0, '0'
        sb   t0, 0(t1)
        divu a0, a0, t2
        beqz a0, .out
        addi t0, sp, 1                  # a pid has at most 5 digits here (NPROC 64)
        bgtu t1, t0, .digit
.out:   li   a0, 1
        mv   a1, sp
        li   a2, 6
        call write_all
        addi sp, sp, 8
        pop  ra
        ret

name:        .asciz "ps"
header:      .asciz "   PID  PPID STATE NAME\n"
state_r:     .asciz " R     "
state_s:     .asciz " S     "
state_z:     .asciz " Z     "
state_other: .asciz " ?     "
        .align 4
        .include "lib.s"
