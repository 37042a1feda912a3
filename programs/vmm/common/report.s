# report.s: the boot information a VMM starts from, and how a VMM stops when something is
# wrong, with one line on the console and its own power-off code (layout.inc).

# vmm_panic: a trap the VMM cannot explain (one taken in the VMM itself): report and stop.
vmm_panic:
        la   a0, msg_panic
        call puts
        csrr a0, CAUSE
        call print_dec
        la   a0, msg_atpc
        call puts
        csrr a0, EPC
        call print_hex
        li   a0, '\n'
        call putc
        li   t0, VMM_EXIT_PANIC
        out  POWER_OFF, t0
        halt

# guest_double_fault(a0 = the guest's pc): a trap the guest must handle was raised at its own
# trap vector, so its handler could never run (on bare metal the machine stops with a double
# fault). Report it and power off.
guest_double_fault:
        push a0
        la   a0, msg_double
        call puts
        pop  a0
        call print_hex
        li   a0, '\n'
        call putc
        li   t0, VMM_EXIT_DOUBLE_FAULT
        out  POWER_OFF, t0
        halt

# bad_boot: the boot information is missing or unusable.
bad_boot:
        la   a0, msg_badboot
        call puts
        li   t0, VMM_EXIT_BADBOOT
        out  POWER_OFF, t0
        halt

msg_badboot:  .asciz "vmm: bad boot info\n"
msg_panic:    .asciz "vmm: panic: trap "
msg_double:   .asciz "vmm: guest double fault: its trap handler faulted at pc "
msg_atpc:     .asciz " at pc "
        .align 4

# read_boot_info -> a0 = the guest kernel's entry point, a1 = the boot flags (VI_FLAGS); sets
# guest_size. Bad or missing boot information ends in bad_boot. Clobbers t0-t2.
read_boot_info:
        li   t0, VMM_INFO
        lw   t1, VI_MAGIC(t0)
        li   t2, VMM_MAGIC
        bne  t1, t2, bad_boot
        lw   t1, VI_GUEST_SIZE(t0)
        li   t2, PAGE_SIZE
        bltu t1, t2, bad_boot
        la   t2, guest_size
        sw   t1, 0(t2)
        lw   a0, VI_GUEST_ENTRY(t0)
        lw   a1, VI_FLAGS(t0)
        ret
