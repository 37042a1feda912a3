# true: do nothing, successfully (exit 0). The shell's tests and scripts use it as a command
# whose status is known.
        .include "user.inc"
_start: li   a0, 0
        call exit
        .include "lib.s"
