# irq.s: what the interrupt-taking test guests share (console.s, disk.s). Include it after the
# code, next to print.s.

# expect(t1 = address): where the next interrupt should be taken.
expect: la   t2, expect_epc
        sw   t1, 0(t2)
        ret

# ipend: print the pending lines.
ipend:  push ra
        gcsrr t1, IPEND
        andi t1, t1, 7
        show ipend, t1
        pop  ra
        ret

        .align 4
expect_epc: .word 0             # where the next interrupt should be taken (expect)
