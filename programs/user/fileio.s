# fileio: file-system bound. Each iteration creates /fileio.tmp, writes FILE_BYTES of a pattern,
# reads them back from the start, checks them against the pattern, closes and deletes the file.
# The write goes through the buffer cache to the disk (write-through); the read back comes from
# the cache. It prints the bytes read back and their checksum.
        .include "user.inc"
        .equ FILE_BYTES, 8192               # two blocks
        .equ WBUF, HEAP_BASE                # the pattern
        .equ RBUF, HEAP_BASE + 0x10000      # what comes back
_start: mv   s0, a0                         # iterations
        li   s1, 0                          # bytes read back
        li   s2, 0                          # checksum
        li   t0, WBUF                       # the pattern: byte i is i * 13 + 7
        li   t1, FILE_BYTES
        add  t1, t1, t0
        li   t2, 7
.fill:  sb   t2, 0(t0)
        addi t2, t2, 13
        addi t0, t0, 1
        bltu t0, t1, .fill
        li   s3, 0
.loop:  bge  s3, s0, .done
        la   a0, path
        li   a1, O_CREAT | O_TRUNC | O_RDWR
        call open
        blt  a0, zero, .fail
        mv   fp, a0
        li   a1, WBUF
        li   a2, FILE_BYTES
        call write
        li   t0, FILE_BYTES
        bne  a0, t0, .fail
        mv   a0, fp
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        mv   a0, fp
        li   a1, RBUF
        li   a2, FILE_BYTES
        call read
        blt  a0, zero, .fail
        add  s1, s1, a0
        li   t0, RBUF                       # checksum = checksum * 31 + word, and compare
        li   t1, RBUF + FILE_BYTES
        li   t3, WBUF
.sum:   lw   a0, 0(t0)
        lw   a1, 0(t3)
        bne  a0, a1, .fail
        li   a1, 31
        mul  s2, s2, a1
        add  s2, s2, a0
        addi t0, t0, 4
        addi t3, t3, 4
        bltu t0, t1, .sum
        mv   a0, fp
        call close
        la   a0, path
        call unlink
        bnez a0, .fail
        addi s3, s3, 1
        j    .loop
.done:  la   a0, m_bytes
        mv   a1, s1
        la   a2, m_sum
        mv   a3, s2
        j    report2_exit
.fail:  la   a0, m_fail
        call print
        li   a0, 1
        call exit
path:    .asciz "/fileio.tmp"
m_bytes: .asciz "fileio: bytes="
m_sum:   .asciz " checksum="
m_fail:  .asciz "fileio: a file operation failed\n"
        .include "lib.s"
