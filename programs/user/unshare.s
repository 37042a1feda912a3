# unshare [-u] [-p] [-m] [COMMAND [ARG...]]: run COMMAND (by default /bin/sh) in new namespaces,
# as util-linux's unshare does: -u a UTS namespace (its own hostname, a copy of this one), -p a pid
# namespace, -m a mount namespace (a copy of this one's mounts; later mounts stay inside). unshare(CLONE_NEWPID) does not move the caller, only its later children, so with -p
# the program forks (util-linux's --fork) and COMMAND is the child: pid 1 of the new namespace
# and its init (ps there shows the namespace alone). The parent waits and exits with COMMAND's
# status (128 + the signal that ended it). A COMMAND without a `/` is looked up in /bin.
# Errors: an unknown option: the usage, exit 2; unshare fails: "unshare: message", exit 1;
# COMMAND not found: "unshare: COMMAND: message", 127 (126 when it exists but cannot run).
        .include "user.inc"
        .equ PATHBUF, HEAP_BASE         # "/bin/" + COMMAND
        .equ STATUS, HEAP_BASE + 0x100
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
        li   t2, 'u'
        beq  t1, t2, .uts
        li   t2, 'm'
        beq  t1, t2, .mnt
        li   t2, 'p'
        bne  t1, t2, .usage
        li   t1, CLONE_NEWPID
        j    .flag
.mnt:   li   t1, CLONE_NEWNS
        j    .flag
.uts:   li   t1, CLONE_NEWUTS
.flag:  or   s2, s2, t1
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
        beqz a0, .exec
        li   a1, STATUS
        li   a2, 0
        call wait
        li   t0, STATUS
        lw   t0, 0(t0)
        andi a0, t0, W_SIGMASK
        beqz a0, .code
        addi a0, a0, 128
        call exit
.code:  srli a0, t0, W_EXITCODE_SHIFT
        call exit
.exec:  lw   s3, 0(s1)                  # s3 = COMMAND
        bnez s3, .named
        la   a0, p_sh                   # none: the shell
        la   a1, sh_argv
        la   s3, p_sh
        j    .run
.named: mv   a0, s3
.slash: lbu  t1, 0(a0)                  # a `/` in it: run it as it is
        beqz t1, .inbin
        addi a0, a0, 1
        li   t2, '/'
        bne  t1, t2, .slash
        mv   a0, s3
        mv   a1, s1
        j    .run
.inbin: mv   a0, s3
        call strlen
        li   t1, NAME_MAX
        mv   t2, a0
        mv   a1, s1
        mv   a0, s3
        bgtu t2, t1, .run               # too long a name: the kernel says so
        li   a0, PATHBUF
        la   a1, p_bin
        call strcpy
        mv   a1, s3
        call strcpy
        li   a0, PATHBUF
        mv   a1, s1
.run:   call exec
        mv   a2, a0
        la   a0, name
        mv   a1, s3
        push a2
        call perror
        pop  a2
        li   a0, 127
        li   t1, -ENOENT
        beq  a2, t1, .exit
        li   a0, 126
.exit:  call exit
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
usage:  .asciz "usage: unshare [-u] [-p] [-m] [COMMAND [ARG...]]\n"
p_sh:   .asciz "/bin/sh"
p_bin:  .asciz "/bin/"
a_sh:   .asciz "sh"
        .align 4
sh_argv: .word a_sh, 0
        .include "lib.s"
