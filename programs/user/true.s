# true: do nothing, successfully (exit status 0).
        .include "user.inc"
_start: li   a0, 0
        call exit
        .include "lib.s"
