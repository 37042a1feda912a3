# data.s: the data every VMM has, and its statistics. The boot configuration reads the stat_*
# words after a run and reports them as stats.vmm (src/configs/vmm.ts), so both VMMs keep
# them in this one layout.

        .align 4
guest_size:   .word 0           # bytes of guest-physical memory, from the boot info
shadow_pool_next: .word 0       # shadow page tables handed out since the last reset
shadow_log_len:   .word 0       # entries in the shadow fill log
window_frame: .space WINDOW_SLOTS * 4, 0xff     # guest frame shown in each window, or -1
vdisk:        .space VD_SIZE    # the guest's disk controller (vcpu.inc, disk.s)
injected_at:  .word 0           # cycle (low 32 bits) of the last virtual interrupt delivered

stat_emulated:  .space (OP_TLBFLUSHALL - OP_SRET + 1) * 4   # per privileged instruction
                                        # (te: emulated after a trap; vtx: after an exit)
stat_reflected: .space NCAUSES * 4      # traps passed on to the guest kernel, per cause
stat_injected:  .word 0                 # virtual interrupts delivered to the guest
stat_ticks_coalesced: .word 0           # timer ticks the guest fell behind on (vtimer_behind)
stat_hidden_faults: .word 0             # page faults the shadow caused and the VMM fixed
stat_true_faults:   .word 0             # page faults the guest's own tables explain
stat_shadow_resets: .word 0             # times every shadow translation was dropped
