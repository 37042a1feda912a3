# vmbad: the hosted driver's errors (programs/kernel/kvm.s; test/kernel/hosted.test.ts). Runs on a
# kernel built with -D HOST, as an ordinary process: each line is a call and what it returned.
        .include "../lib/hw.inc"
        .include "user.inc"

_start: la   a0, guest_code             # the guest's code at guest-physical 0 (HEAP_BASE)
        li   a1, HEAP_BASE
        la   a2, guest_end
.copy:  lw   t0, 0(a0)
        sw   t0, 0(a1)
        addi a0, a0, 4
        addi a1, a1, 4
        bltu a0, a2, .copy
        la   t0, guest_trap             # its trap vector: guest_trap, guest-physical
        la   t1, guest_code
        sub  t0, t0, t1
        la   t1, regs
        sw   t0, VMCS_G_TVEC(t1)
        la   s0, steps
.next:  lw   s1, 0(s0)                  # the step's label
        beqz s1, .done
        lw   t0, 4(s0)                  # its call number, then a0, a1
        lw   a0, 8(s0)
        lw   a1, 12(s0)
        syscall
        mv   s2, a0
        mv   a0, s1
        call print
        la   a0, space
        call print
        mv   a0, s2
        bge  a0, zero, .pos
        la   a0, minus
        call print
        sub  a0, zero, s2
.pos:   call print_dec
        li   t0, VM_EXIT_IO             # an I/O exit: its port and value too
        bne  s2, t0, .nl
        lw   t0, 4(s0)
        li   t1, SYS_VCPU_RUN
        bne  t0, t1, .nl
        la   a0, port_is
        call print
        la   t0, run
        lw   a0, VR_PORT(t0)
        call print_dec
        la   a0, data_is
        call print
        la   t0, run
        lw   a0, VR_DATA(t0)
        call print_dec
.nl:    call newline
        addi s0, s0, 16
        j    .next
.done:  li   a0, 0
        call exit

# label, call, a0, a1
steps:
        .word l_run0, SYS_VCPU_RUN, run, 0               # no VM: EBADF
        .word l_mem0, SYS_VM_MEMORY, HEAP_BASE, 0x10000  # no VM: EBADF
        .word l_create, SYS_VM_CREATE, 0, 0              # 0
        .word l_create2, SYS_VM_CREATE, 0, 0             # EBUSY
        .word l_vcpu0, SYS_VCPU_CREATE, 0, 0             # no memory yet: EINVAL
        .word l_mem_odd, SYS_VM_MEMORY, HEAP_BASE + 8, 0x10000   # EINVAL
        .word l_mem_zero, SYS_VM_MEMORY, HEAP_BASE, 0            # EINVAL
        .word l_mem_big, SYS_VM_MEMORY, HEAP_BASE, VM_MEM_MAX + PAGE_SIZE  # EINVAL
        .word l_mem_code, SYS_VM_MEMORY, USER_BASE, 0x10000      # not the heap: EINVAL
        .word l_mem_kernel, SYS_VM_MEMORY, 0x10000, 0x10000      # the kernel's: EINVAL
        .word l_mem_end, SYS_VM_MEMORY, HEAP_END - 0x10000, 0x20000   # past the heap: EINVAL
        .word l_mem_wrap, SYS_VM_MEMORY, 0xfffff000, 0x2000      # wraps: EINVAL
        .word l_mem, SYS_VM_MEMORY, HEAP_BASE, 0x10000           # 0
        .word l_mem2, SYS_VM_MEMORY, HEAP_BASE, 0x10000          # EEXIST
        .word l_regs0, SYS_VCPU_SET_REGS, regs, 0                # no vCPU: EBADF
        .word l_vcpu, SYS_VCPU_CREATE, 0, 0                      # 0
        .word l_vcpu2, SYS_VCPU_CREATE, 0, 0                     # EEXIST
        .word l_regs_bad, SYS_VCPU_SET_REGS, 0x10000, 0          # EFAULT
        .word l_get_bad, SYS_VCPU_GET_REGS, 0xfffffff0, 0        # EFAULT
        .word l_run_bad, SYS_VCPU_RUN, 0x20000, 0                # EFAULT
        .word l_regs, SYS_VCPU_SET_REGS, regs, 0                 # 0: pc = guest_code
        .word l_run, SYS_VCPU_RUN, run, 0                        # VM_EXIT_IO (out 0x10)
        .word l_run_ept, SYS_VCPU_RUN, run, 0                    # its load beyond its memory: a bus error (cause 10, ':')
        .word l_run_halt, SYS_VCPU_RUN, run, 0                   # VM_EXIT_HALT
        .word l_get, SYS_VCPU_GET_REGS, regs, 0                  # 0
        .word 0

# The guest: in non-root mode, paging off, at guest-physical 0. It writes 'G', then reads past its
# 64 KiB: the host has nothing there for it (not even the VMM's next heap page), so it takes a bus
# error; its handler writes '0' + the cause and halts.
guest_code:
        li   t1, 'G'
        out  CONSOLE_DATA, t1
        li   t1, 0x10000
        lw   t2, 0(t1)
        halt
guest_trap:
        csrr t1, CAUSE
        addi t1, t1, '0'
        out  CONSOLE_DATA, t1
        halt
guest_end:

l_run0:     .asciz "run-without-vm"
l_mem0:     .asciz "memory-without-vm"
l_create:   .asciz "create"
l_create2:  .asciz "create-again"
l_vcpu0:    .asciz "vcpu-without-memory"
l_mem_odd:  .asciz "memory-unaligned"
l_mem_zero: .asciz "memory-empty"
l_mem_big:  .asciz "memory-too-big"
l_mem_code: .asciz "memory-not-heap"
l_mem_kernel: .asciz "memory-kernel"
l_mem_end:  .asciz "memory-past-heap"
l_mem_wrap: .asciz "memory-wraps"
l_mem:      .asciz "memory"
l_mem2:     .asciz "memory-again"
l_regs0:    .asciz "regs-without-vcpu"
l_vcpu:     .asciz "vcpu"
l_vcpu2:    .asciz "vcpu-again"
l_regs_bad: .asciz "regs-bad-buffer"
l_get_bad:  .asciz "get-regs-bad-buffer"
l_run_bad:  .asciz "run-bad-buffer"
l_regs:     .asciz "regs"
l_run:      .asciz "run"
l_run_ept:  .asciz "run-again"
l_run_halt: .asciz "run-to-halt"
l_get:      .asciz "get-regs"
port_is:    .asciz " port "
data_is:    .asciz " data "
space:      .asciz " "
minus:      .asciz "-"
        .align 4
run:        .space VR_SIZEOF
regs:       .space VCPU_REGS_SIZE

        .include "lib.s"
