# recursion.s: a recursive function with stack frames.
#
# Computes fib(0) .. fib(20) with the naive doubly recursive definition and prints them.
# Each call saves its return address and the callee-saved registers it uses on the stack
# (push/pop are pseudo-instructions: see `npx ringlab isa`), so the call depth reaches 20
# frames. Try `--stats` to see how many instructions the recursion costs.
#
#   npx ringlab run programs/examples/recursion.s

        .include "../lib/hw.inc"
        .equ STACK_TOP, 0x10000          # the stack grows down from 64 KiB
        .equ COUNT, 21

_start: li   sp, STACK_TOP
        li   s0, 0                      # s0 = n, callee-saved so it survives the calls
.loop:  mv   a0, s0
        call fib
        call print_dec                  # print fib(n)
        li   a0, ' '
        call putc
        addi s0, s0, 1
        li   t0, COUNT
        blt  s0, t0, .loop
        li   a0, '\n'
        call putc
        out  POWER_OFF, zero

# fib(a0) -> a0: fib(n) = n for n < 2, else fib(n-1) + fib(n-2).
fib:    li   t0, 2
        blt  a0, t0, .base
        push ra                         # frame: return address, s0, s1
        push s0
        push s1
        mv   s0, a0                     # s0 = n
        addi a0, s0, -1
        call fib
        mv   s1, a0                     # s1 = fib(n-1)
        addi a0, s0, -2
        call fib
        add  a0, a0, s1                 # fib(n-2) + fib(n-1)
        pop  s1
        pop  s0
        pop  ra
.base:  ret

        .include "../lib/console.s"
