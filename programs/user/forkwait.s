# forkwait: process creation, Adams and Agesen's "forkwait" (ASPLOS 2006): N times, fork a child
# that exits at once and wait for it. Each fork copies the page tables and marks every page
# copy-on-write (a VMM with shadow page tables must follow each of those PTE writes), and each
# exit frees the child's address space; the child touches nothing, so no page is copied.
        .include "user.inc"
_start: mv   s0, a0                 # s0 = N
        li   s1, 0                  # s1 = children reaped with status 0
        li   s2, 0                  # s2 = round
.loop:  bge  s2, s0, .done
        call fork
        beqz a0, .child
        blt  a0, zero, .done        # fork failed: report what was done
        li   a0, -1
        la   a1, status
        li   a2, 0
        call wait
        blt  a0, zero, .done
        la   t0, status
        lw   t0, 0(t0)
        bnez t0, .next
        addi s1, s1, 1
.next:  addi s2, s2, 1
        j    .loop
.child: li   a0, 0
        call exit
.done:  la   a0, m_forks
        mv   a1, s2
        la   a2, m_reaped
        mv   a3, s1
        j    report2_exit
status:   .word 0
m_forks:  .asciz "forkwait: forks="
m_reaped: .asciz " reaped="
        .align 4
        .include "lib.s"
