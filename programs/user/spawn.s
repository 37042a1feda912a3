# spawn: process creation with a new program, as a shell runs a command: N times, fork a child
# that execs /bin/true, and wait for it. exec reads the executable through the buffer cache
# (from the disk the first time), builds a fresh address space and frees the copy-on-write one
# fork made.
        .include "user.inc"
_start: mv   s0, a0                 # s0 = N
        li   s1, 0                  # s1 = children that exited with status 0
        li   s2, 0                  # s2 = round
.loop:  bge  s2, s0, .done
        call fork
        beqz a0, .child
        blt  a0, zero, .done
        la   a1, status
        li   a0, -1
        li   a2, 0
        call wait
        blt  a0, zero, .done
        la   t0, status
        lw   t0, 0(t0)
        bnez t0, .next
        addi s1, s1, 1
.next:  addi s2, s2, 1
        j    .loop
.child: la   a0, true_path
        la   a1, true_argv
        call exec
        li   a0, 127                # exec failed
        call exit
.done:  la   a0, m_spawns
        mv   a1, s2
        la   a2, m_ok
        mv   a3, s1
        j    report2_exit
status:    .word 0
true_argv: .word true_name, 0
true_path: .asciz "/bin/true"
true_name: .asciz "true"
m_spawns:  .asciz "spawn: spawns="
m_ok:      .asciz " ok="
        .align 4
        .include "lib.s"
