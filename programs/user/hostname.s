# hostname [NAME]: print the hostname of this process's UTS namespace, or set it to NAME
# (sethostname: at most HOST_NAME_MAX bytes). Every process in the namespace sees the new name;
# after `unshare` (or in a container) other namespaces keep theirs (docs/containers.md).
# Errors: a NAME over HOST_NAME_MAX bytes is "hostname: NAME: Invalid argument" (the kernel's
# EINVAL), exit 1; more than one NAME: the usage, exit 2.
        .include "user.inc"
        .equ NAMEBUF, HEAP_BASE
_start: li   t1, 2
        blt  a1, t1, .show              # crt0: a1 = argc, a2 = argv
        bne  a1, t1, .usage
        lw   s1, 4(a2)                  # s1 = NAME
        mv   a0, s1
        call strlen
        mv   a1, a0
        mv   a0, s1
        call sethostname
        bge  a0, zero, .ok
        mv   a2, a0
        la   a0, name
        mv   a1, s1
        call perror
        li   a0, 1
        call exit
.show:  li   a0, NAMEBUF
        li   a1, HOST_NAME_MAX + 1
        call gethostname
        bge  a0, zero, .print
        mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit
.print: li   a0, NAMEBUF
        call print
        call newline
.ok:    li   a0, 0
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "hostname"
usage:  .asciz "usage: hostname [NAME]\n"
        .align 4
        .include "lib.s"
