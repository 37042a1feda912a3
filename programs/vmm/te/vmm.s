# vmm.s: the trap-and-emulate VMM (Popek and Goldberg 1974). Assemble this file; it includes:
#   ../common/layout.inc  where the VMM and its guest live (host-physical and virtual)
#   ../common/vcpu.inc    the virtual CPU's fields
#   ../common/boot.s      the boot stub: paging on, jump to vmm_main
#   trap.s                what the VMM does with each trap cause; the trap path itself (save
#                         the guest, dispatch, reflect, resume) is ../common/trap.s, shared with pv
#   emulate.s             one routine per privileged instruction the guest kernel executes
#   shadow.s              page faults: hidden ones fixed in the shadow, true ones reflected
#   ../common/emulate.s   in, out, wfi, tlbflush, tlbflushall (shared with the vtx VMM)
#   ../common/shadow.s    shadow page tables: fills, PTBR writes, TLB flushes
#   ../common/guestmem.s  reading guest-physical memory through windows
#   ../common/devices.s   the guest's console, timer, power and null port
#   ../common/disk.s      the guest's disk: its registers, requests translated to the real disk
#
# The guest kernel is the unmodified binary that `native` boots. It runs in ring 1, its user
# processes in ring 3; the VMM alone runs in ring 0, in the top 4 MiB of every address space.
# Every privileged instruction of the guest kernel traps here and is emulated on the vCPU;
# every trap that belongs to the guest is reflected to the guest kernel's own trap vector.
# docs/vmm-te.md walks through one trapped instruction and one hidden page fault.

        .include "../../lib/hw.inc"
        .include "../common/layout.inc"
        .include "../common/vcpu.inc"
        .include "../common/macros.inc"

# How ../common/shadow.s works for te: the guest's PTBR is the vCPU's, guest ring-0 pages go
# to ring 1 (where the guest kernel runs), slot 1023 is the VMM's, and the shadow directory is
# the real PTBR, so rewriting it flushes the real TLB.
        .equ VMM_PGDIR_PHYS, SHADOW_PGDIR_PHYS  # te lives in the shadow's address space
        .equ V_GUEST_PTBR, V_PTBR
        .equ SHADOW_KERNEL_RING, PTE_RING1
        .equ SHADOW_KEEPS_VMM_SLOT, 1
        .macro shadow_flush_all
        li   t0, SHADOW_PGDIR_PHYS | PTBR_ENABLE
        csrw PTBR, t0
        .endm
        .macro shadow_flush_page reg
        tlbflush \reg
        .endm

# How ../common/trap.s and ../common/disk.s work for te: the guest reads IPEND with a csrr that
# traps (virtual_ipend answers it) and cannot write V_IPEND, so vmm_resume has nothing to rebuild;
# guest memory is one piece from GUEST_BASE, so a disk request is one run of host memory.
        .macro sync_ipend
        .endm
        .equ dma_run, dma_linear

        .org 0
        .include "../common/boot.s"

        .org VMM_CODE

# vmm_main: paging is on and the VMM runs at its virtual address. Check the boot info, set up
# the vCPU to start the guest kernel at its entry point in virtual ring 0 with paging and
# interrupts off, take over the real trap vector and timer, and enter the guest.
vmm_main:
        li   sp, VMM_STACK_TOP
        li   t0, SHADOW_PGDIR
        sw   zero, 0(t0)            # remove the boot stub's alias in slot 0
        tlbflushall
        call read_boot_info         # a0 = the guest's entry point
        la   s0, vcpu
        sw   a0, V_PC(s0)           # every other vCPU field starts at 0: ring 0, IE off, no paging
        la   t0, vmm_entry
        csrw TVEC, t0
        li   t0, IRQ_TIMER | IRQ_DISK   # the real timer and disk are the VMM's; the guest's
        csrw IMASK, t0                  # are virtual
        la   t1, real_imask
        sw   t0, 0(t1)
        call vtimer_program
        call shadow_reset           # an empty shadow; the real PTBR points at it from now on
        j    vmm_resume

        .include "trap.s"
        .include "emulate.s"
        .include "shadow.s"
        .include "../common/emulate.s"
        .include "../common/shadow.s"
        .include "../common/guestmem.s"
        .include "../common/devices.s"
        .include "../common/report.s"
        .include "../../lib/console.s"

# ---- VMM data ------------------------------------------------------------------------------
        .include "../common/data.s"
vcpu:         .space V_SIZE     # the guest's virtual CPU (vcpu.inc)
real_imask:   .word 0           # what the real IMASK holds (rewritten only when it changes)
        .include "../common/ports.s"   # port dispatch table (generated; devices.s uses it)
        .include "../common/disk.s"    # the guest's disk model, after the data, so that its
                                       # code moves none of the hot code and data before it
