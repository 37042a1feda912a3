# vmm.s: the paravirtualization VMM (Xen-style; docs/vmm-pv.md). Assemble this file; it includes:
#   ../common/layout.inc     where the VMM and its guest live (host-physical and virtual)
#   ../common/hypercall.inc  the paravirtual interface: hypercall numbers, the shared page
#                            (it includes ../common/vcpu.inc: the vCPU is in the shared page)
#   ../common/boot.s         the boot stub: paging on, jump to vmm_main
#   hypercall.s              the cause table, hypercalls, page faults
#   shadow.s                 shadow page tables kept up to date from the guest's requests
#   ../common/trap.s         the trap path shared with te: vmm_entry, reflect, vmm_resume
#   ../common/emulate.s      advance, set_rd_advance, emu_wfi (the rest serves te and vtx)
#   ../common/guestmem.s     reading guest-physical memory through windows
#   ../common/devices.s      the guest's console, timer, power and null port
#   ../common/disk.s         the guest's disk: its registers, requests translated to the real disk
#   blkback.s                the guest's disk as a block ring in the shared page (Xen's blkback)
#
# The guest is the kernel built with PARAVIRT (programs/kernel/arch.inc). Like te's guest it
# runs in ring 1 and its processes in ring 3, and the VMM alone runs in ring 0, in the top 4 MiB
# of every address space. Unlike te's guest it executes no privileged instruction: it reads
# and writes its control registers as words of a page it shares with the VMM, asks for
# everything else with hypercalls (`syscall` from ring 1), and reports its page-table changes
# in batches, so the shadow page tables are always complete and there are no hidden faults.
# A privileged instruction it executes anyway is not emulated: it is reflected to its own
# trap handler as PrivilegedInstruction (the guest kernel panics; a process is killed).

        .include "../../lib/hw.inc"
        .include "../common/layout.inc"
        .include "../common/hypercall.inc"
        .include "../common/macros.inc"

        .equ VMM_PGDIR_PHYS, SHADOW_PGDIR_PHYS  # the boot directory: the shadow while paging is off

# The vCPU is the start of the guest's shared page, which the VMM maps at PV_SHARED_VA: s0
# points there in every handler, and the shared words beyond the vCPU are at these offsets.
        .equ vcpu, PV_SHARED_VA + (PV_VCPU - PV_SHARED)
        .equ SH_IRET_T0, PV_IRET_T0 - PV_VCPU
        .equ SH_MMU_COUNT, PV_MMU_COUNT - PV_VCPU
        .equ SH_EXTENSIONS, PV_EXTENSIONS - PV_VCPU
        .equ SH_MMU_QUEUE, PV_MMU_QUEUE - PV_VCPU
        .equ SH_CLEAR, PV_MMU_QUEUE - PV_VCPU  # bytes cleared at boot: the vCPU and the counts
        .equ SH_BLK_REQ_PROD, PV_BLK_REQ_PROD - PV_VCPU
        .equ SH_BLK_RSP_PROD, PV_BLK_RSP_PROD - PV_VCPU
        .equ SH_BLK_EVENT, PV_BLK_EVENT - PV_VCPU
        .equ SH_BLK_BLOCKS, PV_BLK_BLOCKS - PV_VCPU
        .equ SH_BLK_RING, PV_BLK_RING - PV_VCPU

# How ../common/trap.s and ../common/disk.s work for pv: the guest reads V_IPEND in its shared
# page itself, and stores over it (its timer's acknowledgement is a store of 0), so vmm_resume
# rebuilds the word from the lines' sources before every return to the guest; guest memory is
# one piece from GUEST_BASE, so a disk request is one run of host memory.
        .macro sync_ipend
        call ipend_rebuild
        .endm
        .equ dma_run, dma_linear
# The guest's disk is also a block ring (blkback.s): ../common/disk.s, devices.s and emulate.s
# share the real disk with it where BLOCK_RING is defined.
        .equ BLOCK_RING, 1

        .org 0
        .include "../common/boot.s"

        .org VMM_CODE

