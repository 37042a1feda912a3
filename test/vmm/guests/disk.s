# disk.s: a bare-metal guest kernel that drives the raw disk (docs/disk.md) from ring 0 and
# prints what it sees: reads by DMA and their checksums, a write read back, every error code, a
# command while busy, a flush, the acknowledgement, waiting with wfi for the interrupt (IPEND),
# and the interrupt itself (CAUSE, and EPC: where it was taken). test/vmm/disk.test.ts runs it
# natively and under every VMM (under pv built with PARAVIRT: guest.inc): a VMM whose disk model
# is faithful makes it print the same, byte for byte. It never prints cycles or addresses that
# differ between builds.
#
# It wants a disk of DISK_WANT blocks or more, and runs with paging off, the disk's line the only
# one enabled and its timer never started.

        .include "guest.inc"
        .equ KSTACK, 0x00080000
        .equ BUF, 0x00200000            # three pages
        .equ BUF2, 0x00210000
        .equ BUF3, 0x00220000
        .equ BIG, 0x00400000            # 1 MiB: DISK_MAX_COUNT blocks
        .equ DISK_WANT, 260

# request CMD, BLOCK, ADDR, COUNT: program the registers (a register or a constant each), then
# write the command. Clobbers t0, t1, a0, a1.
.macro request cmd, block, addr, count
        li   t1, \block
        gout DISK_BLOCK, t1
        li   t1, \addr
        gout DISK_ADDR, t1
        li   t1, \count
        gout DISK_COUNT, t1
        li   t1, \cmd
        gout DISK_COMMAND, t1
.endm

        .org 0x10000
