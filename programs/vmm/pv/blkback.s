# blkback.s (pv): the VMM's half of the block ring in the shared page (hypercall.inc;
# docs/vmm-pv.md, "The block ring"), as Xen's blkback. The guest kernel queues requests in the
# ring and makes one HC_DISK_KICK for any number of them; the VMM takes them in order, checks each
# as the device checks its registers (disk_check, ../common/disk.s: the same code, so the same
# error codes), gives it to the real disk translated (dma_run: GUEST_BASE + guest-physical) and
# writes its status into its slot when the real disk has done it, then takes the next: the real
# disk takes one request at a time, and the VMM starts the next from its interrupt handler
# without the guest. A request that fails its check is answered at once and never reaches the
# real disk. When everything kicked is answered, PV_BLK_EVENT is set and the guest's disk line
# rises: one virtual interrupt per batch.
#
# The disk's registers (../common/disk.s) stay for a guest that uses ports; both share the real
# disk, one request at a time: a DISK_COMMAND accepted while a ring request has the real disk
# waits for it (the guest sees BUSY, as for any request in flight), and the ring waits while the
# registers' request has it. The ring goes on when the other ends (blk_resume).
#
# Routines expect s0 = the vCPU (= the shared page) and clobber a0-a3 and t0-t3.

# HC_DISK_KICK: the guest queued requests up to PV_BLK_REQ_PROD. That word is the guest's and
# is checked: the requests without a response may not be more than the ring holds (and it may not
# go back before what was taken), else a0 = -1 and nothing is taken. Otherwise a0 = 0, and the
# VMM serves the new requests unless the real disk is busy (then they follow what it does).
hc_disk_kick:
        lw   t0, SH_BLK_REQ_PROD(s0)
        la   t1, blk_cons
        lw   t1, 0(t1)
        sub  t2, t0, t1
        sltiu t2, t2, PV_BLK_SLOTS + 1
        beqz t2, .refuse
        la   t1, blk_rsp
        lw   t1, 0(t1)
        sub  t2, t0, t1
        sltiu t2, t2, PV_BLK_SLOTS + 1
        beqz t2, .refuse
        la   t1, blk_end
        sw   t0, 0(t1)
        call blk_resume
        li   a1, 0
        li   s1, 4                  # a0 (r4)
        j    set_rd_advance
.refuse:
        count stat_blk_refused, t0, t1
        li   a1, -1
        li   s1, 4
        j    set_rd_advance

# blk_resume: serve the ring's next request, if there is one and the real disk is free (no ring
# request in flight, no request of the registers).
blk_resume:
        la   t0, blk_busy
        lw   t0, 0(t0)
        bnez t0, .no
        la   t0, vdisk
        lw   t0, VD_STATUS(t0)
        andi t0, t0, DISK_ST_BUSY
        bnez t0, .no
        la   t0, blk_cons
        lw   t0, 0(t0)
        la   t1, blk_end
        lw   t1, 0(t1)
        bne  t0, t1, blk_next
.no:    ret

# blk_next: take the ring's requests in order until one goes to the real disk; one that fails
# its check gets its error at once. When none is left the batch is answered: blk_event.
blk_next:
        push ra
.take:  la   t0, blk_cons
        lw   t1, 0(t0)
        la   t2, blk_end
        lw   t2, 0(t2)
        beq  t1, t2, .batch
        addi t2, t1, 1
        sw   t2, 0(t0)
        count stat_blk_requests, t0, t2
        andi t1, t1, PV_BLK_SLOTS - 1   # copy the request out of the guest's reach, then check
        slli t1, t1, PV_BLK_SLOT_SHIFT  # the copy: the guest may write the slot at any time
        add  t1, t1, s0
        la   a2, blk_req
        lw   t0, SH_BLK_RING + BLK_BLOCK(t1)
        sw   t0, VD_BLOCK(a2)
        lw   t0, SH_BLK_RING + BLK_ADDR(t1)
        sw   t0, VD_ADDR(a2)
        lw   t0, SH_BLK_RING + BLK_COUNT(t1)
        sw   t0, VD_COUNT(a2)
        lw   a1, SH_BLK_RING + BLK_CMD(t1)
        li   t0, DISK_CMD_FLUSH
        beq  a1, t0, .start         # a flush moves nothing: nothing to check
        disk_check blk_req, .fail, .notguest