# vmm_main: paging is on and the VMM runs at its virtual address. Check the boot info, map the
# guest's shared page, start the vCPU at the guest kernel's entry point in virtual ring 0 with
# paging and interrupts off, take over the real trap vector and timer, build the shadow of
# guest memory for paging off, and enter the guest.
vmm_main:
        li   sp, VMM_STACK_TOP
        li   t0, SHADOW_PGDIR
        sw   zero, 0(t0)            # remove the boot stub's alias in slot 0
        tlbflushall
        call read_boot_info         # a0 = the guest's entry point
        mv   s1, a0
        la   t0, guest_size
        lw   t0, 0(t0)
        li   t1, PV_GUEST_MAX       # the shadow table map covers this much
        bgtu t0, t1, bad_boot
        li   t1, PV_SHARED + PAGE_SIZE
        bltu t0, t1, bad_boot       # the shared page must be guest memory
        li   t0, VMM_PT + (PV_SHARED_VA - VMM_BASE) / PAGE_SIZE * 4
        li   t1, GUEST_BASE + PV_SHARED | WINDOW_PTE
        sw   t1, 0(t0)              # the shared page, in the VMM's region
        li   s0, vcpu
        tlbflush s0
        li   t0, 0
.clear: add  t1, s0, t0             # a clean vCPU: ring 0, IE off, no queued requests
        sw   zero, 0(t1)
        addi t0, t0, 4
        li   t1, SH_CLEAR
        bltu t0, t1, .clear
        sw   zero, SH_BLK_REQ_PROD(s0)  # an empty block ring, and the disk's size
        sw   zero, SH_BLK_RSP_PROD(s0)
        sw   zero, SH_BLK_EVENT(s0)
        in   t0, DISK_BLOCKS
        sw   t0, SH_BLK_BLOCKS(s0)
        csrr t0, EXTENSIONS         # the guest's CPUID answer: the real one, hidden bits
        li   t1, ~GUEST_EXT_HIDDEN  # cleared (vcpu.inc)
        and  t0, t0, t1
        sw   t0, SH_EXTENSIONS(s0)
        sw   s1, V_PC(s0)
        la   t0, vmm_entry
        csrw TVEC, t0
        li   t0, IRQ_TIMER | IRQ_DISK   # the real timer and disk are the VMM's; the guest's
        csrw IMASK, t0                  # are virtual
        la   t1, real_imask
        sw   t0, 0(t1)
        call vtimer_program
        call shadow_init            # the shadow of paging off; the real PTBR points at it
        j    vmm_resume

        .include "hypercall.s"
        .include "shadow.s"
        .include "../common/trap.s"
        .include "../common/emulate.s"
        .include "../common/guestmem.s"
        .include "../common/devices.s"
        .include "../common/report.s"
        .include "../../lib/console.s"

# ---- VMM data ------------------------------------------------------------------------------
        .include "../common/data.s"
real_imask:   .word 0           # what the real IMASK holds (rewritten only when it changes)
guest_ptbr:   .word 0           # the guest's page-table base (its V_PTBR is only a copy)
cur_shadow:   .word 0           # host-physical shadow directory in the real PTBR
pool_next:    .word 0           # next pool frame never handed out
pool_free:    .word 0           # frames handed back, linked through their first word
pool_failed:  .word 0           # 1: an allocation failed since the last reset
ident_tables: .word 0           # shadow tables of the paging-off map (0: not built)
stat_hypercalls: .space NHYPERCALLS * 4  # per hypercall number (stats.vmm.hypercalls)
stat_mmu:     .space 4 * 4      # page-table requests applied, per command
stat_mmu_rejected: .word 0      # requests and entries refused (beyond guest memory, wrong type)
stat_tables_built: .word 0      # shadow tables built by reading a whole guest table
blk_req:      .space VD_SIZE    # the block ring's request being served, copied out of its slot
blk_cons:     .word 0           # requests taken from the ring (free-running)
blk_end:      .word 0           # PV_BLK_REQ_PROD at the last HC_DISK_KICK, checked
blk_rsp:      .word 0           # responses written (PV_BLK_RSP_PROD is the guest's copy)
blk_busy:     .word 0           # 1: blk_req has the real disk
blk_port_waiting: .word 0       # 1: a request of the disk's registers waits for blk_req to end
stat_blk_requests: .word 0      # block ring: requests taken (stats.vmm.blockRing)
stat_blk_errors:   .word 0      # of those, answered with DISK_ST_ERROR
stat_blk_events:   .word 0      # batches answered (PV_BLK_EVENT set)
stat_blk_refused:  .word 0      # kicks refused: REQ_PROD claimed more than the ring holds
        .include "../common/ports.s"   # port dispatch table (generated; devices.s uses it)
        .include "../common/disk.s"    # the guest's disk model, after the data, so that its
                                       # code moves none of the hot code and data before it
        .include "blkback.s"           # the block ring: the PARAVIRT kernel's disk
