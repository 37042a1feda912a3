# blkring.s: one batch of disk requests, good and bad, given natively to the device through its
# registers, one after another, and, built with PARAVIRT, to the pv VMM's block ring
# (programs/vmm/common/hypercall.inc; docs/vmm-pv.md, "The block ring") all at once with a single
# HC_DISK_KICK. It prints each request's final status (what DISK_STATUS reads natively, the
# slot's BLK_STATUS under pv) and checksums of what the good ones read. test/vmm/disk.test.ts
# expects the same output from both: the ring answers every request as the device does.
#
# It wants a disk of 16 blocks or more, and runs with paging off, the disk's line the only one
# enabled, and interrupts off (waiting is wfi, or HC_BLOCK). A test may give it other requests:
# TABLE_MAGIC at TABLE_IN, then sixteen of (command, block, address, count).

        .include "guest.inc"
        .equ KSTACK, 0x00080000
        .equ BUF, 0x00200000
        .equ BUF2, 0x00210000
        .equ NREQ, 16                   # the ring's size: one batch
        .equ TABLE_IN, 0x00300000       # requests a test put there, after TABLE_MAGIC
        .equ TABLE_MAGIC, 0x51455242    # "BREQ"
        .equ R_CMD, 0                   # the request table: 4 words a request
        .equ R_BLOCK, 4
        .equ R_ADDR, 8
        .equ R_COUNT, 12

# req I, CMD, BLOCK, ADDR, COUNT: request I of the table (a register or a constant each).
.macro req i, cmd, block, addr, count
        li   t0, \cmd
        sw   t0, \i * 16 + R_CMD(s3)
        li   t0, \block
        sw   t0, \i * 16 + R_BLOCK(s3)
        li   t0, \addr
        sw   t0, \i * 16 + R_ADDR(s3)
        li   t0, \count
        sw   t0, \i * 16 + R_COUNT(s3)
.endm

        .org 0x10000
_start:
        li   sp, KSTACK
        li   t0, IRQ_DISK
        gcsrw IMASK, t0
        li   t0, BOOTARGS
        lw   s1, BA_MEMSIZE(t0)         # s1 = the end of memory
        .ifdef PARAVIRT
        lw   s2, PV_BLK_BLOCKS(zero)    # s2 = blocks on the disk (the VMM wrote it at boot)
        .else
        gin  s2, DISK_BLOCKS
        .endif
        li   t0, 16
        bltu s2, t0, nodisk
        li   t0, BUF                    # something to write: block 1 will be read there
        li   t1, 0x5a5a5a5a
        sw   t1, 0(t0)
        la   s3, table
        req  0, DISK_CMD_READ, 1, BUF, 1            # good: BUF = block 1
        req  1, DISK_CMD_READ, 2, 0x7ffff000, 1     # beyond guest memory
        req  2, DISK_CMD_WRITE, 9, 0xffc00000, 1    # a VMM's GUEST_BASE + this = host-physical 0
        req  3, DISK_CMD_READ, 9, 0xffc00000, 1     # ... and into it
        req  4, DISK_CMD_READ, 3, 0xfffff000, 1     # address + bytes wraps around 2^32
        req  5, DISK_CMD_READ, 3, BUF + 4, 1        # not a multiple of the block size
        req  6, DISK_CMD_READ, 1, BUF, 0            # count 0
        req  7, DISK_CMD_WRITE, 1, BUF, DISK_MAX_COUNT + 1
        req  8, 0, 1, BUF, 1                        # no such command
        req  9, DISK_CMD_READ, 1, 0, 2              # the last page of memory and the one after
        req  10, DISK_CMD_READ, -1, BUF, 1          # block + count wraps around 2^32
        req  11, DISK_CMD_READ, 1, 0x7ffff000, 0    # two faults: the count is checked first
        req  12, DISK_CMD_WRITE, 5, BUF, 1          # good: block 1 as it was read, to block 5 ...
        req  13, DISK_CMD_FLUSH, 0, 0, 0            # good
        req  14, DISK_CMD_READ, 5, BUF2, 1          # good: ... and back, after the write
        li   t0, DISK_CMD_READ                      # past the last block
        sw   t0, 15 * 16 + R_CMD(s3)
        sw   s2, 15 * 16 + R_BLOCK(s3)
        li   t0, BUF
        sw   t0, 15 * 16 + R_ADDR(s3)
        li   t0, 1
        sw   t0, 15 * 16 + R_COUNT(s3)
        li   t0, -DISK_BLOCK_SIZE       # request 9: 2 blocks from the last page of memory
        add  t0, s1, t0
        sw   t0, 9 * 16 + R_ADDR(s3)
        li   t1, TABLE_IN               # or the test's requests
        lw   t0, 0(t1)
        li   t2, TABLE_MAGIC
        bne  t0, t2, .go
        li   t2, 0
