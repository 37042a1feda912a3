# console.s: a bare-metal guest kernel that takes console input by interrupt (line 1,
# CONSOLE_IRQ_ENABLE) and prints what it sees: the line in IPEND as it enables and disables the
# interrupt, wfi returning on it, and one interrupt per input byte (CAUSE, where it was taken,
# the byte), until the input ends. test/vmm/disk.test.ts runs it natively and under every VMM,
# with the same input, and compares the output byte for byte. It expects at least two bytes.

        .include "guest.inc"
        .equ KSTACK, 0x00080000

        .org 0x10000
_start:
        li   sp, KSTACK
        la   t0, handler
        gcsrw TVEC, t0
        li   t0, IRQ_CONSOLE
        gcsrw IMASK, t0
        gin  t1, CONSOLE_STATUS
        show status, t1
        call ipend                      # input is there, but its interrupt is not enabled
        li   t1, 1
        gout CONSOLE_IRQ_ENABLE, t1
        gin  t1, CONSOLE_IRQ_ENABLE
        show enabled, t1
        call ipend                      # now the line is up
        gwfi                            # interrupts off: wfi returns at once
        call ipend
        gout CONSOLE_IRQ_ENABLE, zero
        call ipend                      # down again
        li   t1, 1
        gout CONSOLE_IRQ_ENABLE, t1
        gin  t0, CONSOLE_DATA           # the first byte without an interrupt
        show byte, t0

        la   t1, first                  # the line is up: taken as soon as interrupts are on
        call expect
        gei
first:  gdi
more:   gin  t1, CONSOLE_STATUS         # the rest, one interrupt per byte, taken in wfi
        andi t1, t1, 1
        beqz t1, ended
        la   t1, taken
        call expect
        gei
        gwfi
taken:  gdi
        j    more
ended:  gin  t1, CONSOLE_STATUS
        show status, t1
        call ipend                      # input has ended: the line is down
        gin  t1, CONSOLE_DATA
        show byte, t1
        la   t0, handled
        lw   t1, 0(t0)
        show handled, t1
        li   s3, 0
        show end, s3
        gout POWER_OFF, s3
        halt

# The console's interrupt: read one byte (the line stays up while more are left).
handler:
        push ra
        push a0
        push a1
        push t0
        push t1
        push t2
        push t3
        gcsrr t1, CAUSE
        show cause, t1
        gcsrr t1, EPC
        la   t2, expect_epc
        lw   t2, 0(t2)
        sub  t1, t1, t2
        show epc, t1
        gin  t1, CONSOLE_DATA
        show byte, t1
        call ipend
        la   t0, handled
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        pop  t3
        pop  t2
        pop  t1
        pop  t0
        pop  a1
        pop  a0
        pop  ra
        gsret

        .include "print.s"
        .include "irq.s"

        .align 4
handled:    .word 0
