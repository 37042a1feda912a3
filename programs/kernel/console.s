# console.s: the console. Three parts:
#   kernel messages   putc(a0), puts(a0 = string), print_dec(a0), print_hex(a0); they clobber
#                     a0-a3 and t0-t3 only (programs/lib/console.s, or the PARAVIRT ones below)
#   input             the line discipline: a ring between the device and read(), filled by the
#                     console's interrupt and by every read; echo and line editing on a terminal
#   the file          console_read and console_write, which file.s calls for FT_CONSOLE
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

# ---- console input: the line discipline --------------------------------------------------------
#
# The device hands over one byte at a time (CONSOLE_DATA) while CONSOLE_STATUS bit 0 says one is
# ready; bit 1 says the input has ended. The kernel moves ready bytes into cons_buf, a ring of
# CONS_BUF bytes with three indices that only grow (xv6's console.c):
#
#      cons_r               cons_w                cons_e
#   ...|## readable bytes ##|## line being edited ##|.... room ....
#
# console_drain moves bytes from the device until it has none or the ring is full, from the
# console's interrupt (console_intr) and synchronously at the start of every read, so a run whose
# input is all there from the start reads the same bytes whenever the interrupts come. The
# interrupt is on exactly while the ring has room: then each interrupt drains the device and its
# line drops, so it cannot storm; when the ring is full the interrupt goes off and the device
# keeps its bytes (none is lost) until a read makes room and drains again. So Ctrl-C reaches
# the kernel while a program computes without reading.
#
# Without BOOT_TTY (input from a file) every byte is readable at once, as it came: no echo, no
# editing, 0x03 is just a byte. With BOOT_TTY (a terminal in raw mode, `boot --shell`) the
# kernel does what a terminal's canonical mode does: echo (as kernel output, writer_job 0), CR
# becomes NL, a line becomes readable only at its NL (cons_w jumps to cons_e), backspace or DEL
# erases the last character being edited, Ctrl-U the whole line, Ctrl-C discards it, echoes
# "^C" and sends SIGINT to the console's processes, Ctrl-D makes the line readable without a
# NL, or on an empty line is the end of the file for one read.
#
# read(0) then returns the readable bytes: at most the length, and at most one line (it stops
# after a NL). It sleeps on console_readers while there are none and the input has not ended.

# console_init: at boot, once IMASK is set: is the console a terminal (BOOT_TTY), and its
# interrupt on (the ring is empty).
console_init:
        li   t0, BOOTARGS
        lw   t0, BA_FLAGS(t0)
        andi t0, t0, BOOT_TTY
        sltu t0, zero, t0
        la   t1, cons_tty
        sw   t0, 0(t1)
        li   a0, 1
        j    cons_irq_set

# cons_irq_set(a0 = 1: on, 0: off): the console's interrupt, written only when it changes (under
# a VMM the write may trap). Clobbers a0, a1, t0, t1.
cons_irq_set:
        la   t0, cons_irq
        lw   t1, 0(t0)
        beq  t1, a0, .same
        sw   a0, 0(t0)
        mv   t1, a0
        vout CONSOLE_IRQ_ENABLE, t1
.same:  ret

# console_intr: line 1, input is ready: take it.
console_intr:
        j    console_drain

# console_drain: move the device's ready bytes into the ring through the line discipline, until
# the device has none or the ring is full; wake the readers if more became readable; the
# interrupt on while the ring has room, off when it is full. Preserves s0-s3 (it also runs from
# the idle loop and from interrupts); clobbers a0-a3, t0-t3.
console_drain:
        push ra
        push s1
        push s2
        push s3
        la   t0, cons_w
        lw   s2, 0(t0)              # s2 = cons_w before: did anything become readable?
.next:  la   t0, cons_r
        lw   t1, 0(t0)
        la   t0, cons_e
        lw   t2, 0(t0)
        sub  t1, t2, t1
        li   t3, CONS_BUF
        bgeu t1, t3, .full
        vin  s3, CONSOLE_STATUS
        andi t0, s3, 1
        beqz t0, .dry
        vin  s1, CONSOLE_DATA
        andi s1, s1, 0xff
        mv   a0, s1
        la   t0, cons_tty
        lw   t0, 0(t0)
        bnez t0, .tty
        call cons_put               # as it came, and readable at once
        call cons_commit
        j    .next
.tty:   call tty_byte
        j    .next
.dry:   andi t0, s3, 2              # the input has ended: a line being edited is readable as
        beqz t0, .on                # it is (no NL will ever come)
        call cons_commit
.on:    li   a0, 1
        j    .irq
.full:  li   a0, 0                  # the device keeps its bytes (and its line down) until a
.irq:   call cons_irq_set           # read makes room
        la   t0, cons_w
        lw   t0, 0(t0)
        beq  t0, s2, .out
        la   a0, console_readers
        call wakeup
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# cons_put(a0 = byte): append it to the line being edited (the caller checked for room).
# Clobbers t0, t1.
cons_put:
        la   t0, cons_e
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        addi t1, t1, -1
        andi t1, t1, CONS_BUF - 1
        la   t0, cons_buf
        add  t0, t0, t1
        sb   a0, 0(t0)
        ret

