# trap.s (bt): what the binary-translating VMM does with each real trap cause. The trap path
# itself (vmm_entry, reflect, vmm_resume, inject_interrupt) is ../common/trap.s, shared with te
# and pv; under bt (TRANSLATED) it asks translate.s for the guest pc of a trap taken in
# translated code (bt_entry) and for the translation to resume in (bt_target).

cause_table:
        .word vmm_panic             # 0: no such cause
        .word reflect_trap          # Syscall: the guest's business (its kernel's own `syscall` too)
        .word bt_break              # Breakpoint: a translation's exit or callout, or the guest's own
        .word reflect_trap          # IllegalInstruction
        .word privileged            # PrivilegedInstruction: a callout (../te/emulate.s) or reflect
        .word page_fault            # PageFaultRead: hidden (fix the shadow) or true (reflect)
        .word page_fault            # PageFaultWrite (also: a store to translated code, translate.s)
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
