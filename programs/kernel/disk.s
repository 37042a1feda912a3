# disk.s: the disk driver (docs/disk.md has the device). One request is in flight at a time:
# disk_rw starts it and waits, and the completion interrupt (line 2) ends it. While a process
# waits it sleeps, so the others run; at boot, before any process exists, the kernel waits in
# wfi instead and handles the interrupt itself (the filesystem is mounted then).
#
# Built with PARAVIRT the driver uses the pv VMM's block ring in the shared page instead of the
# device's ports (hypercall.inc; docs/vmm-pv.md, "The block ring"), as Xen's blkfront: blk_queue
# puts a request in the ring, one HC_DISK_KICK hands the VMM any number of them, and the VMM
# answers each in its slot and raises line 2 once it has answered them all. disk_rw queues one
# request and kicks; bflush (bio.s) queues every dirty buffer and kicks once. disk_intr takes
# the responses in order and wakes each buffer's sleeper. The native code is unchanged.

# disk_init: how big the disk is. A machine without one says 0, and a VMM that hides the
# controller lets the read float (-1): both mean "no disk".
disk_init:
        .ifdef PARAVIRT
        lw   t1, PV_BLK_BLOCKS(zero)    # the VMM wrote DISK_BLOCKS there at boot
        .else
        vin  t1, DISK_BLOCKS
        .endif
        bge  t1, zero, .size
        li   t1, 0
.size:  la   t0, disk_blocks
        sw   t1, 0(t0)
        ret

# disk_rw(a0 = buffer, a1 = DISK_CMD_READ or DISK_CMD_WRITE) -> a0 = 0, or -EIO when the
# device reports an error. Moves the buffer's one block between its frame and the disk.
        .ifdef PARAVIRT
disk_rw:                            # one request in the ring, one kick, and wait for it
        push ra
        push a0
        call blk_queue
        li   t0, HC_DISK_KICK
        syscall
        pop  a0
        pop  ra
        j    blk_wait

# blk_queue(a0 = buffer, a1 = DISK_CMD_READ or DISK_CMD_WRITE): put the request for the buffer's
# block in the ring, without a kick. With every slot taken (a response not yet taken in each), the
# VMM is kicked and the caller waits for responses first.
blk_queue:
        push ra
        push s1
        push s2
        mv   s1, a0
        mv   s2, a1
.room:  lw   t0, PV_BLK_REQ_PROD(zero)
        la   t1, blk_rsp_cons
        lw   t1, 0(t1)
        sub  t1, t0, t1
        sltiu t1, t1, PV_BLK_SLOTS
        bnez t1, .put
        li   t0, HC_DISK_KICK       # full: what is queued must be served before a slot frees
        syscall
        la   a0, blk_bufs           # disk_intr wakes this channel when it takes responses
        call disk_wait
        j    .room
.put:   andi t1, t0, PV_BLK_SLOTS - 1
        slli t2, t1, 2
        la   t3, blk_bufs
        add  t3, t3, t2
        sw   s1, 0(t3)              # the slot's buffer, for disk_intr
        slli t1, t1, PV_BLK_SLOT_SHIFT
        lw   t2, B_BLOCKNO(s1)
        sw   t2, PV_BLK_RING + BLK_BLOCK(t1)
        lw   t2, B_DATA(s1)
        sw   t2, PV_BLK_RING + BLK_ADDR(t1)
        li   t2, 1
        sw   t2, PV_BLK_RING + BLK_COUNT(t1)
        sw   s2, PV_BLK_RING + BLK_CMD(t1)
        sw   zero, PV_BLK_RING + BLK_STATUS(t1)
        sw   zero, B_STATUS(s1)     # not DONE until disk_intr has its response
        addi t0, t0, 1
        sw   t0, PV_BLK_REQ_PROD(zero)
        pop  s2
        pop  s1
        pop  ra
        ret