# cons_commit: the line being edited becomes readable. Clobbers t0, t1.
cons_commit:
        la   t0, cons_e
        lw   t0, 0(t0)
        la   t1, cons_w
        sw   t0, 0(t1)
        ret

# tty_byte(a0 = a typed byte; the ring has room for it): canonical mode, one byte. Preserves
# s0-s3; clobbers a0-a3, t0-t3.
tty_byte:
        push ra
        push s1
        mv   s1, a0
        li   t0, '\r'               # the Enter key sends CR
        bne  s1, t0, .notcr
        li   s1, '\n'
.notcr: li   t0, '\n'
        beq  s1, t0, .newline
        li   t0, C_BS
        beq  s1, t0, .erase
        li   t0, C_DEL
        beq  s1, t0, .erase
        li   t0, C_KILL
        beq  s1, t0, .kill
        li   t0, C_INTR
        beq  s1, t0, .intr
        li   t0, C_EOF
        beq  s1, t0, .eof
        mv   a0, s1                 # any other byte: into the line, and echoed
        call cons_put
        mv   a0, s1
        call tty_echo
        la   t0, cons_r             # a line as long as the ring is readable as it is (else
        lw   t0, 0(t0)              # nothing could ever be read again)
        la   t1, cons_e
        lw   t1, 0(t1)
        sub  t0, t1, t0
        li   t1, CONS_BUF
        bltu t0, t1, .out
        call cons_commit
        j    .out
.newline:
        mv   a0, s1
        call cons_put
        call cons_commit
        li   a0, '\n'
        call putc
        j    .out
.erase: call tty_erase
        j    .out
.kill:  la   t0, cons_e             # Ctrl-U: erase until the line is empty
        lw   t0, 0(t0)
        la   t1, cons_w
        lw   t1, 0(t1)
        beq  t0, t1, .out
        call tty_erase
        j    .kill
.intr:  la   t0, cons_w             # Ctrl-C: the line is dropped, "^C", and SIGINT to the
        lw   t0, 0(t0)              # processes on the console
        la   t1, cons_e
        sw   t0, 0(t1)
        la   a0, msg_intr
        call puts
        li   a0, SIGINT
        call signal_console
        j    .out
.eof:   la   t0, cons_e             # Ctrl-D: the line so far is readable without a NL; on an
        lw   t0, 0(t0)              # empty line a C_EOF byte goes in, which a read takes as
        la   t1, cons_w             # the end of the file (console_read)
        lw   t1, 0(t1)
        bne  t0, t1, .commit
        li   a0, C_EOF
        call cons_put
.commit:
        call cons_commit
.out:   pop  s1
        pop  ra
        ret

# tty_echo(a0 = byte): show a typed byte: a control byte as ^X (so an escape sequence typed by
# mistake does not drive the terminal), a tab and everything else as it is. Clobbers a0-a3, t0-t3.
tty_echo:
        slti t0, a0, 0x20
        beqz t0, putc
        li   t0, '\t'
        beq  a0, t0, putc
        push ra
        push a0
        li   a0, '^'
        call putc
        pop  a0
        pop  ra
        addi a0, a0, 0x40
        j    putc

# tty_erase: take back the last character of the line being edited, if there is one, and rub it
# out on the terminal: a UTF-8 character's continuation bytes go with their lead byte (one
# column), a control byte shown as ^X takes two. Clobbers a0-a3, t0-t3.
tty_erase:
        push ra
        push s1
        li   s1, -1                 # s1 = the byte taken back last (-1: none)
.more:  la   t0, cons_e
        lw   t1, 0(t0)
        la   t2, cons_w
        lw   t2, 0(t2)
        beq  t1, t2, .echo          # the line is empty
        addi t1, t1, -1
        sw   t1, 0(t0)
        andi t1, t1, CONS_BUF - 1
        la   t0, cons_buf
        add  t0, t0, t1
        lbu  s1, 0(t0)
        andi t0, s1, 0xc0           # a continuation byte (10xxxxxx): its lead byte too
        li   t1, 0x80
        beq  t0, t1, .more
.echo:  blt  s1, zero, .out
        call tty_rubout
        slti t0, s1, 0x20
        beqz t0, .out
        li   t0, '\t'
        beq  s1, t0, .out
        call tty_rubout
.out:   pop  s1
        pop  ra
        ret

# tty_rubout: back one column, a space over it, back again. Clobbers a0-a3, t0-t3.
tty_rubout:
        la   a0, msg_rubout
        j    puts

# ---- the console as a file ---------------------------------------------------------------------

# console_read(a1 = user buffer, a2 = length >= 0; s0 = PCB) -> a0 = bytes read: the readable
# bytes, up to the length and at most one line (a read stops after a NL, as a terminal's does);
# 0 when the input has ended and every byte was read, or for a terminal's Ctrl-D on an empty
# line; -EINTR when a signal is pending while it would wait; -EFAULT when the buffer's first byte
# is not writable (the bytes stay for the next read).
console_read:
        push ra
        push s1
        push s2
        push s3
        push a1                     # 0(sp) = the buffer, for the count
        mv   s1, a1                 # s1 = next user address
        mv   s2, a2                 # s2 = bytes still wanted
        li   s3, -1                 # s3 = the physical address of s1 (-1: not known yet)
        beqz s2, .zero
