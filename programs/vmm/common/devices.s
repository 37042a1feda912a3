# devices.s: the guest's devices, as a VMM models them. The guest's `in` and `out` trap (or
# exit) to the VMM, which calls dev_in / dev_out with the port number. Each device declares how a
# VMM treats it (Device.vmm, src/machine/devices/), and ports.s, generated from those
# declarations, routes each port: passthrough to the real device (console, power), an undriven
# bus for hidden or unclaimed ports (reads -1, writes ignored), or a model here (vdev_in_NAME,
# vdev_out_NAME) for a virtualized port:
#   timer    the guest's interval and pending line live in the vCPU (V_TIMER_*, V_IPEND) and are
#            multiplexed on the real timer, which the VMM keeps for itself
#   null     reads 0, ignores writes (no real access needed)
#   disk     the guest's registers live in the VMM (vdisk); requests are checked and translated to
#            host-physical addresses, then given to the real disk, which the VMM keeps (disk.s)
# The guest's interrupt lines (IPEND) are its virtual timer's, the real console's (passed
# through: input is the guest's) and its virtual disk's (virtual_ipend).
# Every routine expects s0 = the vCPU and clobbers only a0-a3 and t0-t3.

# dev_in(a0 = port) -> a0 = the value the guest reads.
dev_in:
        li   t0, 0x100              # the table covers ports 0..255 (ports.s, which each VMM
                                    # includes after its data, to keep its code compact)
        bgeu a0, t0, port_hidden_in
        slli t0, a0, 3
        la   t1, vmm_port_table
        add  t0, t0, t1
        lw   t0, 0(t0)
        jr   t0                     # its routine returns to our caller

# dev_out(a0 = port, a1 = value): the guest writes a port.
dev_out:
        li   t0, 0x100
        bgeu a0, t0, port_hidden_out
        slli t0, a0, 3
        la   t1, vmm_port_table
        add  t0, t0, t1
        lw   t0, 4(t0)
        jr   t0

# ---- the virtualized ports ---------------------------------------------------------------

vdev_in_NULL_PORT:
        li   a0, 0
vdev_out_NULL_PORT:
        ret

vdev_in_TIMER_INTERVAL:
        lw   a0, V_TIMER_INTERVAL(s0)
        ret

vdev_out_TIMER_INTERVAL:
        j    vtimer_set

# TIMER_ACK: lower the guest's timer line; periods that passed while it was pending coalesced
# into it, as on the device: the next tick is at the next period boundary.
vdev_out_TIMER_ACK:
        lw   t0, V_IPEND(s0)
        andi t0, t0, ~IRQ_TIMER & 0xffff
        sw   t0, V_IPEND(s0)
        push ra
        call vtimer_due
        pop  ra
        j    vtimer_program

# vtimer_set(a1 = interval): the guest wrote TIMER_INTERVAL: its timer now ticks every
# interval cycles from now (0 stops it). Like the device, this leaves a pending line alone.
vtimer_set:
        sw   a1, V_TIMER_INTERVAL(s0)
        csrr t0, CYCLE
        add  t0, t0, a1
        sw   t0, V_TIMER_NEXT(s0)
        j    vtimer_program

# vtimer_program: set the real timer to fire at the guest's next tick or after VMM_SLICE
# cycles, whichever comes first, so the VMM regains control however the guest behaves. While
# the guest's timer line is pending, its next ticks coalesce into it, so only the slice counts
# (otherwise a quantum shorter than a world switch keeps the VMM busy with its own timer).
vtimer_program:
        li   t1, VMM_SLICE
        lw   t0, V_TIMER_INTERVAL(s0)
        beqz t0, .set
        lw   t0, V_IPEND(s0)
        andi t0, t0, IRQ_TIMER
        bnez t0, .set
        lw   t0, V_TIMER_NEXT(s0)
        csrr t2, CYCLE
        sub  t0, t0, t2             # cycles until the guest's tick (negative: overdue)
        bge  t0, t1, .set
        mv   t1, t0
        bgt  t1, zero, .set
        li   t1, 1                  # overdue: as soon as possible
.set:   out  TIMER_INTERVAL, t1
        ret

# vtimer_tick: the real timer fired. Acknowledge it; if the guest's tick is due, raise the
# guest's timer line; then program the real timer again.
vtimer_tick:
        out  TIMER_ACK, zero
        push ra
        call vtimer_due
        pop  ra
        beqz a0, vtimer_program
        lw   t1, V_IPEND(s0)
        ori  t1, t1, IRQ_TIMER
        sw   t1, V_IPEND(s0)
        j    vtimer_program

# service_lines: serve the real interrupt lines that are the VMM's own, whichever are pending:
# the disk (vdisk_interrupt, disk.s), then the timer (vtimer_tick). The console's line is the
# guest's: nothing to do here (virtual_ipend reads it).
service_lines:
        csrr t0, IPEND
        andi t1, t0, IRQ_DISK
        bnez t1, .disk
        andi t0, t0, IRQ_TIMER
        bnez t0, vtimer_tick
        ret
.disk:  push ra
        call vdisk_interrupt
        pop  ra
        j    service_lines          # the timer may be pending too

