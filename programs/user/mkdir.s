# mkdir DIR...: make each directory (with . and ..). The parent must exist (no -p). On an error,
# "mkdir: DIR: message" and exit 1 after trying the others.
        .include "user.inc"
_start: mv   s0, a1                     # crt0: a1 = argc, a2 = argv
        addi s1, a2, 4                  # the next argument
        li   s2, 0                      # exit status
        li   t1, 2
        bge  s0, t1, .next
        li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
.next:  lw   a0, 0(s1)
        beqz a0, .done
        call mkdir
        bge  a0, zero, .ok
        mv   a2, a0
        la   a0, name
        lw   a1, 0(s1)
        call perror
        li   s2, 1
.ok:    addi s1, s1, 4
        j    .next
.done:  mv   a0, s2
        call exit
name:   .asciz "mkdir"
usage:  .asciz "usage: mkdir DIR...\n"
        .align 4
        .include "lib.s"