.wait:  call console_drain          # what the device holds first, interrupt or not
        la   t0, cons_r
        lw   t0, 0(t0)
        la   t1, cons_w
        lw   t1, 0(t1)
        bne  t0, t1, .copy
        vin  t0, CONSOLE_STATUS
        andi t0, t0, 2
        bnez t0, .zero              # all read, and the input has ended: end of file
        lw   t0, P_SIGPEND(s0)      # a signal pending: no sleep
        bnez t0, .intr
        la   a0, console_readers
        call sleep
        j    .wait
.copy:  la   t0, cons_r             # t0 = &cons_r, t1 = cons_r
        lw   t1, 0(t0)
        la   t2, cons_w
        lw   t2, 0(t2)
        beq  t1, t2, .moved
        beqz s2, .moved
        andi t2, s1, 0xfff          # translate at the first byte and at each new page
        beqz t2, .translate
        bge  s3, zero, .take
.translate:
        mv   a0, s1
        call user_to_phys
        blt  a0, zero, .fault
        mv   s3, a0
        la   t0, cons_r
        lw   t1, 0(t0)
.take:  andi t2, t1, CONS_BUF - 1
        la   t3, cons_buf
        add  t2, t2, t3
        lbu  t2, 0(t2)              # t2 = the byte
        li   t3, C_EOF
        bne  t2, t3, .byte
        la   t3, cons_tty           # a terminal's Ctrl-D on an empty line: this read ends,
        lw   t3, 0(t3)              # with 0 if it is the first byte (it is taken), else with
        beqz t3, .byte              # the bytes before it (it stays for the next read)
        lw   t3, 0(sp)
        bne  s1, t3, .moved
        addi t1, t1, 1
        sw   t1, 0(t0)
        j    .moved
.byte:  sb   t2, 0(s3)
        addi t1, t1, 1
        sw   t1, 0(t0)
        addi s1, s1, 1
        addi s3, s3, 1
        addi s2, s2, -1
        li   t3, '\n'
        bne  t2, t3, .copy          # a read ends after a NL
.moved: lw   t0, 0(sp)
        sub  a0, s1, t0             # bytes read
.end:   push a0
        call console_drain          # room was made: the device's next bytes, interrupt back on
        pop  a0
.out:   addi sp, sp, 4
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.fault: lw   t0, 0(sp)
        sub  a0, s1, t0
        bnez a0, .end
        li   a0, -EFAULT
        j    .end
.zero:  li   a0, 0
        j    .out
.intr:  li   a0, -EINTR
        j    .out

# console_write(a1 = user buffer, a2 = length; the range does not wrap) -> a0 = bytes written.
#
# The buffer is read through a software walk of the process's own page table (user_to_phys),
# so a bad pointer gives an error instead of a kernel fault. The rule, as on Linux: bytes go out
# until the end or until the first byte the process may not read. If at least one byte went
# out, the call returns how many did (a short write); if none, -EFAULT. Bytes go to the console
# while writer_job names the process's job (the host attributes output by it: proc.s).
console_write:
        push s1
        push s2
        push s3
        push ra
        push a1                     # 0(sp) = buf, for the count
        mv   s1, a1                 # s1 = next user address
        add  s2, a1, a2             # s2 = end
        li   s3, -1                 # s3 = physical address of s1, or -1 when unknown
        lw   t0, P_JOB(s0)
        la   t1, writer_job
        sw   t0, 0(t1)
.next:  bgeu s1, s2, .done
        andi t0, s1, 0xfff          # translate again at each new page
        beqz t0, .translate
        bge  s3, zero, .put
.translate:
        mv   a0, s1
        call user_to_phys
        blt  a0, zero, .done
        mv   s3, a0
        .ifdef PARAVIRT
.put:   li   t0, PAGE_SIZE          # a paravirtualized kernel hands the VMM the rest of this
        andi a1, s1, 0xfff          # page (or of the buffer) in one hypercall instead of one
        sub  a1, t0, a1             # `out` per byte
        sub  t0, s2, s1
        bgeu t0, a1, .chunk
        mv   a1, t0
.chunk: mv   a0, s3
        add  s1, s1, a1
        add  s3, s3, a1
        li   t0, HC_CONSOLE_WRITE
        syscall
        j    .next
        .else
.put:   lbu  t0, 0(s3)
        out  CONSOLE_DATA, t0
        addi s1, s1, 1
        addi s3, s3, 1
        j    .next
        .endif
.done:  pop  t0
        sub  a0, s1, t0             # bytes written
        bnez a0, .out
        bgeu s1, s2, .out           # a zero-length write
        li   a0, -EFAULT            # none: a bad buffer
.out:   la   t1, writer_job
        sw   zero, 0(t1)
        pop  ra
        pop  s3
        pop  s2
        pop  s1
        ret

msg_intr:    .asciz "^C\n"
msg_rubout:  .asciz "\x08 \x08"
        .align 4
