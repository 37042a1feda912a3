# cat [FILE...]: copy each FILE to descriptor 1, in order; without arguments, or for "-", copy
# descriptor 0. A file that cannot be opened or read is reported ("cat: FILE: message") and the
# others are still copied; the exit status is then 1.
        .include "user.inc"
        .equ BUF, HEAP_BASE             # one block at a time
        .equ BUFSIZE, 4096
_start: addi s1, a2, 4                  # crt0: a1 = argc, a2 = argv; s1 = the next argument
        li   s2, 0                      # exit status
        li   t1, 2
        bge  a1, t1, .next
        la   s1, stdin_args             # no argument: as if "-"
.next:  lw   s3, 0(s1)
        beqz s3, .done
        la   a0, dash                   # "-": descriptor 0
        mv   a1, s3
        call strcmp
        mv   s0, zero
        beqz a0, .copy
        mv   a0, s3
        li   a1, O_RDONLY
        call open
        mv   s0, a0
        bge  s0, zero, .copy
        mv   a2, s0
        la   a0, name
        mv   a1, s3
        call perror
        li   s2, 1
        j    .step
.copy:  mv   a0, s0
        mv   a1, s3
        call copy
        or   s2, s2, a0
        beqz s0, .step
        mv   a0, s0
        call close
.step:  addi s1, s1, 4
        j    .next
.done:  mv   a0, s2
        call exit

# copy(a0 = fd, a1 = its name) -> a0 = 0, or 1 after reporting a read or write error.
copy:   push ra
        push s0
        push s1
        mv   s0, a0
        mv   s1, a1
.read:  mv   a0, s0
        li   a1, BUF
        li   a2, BUFSIZE
        call read
        beqz a0, .out
        blt  a0, zero, .fail
        mv   a2, a0
        li   a0, 1
        li   a1, BUF
        call write_all
        bge  a0, zero, .read
        la   s1, stdout_name            # the write failed: name descriptor 1
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s1
        call perror
        li   a0, 1
.out:   pop  s1
        pop  s0
        pop  ra
        ret

name:        .asciz "cat"
dash:        .asciz "-"
stdout_name: .asciz "write error"
        .align 4
stdin_args:  .word dash, 0
        .include "lib.s"
