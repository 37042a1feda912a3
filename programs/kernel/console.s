# console.s: the kernel's console driver. The console is a byte port (CONSOLE_DATA); the
# routines are the shared ones of programs/lib/console.s:
#   putc(a0), puts(a0 = string), print_dec(a0), print_hex(a0); they clobber a0-a3 and t0-t3 only.
# Kernel messages go out with writer_job = 0, so the host can tell them from a process's write().
#
# A PARAVIRT kernel cannot `out`. Its routines below build their text first and hand all of it
# to the VMM with one HC_CONSOLE_WRITE (a guest-physical address and a length: the kernel's own
# addresses are physical ones, through its identity map); same interface, same clobbers.

        .ifndef PARAVIRT
        .include "../lib/console.s"
        .else
        .align 4

putc:   push a0                     # the byte, at 0(sp)
        mv   a0, sp
        li   a1, 1
        li   t0, HC_CONSOLE_WRITE
        syscall
        addi sp, sp, 4
        ret

puts:   mv   t1, a0
.len:   lbu  t0, 0(t1)
        beqz t0, .write
        addi t1, t1, 1
        j    .len
.write: sub  a1, t1, a0
        li   t0, HC_CONSOLE_WRITE
        syscall
        ret

# print_dec(a0): the digits are built backwards below the stack pointer, then written at once.
print_dec:
        mv   t3, a0                 # the sign
        bge  a0, zero, .digits
        neg  a0, a0                 # -2^31 stays -2^31, which divu treats as 2^31: correct
.digits:
        mv   t2, sp                 # t2 = the first character so far
        li   t1, 10
.divide:
        remu t0, a0, t1
        addi t0, t0, '0'
        addi t2, t2, -1
        sb   t0, 0(t2)
        divu a0, a0, t1
        bnez a0, .divide
        bge  t3, zero, .write
        li   t0, '-'
        addi t2, t2, -1
        sb   t0, 0(t2)
.write: mv   a0, t2
        sub  a1, sp, t2
        li   t0, HC_CONSOLE_WRITE
        syscall
        ret

# print_hex(a0): "0x" and 8 hex digits, built below the stack pointer, then written at once.
print_hex:
        addi t2, sp, -10
        li   t0, '0'
        sb   t0, 0(t2)
        li   t0, 'x'
        sb   t0, 1(t2)
        addi t3, t2, 2              # next digit
        li   t1, 28                 # shift for the top nibble
.nibble:
        srl  t0, a0, t1
        andi t0, t0, 0xf
        slti a1, t0, 10
        bnez a1, .decimal
        addi t0, t0, 'a' - 10 - '0'
.decimal:
        addi t0, t0, '0'
        sb   t0, 0(t3)
        addi t3, t3, 1
        addi t1, t1, -4
        bge  t1, zero, .nibble
        mv   a0, t2
        li   a1, 10
        li   t0, HC_CONSOLE_WRITE
        syscall
        ret
        .endif
