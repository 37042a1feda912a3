# wc [FILE...]: count the lines (newlines), words (runs of bytes other than blank, tab, newline,
# carriage return, vertical tab and form feed) and bytes of each FILE, or of descriptor 0
# without arguments, and print them as coreutils' wc does for its input, each number in 7
# columns: "      2       3      12 FILE". With several files a "total" line follows. An error
# ("wc: FILE: message") does not stop the others; the exit status is then 1.
        .include "user.inc"
        .equ BUF, HEAP_BASE
        .equ BUFSIZE, 4096
_start: addi s1, a2, 4                  # crt0: a1 = argc, a2 = argv; s1 = the next argument
        li   s2, 0                      # files counted
        li   t1, 2
        bge  a1, t1, .each
        li   a0, 0                      # descriptor 0, no name
        li   a1, 0
        call count
        j    .done
.each:  lw   s3, 0(s1)
        beqz s3, .total
        mv   a0, s3
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .fail
        mv   s0, a0
        mv   a1, s3
        call count
        mv   a0, s0
        call close
        addi s2, s2, 1
        j    .next
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s3
        call perror
        li   t1, 1
        swg  t1, status, t3
.next:  addi s1, s1, 4
        j    .each
.total: li   t1, 2
        blt  s2, t1, .done
        la   a0, totals
        la   a1, total_name
        call report
.done:  lwg  a0, status
        call exit

# count(a0 = fd, a1 = name or 0): count it, print its line, add it to the totals.
count:  push ra
        push s0
        push s1
        push s2
        push s3
        push fp
        mv   fp, a1
        mv   s0, a0
        la   t1, counts
        sw   zero, 0(t1)
        sw   zero, 4(t1)
        sw   zero, 8(t1)
        li   s3, 0                      # 1 inside a word
.read:  mv   a0, s0
        li   a1, BUF
        li   a2, BUFSIZE
        call read
        beqz a0, .print
        blt  a0, zero, .fail
        la   t3, counts
        lw   t2, 8(t3)
        add  t2, t2, a0
        sw   t2, 8(t3)
        li   s1, BUF
        add  s2, s1, a0
.byte:  bgeu s1, s2, .read
        lbu  t0, 0(s1)
        addi s1, s1, 1
        li   t1, '\n'
        bne  t0, t1, .space
        lw   t2, 0(t3)
        addi t2, t2, 1
        sw   t2, 0(t3)
.space: li   t1, ' '                    # blank, or \t \n \v \f \r (9..13)?
        beq  t0, t1, .gap
        addi t1, t0, -9
        sltiu t1, t1, 5
        bnez t1, .gap
        bnez s3, .byte                  # inside a word already
        li   s3, 1
        lw   t2, 4(t3)
        addi t2, t2, 1
        sw   t2, 4(t3)
        j    .byte
.gap:   li   s3, 0
        j    .byte
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, fp
        call perror
        li   t1, 1
        swg  t1, status, t3
.print: la   a0, counts
        mv   a1, fp
        call report
        la   t0, counts                 # totals += counts
        la   t1, totals
        li   t2, 3
.add:   lw   a0, 0(t0)
        lw   a1, 0(t1)
        add  a1, a1, a0
        sw   a1, 0(t1)
        addi t0, t0, 4
        addi t1, t1, 4
        addi t2, t2, -1
        bnez t2, .add
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# report(a0 = three counts, a1 = name or 0): "%7d %7d %7d NAME\n" (a number wider than 7
# columns pushes the line wider, as printf's %7d does).
report: push ra
        push s0
        push s1
        push s2
        mv   s0, a0
        mv   s1, a1
        la   s2, line                   # s2 = where the line goes on
        li   t3, 3
.num:   lw   t0, 0(s0)
        addi t1, sp, -12                # the digits, built backwards below sp
        mv   a1, t1                     # a1 = their end
        li   t2, 10
.digit: addi t1, t1, -1
        remu a0, t0, t2
        addi a0, a0, '0'
        sb   a0, 0(t1)
        divu t0, t0, t2
        bnez t0, .digit
        sub  t0, a1, t1                 # t0 = digits; blanks up to 7 columns first
        li   a0, ' '
.fill:  li   t2, 7
        bge  t0, t2, .copy
        sb   a0, 0(s2)
        addi s2, s2, 1
        addi t0, t0, 1
        j    .fill
.copy:  lbu  a0, 0(t1)
        sb   a0, 0(s2)
        addi s2, s2, 1
        addi t1, t1, 1
        bltu t1, a1, .copy
        addi s0, s0, 4
        addi t3, t3, -1
        li   a0, ' '
        beqz t3, .name
        sb   a0, 0(s2)                  # a blank between two numbers
        addi s2, s2, 1
        j    .num
.name:  li   a0, '\n'
        beqz s1, .end
        li   a0, ' '                    # the name follows
.end:   sb   a0, 0(s2)
        addi s2, s2, 1
        li   a0, 1
        la   a1, line
        sub  a2, s2, a1
        call write_all
        beqz s1, .out
        li   a0, 1                      # the name and a newline
        mv   a1, s1
        call print_fd
        li   a0, 1
        la   a1, lib_nl
        call print_fd
.out:   pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

name:       .asciz "wc"
total_name: .asciz "total"
        .align 4
counts: .word 0, 0, 0                   # lines, words, bytes of the current file
totals: .word 0, 0, 0
status: .word 0
line:   .space 40                       # three numbers of at most 10 digits, blanks, newline
        .align 4
        .include "lib.s"
