# diskread: random reads from the disk, the shape of an IOPS benchmark. The root disk holds
# /var/diskread.dat, DATA_BLOCKS blocks whose every word is its block number (the boot installs
# it: src/configs/workloads.ts). Each iteration reads one block at a random block offset with
# O_DIRECT, so every read is a disk request, cached or not, and checks the block's first word.
# It prints the reads and the sum of the block numbers read.
        .include "user.inc"
        .equ DATA_BLOCKS, 256               # 1 MiB
        .equ BUF, HEAP_BASE
_start: mv   s0, a0                         # iterations
        li   s1, 0                          # sum of the block numbers read
        li   s2, 12345                      # random state
        la   a0, path
        li   a1, O_RDONLY | O_DIRECT
        call open
        blt  a0, zero, .fail
        mv   fp, a0
        li   s3, 0
.loop:  bge  s3, s0, .done
        li   t0, 1103515245                 # the next block: an LCG, modulo DATA_BLOCKS
        mul  s2, s2, t0
        li   t0, 12345
        add  s2, s2, t0
        srli t0, s2, 16
        andi t0, t0, DATA_BLOCKS - 1
        push t0
        mv   a0, fp
        slli a1, t0, 12
        li   a2, SEEK_SET
        call lseek
        mv   a0, fp
        li   a1, BUF
        li   a2, BSIZE
        call read
        pop  t0
        li   t1, BSIZE
        bne  a0, t1, .fail
        li   t1, BUF
        lw   t1, 0(t1)
        bne  t1, t0, .fail
        add  s1, s1, t0
        addi s3, s3, 1
        j    .loop
.done:  mv   a0, fp
        call close
        la   a0, m_reads
        mv   a1, s0
        la   a2, m_sum
        mv   a3, s1
        j    report2_exit
.fail:  la   a0, m_fail
        call print
        li   a0, 1
        call exit
path:    .asciz "/var/diskread.dat"
m_reads: .asciz "diskread: reads="
m_sum:   .asciz " blocks-sum="
m_fail:  .asciz "diskread: a read failed or returned the wrong block\n"
        .include "lib.s"