_start:
        li   sp, KSTACK
        la   t0, handler
        gcsrw TVEC, t0
        li   t0, IRQ_DISK
        gcsrw IMASK, t0
        li   t0, BOOTARGS
        lw   s1, BA_MEMSIZE(t0)         # s1 = the end of memory
        gin  s2, DISK_BLOCKS            # s2 = blocks on the disk
        li   t0, DISK_WANT
        bltu s2, t0, nodisk
        gin  t1, DISK_STATUS
        show status, t1
        call ipend

        # ---- read three blocks; the registers while busy; a command while busy -----------------
        request DISK_CMD_READ, 1, BUF, 3
        gin  t1, DISK_STATUS
        show busy, t1
        gin  t1, DISK_BLOCK
        show block, t1
        gin  t1, DISK_ADDR
        show addr, t1
        gin  t1, DISK_COUNT
        show count, t1
        li   t1, 9                      # the request has its own copy: change them all
        gout DISK_BLOCK, t1
        li   t1, BUF3
        gout DISK_ADDR, t1
        li   t1, 1
        gout DISK_COUNT, t1
        gin  t1, DISK_BLOCK
        show block, t1
        li   t1, DISK_CMD_READ
        gout DISK_COMMAND, t1           # refused: one request at a time
        gin  t1, DISK_STATUS
        show refused, t1
        call ipend
        gwfi                            # interrupts off: returns when the line is up
        call ipend
        gin  t1, DISK_STATUS
        show done, t1
        li   a0, BUF
        li   a1, 3
        call sums
        gout DISK_ACK, zero
        gin  t1, DISK_STATUS
        show acked, t1
        call ipend

        # ---- write a block, read it back -------------------------------------------------------
        li   t0, BUF
        lw   t1, 0(t0)
        li   t2, 0x5a5a5a5a
        xor  t1, t1, t2
        sw   t1, 0(t0)
        request DISK_CMD_WRITE, 5, BUF, 1
        call wait
        request DISK_CMD_READ, 5, BUF2, 1
        call wait
        li   a0, BUF2
        li   a1, 1
        call sums
        request DISK_CMD_WRITE, 200, BUF, 3   # three blocks, then back again
        call wait
        request DISK_CMD_READ, 200, BUF3, 3
        call wait
        li   a0, BUF3
        li   a1, 3
        call sums

        # ---- every error code: at once, DONE | ERROR | code << 8, and the line up -------------
        request 0, 1, BUF, 1
        call error
        request 4, 1, BUF, 1
        call error
        request -1, 1, BUF, 1
        call error
        request DISK_CMD_READ, 1, BUF, 0
        call error
        request DISK_CMD_WRITE, 1, BUF, DISK_MAX_COUNT + 1
        call error
        request DISK_CMD_READ, 1, BUF, -1
        call error
        addi t1, s2, -1                 # runs past the last block
        gout DISK_BLOCK, t1
        li   t1, 2
        gout DISK_COUNT, t1
        li   t1, DISK_CMD_READ
        gout DISK_COMMAND, t1
        call error
        gout DISK_BLOCK, s2             # starts past it
        li   t1, 1
        gout DISK_COUNT, t1
        li   t1, DISK_CMD_READ
        gout DISK_COMMAND, t1
        call error
        request DISK_CMD_READ, -1, BUF, 1   # block + count wraps around 2^32
        call error
        request DISK_CMD_READ, 1, BUF + 4, 1    # not a multiple of the block size
        call error
        request DISK_CMD_WRITE, 1, BUF + 0x800, 1
        call error
        request DISK_CMD_READ, 1, 0xffc00000, 1 # plus a VMM's GUEST_BASE: host-physical 0
        call error
        request DISK_CMD_READ, 1, 0xfffff000, 1 # address + bytes wraps around 2^32
        call error
        request DISK_CMD_WRITE, 1, 0x7ffff000, 1
        call error
        li   t1, 1                      # the last page of memory and the one after it
        gout DISK_BLOCK, t1
        li   t1, 2
        gout DISK_COUNT, t1
        li   t1, -DISK_BLOCK_SIZE
        add  t1, s1, t1
        gout DISK_ADDR, t1
        li   t1, DISK_CMD_READ
        gout DISK_COMMAND, t1
        call error
        gout DISK_ADDR, s1              # just past the end of memory
        li   t1, 1
        gout DISK_COUNT, t1
        li   t1, DISK_CMD_WRITE
        gout DISK_COMMAND, t1
        call error
        request DISK_CMD_READ, 1, 0x7ffff000, 0     # two faults: the count is checked first
        call error
        li   t1, 2                      # the range before the address
        gout DISK_COUNT, t1
        addi t1, s2, -1
        gout DISK_BLOCK, t1
        li   t1, DISK_CMD_READ
        gout DISK_COMMAND, t1
        call error

        # an error keeps REFUSED: a request, a refused command, then a bad one before the ack
        request DISK_CMD_READ, 7, BUF2, 1
        li   t1, DISK_CMD_WRITE
        gout DISK_COMMAND, t1
        gwfi
        gin  t1, DISK_STATUS
        show done, t1
        li   t1, 0
        gout DISK_COMMAND, t1
        call error

        # ---- the last page of memory: read into it, write from it ---------------------------
        li   t1, 7
        gout DISK_BLOCK, t1
        li   t1, 1
        gout DISK_COUNT, t1
        li   t1, -DISK_BLOCK_SIZE
        add  s3, s1, t1                 # s3 = the last page
        gout DISK_ADDR, s3
        li   t1, DISK_CMD_READ
        gout DISK_COMMAND, t1
        call wait
        mv   a0, s3
        li   a1, 1
        call sums
        li   t1, 250
        gout DISK_BLOCK, t1
        li   t1, DISK_CMD_WRITE
        gout DISK_COMMAND, t1
        call wait

        # ---- the most one request may move: DISK_MAX_COUNT blocks ---------------------------
        request DISK_CMD_READ, 0, BIG, DISK_MAX_COUNT
        call wait
        li   a0, BIG
        li   a1, DISK_MAX_COUNT
        call sum
        show big, a0

        # ---- flush: BUSY, then DONE like any request; refused while busy too ------------------
        li   t1, DISK_CMD_FLUSH
        gout DISK_COMMAND, t1
        gin  t1, DISK_STATUS
        show flush, t1
        li   t1, DISK_CMD_FLUSH
        gout DISK_COMMAND, t1
        gin  t1, DISK_STATUS
        show refused, t1
        call wait

        # ---- the interrupt: taken in wfi, at once after the command, and when IE turns on ----
        request DISK_CMD_READ, 4, BUF3, 1
        la   t1, taken1
        call expect
        gei
        gwfi
