# disk.s: the guest's disk controller, as every VMM models it (docs/disk.md, "Under a VMM").
# The disk's ports are declared `virtualized` (src/machine/devices/disk.ts), so the guest's `in`
# and `out` on them come here through the port table (ports.s); DISK_BLOCKS alone passes
# through: the guest's disk is the real one, block for block.
#
# The guest's DISK_ADDR is guest-physical, and the real disk takes host-physical addresses, so
# its registers cannot be passed through: the VMM keeps them (`vdisk`, vcpu.inc) and, on
# DISK_COMMAND, checks the request exactly as the device does (the same checks in the same order,
# so the same status and error code), with one difference: the memory the transfer may touch is
# the guest's, not the machine's. A request that would reach beyond guest memory (into the VMM,
# or past the end) gets DISK_ERR_ADDRESS, what the device answers for an address beyond memory.
# A valid request goes to the real disk translated: as one request where the guest's blocks are
# contiguous in host memory (always, with guest memory at GUEST_BASE), else as several, one per
# contiguous run (dma_run, which each VMM defines), issued one after another. The guest sees
# BUSY until the last part is done; then DONE, and its line 2 rises. Its line is up exactly while
# DONE is set, as on the device (which raises it with DONE and lowers it on DISK_ACK and on an
# accepted command, both of which clear DONE), so every change of the status goes through
# vdisk_status, which sets the line in V_IPEND with it. The real disk's line is the VMM's: the
# real IMASK always has it, and service_lines (devices.s) calls vdisk_interrupt when it rises.
#
# Routines expect s0 = the vCPU and clobber only a0-a3 and t0-t3 (devices.s).

        .if DISK_BLOCK_SIZE != PAGE_SIZE || PAGE_SIZE != 4096 || DISK_CMD_WRITE != DISK_CMD_READ + 1
        .error "disk.s assumes 4 KiB blocks (one page each, shifts by 12) and WRITE = READ + 1"
        .endif

# ---- the guest's registers --------------------------------------------------------------------

vdev_in_DISK_BLOCK:
        la   a0, vdisk
        lw   a0, VD_BLOCK(a0)
        ret
vdev_out_DISK_BLOCK:
        la   t0, vdisk
        sw   a1, VD_BLOCK(t0)
        ret
vdev_in_DISK_ADDR:
        la   a0, vdisk
        lw   a0, VD_ADDR(a0)
        ret
vdev_out_DISK_ADDR:
        la   t0, vdisk
        sw   a1, VD_ADDR(t0)
        ret
vdev_in_DISK_COUNT:
        la   a0, vdisk
        lw   a0, VD_COUNT(a0)
        ret
vdev_out_DISK_COUNT:
        la   t0, vdisk
        sw   a1, VD_COUNT(t0)
        ret
vdev_in_DISK_STATUS:
        la   a0, vdisk
        lw   a0, VD_STATUS(a0)
        ret

# DISK_ACK: clear DONE, ERROR, REFUSED and the error code (a request in flight stays BUSY); the
# guest's line falls with DONE.
vdev_out_DISK_ACK:
        la   a2, vdisk
        lw   t0, VD_STATUS(a2)
        andi t0, t0, DISK_ST_BUSY
        j    vdisk_status

