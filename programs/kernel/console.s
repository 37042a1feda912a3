# console.s: the kernel's console driver. The console is a byte port (CONSOLE_DATA); kernel
# messages go out with writer_pid = 0, so the host can tell them from a process's write().
# kputc(a0), kputs(a0 = string), kput_dec(a0), kput_hex(a0): clobber a0-a3 and t0-t3 only.

kputc:
        out  CONSOLE_DATA, a0
        ret

kputs:
.next:  lbu  t0, 0(a0)
        beqz t0, .done
        out  CONSOLE_DATA, t0
        addi a0, a0, 1
        j    .next
.done:  ret

kput_dec:
        bge  a0, zero, .digits
        li   t0, '-'
        out  CONSOLE_DATA, t0
        neg  a0, a0
.digits:
        addi t2, sp, -1             # digits are built backwards below the stack pointer
        mv   t3, t2
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

kput_hex:
        li   t0, '0'
        out  CONSOLE_DATA, t0
        li   t0, 'x'
        out  CONSOLE_DATA, t0
        li   t1, 28
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