.start: sw   a1, VD_CMD(a2)         # accepted: the parts to give the real disk
        lw   t0, VD_BLOCK(a2)
        sw   t0, VD_NEXT_BLOCK(a2)
        lw   t0, VD_ADDR(a2)
        sw   t0, VD_NEXT_ADDR(a2)
        li   t0, 0
        li   t1, DISK_CMD_FLUSH
        beq  a1, t1, .left
        lw   t0, VD_COUNT(a2)
.left:  sw   t0, VD_LEFT(a2)
        la   t0, blk_busy
        li   t1, 1
        sw   t1, 0(t0)
        call blk_issue
        pop  ra
        ret
        disk_check_notguest .notguest, blk_req
.fail:  slli a0, a0, DISK_ST_ERROR_SHIFT    # what DISK_STATUS shows for a request that cannot
        ori  a0, a0, DISK_ST_DONE | DISK_ST_ERROR   # start: DONE, ERROR and the code
        count stat_blk_errors, t0, t1
        call blk_respond
        j    .take
.batch: pop  ra
        j    blk_event

# blk_issue: the next part of blk_req to the real disk (one part: guest memory is one piece).
blk_issue:
        disk_issue blk_req

# blk_interrupt(t0 = the real DISK_STATUS, already acknowledged): the real disk finished a part
# of blk_req (from vdisk_interrupt, ../common/disk.s). Issue the next part, or answer the request
# (DONE, or the real disk's error: not expected, the VMM checked it) and go on: to a request of
# the registers that waited, else to the ring's next.
blk_interrupt:
        la   a2, blk_req
        andi t2, t0, DISK_ST_ERROR
        bnez t2, .error
        lw   t2, VD_LEFT(a2)
        bnez t2, blk_issue
        li   a0, DISK_ST_DONE
.end:   push ra
        call blk_respond
        la   t0, blk_busy
        sw   zero, 0(t0)
        la   t0, blk_port_waiting
        lw   t1, 0(t0)
        beqz t1, .ring
        sw   zero, 0(t0)
        call vdisk_issue            # the registers' request goes first; the ring follows it
        pop  ra
        la   t0, blk_cons           # (blk_resume): if nothing of the ring is left, the batch
        lw   t0, 0(t0)              # is answered
        la   t1, blk_end
        lw   t1, 0(t1)
        beq  t0, t1, blk_event
        ret
.ring:  pop  ra
        j    blk_next
.error: li   t2, 0xff00 | DISK_ST_ERROR
        and  a0, t0, t2
        ori  a0, a0, DISK_ST_DONE
        j    .end

# blk_port_issue: a DISK_COMMAND was accepted (../common/disk.s): its first part goes to the real
# disk now, or when the ring's request in flight ends (blk_interrupt).
blk_port_issue:
        la   t0, blk_busy
        lw   t0, 0(t0)
        beqz t0, vdisk_issue
        la   t0, blk_port_waiting
        li   t1, 1
        sw   t1, 0(t0)
        ret

# blk_respond(a0 = status): answer the oldest request without a response: its status into its
# slot, then RSP_PROD advances. Clobbers t0-t2.
blk_respond:
        la   t0, blk_rsp
        lw   t1, 0(t0)
        andi t2, t1, PV_BLK_SLOTS - 1
        slli t2, t2, PV_BLK_SLOT_SHIFT
        add  t2, t2, s0
        sw   a0, SH_BLK_RING + BLK_STATUS(t2)
        addi t1, t1, 1
        sw   t1, 0(t0)
        sw   t1, SH_BLK_RSP_PROD(s0)
        ret

# blk_event: every request kicked is answered: set PV_BLK_EVENT and raise the guest's disk line
# (ipend_rebuild keeps it up while the guest leaves PV_BLK_EVENT set). Clobbers t0, t1.
blk_event:
        li   t0, 1
        sw   t0, SH_BLK_EVENT(s0)
        lw   t0, V_IPEND(s0)
        ori  t0, t0, IRQ_DISK
        sw   t0, V_IPEND(s0)
        count stat_blk_events, t0, t1
        ret
