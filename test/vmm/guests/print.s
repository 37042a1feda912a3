# print.s: console output for the test guests (guest.inc's `show`). Include it after the code.

# puts(a0 = string). Clobbers a0, a1, t0-t2.
puts:   push ra
        mv   t1, a0
.next:  lbu  t2, 0(t1)
        beqz t2, .done
        gout CONSOLE_DATA, t2
        addi t1, t1, 1
        j    .next
.done:  pop  ra
        ret

# phex(a0): a0 as 8 hex digits and a newline. Clobbers a0, a1, t0-t3.
phex:   push ra
        mv   t1, a0
        li   t2, 28
.digit: srl  t3, t1, t2
        andi t3, t3, 15
        addi t3, t3, '0'
        li   t0, '9' + 1
        blt  t3, t0, .out
        addi t3, t3, 'a' - '0' - 10
.out:   gout CONSOLE_DATA, t3
        addi t2, t2, -4
        bge  t2, zero, .digit
        li   t3, '\n'
        gout CONSOLE_DATA, t3
        pop  ra
        ret
