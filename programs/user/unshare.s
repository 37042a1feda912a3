# unshare [-u] [-p] [-i] [-n] [-m] [COMMAND [ARG...]]: run COMMAND (by default /bin/sh) in new
# namespaces, as util-linux's unshare does: -u a UTS namespace (its own hostname, a copy of this
# one), -p a pid namespace, -i an IPC namespace (which holds nothing: ringlab has no named IPC
# objects), -n a network namespace (only a loopback interface, 127.0.0.1), -m a mount namespace
# (a copy of this one's mounts; later mounts stay inside).
# unshare(CLONE_NEWPID) does not move the caller, only its later children, so with -p the
# program forks (util-linux's --fork) and COMMAND is the child: pid 1 of the new namespace and
# its init (ps there shows the namespace alone). The parent waits and exits with COMMAND's
# status (128 + the signal that ended it). A COMMAND without a `/` is looked up in /bin.
# Errors: an unknown option: the usage, exit 2; unshare fails: "unshare: message", exit 1;
# COMMAND not found: "unshare: COMMAND: message", 127 (126 when it exists but cannot run).
        .include "user.inc"
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
.opt:   lw   a0, 0(s1)
        beqz a0, .go
        lbu  t1, 0(a0)
        li   t2, '-'
        bne  t1, t2, .go                # the first argument that is not an option: COMMAND
        call ns_flag
        beqz a0, .usage
        or   s2, s2, a0
        addi s1, s1, 4
        j    .opt
.go:    mv   a0, s2
        call unshare
        blt  a0, zero, .fail
        li   t1, CLONE_NEWPID
        and  t1, s2, t1
        beqz t1, .exec
        call fork                       # -p: COMMAND is the child, pid 1 in there
        blt  a0, zero, .fail
        bnez a0, .wait
.exec:  mv   a0, s1                     # argv from COMMAND on (none: the shell)
        la   a1, name
        call exec_command
.wait:  call wait_exit
.fail:  mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "unshare"
usage:  .asciz "usage: unshare [-u] [-p] [-i] [-n] [-m] [COMMAND [ARG...]]\n"
        .include "lib.s"
