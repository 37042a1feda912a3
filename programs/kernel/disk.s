# disk.s: the disk driver (docs/disk.md has the device). One request is in flight at a time:
# disk_rw starts it and waits, and the completion interrupt (line 2) ends it. While a process
# waits it sleeps, so the others run; at boot, before any process exists, the kernel waits in
# wfi instead and handles the interrupt itself (the filesystem is mounted then).

# disk_init: how big the disk is. A machine without one says 0, and a VMM that hides the
# controller lets the read float (-1): both mean "no disk".
disk_init:
        vin  t1, DISK_BLOCKS
        bge  t1, zero, .size
        li   t1, 0
.size:  la   t0, disk_blocks
        sw   t1, 0(t0)
        ret

# disk_rw(a0 = buffer, a1 = DISK_CMD_READ or DISK_CMD_WRITE) -> a0 = 0, or -EIO when the
# device reports an error. Moves the buffer's one block between its frame and the disk.
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
