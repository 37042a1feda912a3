# trace-data.s: the variables and counters of trace.s. The boot configuration reads the stat_*
# words as stats.vmm.tracing (src/configs/vmm.ts).
        .align 4
trace_len:        .word 0       # frames in trace_list
trace_list:       .space TRACE_MAX * 8      # per traced frame: its number, its role
trace_walk_dir:   .word 0       # the last walk's directory and table (guest_translate)
trace_walk_table: .word 0
trace_last_dir:   .word 1       # the last pair trace_walk traced, and the slot (1: none)
trace_last_table: .word 1
trace_last_slot:  .word 0
trace_store:      .word 0       # 1: the page fault is a store to a traced frame (the VMM does it)

stat_traces:        .word 0     # frames traced (each time one starts to be)
stat_trace_faults:  .word 0     # stores that faulted on a traced frame, done by the VMM
stat_trace_updates: .word 0     # shadow entries recomputed after a store to a traced table