# vtimer_due -> a0 = 1 if the guest's timer is on and its tick is due, and then V_TIMER_NEXT
# moves to the first period boundary after now (missed periods coalesce into one tick, as on
# the device); else a0 = 0. Clobbers t0-t3.
vtimer_due:
        li   a0, 0
        lw   t0, V_TIMER_INTERVAL(s0)
        beqz t0, .no
        lw   t1, V_TIMER_NEXT(s0)
        csrr t2, CYCLE
        sub  t3, t2, t1             # how far past the guest's tick we are
        blt  t3, zero, .no
        divu t3, t3, t0
        addi t3, t3, 1
        mul  t3, t3, t0
        add  t1, t1, t3
        sw   t1, V_TIMER_NEXT(s0)
        li   a0, 1
.no:    ret

# vtimer_behind(a0 = the pending lines the guest enables, about to be delivered as it turns its
# interrupts on: an emulated `sret`, a pv HC_IRET, a VT-x interrupt-window exit) -> a0 = the
# lines to deliver now. A timer tick that fell due while the guest was still handling the
# previous one would interrupt it again before it runs a single instruction: with a timer
# quantum shorter than what virtualizing one tick costs, the guest would handle ticks forever
# and never make progress (natively the same quantum is fine). The sign: the guest's last trap
# was a timer interrupt, it is now exactly where its return from that handler put it
# (pc = EPC), and a whole period has passed since that tick was delivered (injected_at: the
# last virtual interrupt was this tick), less the world switch that brings it back
# (VMM_TICK_GRACE): a handler that, with the switch, fills a period never catches up. Such a tick is coalesced into the next one, which
# comes a full interval (and at least VMM_TICK_GRACE cycles) from now, so the guest first runs:
# the lost tick is what a real VMM does when a guest falls behind. Clobbers t0-t3.
vtimer_behind:
        andi t0, a0, IRQ_TIMER
        beqz t0, .now
        lw   t0, V_CAUSE(s0)
        li   t1, CAUSE_TIMER_INTERRUPT
        bne  t0, t1, .now
        lw   t0, V_PC(s0)
        lw   t1, V_EPC(s0)
        bne  t0, t1, .now
        csrr t0, CYCLE              # and the handler, with a world switch (VMM_TICK_GRACE at
        la   t1, injected_at        # most), took a whole period: a tick delivered late (the
        lw   t1, 0(t1)              # guest kept its interrupts off) is soon followed by the
        sub  t0, t0, t1             # next on schedule, which is no sign of falling behind:
        li   t1, VMM_TICK_GRACE     # the guest takes it and catches up
        add  t0, t0, t1
        lw   t1, V_TIMER_INTERVAL(s0)
        bltu t0, t1, .now
        lw   t0, V_IPEND(s0)        # coalesce: lower the line ...
        andi t0, t0, ~IRQ_TIMER & 0xffff
        sw   t0, V_IPEND(s0)
        andi a0, a0, ~IRQ_TIMER & 0xffff
        lw   t0, V_TIMER_INTERVAL(s0)   # ... and restart the period from now, giving
        li   t1, VMM_TICK_GRACE         # the guest at least VMM_TICK_GRACE cycles
        bgeu t0, t1, .period
        mv   t0, t1
.period:
        csrr t1, CYCLE
        add  t1, t1, t0
        sw   t1, V_TIMER_NEXT(s0)
        count stat_ticks_coalesced, t0, t1
        push ra
        call vtimer_program
        pop  ra
.now:   ret

# virtual_ipend -> a0 = the guest's pending interrupt lines, also left in V_IPEND (what a vtx
# guest reads from IPEND, and a pv guest from its shared page): its virtual timer's and its
# disk's, which the VMM keeps in V_IPEND as they change (vtimer_tick; vdisk_status, disk.s), and
# the real console line (console input is the guest's), read now. Clobbers t0, t1.
virtual_ipend:
        li   t1, -1
        j    ipend_masked

# virtual_pending -> a0 = the guest's pending lines that its IMASK enables (V_IPEND brought up to
# date, as virtual_ipend does). Clobbers t0, t1.
virtual_pending:
        lw   t1, V_IMASK(s0)
ipend_masked:                       # t1 = which of the lines to return
        lw   a0, V_IPEND(s0)
        andi a0, a0, IRQ_TIMER | IRQ_DISK
        csrr t0, IPEND
        andi t0, t0, IRQ_CONSOLE
        or   a0, a0, t0
        sw   a0, V_IPEND(s0)
        and  a0, a0, t1
        ret

# ipend_rebuild: V_IPEND again from the lines' sources, for a guest that may store over the word
# (pv, whose kernel acknowledges its timer with a store of 0): the timer's bit as the guest left
# it, the disk's from its status (disk.s) or, under pv, from its block ring's event (PV_BLK_EVENT,
# ../pv/blkback.s), the real console line. Clobbers t0, t1 (and t2 under pv).
ipend_rebuild:
        lw   t0, V_IPEND(s0)
        andi t0, t0, IRQ_TIMER
        la   t1, vdisk
        lw   t1, VD_STATUS(t1)
        andi t1, t1, DISK_ST_DONE
        .ifdef BLOCK_RING
        lw   t2, SH_BLK_EVENT(s0)
        or   t1, t1, t2
        .endif
        beqz t1, .console
        ori  t0, t0, IRQ_DISK
.console:
        csrr t1, IPEND
        andi t1, t1, IRQ_CONSOLE
        or   t0, t0, t1
        sw   t0, V_IPEND(s0)
        ret
