# cgctl COMMAND ARG...: control groups from the shell (docs/containers.md, "Control groups"),
# libcgroup's tools as the subcommands of one program:
#   cgctl create PATH                  cgcreate -g cpu,memory,pids:PATH
#   cgctl delete PATH                  cgdelete -g cpu,memory,pids:PATH
#   cgctl set PATH FILE VALUE          cgset -r FILE=VALUE PATH
#   cgctl get PATH FILE                cgget -nv -r FILE PATH: the file's text as it is
#   cgctl exec PATH COMMAND [ARG...]   cgexec -g cpu,memory,pids:PATH COMMAND: this process moves
#                                      to PATH (writes 0 to its cgroup.procs), then runs COMMAND
#                                      (without a `/`: from /bin), which keeps the group
# Errors: the kernel's, as "cgctl: PATH: message" (for set and get, "cgctl: PATH/FILE: message"),
# exit 1; COMMAND not found: "cgctl: COMMAND: message", 127 (126 when it cannot run); a wrong
# number of arguments or an unknown command: the usage, exit 2.
        .include "user.inc"
        .equ TEXT, HEAP_BASE            # cgroup_read's buffer
        .equ TEXT_MAX, 0x1000
        .equ PATHBUF, HEAP_BASE + 0x1000 # "PATH/FILE" for an error message
_start: mv   s2, a1                     # s2 = argc
        mv   s1, a2                     # s1 = argv
        li   t0, 3
        blt  s2, t0, .usage
        lw   s3, 8(s1)                  # s3 = PATH
        lw   a0, 4(s1)
        la   a1, c_create
        call strcmp
        beqz a0, .create
        lw   a0, 4(s1)
        la   a1, c_delete
        call strcmp
        beqz a0, .delete
        lw   a0, 4(s1)
        la   a1, c_set
        call strcmp
        beqz a0, .set
        lw   a0, 4(s1)
        la   a1, c_get
        call strcmp
        beqz a0, .get
        lw   a0, 4(s1)
        la   a1, c_exec
        call strcmp
        beqz a0, .exec
        j    .usage
.create:
        li   t0, 3
        bne  s2, t0, .usage
        mv   a0, s3
        call cgroup_mkdir
        j    .done
.delete:
        li   t0, 3
        bne  s2, t0, .usage
        mv   a0, s3
        call cgroup_rmdir
        j    .done
.set:   li   t0, 5
        bne  s2, t0, .usage
        lw   a0, 16(s1)                 # VALUE
        call strlen
        mv   a3, a0
        mv   a0, s3
        lw   a1, 12(s1)
        lw   a2, 16(s1)
        call cgroup_write
        blt  a0, zero, .filefail
        j    .ok
.get:   li   t0, 4
        bne  s2, t0, .usage
        mv   a0, s3
        lw   a1, 12(s1)
        li   a2, TEXT
        li   a3, TEXT_MAX
        call cgroup_read
        blt  a0, zero, .filefail
        mv   a1, a0
        li   a0, TEXT
        call putbuf_out
        j    .ok
.exec:  li   t0, 4
        blt  s2, t0, .usage
        mv   a0, s3                     # into the group first: COMMAND is born there
        la   a1, f_procs
        la   a2, zero_text
        li   a3, 1
        call cgroup_write
        blt  a0, zero, .fail
        addi a0, s1, 12                 # COMMAND's argv (ulib.s: from /bin, 127 or 126)
        la   a1, name
        call exec_command
.done:  blt  a0, zero, .fail
.ok:    li   a0, 0
        call exit
.filefail:                              # "PATH/FILE" in the message
        push a0
        li   a0, PATHBUF
        mv   a1, s3
        call strcpy
        la   a1, slash
        call strcpy
        lw   a1, 12(s1)
        call strcpy
        pop  a2
        la   a0, name
        li   a1, PATHBUF
        j    .msg
.fail:  mv   a2, a0
        la   a0, name
        mv   a1, s3
.msg:   call perror
        li   a0, 1
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit

# putbuf_out(a0 = bytes, a1 = count): to standard output.
putbuf_out:
        push ra
        mv   a2, a1
        mv   a1, a0
        li   a0, 1
        call write_all
        pop  ra
        ret

name:     .asciz "cgctl"
usage:    .asciz "usage: cgctl create PATH | delete PATH | set PATH FILE VALUE | get PATH FILE | exec PATH COMMAND [ARG...]\n"
c_create: .asciz "create"
c_delete: .asciz "delete"
c_set:    .asciz "set"
c_get:    .asciz "get"
c_exec:   .asciz "exec"
f_procs:  .asciz "cgroup.procs"
zero_text: .asciz "0"
slash:    .asciz "/"
        .align 4
        .include "lib.s"
