# vmm.s: the binary-translating VMM (VMware's software VMM, 1999-2006, as Adams and Agesen
# measured it). Assemble this file; it includes:
#   ../common/layout.inc  where the VMM and its guest live (host-physical and virtual)
#   ../common/vcpu.inc    the virtual CPU's fields
#   ../common/boot.s      the boot stub: paging on, jump to vmm_main
#   translate.s           the translator: the translation cache, its lookup, exits, coherence
#   trap.s                what the VMM does with each trap cause; the trap path is ../common/trap.s
#   ../te/emulate.s       the callouts: one routine per privileged instruction (shared with te)
#   shadow.s              page faults: hidden ones fixed in the shadow, true ones reflected
#   adaptive.s            stores the VMM does (traced page tables, data beside code), and their
#                         adaptive retranslation into callouts
#   ../common/trace.s     tracing of the guest's page tables: the shadow follows their stores
#   ../common/*.s         emulation of in/out/wfi/tlbflush, shadow paging, guest memory, devices
#
# The guest kernel is the unmodified binary that `native` boots, but its ring-0 code never runs
# as it is: the VMM translates it, block by block, into a translation cache, and the processor
# runs the translation in ring 1. Guest user code (ring 3) runs directly. docs/vmm-bt.md.

        .include "../../lib/hw.inc"
        .equ WINDOW_RESERVED_TOP, 8     # the top 8 pages: the vCPU page and the lookup table
        .include "../common/layout.inc"
        .include "../common/vcpu.inc"
        .include "../common/macros.inc"

        .equ TRANSLATED, 1          # the hooks in ../common/trap.s and shadow.s

# The shadow follows the guest's page tables by tracing them (../common/trace.s), not by the
# guest's flushes. One byte per guest frame says which frames are traced: 128 KiB below the
# vCPU page, for up to 512 MiB of guest memory (a guest has at most 380: src/machine/memory.ts).
        .equ SHADOW_TRACING, 1
        .equ TRACE_MAP, VMM_BASE + 0x00380000

# Shadow paging as te: guest ring-0 pages go to ring 1 (where the translations run).
        .equ VMM_PGDIR_PHYS, SHADOW_PGDIR_PHYS
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

# The vCPU lives in a page that translated code (ring 1) reads and writes (translate.s). The
# translations never write V_IPEND, so there is nothing to rebuild before a return (a guest
# kernel that stores to the top of its address space on purpose can raise its own lines: its
# business, as it is under pv).
        .macro sync_ipend
        .endm
        .equ dma_run, trace_dma_linear   # dma_linear, after dropping a traced shadow it would change

        .org 0
        .include "../common/boot.s"

        .org VMM_CODE

# vmm_main: as te's, plus the translator's pages (bt_init).
vmm_main:
        li   sp, VMM_STACK_TOP
        li   t0, SHADOW_PGDIR
        sw   zero, 0(t0)            # remove the boot stub's alias in slot 0
        tlbflushall
        call bt_init                # the translation cache's pages and the vCPU page
        call read_boot_info         # a0 = the guest's entry point
        la   s0, vcpu
        sw   a0, V_PC(s0)           # every other vCPU field starts at 0: ring 0, IE off, no paging
        la   t0, vmm_entry
        csrw TVEC, t0
        li   t0, IRQ_TIMER | IRQ_DISK
        csrw IMASK, t0
        la   t1, real_imask
        sw   t0, 0(t1)
        call vtimer_program
        call shadow_reset
        j    vmm_resume

        .include "translate.s"
        .include "trap.s"
        .include "../te/emulate.s"
        .include "shadow.s"
        .include "adaptive.s"
        .include "../common/emulate.s"
        .include "../common/shadow.s"
        .include "../common/trace.s"
        .include "../common/guestmem.s"
        .include "../common/devices.s"
        .include "../common/report.s"
        .include "../../lib/console.s"

# ---- VMM data ------------------------------------------------------------------------------
        .include "../common/data.s"
real_imask:   .word 0
        .include "translate-data.s"
        .include "../common/trace-data.s"
        .include "../common/ports.s"
        .include "../common/disk.s"
