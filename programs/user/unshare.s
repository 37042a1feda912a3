# unshare [-u] [-p] [-i] [COMMAND [ARG...]]: run COMMAND (by default /bin/sh) in new namespaces,
# as util-linux's unshare does: -u a UTS namespace (its own hostname, a copy of this one), -p a
# pid namespace, -i an IPC namespace (which holds nothing: ringlab has no named IPC objects).
# unshare(CLONE_NEWPID) does not move the caller, only its later children, so with -p the
# program forks (util-linux's --fork) and COMMAND is the child: pid 1 of the new namespace and
# its init (ps there shows the namespace alone). The parent waits and exits with COMMAND's
# status (128 + the signal that ended it). A COMMAND without a `/` is looked up in /bin.
# Errors: an unknown option: the usage, exit 2; unshare fails: "unshare: message", exit 1;
# COMMAND not found: "unshare: COMMAND: message", 127 (126 when it exists but cannot run).
        .include "user.inc"
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
.opt:   lw   s0, 0(s1)
        beqz s0, .go
        lbu  t1, 0(s0)
        li   t2, '-'
        bne  t1, t2, .go
        lbu  t1, 2(s0)                  # one letter per option
        bnez t1, .usage
        lbu  t1, 1(s0)
        la   t2, letters                # the option's letter -> its CLONE_NEW* flag
.find:  lbu  t3, 0(t2)
        beqz t3, .usage
        addi t2, t2, 1
        bne  t1, t3, .find
        la   t3, letters + 1            # the flag is the word at the letter's index
        sub  t2, t2, t3
        slli t2, t2, 2
        la   t3, flags
        add  t3, t3, t2
        lw   t1, 0(t3)
        or   s2, s2, t1
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
letters: .asciz "upi"
        .align 4
flags:  .word CLONE_NEWUTS, CLONE_NEWPID, CLONE_NEWIPC
name:   .asciz "unshare"
usage:  .asciz "usage: unshare [-u] [-p] [-i] [COMMAND [ARG...]]\n"
        .include "lib.s"
