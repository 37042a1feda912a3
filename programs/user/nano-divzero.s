# nano-divzero: asks the kernel to survive divides by zero, then divides by zero N times; the
# kernel handles each trap, sets the quotient to 0 and resumes after the instruction.
        .include "user.inc"
_start: mv   s0, a0
        li   a0, 1
        call divzero
        li   s1, 0                  # i
        li   s2, 0                  # quotients that came back 0
        li   s3, 1234
.loop:  bge  s1, s0, .done
        div  t1, s3, zero           # traps; the kernel writes 0 to t1 and skips it
        bnez t1, .nz
        addi s2, s2, 1
.nz:    addi s1, s1, 1
        j    .loop
.done:  la   a0, m_n
        mv   a1, s0
        call print_kv
        la   a0, m_z
        mv   a1, s2
        call print_kv
        call newline
        li   a0, 0
        call exit
m_n:    .asciz "nano-divzero: n="
m_z:    .asciz " zero-quotients="
        .include "lib.s"
