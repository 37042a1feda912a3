# lib.s: the user library. System call wrappers, one per call of src/abi/syscalls.ts (number in
# t0, arguments in a0..a3, result in a0; the kernel preserves every other register), and print
# helpers built on write(). Helpers follow the calling convention: they may clobber a0-a3 and
# t0-t3.

        .include "../lib/usys.s"    # the wrappers: exit, write, yield, getpid, map, ... (generated)

# crt0: where every program starts. exec leaves a0 = argc and a1 = argv (an array of string
# pointers ending in 0; sp points at it). crt0 calls the program's _start with
#   a0 = its iteration count: argv[1] read as a decimal number (1 when there is no argv[1]),
#   a1 = argc, a2 = argv.
# The workloads use a0 alone (init runs each as `NAME ITER`); the shell and the utilities use
# a1 and a2.
        .entry crt0
crt0:   mv   a2, a1
        mv   a1, a0
        li   a0, 1
        li   t0, 2
        blt  a1, t0, .go
        lw   t1, 4(a2)              # argv[1]: its leading digits
        li   a0, 0
        li   t2, 10
.digit: lbu  t0, 0(t1)
        addi t0, t0, -48
        bgeu t0, t2, .go            # not a digit (unsigned: below '0' wraps too)
        mul  a0, a0, t2
        add  a0, a0, t0
        addi t1, t1, 1
        j    .digit
.go:    j    _start

# print(a0 = zero-terminated string): one write() system call.
print:  mv   a1, a0
        mv   a2, zero
.len:   add  t0, a1, a2
        lbu  t0, 0(t0)
        beqz t0, .go
        addi a2, a2, 1
        j    .len
.go:    li   a0, 1
        j    write

# print_dec(a0): the unsigned value in decimal, one write() system call.
print_dec:
        addi sp, sp, -16            # digits are built backwards in a 16-byte stack buffer
        addi t2, sp, 16
        mv   t3, t2                 # end of the digits
        li   t1, 10
.divide:
        remu t0, a0, t1
        addi t0, t0, '0'
        addi t2, t2, -1
        sb   t0, 0(t2)
        divu a0, a0, t1
        bnez a0, .divide
        push ra
        li   a0, 1
        mv   a1, t2
        sub  a2, t3, t2
        call write
        pop  ra
        addi sp, sp, 16
        ret

# print_kv(a0 = label, a1 = value): "label" then the value in decimal.
print_kv:
        push ra
        push a1
        call print
        pop  a0
        call print_dec
        pop  ra
        ret

# report2_exit(a0 = label, a1 = value, a2 = label, a3 = value): print both key/value pairs and a
# newline, then exit(0). The common ending of the workloads.
report2_exit:
        push a3
        push a2
        call print_kv
        pop  a0
        pop  a1
        call print_kv
        call newline
        li   a0, 0
        call exit

# newline: write "\n".
newline:
        push ra
        la   a0, lib_nl
        call print
        pop  ra
        ret

lib_nl: .asciz "\n"
        .align 4

        .include "ulib.s"           # strings, numbers, write_all, perror (for sh and the utilities)
