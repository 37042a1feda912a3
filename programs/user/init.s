# init: the first process (pid 1, /sbin/init). The kernel starts it with the boot records as
# arguments, three per record (programs/kernel/boot.s, init_create):
#
#   /sbin/init  NAME PATH ITER  NAME PATH ITER ...     (ITER "-": the program takes no argument)
#
# For each record init forks a child that execs PATH with argv = [NAME, ITER] (or [NAME]), so
# the records become pids 2, 3, ... in order. Then init waits: for its children and for every
# orphan the kernel gives it, so no zombie stays. When wait says no child is left, everything
# the boot started has ended and init powers the machine off (the kernel prints the summary).
        .include "user.inc"
_start: mv   s0, a1                 # s0 = argc
        mv   s1, a2                 # s1 = argv
        li   s2, 1                  # s2 = index of the next record's NAME
.record:
        addi t0, s2, 3
        bgt  t0, s0, .reap          # no whole record left
        call fork
        beqz a0, .child
        bge  a0, zero, .next
        mv   s3, a0                 # "init: fork: error N": the record does not run
        la   a0, msg_fork
        call print
        sub  a0, zero, s3
        call print_dec
        call newline
.next:  addi s2, s2, 3
        j    .record

.reap:  li   a0, -1                 # any child
        li   a1, 0
        li   a2, 0
        call wait
        bge  a0, zero, .reap        # one more collected
        call poweroff               # -ECHILD: nobody is left
        j    .reap                  # (poweroff does not return to init)

# The child: exec the record's program.
.child: slli t0, s2, 2
        add  s3, s1, t0             # s3 = &argv[s2]: NAME, PATH, ITER
        la   a1, child_argv
        lw   t0, 0(s3)
        sw   t0, 0(a1)              # argv[0] = NAME
        lw   t0, 8(s3)
        lbu  t1, 0(t0)
        li   t2, '-'
        bne  t1, t2, .iter
        li   t0, 0                  # "-": no argument
.iter:  sw   t0, 4(a1)              # argv[1] = ITER (or the end)
        lw   a0, 4(s3)
        call exec                   # returns only on failure
        mv   s2, a0
        la   a0, msg_cannot         # "init: cannot run /bin/x: error 2"
        call print
        lw   a0, 4(s3)
        call print
        la   a0, msg_error
        call print
        sub  a0, zero, s2
        call print_dec
        call newline
        li   a0, 126                # as a shell: 127 for a missing file, 126 for any other
        li   t0, -ENOENT
        bne  s2, t0, .exit
        li   a0, 127
.exit:  call exit

child_argv:  .word 0, 0, 0
msg_fork:    .asciz "init: fork: error "
msg_cannot:  .asciz "init: cannot run "
msg_error:   .asciz ": error "
        .align 4
        .include "lib.s"
