# translate-data.s: the translator's variables and counters (translate.s). The boot configuration
# reads the stat_bt_* words as stats.vmm.translation (src/configs/vmm.ts).
        .align 4
bt_tc_next:      .word 0        # the next free TC word (execute address)
bt_tc_fixed:     .word 0        # the first TC word after the fixed code (lookup routines)
bt_resume_tc:    .word 0        # the TC word the last trap came from (0: not translated code)
bt_flag:         .word 0        # its PCMAP flag (BT_START, BT_MID, BT_EXIT, BT_CALLOUT)
bt_chain_from:   .word 0        # an exit's jump to rewrite once its target is translated, or 0
bt_block:        .word 0        # the body of the block being translated
bt_block_pc:     .word 0        # ... its guest pc
bt_block_single: .word 0        # ... 1 if it is a single instruction after an invalidation
bt_single:       .word 0        # 1: translate one instruction, unmarked (bt_shadow_pte)
bt_block_bits:   .word 0        # the bitmap of the block's frame (0: none, a single instruction)
bt_store_emulate: .word 0       # 1: the page fault is a store bt_store does (bt_shadow_pte)
bt_legacy:       .word 0        # ISA_EXT_LEGACY if the CPU has rdstatus/wrstatus
bt_marked_len:   .word 0        # guest frames marked since the last flush: slots in use
bt_marked:       .space BT_MARKED_MAX * 4

stat_bt_blocks:        .word 0  # blocks translated
stat_bt_hits:          .word 0  # the VMM found a translation in the lookup table
stat_bt_misses:        .word 0  # indirect jumps whose inline lookup missed
stat_bt_exits:         .word 0  # exits taken (each then chained, but for the trampoline's)
stat_bt_chained:       .word 0  # exits rewritten into direct jumps
stat_bt_invalidations: .word 0  # stores to translated code (each flushes the cache)
stat_bt_flushes:       .word 0  # cache flushes: invalidations and a full cache
stat_bt_wrstatus:      .word 0  # wrstatus callouts (the privileged ones: stat_emulated)
stat_bt_imask:         .word 0  # csrw IMASK callouts (with the guest's interrupts on)
stat_bt_data_stores:   .word 0  # stores to data on a page with translated code, done by the VMM
stat_bt_adaptations:   .word 0  # translated stores retranslated into callouts (adaptive.s)
stat_bt_pt_callouts:   .word 0  # adaptive callouts that stored to a traced page table
stat_bt_plain_callouts: .word 0 # adaptive callouts that stored anywhere else

        .align 4
bt_sites:        .space BT_SITES * 8    # per store site: its guest pc, its trace faults
