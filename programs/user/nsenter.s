# nsenter -t PID [-u] [-p] [-i] [-n] [-m] [COMMAND [ARG...]]: run COMMAND (by default /bin/sh) in the
# namespaces process PID is in, as util-linux's nsenter does: -u its UTS namespace (hostname),
# -p its pid namespace, -i its IPC namespace, -n its network namespace, -m its mount namespace (and
# its root becomes the root and current directory). The kernel's setns(PID, flags) joins them all at
# once. Joining a pid namespace does not move the caller, only its later children (as unshare),
# so with -p the program forks and COMMAND is the child, a process of PID's namespace; the parent
# waits and exits with COMMAND's status (128 + the signal that ended it). A COMMAND without a `/`
# is looked up in /bin. Errors: no -t, no namespace or an unknown option: the usage, exit 2;
# setns fails: "nsenter: PID: message" (no such process: ESRCH), exit 1; COMMAND not found:
# "nsenter: COMMAND: message", 127 (126 when it exists but cannot run).
        .include "user.inc"
_start: addi s1, a2, 4                  # crt0: a2 = argv; s1 = the next argument
        li   s2, 0                      # s2 = flags
        li   s3, 0                      # s3 = the -t argument (0: none yet)
.opt:   lw   a0, 0(s1)
        beqz a0, .go
        lbu  t1, 0(a0)
        li   t2, '-'
        bne  t1, t2, .go                # the first argument that is not an option: COMMAND
        lbu  t1, 1(a0)
        li   t2, 't'
        bne  t1, t2, .kind
        lbu  t1, 2(a0)
        beqz t1, .target
.kind:  call ns_flag
        beqz a0, .usage
        or   s2, s2, a0
        addi s1, s1, 4
        j    .opt
.target:
        lw   s3, 4(s1)                  # -t PID
        beqz s3, .usage
        addi s1, s1, 8
        j    .opt
.go:    beqz s3, .usage
        beqz s2, .usage
        mv   a0, s3
        call atoi
        bnez a1, .usage                 # not a number
        mv   a1, s2
        call setns
        blt  a0, zero, .fail
        li   t1, CLONE_NEWPID
        and  t1, s2, t1
        beqz t1, .exec
        call fork                       # -p: COMMAND is the child, in PID's pid namespace
        blt  a0, zero, .fail
        bnez a0, .wait
.exec:  mv   a0, s1                     # argv from COMMAND on (none: the shell)
        la   a1, name
        call exec_command
.wait:  call wait_exit
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s3
        call perror
        li   a0, 1
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "nsenter"
usage:  .asciz "usage: nsenter -t PID [-u] [-p] [-i] [-n] [-m] [COMMAND [ARG...]]\n"
        .include "lib.s"