# disk_check REGS, FAIL, NOTGUEST: check the request in the registers at a2 (VD_* layout, at
# symbol REGS) with command a1 as the device does (DiskDevice.command), in its order: the
# command, the count, the range on the disk, the address in guest memory, and that dma_run finds
# every block the guest's to DMA to. A request that fails branches to FAIL with a0 = the error
# code (DISK_ERR_*), or, when a block is not the guest's, to NOTGUEST, where a
# disk_check_notguest must be; an accepted one falls through with a1 and a2 as they were. A
# flush is not checked (its caller handles it first). Expanded for DISK_COMMAND below and, by pv,
# for each request of its block ring (../pv/blkback.s): both are checked by the same code.
.macro disk_check regs, fail, notguest
        li   a0, DISK_ERR_COMMAND
        addi t0, a1, -DISK_CMD_READ
        sltiu t0, t0, 2
        beqz t0, \fail                  # neither READ nor WRITE
        li   a0, DISK_ERR_COUNT
        lw   t1, VD_COUNT(a2)           # t1 = blocks
        addi t0, t1, -1
        sltiu t0, t0, DISK_MAX_COUNT
        beqz t0, \fail                  # 0, or more than DISK_MAX_COUNT
        li   a0, DISK_ERR_RANGE
        in   t0, DISK_BLOCKS            # the guest's disk is the real one
        lw   t2, VD_BLOCK(a2)
        bgeu t2, t0, \fail
        sub  t0, t0, t2
        bgtu t1, t0, \fail              # block + count > blocks (without overflowing)
        li   a0, DISK_ERR_ADDRESS
        lw   t2, VD_ADDR(a2)            # t2 = guest-physical address
        andi t0, t2, DISK_BLOCK_SIZE - 1
        bnez t0, \fail
        la   t0, guest_size
        lw   t0, 0(t0)
        bgeu t2, t0, \fail
        sub  t0, t0, t2
        slli t3, t1, 12
        bgtu t3, t0, \fail              # the transfer ends beyond guest memory
        push ra                         # every block must be the guest's to DMA to: walk the
        push a1                         # runs dma_run finds (one, with guest memory in one piece)
        mv   a0, t2
        mv   a1, t1
.run\@: push a0
        push a1
        call dma_run                    # a1 = blocks in this run, 0 if the first is not the guest's
        mv   t0, a1
        pop  a1
        pop  a0
        beqz t0, \notguest
        sub  a1, a1, t0
        slli t0, t0, 12
        add  a0, a0, t0
        bnez a1, .run\@
        pop  a1
        pop  ra
        la   a2, \regs
.endm

# disk_check_notguest NOTGUEST, REGS: the end of a disk_check: a block was not the guest's. Falls
# through with a0 = DISK_ERR_ADDRESS, a2 = REGS, into the code for a failed request.
.macro disk_check_notguest notguest, regs
\notguest:
        pop  a1
        pop  ra
        la   a2, \regs
        li   a0, DISK_ERR_ADDRESS
.endm

# DISK_COMMAND(a1 = command): start a request, as the device does (DiskDevice.command).
vdev_out_DISK_COMMAND:
        la   a2, vdisk
        lw   t0, VD_STATUS(a2)
        andi t1, t0, DISK_ST_BUSY
        beqz t1, .idle
        ori  t0, t0, DISK_ST_REFUSED    # one request at a time: the one in flight carries on,
        j    vdisk_status               # this one is dropped (no interrupt of its own)
.idle:  li   t0, DISK_CMD_FLUSH
        beq  a1, t0, .start             # a flush moves nothing: nothing to check
        disk_check vdisk, .fail, .notguest
.start: sw   a1, VD_CMD(a2)             # accepted: copy the registers (the guest may change them
        lw   t0, VD_BLOCK(a2)           # now), BUSY, line down
        sw   t0, VD_NEXT_BLOCK(a2)
        lw   t0, VD_ADDR(a2)
        sw   t0, VD_NEXT_ADDR(a2)
        li   t0, 0
        li   t1, DISK_CMD_FLUSH
        beq  a1, t1, .left
        lw   t0, VD_COUNT(a2)
.left:  sw   t0, VD_LEFT(a2)
        li   t0, DISK_ST_BUSY
        push ra
        call vdisk_status
        pop  ra
        .ifdef BLOCK_RING
        j    blk_port_issue             # pv: unless its block ring has the real disk now
        .else
        j    vdisk_issue
        .endif
        disk_check_notguest .notguest, vdisk
.fail:  slli a0, a0, DISK_ST_ERROR_SHIFT    # a request that cannot start ends at once: DONE,
        ori  a0, a0, DISK_ST_DONE | DISK_ST_ERROR   # ERROR and the code (REFUSED stays), and
        lw   t0, VD_STATUS(a2)          # the line rises; nothing moves
        andi t0, t0, DISK_ST_REFUSED
        or   t0, t0, a0
        j    vdisk_status