taken1: gdi
        li   a0, BUF3
        li   a1, 1
        call sums
        la   t1, taken2
        call expect
        gei
        li   t1, 6
        gout DISK_COMMAND, t1           # fails at once: the interrupt before the next instruction
taken2: gdi
        li   t1, 6
        gout DISK_COMMAND, t1           # with interrupts off the line waits ...
        la   t1, taken3
        call expect
        gei                             # ... and is taken as soon as they are on
taken3: gdi
        gcsrw IMASK, zero               # masked: pending, not taken
        gei
        li   t1, 6
        gout DISK_COMMAND, t1
        gdi
        call ipend
        gout DISK_ACK, zero
        li   t0, IRQ_DISK
        gcsrw IMASK, t0
        la   t0, handled
        lw   t1, 0(t0)
        show handled, t1

        # ---- the write-only ports read as an undriven bus; the read-only ones ignore writes -
        gin  t1, DISK_COMMAND
        show command, t1
        gin  t1, DISK_ACK
        show ack, t1
        li   t1, 0x1234
        gout DISK_STATUS, t1
        gout DISK_BLOCKS, t1
        gin  t1, DISK_STATUS
        show status, t1
        gin  t1, DISK_BLOCKS
        show blocks, t1
        li   s3, 0
        j    off
nodisk: li   s3, 3
off:    show end, s3
        gout POWER_OFF, s3
        halt

# The disk's interrupt: what the kernel sees, and where it was taken (0: where expected).
handler:
        push ra
        push a0
        push a1
        push t0
        push t1
        push t2
        push t3
        gcsrr t1, CAUSE
        show cause, t1
        call ipend
        gin  t1, DISK_STATUS
        show status, t1
        gcsrr t1, EPC
        la   t2, expect_epc
        lw   t2, 0(t2)
        sub  t1, t1, t2
        show epc, t1
        gout DISK_ACK, zero
        la   t0, handled
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        pop  t3
        pop  t2
        pop  t1
        pop  t0
        pop  a1
        pop  a0
        pop  ra
        gsret

# wait: sleep until the request in flight is done, print its status, acknowledge it.
wait:   push ra
        gwfi
        gin  t1, DISK_STATUS
        show wait, t1
        gout DISK_ACK, zero
        pop  ra
        ret

# error: a command that could not start: its status and the line, then the ack.
error:  push ra
        gin  t1, DISK_STATUS
        show error, t1
        call ipend
        gout DISK_ACK, zero
        pop  ra
        ret

# sums(a0 = address, a1 = blocks): print the checksum of each block.
sums:   push ra
        push s0
        push s1
        mv   s0, a0
        mv   s1, a1
.block: beqz s1, .done
        mv   a0, s0
        li   a1, 1
        call sum
        show sum, a0
        li   t0, DISK_BLOCK_SIZE
        add  s0, s0, t0
        addi s1, s1, -1
        j    .block
.done:  pop  s1
        pop  s0
        pop  ra
        ret

# sum(a0 = address, a1 = blocks) -> a0 = a checksum of their bytes. Clobbers t0-t3.
sum:    slli a1, a1, 12
        add  a1, a1, a0
        li   t0, 0
        li   t2, 31
.word:  bgeu a0, a1, .end
        lw   t1, 0(a0)
        mul  t0, t0, t2
        add  t0, t0, t1
        addi a0, a0, 4
        j    .word
.end:   mv   a0, t0
        ret

        .include "print.s"
        .include "irq.s"

        .align 4
handled:    .word 0
