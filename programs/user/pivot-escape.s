# pivot-escape: the chroot escape of chroot-escape.s, tried again inside a container built as
# container runtimes build one (runc's pivot_root dance), where it no longer reaches the host:
#
#   1. the container: unshare(CLONE_NEWNS) gives this process its own copy of the mount table;
#      /box is bind-mounted onto itself (pivot_root wants the new root to be a mount) and /bin
#      read-only onto /box/bin (the container's programs); then cd /box, pivot_root . old: /box
#      is the namespace's root and the old root hangs at /old, until umount /old takes it
#      away. The mount list (the `mounts` call, Linux's /proc/mounts) shows each step.
#   2. the escape, the same steps as chroot-escape's: mkdir foo; chroot foo (the current
#      directory is outside the root again); cd .. eight times; chroot . -- but `..` at the root
#      of the namespace's root mount stays there: there is no outside left to climb to.
#   3. still inside: /sbin/init (the host's) is not found, and ls / lists the box.
#
# Run it from the shell (`pivot-escape`) or as a boot's program; it leaves /box behind (its
# mounts go with the process's namespace when it exits).
        .include "user.inc"
        .equ CWDBUF, HEAP_BASE              # getcwd's answer
        .equ STBUF, HEAP_BASE + 0x1000      # stat's
        .equ MNTBUF, HEAP_BASE + 0x2000     # the mount list
_start: la   a0, m_box
        call print
        la   a0, p_box                      # /box, /box/bin, /box/old: EEXIST on a second run
        call mkdir
        la   a0, p_boxbin
        call mkdir
        la   a0, p_boxold
        call mkdir
        li   a0, CLONE_NEWNS
        call unshare
        la   a1, s_unshare
        call step
        la   a0, p_box
        la   a1, p_box
        li   a2, 0
        li   a3, MS_BIND
        call mount
        la   a1, s_bind_box
        call step
        la   a0, p_bin
        la   a1, p_boxbin
        li   a2, 0
        li   a3, MS_BIND | MS_RDONLY
        call mount
        la   a1, s_bind_bin
        call step
        call list
        la   a0, p_box
        call chdir
        la   a1, s_cd_box
        call step
        la   a0, p_dot
        la   a1, p_old
        call pivot_root
        la   a1, s_pivot
        call step
        call cwd                            # /: the current directory was the new root
        call list
        la   a0, p_slashold
        li   a1, 0
        call umount
        la   a1, s_umount
        call step
        call list
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
        call cwd                            # (unreachable)/: outside the root, as before
        li   s1, 8                          # cd .. eight times
.up:    la   a0, p_dotdot
        call chdir
        la   a1, s_cd_up
        call step
        addi s1, s1, -1
        bnez s1, .up
        call cwd                            # (unreachable)/: the box, no further
        la   a0, p_dot
        call chroot
        la   a1, s_chroot_dot
        call step
        call cwd                            # /
        la   a0, m_in
        call print
        la   a0, p_init
        la   a1, STBUF
        call stat
        la   a1, s_stat_init
        call step                           # -2: the host's /sbin is out of reach
        la   a0, p_bintouch
        li   a1, O_CREAT | O_WRONLY
        call open
        la   a1, s_open_bin
        call step                           # -30: /bin is a read-only bind mount
        la   a0, m_ls
        call print
        la   a0, p_ls
        la   a1, ls_argv
        call exec                           # lists the box
        la   a1, s_exec_ls
        call step
        li   a0, 1
        call exit

# list: "  mounts:" and the lines of the mount list, indented.
list:   push ra
        la   a0, m_mounts
        call print
        li   a0, MNTBUF
        li   a1, 0x1000
        call mounts
        blt  a0, zero, .err
        li   t0, MNTBUF
        add  t0, t0, a0
        sb   zero, 0(t0)
        li   s2, MNTBUF                     # s2 = the start of the next line
.line:  lbu  t0, 0(s2)
        beqz t0, .done
        la   a0, m_indent4
        call print
        mv   a0, s2
.eol:   lbu  t0, 0(a0)
        addi a0, a0, 1
        li   t1, 10
        bne  t0, t1, .eol
        lbu  s3, 0(a0)                      # print up to the newline, one line at a time
        sb   zero, 0(a0)
        push a0
        mv   a0, s2
        call print
        pop  a0
        sb   s3, 0(a0)
        mv   s2, a0
        j    .line
.err:   la   a1, s_mounts
        call step
.done:  pop  ra
        ret

        .include "steps.inc"

m_box:      .asciz "1. the container\n"
m_escape:   .asciz "2. the escape\n"
m_in:       .asciz "3. still inside\n"
m_ls:       .asciz "  ls /:\n"
m_mounts:   .asciz "  mounts:\n"
m_indent:   .asciz "  "
m_indent4:  .asciz "    "
m_eq:       .asciz " = "
m_minus:    .asciz "-"
s_unshare:  .asciz "unshare(CLONE_NEWNS)"
s_bind_box: .asciz "mount --bind /box /box"
s_bind_bin: .asciz "mount --bind -o ro /bin /box/bin"
s_cd_box:   .asciz "cd /box"
s_pivot:    .asciz "pivot_root . old"
s_umount:   .asciz "umount /old"
s_mounts:   .asciz "mounts"
s_cd_up:    .asciz "cd .."
s_stat_init: .asciz "stat /sbin/init"
s_open_bin: .asciz "open /bin/x for writing"
s_exec_ls:  .asciz "exec /bin/ls"
s_mkdir_foo: .asciz "mkdir foo"
s_chroot_foo: .asciz "chroot foo"
s_chroot_dot: .asciz "chroot ."
s_getcwd:   .asciz "getcwd"
p_box:      .asciz "/box"
p_boxbin:   .asciz "/box/bin"
p_boxold:   .asciz "/box/old"
p_bin:      .asciz "/bin"
p_old:      .asciz "old"
p_slashold: .asciz "/old"
p_dotdot:   .asciz ".."
p_dot:      .asciz "."
p_foo:      .asciz "foo"
p_init:     .asciz "/sbin/init"
p_bintouch: .asciz "/bin/x"
p_ls:       .asciz "/bin/ls"
a_slash:    .asciz "/"
a_ls:       .asciz "ls"
        .align 4
ls_argv:    .word a_ls, a_slash, 0
        .include "lib.s"