# vdisk_status(t0 = the new status, a2 = vdisk): store it, and the guest's line 2 with it in
# V_IPEND: up while DONE is set. Clobbers t1, t2.
vdisk_status:
        sw   t0, VD_STATUS(a2)
        lw   t1, V_IPEND(s0)
        andi t1, t1, ~IRQ_DISK & 0xffff
        andi t2, t0, DISK_ST_DONE
        beqz t2, .down
        ori  t1, t1, IRQ_DISK
.down:  sw   t1, V_IPEND(s0)
        ret

# ---- the real disk ----------------------------------------------------------------------------

# disk_issue REGS: give the real disk the next part of the request in the registers at REGS
# (VD_* layout): the longest run of its remaining blocks that is contiguous in host memory (a
# flush is one part with no blocks). Expanded for the guest's registers (vdisk_issue) and, by pv,
# for its block ring (../pv/blkback.s).
.macro disk_issue regs
        push ra
        la   a2, \regs
        lw   t0, VD_CMD(a2)
        li   t1, DISK_CMD_FLUSH
        beq  t0, t1, .issue\@
        lw   a0, VD_NEXT_ADDR(a2)
        lw   a1, VD_LEFT(a2)
        call dma_run                    # checked when the request started: a1 >= 1
        out  DISK_ADDR, a0
        out  DISK_COUNT, a1
        la   a2, \regs
        lw   t0, VD_NEXT_BLOCK(a2)
        out  DISK_BLOCK, t0
        add  t0, t0, a1
        sw   t0, VD_NEXT_BLOCK(a2)
        lw   t0, VD_LEFT(a2)
        sub  t0, t0, a1
        sw   t0, VD_LEFT(a2)
        lw   t0, VD_NEXT_ADDR(a2)
        slli a1, a1, 12
        add  t0, t0, a1
        sw   t0, VD_NEXT_ADDR(a2)
        lw   t0, VD_CMD(a2)
.issue\@: out DISK_COMMAND, t0
        pop  ra
        ret
.endm

# vdisk_issue: the next part of the guest's request (its registers, vdisk) to the real disk.
vdisk_issue:
        disk_issue vdisk

# vdisk_interrupt: the real disk finished a part (its line is up). Lower the real line, then
# issue the next part, or end the guest's request: DONE, and its line rises. (Under pv the part
# may be its block ring's: ../pv/blkback.s takes it, and takes the real disk back when a
# request of the registers ends.)
vdisk_interrupt:
        in   t0, DISK_STATUS
        out  DISK_ACK, zero
        .ifdef BLOCK_RING
        la   t1, blk_busy
        lw   t1, 0(t1)
        bnez t1, blk_interrupt
        .endif
        la   a2, vdisk
        lw   t1, VD_STATUS(a2)
        andi t2, t1, DISK_ST_BUSY
        beqz t2, .done                  # nothing of the guest's in flight
        andi t2, t0, DISK_ST_ERROR
        bnez t2, .error
        lw   t2, VD_LEFT(a2)
        bnez t2, vdisk_issue
        li   t2, DISK_ST_DONE
.end:   andi t0, t1, DISK_ST_REFUSED
        or   t0, t0, t2
        .ifdef BLOCK_RING
        push ra
        call vdisk_status
        pop  ra
        j    blk_resume
        .else
        j    vdisk_status
        .endif
.done:  ret
.error: li   t2, 0xff00 | DISK_ST_ERROR # the real disk refused a part (the VMM checked it: not
        and  t2, t0, t2                 # expected): the guest gets its error, and the rest of
        ori  t2, t2, DISK_ST_DONE       # the request is dropped
        j    .end

# dma_linear(a0 = guest-physical address of a block in guest memory, a1 = blocks wanted) -> a0 =
# its host-physical address, a1 = blocks from there that are contiguous in host memory: all of
# them, as guest memory is one piece from GUEST_BASE. The VMMs without nested paging use it as
# their dma_run (the vtx VMM walks the EPT under vtx-ept).
dma_linear:
        li   t0, GUEST_BASE
        add  a0, a0, t0
        ret
