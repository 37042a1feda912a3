# trap.s (te): what the trap-and-emulate VMM does with each real trap cause. The trap path
# itself (vmm_entry, reflect, vmm_resume, inject_interrupt) is ../common/trap.s, shared with the
# pv VMM.

# What the VMM does with each real trap cause (vmm_entry jumps through this table).
cause_table:
        .word vmm_panic             # 0: no such cause
        .word reflect_trap          # Syscall: the guest kernel's business
        .word reflect_trap          # Breakpoint
        .word reflect_trap          # IllegalInstruction
        .word privileged            # PrivilegedInstruction: emulate (guest kernel) or reflect
        .word page_fault            # PageFaultRead: hidden (fix the shadow) or true (reflect)
        .word page_fault            # PageFaultWrite
        .word page_fault            # PageFaultExecute
        .word reflect_trap          # Misaligned
        .word reflect_trap          # DivideByZero
        .word reflect_trap          # BusError
        .word vmm_panic, vmm_panic, vmm_panic, vmm_panic, vmm_panic   # 11..15: no such causes
        .word real_interrupt        # TimerInterrupt: the real timer (the VMM's)
        .word real_interrupt        # ConsoleInterrupt: the guest's (vmm_resume delivers it)
        .word real_interrupt        # DiskInterrupt: the real disk (the VMM's)
        .if . - cause_table != NCAUSES * 4
        .error "cause_table needs one handler per trap cause (NCAUSES, hw.inc)"
        .endif

        .include "../common/trap.s"
