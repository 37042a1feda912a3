# sleep TICKS: sleep for TICKS timer ticks (ringlab has no wall clock inside the machine: a tick
# is the kernel's quantum, docs/kernel.md). A missing or non-numeric argument is a usage error.
# Installed as /bin/sleep; sleep.s is the `sleep` workload, whose boots put it at /bin/sleep.
        .include "user.inc"
_start: li   t1, 2
        bne  a1, t1, .usage
        lw   a0, 4(a2)
        call atoi
        bnez a1, .usage
        call sleep
        li   a0, 0
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
usage:  .asciz "usage: sleep TICKS\n"
        .align 4
        .include "lib.s"
