# pipe: moving data between processes, as a shell pipeline does: N times, a producer (the child)
# writes 1 KiB into a pipe in 256-byte writes and a consumer (the parent) reads it back. The
# pipe holds PIPE_SIZE bytes, so the two take turns: each read or write that finds the pipe
# empty or full sleeps until the other side has moved, a context switch each way.
        .include "user.inc"
        .equ CHUNK, 256
_start: mv   s0, a0                 # s0 = N (KiB)
        la   a0, fds
        call pipe
        bnez a0, .fail
        call fork
        beqz a0, .producer
        blt  a0, zero, .fail
        la   t0, fds                # the consumer: close the write end, read to the end
        lw   a0, 4(t0)
        call close
        li   s1, 0                  # s1 = bytes read
        li   s2, 0                  # s2 = sum of the bytes
.read:  la   t0, fds
        lw   a0, 0(t0)
        li   a1, HEAP_BASE
        li   a2, 4096
        call read
        blt  a0, zero, .fail
        beqz a0, .eof
        add  s1, s1, a0
        li   t0, HEAP_BASE
        add  t1, t0, a0
.sum:   lbu  t2, 0(t0)
        add  s2, s2, t2
        addi t0, t0, 1
        bltu t0, t1, .sum
        j    .read
.eof:   li   a0, -1
        li   a1, 0
        li   a2, 0
        call wait
        la   a0, m_bytes
        mv   a1, s1
        la   a2, m_sum
        mv   a3, s2
        j    report2_exit

.producer:
        la   t0, fds                # close the read end, write N KiB: byte i is i mod 251
        lw   a0, 0(t0)
        call close
        li   t0, HEAP_BASE + 0x10000
        li   t1, 0
.fill:  li   t2, 251
        remu t2, t1, t2
        add  t3, t0, t1
        sb   t2, 0(t3)
        addi t1, t1, 1
        li   t2, 1024
        blt  t1, t2, .fill
        slli s1, s0, 2              # s1 = chunks to write (4 per KiB)
.write: beqz s1, .done
        la   t0, fds
        lw   a0, 4(t0)
        li   a1, HEAP_BASE + 0x10000
        andi t1, s1, 3
        slli t1, t1, 8              # this chunk's quarter of the KiB
        add  a1, a1, t1
        li   a2, CHUNK
        call write
        li   t0, CHUNK
        bne  a0, t0, .fail
        addi s1, s1, -1
        j    .write
.done:  li   a0, 0
        call exit
.fail:  la   a0, m_fail
        call print
        li   a0, 1
        call exit
fds:     .word 0, 0
m_bytes: .asciz "pipe: bytes="
m_sum:   .asciz " sum="
m_fail:  .asciz "pipe: failed\n"
        .align 4
        .include "lib.s"