# blk_wait(a0 = buffer with a request in the ring) -> a0 = 0, or -EIO: wait for its response.
blk_wait:
        push ra
        push s1
        mv   s1, a0
.wait:  lw   t0, B_STATUS(s1)
        andi t1, t0, DISK_ST_DONE
        bnez t1, .done
        mv   a0, s1
        call disk_wait
        j    .wait
.done:  andi t0, t0, DISK_ST_ERROR
        li   a0, 0
        beqz t0, .out
        li   a0, -EIO
.out:   pop  s1
        pop  ra
        ret
        .else
disk_rw:
        push ra
        push s1
        push s2
        mv   s1, a0
        mv   s2, a1
.idle:  la   t0, disk_owner         # wait for the request in flight to end
        lw   t1, 0(t0)
        beqz t1, .start
        la   a0, disk_owner
        call disk_wait
        j    .idle
.start: sw   s1, 0(t0)              # ours now: disk_intr hands it back
        lw   t1, B_BLOCKNO(s1)      # (vout may clobber t0, a0, a1: see arch.inc)
        vout DISK_BLOCK, t1
        lw   t1, B_DATA(s1)
        vout DISK_ADDR, t1
        li   t1, 1
        vout DISK_COUNT, t1
        vout DISK_COMMAND, s2
.busy:  la   t0, disk_owner         # until disk_intr has ended our request
        lw   t1, 0(t0)
        bne  t1, s1, .done
        mv   a0, s1
        call disk_wait
        j    .busy
.done:  lw   t0, B_STATUS(s1)
        andi t0, t0, DISK_ST_ERROR
        li   a0, 0
        beqz t0, .out
        li   a0, -EIO
.out:   pop  s2
        pop  s1
        pop  ra
        ret
        .endif

# disk_wait(a0 = channel): sleep on it, or before the first process (current = 0) idle until
# an interrupt and handle it here.
disk_wait:
        la   t0, current
        lw   t0, 0(t0)
        bnez t0, sleep
        push ra
        vwfi
        call device_interrupts
        pop  ra
        ret

# disk_intr: the request in flight ended (line 2 is up): note its status in its buffer,
# lower the line, and wake the process waiting for it and any waiting to start one.
        .ifdef PARAVIRT
disk_intr:                          # the VMM answered a batch: take every response in order
        push ra
        push s1
        push s2
        sw   zero, PV_BLK_EVENT(zero)   # lower the line first: a response written after this
        la   t0, blk_rsp_cons           # raises it again, so none is missed
        lw   s1, 0(t0)
        mv   s2, s1
.each:  lw   t0, PV_BLK_RSP_PROD(zero)
        beq  s1, t0, .taken
        andi t1, s1, PV_BLK_SLOTS - 1
        slli t2, t1, 2
        la   a0, blk_bufs
        add  a0, a0, t2
        lw   a0, 0(a0)              # the request's buffer
        slli t1, t1, PV_BLK_SLOT_SHIFT
        lw   t1, PV_BLK_RING + BLK_STATUS(t1)
        sw   t1, B_STATUS(a0)
        call wakeup                 # its sleeper
        addi s1, s1, 1
        la   t0, blk_rsp_cons
        sw   s1, 0(t0)
        j    .each
.taken: beq  s1, s2, .out
        la   a0, blk_bufs           # slots are free: wake who waits for one
        call wakeup
.out:   pop  s2
        pop  s1
        pop  ra
        ret
        .else
disk_intr:
        push ra
        vin  t1, DISK_STATUS
        la   t0, disk_owner
        lw   t2, 0(t0)
        beqz t2, .ack               # nobody's request (cannot happen): just lower the line
        sw   t1, B_STATUS(t2)
        sw   zero, 0(t0)
        mv   a0, t2
        call wakeup
        la   a0, disk_owner
        call wakeup
.ack:   vout DISK_ACK, zero
        pop  ra
        ret
        .endif
