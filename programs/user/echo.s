# echo [-n] [args...]: print the arguments, separated by blanks, and a newline (not with -n).
# The shell has the same code as a built-in (echo.inc); this is the program for `/bin/echo`,
# pipelines' helpers and other programs that exec it.
        .include "user.inc"
_start: mv   a0, a1                     # crt0: a1 = argc, a2 = argv
        mv   a1, a2
        call echo_args
        call exit
        .include "echo.inc"
        .include "lib.s"
