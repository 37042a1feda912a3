# console.s: console output routines for ring-0 code (they use the privileged `out`).
# Include it after your program's code:   .include "../lib/console.s"
# (it needs hw.inc included first). Calling convention (see src/isa/registers.ts):
# argument in a0; the routines clobber only caller-saved registers (a0-a3, t0-t3).

        .align 4                # code may follow strings in the including file

# putc(a0): write the low byte of a0.
putc:
        out  CONSOLE_DATA, a0
        ret

# puts(a0): write the zero-terminated string at address a0.
puts:
.next:  lbu  t0, 0(a0)
        beqz t0, .done
        out  CONSOLE_DATA, t0
        addi a0, a0, 1
        j    .next
.done:  ret

# print_dec(a0): write a0 as a signed decimal number.
print_dec:
        bge  a0, zero, .digits
        li   t0, '-'
        out  CONSOLE_DATA, t0
        neg  a0, a0             # -2^31 stays -2^31, but divu below treats it as 2^31: correct
.digits:
        addi t2, sp, -1         # digits are built backwards below the stack pointer
        mv   t3, t2             # t3 = one past the first digit written
        li   t1, 10
.divide:
        remu t0, a0, t1
        addi t0, t0, '0'
        sb   t0, 0(t2)
        addi t2, t2, -1
        divu a0, a0, t1
        bnez a0, .divide
.emit:  addi t2, t2, 1
        lbu  t0, 0(t2)
        out  CONSOLE_DATA, t0
        bne  t2, t3, .emit
        ret

# print_hex(a0): write a0 as 0x followed by 8 hex digits.
print_hex:
        li   t0, '0'
        out  CONSOLE_DATA, t0
        li   t0, 'x'
        out  CONSOLE_DATA, t0
        li   t1, 28             # shift for the top nibble
.nibble:
        srl  t0, a0, t1
        andi t0, t0, 0xf
        slti t2, t0, 10
        bnez t2, .decimal
        addi t0, t0, 'a' - 10 - '0'
.decimal:
        addi t0, t0, '0'
        out  CONSOLE_DATA, t0
        addi t1, t1, -4
        bge  t1, zero, .nibble
        ret
