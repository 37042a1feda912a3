# io: console output bound. Writes a 32-byte line N times; checksum = bytes written.
        .include "user.inc"
_start: mv   s0, a0
        li   s1, 0                  # bytes written
        li   s2, 0
.loop:  bge  s2, s0, .done
        li   a0, 1
        la   a1, line
        li   a2, 32
        call write
        add  s1, s1, a0
        addi s2, s2, 1
        j    .loop
.done:  la   a0, m_writes
        mv   a1, s0
        call print_kv
        la   a0, m_bytes
        mv   a1, s1
        call print_kv
        call newline
        li   a0, 0
        call exit
line:     .ascii "io: 0123456789abcdefghijklmnopq\n"
          .byte 0
m_writes: .asciz "io: writes="
m_bytes:  .asciz " bytes="
        .include "lib.s"
