# hello: print a greeting and exit 0. A COPY of this file puts the executable /bin/hello in the
# image (`ringlab image build` assembles it, as `ringlab asm --exec` would).
        .include "user.inc"
_start: la   a0, msg
        call print
        li   a0, 0
        call exit
msg:    .asciz "hello from a ringlab image\n"
        .include "lib.s"
