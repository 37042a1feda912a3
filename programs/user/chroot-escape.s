# chroot-escape: the classic way out of a chroot, which works on ringlab exactly as on Linux
# (chroot(2): "This call does not change the current working directory ... In particular, the
# superuser can escape from a 'chroot jail' by doing: mkdir foo; chroot foo; cd .."). Each step
# prints what it did and what the kernel answered (docs/containers.md traces them):
#
#   1. the jail holds: chroot /jail, cd /: `/` is now /jail, `..` at it stays there, and
#      /bin/sh (outside) cannot be found; exec of /bin/ls fails
#   2. the escape: mkdir foo; chroot foo. The root moves down to /jail/foo, but the current
#      directory stays /jail: outside the root. getcwd says "(unreachable)/jail", as on Linux.
#      From there `..` never passes through the root, so nothing stops it: cd .. (repeated)
#      reaches the filesystem's root, and chroot . makes that the root again.
#   3. out: /bin/sh is there, and /bin/ls / lists the real root (this process execs it).
#
# Run it from the shell (`chroot-escape`) or as a boot's program; it leaves /jail/foo behind.
        .include "user.inc"
        .equ CWDBUF, HEAP_BASE              # getcwd's answer
        .equ STBUF, HEAP_BASE + 0x1000      # stat's
_start: la   a0, m_jail
        call print
        la   a0, p_jail
        call mkdir                          # EEXIST on a second run is fine
        la   a0, p_jail
        call chroot
        la   a1, s_chroot_jail
        call step
        la   a0, p_root
        call chdir
        la   a1, s_cd_root
        call step
        call cwd
        li   s1, 3                          # cd .. three times: still /
.up1:   la   a0, p_dotdot
        call chdir
        la   a1, s_cd_up
        call step
        addi s1, s1, -1
        bnez s1, .up1
        call cwd
        la   a0, p_sh
        la   a1, STBUF
        call stat
        la   a1, s_stat_sh
        call step                           # -2: ENOENT, /bin/sh is outside
        la   a0, p_ls
        la   a1, ls_argv
        call exec
        la   a1, s_exec_ls
        call step                           # -2 as well
        la   a0, m_escape
        call print
        la   a0, p_foo
        call mkdir
        la   a1, s_mkdir_foo
        call step
        la   a0, p_foo
        call chroot
        la   a1, s_chroot_foo
        call step
        call cwd                            # (unreachable)/jail
        li   s1, 8                          # cd .. eight times: far more than the depth
.up2:   la   a0, p_dotdot
        call chdir
        la   a1, s_cd_up
        call step
        addi s1, s1, -1
        bnez s1, .up2
        call cwd                            # (unreachable)/: the filesystem's root
        la   a0, p_dot
        call chroot
        la   a1, s_chroot_dot
        call step
        call cwd                            # /
        la   a0, m_out
        call print
        la   a0, p_sh
        la   a1, STBUF
        call stat
        la   a1, s_stat_sh
        call step                           # 0: the real /bin/sh
        la   a0, m_ls
        call print
        la   a0, p_ls
        la   a1, ls_argv
        call exec                           # lists the real root
        la   a1, s_exec_ls
        call step
        li   a0, 1
        call exit

        .include "steps.inc"

m_jail:     .asciz "1. inside the jail\n"
m_escape:   .asciz "2. the escape\n"
m_out:      .asciz "3. out\n"
m_ls:       .asciz "  ls /:\n"
m_indent:   .asciz "  "
m_eq:       .asciz " = "
m_minus:    .asciz "-"
s_chroot_jail: .asciz "chroot /jail"
s_cd_root:  .asciz "cd /"
s_cd_up:    .asciz "cd .."
s_stat_sh:  .asciz "stat /bin/sh"
s_exec_ls:  .asciz "exec /bin/ls"
s_mkdir_foo: .asciz "mkdir foo"
s_chroot_foo: .asciz "chroot foo"
s_chroot_dot: .asciz "chroot ."
s_getcwd:   .asciz "getcwd"
p_jail:     .asciz "/jail"
p_root:     .asciz "/"
p_dotdot:   .asciz ".."
p_dot:      .asciz "."
p_foo:      .asciz "foo"
p_sh:       .asciz "/bin/sh"
p_ls:       .asciz "/bin/ls"
a_slash:    .asciz "/"
a_ls:       .asciz "ls"
        .align 4
ls_argv:    .word a_ls, a_slash, 0
        .include "lib.s"