.copy:  add  t0, t1, t2
        lw   t0, 4(t0)
        add  t3, s3, t2
        sw   t0, 0(t3)
        addi t2, t2, 4
        li   t0, NREQ * 16
        blt  t2, t0, .copy
.go:

        .ifdef PARAVIRT
        # ---- the ring: fill every slot, one kick, wait for the batch's event -----------------
        li   t1, 0                      # t1 = request = slot
.queue: slli t2, t1, 4
        add  t2, t2, s3                 # t2 = its table entry
        slli t3, t1, PV_BLK_SLOT_SHIFT  # t3 = its slot
        lw   t0, R_BLOCK(t2)
        sw   t0, PV_BLK_RING + BLK_BLOCK(t3)
        lw   t0, R_ADDR(t2)
        sw   t0, PV_BLK_RING + BLK_ADDR(t3)
        lw   t0, R_COUNT(t2)
        sw   t0, PV_BLK_RING + BLK_COUNT(t3)
        lw   t0, R_CMD(t2)
        sw   t0, PV_BLK_RING + BLK_CMD(t3)
        sw   zero, PV_BLK_RING + BLK_STATUS(t3)
        addi t1, t1, 1
        li   t0, NREQ
        blt  t1, t0, .queue
        sw   t1, PV_BLK_REQ_PROD(zero)
        li   t0, HC_DISK_KICK
        syscall
        bnez a0, fail
.block: li   t0, HC_BLOCK               # until the VMM has answered them all
        syscall
        lw   t0, PV_BLK_EVENT(zero)
        beqz t0, .block
        sw   zero, PV_BLK_EVENT(zero)
        lw   t0, PV_BLK_RSP_PROD(zero)
        li   t1, NREQ
        bne  t0, t1, fail
        li   s0, 0
.show:  slli t1, s0, PV_BLK_SLOT_SHIFT
        lw   t1, PV_BLK_RING + BLK_STATUS(t1)
        show status, t1
        addi s0, s0, 1
        li   t0, NREQ
        blt  s0, t0, .show
        .else
        # ---- the device: one request after another -------------------------------------------
        li   s0, 0
.next:  slli t2, s0, 4
        add  s1, t2, s3                 # s1 = the table entry (the end of memory is not needed now)
        lw   t1, R_BLOCK(s1)
        gout DISK_BLOCK, t1
        lw   t1, R_ADDR(s1)
        gout DISK_ADDR, t1
        lw   t1, R_COUNT(s1)
        gout DISK_COUNT, t1
        lw   t1, R_CMD(s1)
        gout DISK_COMMAND, t1
        gin  t1, DISK_STATUS
        andi t1, t1, DISK_ST_BUSY
        beqz t1, .ended                 # refused at once
        gwfi                            # interrupts off: returns when the line is up
.ended: gin  t1, DISK_STATUS
        show status, t1
        gout DISK_ACK, zero
        addi s0, s0, 1
        li   t0, NREQ
        blt  s0, t0, .next
        .endif

        li   a0, BUF
        call sum
        show sum, a0
        li   a0, BUF2
        call sum
        show sum, a0
        li   s3, 0
        j    off
nodisk: li   s3, 3
        j    off
fail:   li   s3, 1
off:    show end, s3
        gout POWER_OFF, s3
        halt

# sum(a0 = address) -> a0 = a checksum of the block there. Clobbers t0-t3.
sum:    li   t3, DISK_BLOCK_SIZE
        add  a1, a0, t3
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

        .align 4
table:  .space NREQ * 16
