# crun: a container runtime, modelled on runc (the OCI reference runtime), in its smallest form.
# docs/containers.md, "A container runtime", describes it at length; in short:
#
#   crun run [-d] [--keep] ID BUNDLE   create and start container ID from the bundle directory
#                                      BUNDLE (its `config` file: key=value lines). Foreground:
#                                      wait for it, delete it (unless --keep) and exit with its
#                                      status (128 + the signal that ended it, as a shell says).
#                                      -d: return once it has started (its pid 1 is left to init,
#                                      which reaps it, as a detached runc leaves it to its
#                                      subreaper)
#   crun list                          ID, PID (as the host sees it), STATUS, BUNDLE
#   crun kill ID [SIGNAL]              a signal to its pid 1 (default SIGTERM; KILL, TERM, INT
#                                      or a number)
#   crun stop ID                       SIGTERM, then SIGKILL after STOP_GRACE ticks (docker stop)
#   crun delete [-k] ID                a stopped container: its control group, its state and its
#                                      disk upper layer (-k keeps /var/lib/crun/ID)
#
# What `run` does, in runc's order: the state directory /run/crun/ID (an ID in use: an error),
# the control group /crun/ID with the bundle's limits, a sync pipe, then clone with new pid,
# mount, UTS and IPC namespaces (and a network namespace when the bundle gives `net`). The
# parent moves the child into the group, gives it a veth pair, writes the state file and only
# then lets it go (one byte down the pipe: runc's sync pipe). The child, pid 1 of its
# namespace, sets its hostname, builds its root filesystem (a read-only bind mount of the one
# layer, or an overlay of the layers with an upper layer on tmpfs or on the disk), pivots into
# it as runc does (pivot_root(".", "."), then a lazy unmount of the old root stacked on top:
# umount2(".", MNT_DETACH)) and execs the command.
#
# Exit codes: 0; 1 an operation on an existing container failed (the kernel's message); 2 the
# usage; 125 `run` could not create the container (a bad bundle, a limit the kernel refuses, ...:
# docker run's code); 126 the command cannot run, 127 it does not exist (as a shell).
        .include "user.inc"
        .equ CFG, HEAP_BASE                 # the bundle's config text
        .equ CFG_MAX, 0x1000
        .equ STATE, HEAP_BASE + 0x1000      # a state file's text
        .equ STATE_MAX, 0x400
        .equ P1, HEAP_BASE + 0x1400         # paths
        .equ P2, HEAP_BASE + 0x1600
        .equ OPTS, HEAP_BASE + 0x1800       # the overlay's options
        .equ ARGV, HEAP_BASE + 0x1c00       # the command's argv (at most MAXARGS words)
        .equ DENTS, HEAP_BASE + 0x2000      # one directory entry
        .equ NUM, HEAP_BASE + 0x2200        # a number as text
        .equ LAYERS, HEAP_BASE + 0x2300     # the layers, bottom first
        .equ VALS, HEAP_BASE + 0x2400       # the config's values, by key (0: not given)
        .equ SVALS, HEAP_BASE + 0x2480      # a state file's values
        .equ STBUF, HEAP_BASE + 0x2500
        .equ P3, HEAP_BASE + 0x2600
        .equ MAXARGS, 30
        .equ MAXLAYERS, 8
        .equ STOP_GRACE, 100                # ticks between stop's SIGTERM and its SIGKILL
        .equ ID_MAX, CGROUP_NAME_MAX        # the id names the control group /crun/ID
        # the config's keys, by index (keys: below)
        .equ K_LAYERS, 0
        .equ K_CMD, 1
        .equ K_HOSTNAME, 2
        .equ K_CGFIRST, 3                   # cpu.max .. pids.max: files of the group
        .equ K_CGLAST, 7
        .equ K_NET, 8
        .equ K_NETHOST, 9
        .equ K_UPPER, 10
        .equ K_UPPERSIZE, 11
        .equ K_CWD, 12
        .equ K_VOLUME, 13                   # volume=SOURCE:/TARGET (check_volume, bind_volume)
        # the upper layer
        .equ UP_NONE, 0
        .equ UP_TMPFS, 1
        .equ UP_DISK, 2

_start: mv   s2, a1                     # s2 = argc
        mv   s1, a2                     # s1 = argv
        li   t0, 1
        swg  t0, fail_code, t1
        li   t0, 2
        blt  s2, t0, usage
        lw   s3, 4(s1)                  # s3 = the subcommand
        mv   a0, s3
        la   a1, c_run
        call strcmp
        beqz a0, run
        mv   a0, s3
        la   a1, c_list
        call strcmp
        beqz a0, list
        mv   a0, s3
        la   a1, c_kill
        call strcmp
        beqz a0, kill_cmd
        mv   a0, s3
        la   a1, c_stop
        call strcmp
        beqz a0, stop
        mv   a0, s3
        la   a1, c_delete
        call strcmp
        beqz a0, delete
        j    usage

# --- run -------------------------------------------------------------------------------------
run:    li   t0, 125
        swg  t0, fail_code, t1
        addi s1, s1, 8                  # s1 = the next argument
.ropt:  lw   a0, 0(s1)
        beqz a0, usage
        la   a1, o_d
        call strcmp
        bnez a0, .rkeep
        li   t0, 1
        swg  t0, detach, t1
        addi s1, s1, 4
        j    .ropt
.rkeep: lw   a0, 0(s1)
        la   a1, o_keep
        call strcmp
        bnez a0, .rargs
        li   t0, 1
        swg  t0, keep, t1
        addi s1, s1, 4
        j    .ropt
.rargs: lw   a0, 0(s1)                  # ID BUNDLE, nothing more
        beqz a0, usage
        lw   a0, 4(s1)
        beqz a0, usage
        lw   a0, 8(s1)
        bnez a0, usage
        lw   a0, 0(s1)
        swg  a0, id, t1
        lw   a0, 4(s1)
        swg  a0, bundle, t1
        call check_id
        call read_config
        call check_config
        call check_volume
        call make_state_dir             # /run/crun/ID: EEXIST is "already exists"
        call make_cgroup                # from here on, a failure undoes what was made
        li   a0, -1
        swg  a0, child, t1
        la   a0, fds
        call pipe
        bge  a0, zero, .cl
        la   a1, s_pipe
        call run_fail
.cl:    li   a0, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC
        lwg  t0, net
        beqz t0, .clone
        li   t0, CLONE_NEWNET
        or   a0, a0, t0
.clone: call clone
        beqz a0, container
        bge  a0, zero, .parent
        la   a1, s_clone
        call run_fail
.parent:
        swg  a0, child, t1
        lwg  a0, fds                    # the child's end
        call close
        lwg  a0, child                  # into the group, before it runs anything
        li   a1, NUM
        call utoa
        li   a0, NUM
        call strlen
        mv   a3, a0
        la   a0, cg_path
        la   a1, f_procs
        li   a2, NUM
        call cgroup_write
        bge  a0, zero, .net
        la   a1, f_procs
        call run_fail
.net:   lwg  t0, net
        beqz t0, .state
        lwg  a0, child
        lwg  a1, net_host
        lwg  a2, net
        call veth
        bge  a0, zero, .state
        la   a1, s_veth
        call run_fail
.state: call write_state
        la   t0, fds                    # go: the child may build its root and exec
        lw   a0, 4(t0)
        li   a1, NUM
        li   a2, 1
        call write
        la   t0, fds
        lw   a0, 4(t0)
        call close
        lwg  t0, detach
        beqz t0, .fg
        li   a0, 0                      # -d: the container runs on; init will reap it
        call exit
.fg:    lwg  a0, child
        la   a1, status
        li   a2, 0
        call wait
        lwg  t0, status
        andi s3, t0, W_SIGMASK          # s3 = the exit status, as a shell gives it
        beqz s3, .code
        addi s3, s3, 128
        j    .end
.code:  srli s3, t0, W_EXITCODE_SHIFT
.end:   lwg  t0, keep
        bnez t0, .out
        call remove_container
.out:   mv   a0, s3
        call exit

# run_fail(a0 = -errno, a1 = what failed): "crun: ID: what: message", undo what run made (the
# child, the group, the state directory) and exit 125.
run_fail:
        push a0
        push a1
        li   a0, P3
        lwg  a1, id
        call strcpy
        la   a1, s_colon
        call strcpy
        pop  a1
        call strcpy
        pop  a2
        la   a0, name
        li   a1, P3
        call perror
        lwg  a0, child
        blt  a0, zero, .nochild
        la   t0, fds                    # no go: the child reads the end of the pipe and exits
        lw   a0, 4(t0)
        call close
        lwg  a0, child
        li   a1, 0
        li   a2, 0
        call wait
.nochild:
        call remove_container           # a failed run leaves nothing behind
        li   a0, 125
        call exit

# check_id: 1..ID_MAX bytes, no `/`, not starting with `.`.
check_id:
        push ra
        lwg  a0, id
        call strlen
        beqz a0, .bad
        li   t0, ID_MAX
        bgt  a0, t0, .bad
        lwg  t0, id
        lbu  t1, 0(t0)
        li   t2, '.'
        beq  t1, t2, .bad
.ch:    lbu  t1, 0(t0)
        beqz t1, .ok
        li   t2, '/'
        beq  t1, t2, .bad
        addi t0, t0, 1
        j    .ch
.ok:    pop  ra
        ret
.bad:   lwg  a0, id
        la   a1, m_badid
        j    die_msg

# read_config: BUNDLE/config into CFG, parsed into VALS.
read_config:
        push ra
        li   a0, P1
        lwg  a1, bundle
        call strcpy
        la   a1, f_config
        call strcpy
        li   a0, P1
        li   a1, O_RDONLY
        call open
        bge  a0, zero, .read
        mv   a2, a0
        li   a1, P1
        j    die_errno
.read:  mv   s3, a0
        li   a1, CFG
        li   a2, CFG_MAX
        call read
        blt  a0, zero, .rerr
        li   t0, CFG_MAX
        bge  a0, t0, .big
        li   t0, CFG
        add  t0, t0, a0
        sb   zero, 0(t0)
        mv   a0, s3
        call close
        li   a0, CFG
        la   a1, keys
        li   a2, VALS
        call parse_kv
        beqz a0, .ok
        mv   s3, a0
        la   s2, m_nokey                # "BUNDLE/config: LINE: unknown key" or "... not a key=value line"
        li   t0, 1
        beq  a1, t0, .say
        la   s2, m_noeq
.say:   li   a0, P3
        li   a1, P1
        call strcpy
        la   a1, s_colon
        call strcpy
        mv   a1, s3
        call strcpy
        li   a0, P3
        mv   a1, s2
        j    die_msg
.ok:    pop  ra
        ret
.rerr:  mv   a2, a0
        li   a1, P1
        j    die_errno
.big:   li   a0, P1
        la   a1, m_big
        j    die_msg

# check_config: the values crun checks itself, before anything is made: cmd and layers given,
# every layer a directory, the upper kind, the address, no limit of 0. (The limits' syntax is
# the kernel's to judge: make_cgroup reports the file's own error.)
check_config:
        push ra
        li   a0, VALS + 4 * K_CMD
        lw   a0, 0(a0)
        bnez a0, .cmd
        la   a0, k_cmd
        la   a1, m_missing
        j    die_msg
.cmd:   li   a1, ARGV                   # the command: words separated by spaces; a
        li   t2, 0                      # backslash makes the next byte part of the word
.word:  lbu  t0, 0(a0)                  # (`\ ` a space, `\\` a backslash), so each word is
        beqz t0, .wend                  # copied down over itself (a3 <= a0) as it is read
        li   t1, ' '
        bne  t0, t1, .start
        addi a0, a0, 1
        j    .word
.start: li   t1, MAXARGS
        bge  t2, t1, .many
        mv   a3, a0                     # a3 = where the word's next byte goes
        sw   a0, 0(a1)
        addi a1, a1, 4
        addi t2, t2, 1
.in:    lbu  t0, 0(a0)
        beqz t0, .last
        li   t1, ' '
        beq  t0, t1, .cut
        li   t1, '\\'
        bne  t0, t1, .put
        lbu  t1, 1(a0)                  # a backslash at the very end stands for itself
        beqz t1, .put
        addi a0, a0, 1
        mv   t0, t1
.put:  sb   t0, 0(a3)
        addi a3, a3, 1
        addi a0, a0, 1
        j    .in
.cut:   sb   zero, 0(a3)
        addi a0, a0, 1
        j    .word
.last:  sb   zero, 0(a3)
.wend:  sw   zero, 0(a1)
        bnez t2, .layers
        la   a0, k_cmd
        la   a1, m_missing
        j    die_msg
.many:  la   a0, k_cmd
        la   a1, m_manyargs
        j    die_msg
.layers:
        li   a0, VALS + 4 * K_LAYERS    # split at `:`, bottom first
        lw   a0, 0(a0)
        bnez a0, .split
        la   a0, k_layers
        la   a1, m_missing
        j    die_msg
.split: li   a1, LAYERS
        li   t2, 0
.lnext: li   t1, MAXLAYERS
        bge  t2, t1, .lmany
        lbu  t0, 0(a0)
        beqz t0, .lempty
        li   t1, ':'
        beq  t0, t1, .lempty
        sw   a0, 0(a1)
        addi a1, a1, 4
        addi t2, t2, 1
.lch:   lbu  t0, 0(a0)
        beqz t0, .ldone
        li   t1, ':'
        beq  t0, t1, .lcut
        addi a0, a0, 1
        j    .lch
.lcut:  sb   zero, 0(a0)
        addi a0, a0, 1
        j    .lnext
.lempty:
        la   a0, k_layers
        la   a1, m_emptylayer
        j    die_msg
.lmany: la   a0, k_layers
        la   a1, m_manylayers
        j    die_msg
.ldone: swg  t2, nlayers, t1
        li   s3, 0                      # each layer: a directory
.lstat: lwg  t0, nlayers
        bge  s3, t0, .upper
        slli t0, s3, 2
        li   t1, LAYERS
        add  t0, t0, t1
        lw   a0, 0(t0)
        li   a1, STBUF
        call stat
        blt  a0, zero, .lerr
        li   t0, STBUF
        lw   t0, ST_TYPE(t0)
        li   t1, T_DIR
        li   a0, -ENOTDIR
        bne  t0, t1, .lerr
        addi s3, s3, 1
        j    .lstat
.lerr:  mv   s2, a0
        slli t0, s3, 2
        li   t1, LAYERS
        add  s3, t0, t1
        li   a0, P3                     # "layer PATH"
        la   a1, s_layer
        call strcpy
        lw   a1, 0(s3)
        call strcpy
        mv   a2, s2
        li   a1, P3
        j    die_errno
.upper: li   s3, UP_NONE                # upper: none (default), tmpfs or disk
        li   a0, VALS + 4 * K_UPPER
        lw   a0, 0(a0)
        beqz a0, .kind
        la   a1, w_none
        call strcmp
        beqz a0, .kind
        li   s3, UP_TMPFS
        li   a0, VALS + 4 * K_UPPER
        lw   a0, 0(a0)
        la   a1, w_tmpfs
        call strcmp
        beqz a0, .kind
        li   s3, UP_DISK
        li   a0, VALS + 4 * K_UPPER
        lw   a0, 0(a0)
        la   a1, w_disk
        call strcmp
        beqz a0, .kind
        la   a0, k_upper
        la   a1, m_badupper
        j    die_msg
.kind:  swg  s3, upper_kind, t1
        li   a0, VALS + 4 * K_HOSTNAME  # a hostname sethostname takes: at most HOST_NAME_MAX
        lw   a0, 0(a0)
        beqz a0, .net
        call strlen
        li   t0, HOST_NAME_MAX
        ble  a0, t0, .net
        la   a0, k_hostname
        la   a1, m_longhost
        j    die_msg
.net:
        li   a0, VALS + 4 * K_NET       # net: the container's address, the host's end one below
        lw   a0, 0(a0)
        beqz a0, .zero
        call inet_aton
        bnez a1, .badnet
        beqz a0, .badnet
        swg  a0, net, t1
        addi a0, a0, -1
        swg  a0, net_host, t1
        li   a0, VALS + 4 * K_NETHOST
        lw   a0, 0(a0)
        beqz a0, .zero
        call inet_aton
        bnez a1, .badhost
        swg  a0, net_host, t1
        j    .zero
.badnet:
        la   a0, k_net
        la   a1, m_badaddr
        j    die_msg
.badhost:
        la   a0, k_nethost
        la   a1, m_badaddr
        j    die_msg
.zero:  li   s3, K_CGFIRST              # a limit of 0: the container could not even start
.zlim:  li   t0, K_CGLAST
        bgt  s3, t0, .ok
        slli t0, s3, 2
        li   t1, VALS
        add  t0, t0, t1
        lw   a0, 0(t0)
        beqz a0, .znext
        li   t0, K_CGFIRST + 1          # cpu.weight 0 is the kernel's ERANGE
        beq  s3, t0, .znext
        lbu  t0, 0(a0)
        li   t1, '0'
        bne  t0, t1, .znext
        lbu  t0, 1(a0)
        beqz t0, .zbad
        li   t1, ' '
        bne  t0, t1, .znext
.zbad:  mv   a0, s3
        call key_name
        la   a1, m_zero
        j    die_msg
.znext: addi s3, s3, 1
        j    .zlim
.ok:    pop  ra
        ret

# key_name(a0 = index) -> a0 = the key's name.
key_name:
        la   t0, keys
.skip:  beqz a0, .out
.ch:    lbu  t1, 0(t0)
        addi t0, t0, 1
        bnez t1, .ch
        addi a0, a0, -1
        j    .skip
.out:   mv   a0, t0
        ret

# make_state_dir: /run, /run/crun (either may exist) and /run/crun/ID (must not).
make_state_dir:
        push ra
        la   a0, p_run
        call mkdir
        la   a0, p_runcrun
        call mkdir
        call state_dir
        li   a0, P1
        call mkdir
        bge  a0, zero, .made
        li   t0, -EEXIST
        bne  a0, t0, .err
        lwg  a0, id
        la   a1, m_exists
        j    die_msg
.err:   mv   a2, a0
        li   a1, P1
        j    die_errno
.made:  li   t0, 1
        swg  t0, made_state, t1
        pop  ra
        ret

# make_cgroup: /crun (may exist), /crun/ID with the bundle's limits; the directories the root
# filesystem needs (/run/crun/ID/rootfs for an overlay, /var/lib/crun/ID/{upper,work} for a
# disk upper).
make_cgroup:
        push ra
        la   a0, cg_crun
        call cgroup_mkdir
        la   a0, cg_path
        la   a1, cg_crun_slash
        call strcpy
        lwg  a1, id
        call strcpy
        la   a0, cg_path
        call cgroup_mkdir
        bge  a0, zero, .made
        la   a1, s_cgroup
        call run_fail
.made:  li   t0, 1
        swg  t0, made_cgroup, t1
        li   s3, K_CGFIRST
.lim:   li   t0, K_CGLAST
        bgt  s3, t0, .dirs
        slli t0, s3, 2
        li   t1, VALS
        add  t0, t0, t1
        lw   s2, 0(t0)                  # s2 = the value
        beqz s2, .next
        mv   a0, s2
        call strlen
        mv   a3, a0
        mv   a0, s3
        call key_name
        mv   s1, a0                     # s1 = the file
        mv   a1, a0
        la   a0, cg_path
        mv   a2, s2
        call cgroup_write
        bge  a0, zero, .next
        mv   a1, s1
        call run_fail
.next:  addi s3, s3, 1
        j    .lim
.dirs:  lwg  t0, nlayers
        li   t1, 1
        bne  t0, t1, .rootfs
        lwg  t0, upper_kind
        beqz t0, .done
.rootfs:
        call rootfs_dir
        li   a0, P2
        call mkdir
        lwg  t0, upper_kind
        li   t1, UP_DISK
        bne  t0, t1, .done
        la   a0, p_var
        call mkdir
        la   a0, p_varlib
        call mkdir
        la   a0, p_varlibcrun
        call mkdir
        call disk_dir
        li   a0, P3
        call mkdir
        call disk_dir
        la   a1, s_upper
        call strcpy
        li   a0, P3
        call mkdir
        call disk_dir
        la   a1, s_work
        call strcpy
        li   a0, P3
        call mkdir
.done:  pop  ra
        ret

# state_dir -> P1 = "/run/crun/ID", a0 = its end.
state_dir:
        push ra
        li   a0, P1
        la   a1, p_runcrun_slash
        call strcpy
        lwg  a1, id
        call strcpy
        pop  ra
        ret

# rootfs_dir -> P2 = "/run/crun/ID/rootfs", a0 = its end.
rootfs_dir:
        push ra
        li   a0, P2
        la   a1, p_runcrun_slash
        call strcpy
        lwg  a1, id
        call strcpy
        la   a1, s_rootfs
        call strcpy
        pop  ra
        ret

# disk_dir -> P3 = "/var/lib/crun/ID", a0 = its end.
disk_dir:
        push ra
        li   a0, P3
        la   a1, p_varlibcrun_slash
        call strcpy
        lwg  a1, id
        call strcpy
        pop  ra
        ret

# write_state: /run/crun/ID/state, runc's state.json as key=value lines:
#   pid=PID (as the host sees it)  bundle=BUNDLE  upper=none|tmpfs|disk
write_state:
        push ra
        li   a0, STATE
        la   a1, w_pid
        call strcpy
        mv   a1, a0
        lwg  a0, child
        call utoa
        la   a1, w_bundle
        call strcpy
        lwg  a1, bundle
        call strcpy
        la   a1, w_upper
        call strcpy
        lwg  t0, upper_kind
        la   a1, w_none
        beqz t0, .u
        la   a1, w_tmpfs
        li   t1, UP_TMPFS
        beq  t0, t1, .u
        la   a1, w_disk
.u:     call strcpy
        la   a1, lib_nl
        call strcpy
        call state_file
        li   a0, P1
        li   a1, O_CREAT | O_WRONLY | O_TRUNC
        call open
        blt  a0, zero, .err
        mv   s3, a0
        li   a0, STATE
        call strlen
        mv   a2, a0
        mv   a0, s3
        li   a1, STATE
        call write_all
        blt  a0, zero, .err
        mv   a0, s3
        call close
        pop  ra
        ret
.err:   la   a1, s_state
        call run_fail

# state_file -> P1 = "/run/crun/ID/state".
state_file:
        push ra
        call state_dir
        la   a1, s_state_file
        call strcpy
        pop  ra
        ret

# utoa(a0 = value, a1 = destination) -> a0 = the end of the decimal digits written (zero byte
# there).
utoa:   mv   t0, a0                     # digits backwards into NUM's tail, then copied
        li   t2, NUM + 31
        sb   zero, 0(t2)
        li   t1, 10
.d:     remu t3, t0, t1
        addi t3, t3, '0'
        addi t2, t2, -1
        sb   t3, 0(t2)
        divu t0, t0, t1
        bnez t0, .d
        mv   a0, a1
.c:     lbu  t3, 0(t2)
        sb   t3, 0(a0)
        beqz t3, .out
        addi a0, a0, 1
        addi t2, t2, 1
        j    .c
.out:   ret

# remove_container: what run made and delete removes: the group (retried while the last
# processes of a dying container are still leaving it), a disk upper (unless -k), the rootfs
# mountpoint, the state file and directory. Errors are ignored: each part may be gone already.
remove_container:
        push ra
        push s3
        lwg  t0, made_cgroup
        beqz t0, .state
        li   s3, STOP_GRACE
.cg:    la   a0, cg_path
        call cgroup_rmdir
        li   t0, -EBUSY
        bne  a0, t0, .state
        li   a0, 1
        call sleep
        addi s3, s3, -1
        bnez s3, .cg
.state: lwg  t0, upper_kind
        li   t1, UP_DISK
        bne  t0, t1, .dirs
        lwg  t0, keep_upper
        bnez t0, .dirs
        call disk_dir                   # rm -r /var/lib/crun/ID
        call fork
        blt  a0, zero, .dirs
        bnez a0, .rmwait
        la   a0, p_rm
        la   a1, rm_argv
        call exec
        li   a0, 127
        call exit
.rmwait:
        li   a1, 0
        li   a2, 0
        call wait
.dirs:  lwg  t0, made_state
        beqz t0, .out
        call rootfs_dir
        li   a0, P2
        call rmdir
        call state_file
        li   a0, P1
        call unlink
        call state_dir
        li   a0, P1
        call rmdir
.out:   pop  s3
        pop  ra
        ret

# --- the container: pid 1 of its namespaces ----------------------------------------------------
container:
        la   t0, fds                    # wait for the go
        lw   a0, 4(t0)
        call close
        lwg  a0, fds
        li   a1, NUM
        li   a2, 1
        call read
        li   t0, 1
        beq  a0, t0, .go
        li   a0, 125                    # the parent failed (and said so)
        call exit
.go:    lwg  a0, fds
        call close
        li   a0, VALS + 4 * K_HOSTNAME  # the hostname: the bundle's, else the id
        lw   a0, 0(a0)
        bnez a0, .host
        lwg  a0, id
.host:  mv   s3, a0
        call strlen
        mv   a1, a0
        mv   a0, s3
        call sethostname
        bge  a0, zero, .root
        la   a1, k_hostname
        j    cfail
.root:  lwg  t0, nlayers
        li   t1, 1
        bne  t0, t1, .overlay
        lwg  t0, upper_kind
        bnez t0, .overlay
        li   a0, LAYERS                 # one layer, no upper: a read-only bind of it
        lw   a0, 0(a0)
        mv   a1, a0
        li   a2, 0
        li   a3, MS_BIND | MS_RDONLY
        call mount
        blt  a0, zero, .mfail
        li   a0, LAYERS
        lw   a0, 0(a0)
        j    .pivot
.overlay:
        call overlay_options            # OPTS
        lwg  t0, upper_kind
        li   t1, UP_TMPFS
        beq  t0, t1, .tmpfs
        li   a0, OPTS                   # the overlay on /run/crun/ID/rootfs
        call rootfs_dir
        li   a0, OPTS
        li   a1, P2
        la   a2, w_overlay
        li   a3, 0
        call mount
        blt  a0, zero, .mfail
        li   a0, P2
        j    .pivot
.tmpfs: call rootfs_dir                 # a tmpfs on /run/crun/ID/rootfs holding upper, work
        li   a0, P3                     # and root, the overlay's mountpoint
        la   a1, w_size
        call strcpy
        li   a1, VALS + 4 * K_UPPERSIZE
        lw   a1, 0(a1)
        bnez a1, .size
        la   a1, w_defsize
.size:  call strcpy
        li   a0, P3
        li   a1, P2
        la   a2, w_tmpfs
        li   a3, 0
        call mount
        blt  a0, zero, .tfail
        li   a0, P2
        call chdir
        la   a0, s_upper + 1
        call mkdir
        la   a0, s_work + 1
        call mkdir
        la   a0, s_root + 1
        call mkdir
        li   a0, OPTS
        la   a1, s_root + 1
        la   a2, w_overlay
        li   a3, 0
        call mount
        blt  a0, zero, .mfail
        la   a0, s_root + 1             # (the tmpfs's mount goes with the old root below; the
                                        # overlay keeps its upper layer, and so the tmpfs, alive)
.pivot: call chdir                      # a0 = the new root
        blt  a0, zero, .pfail
        call bind_volume                # the bundle's volume, while the host's tree is reachable
        blt  a0, zero, .mfail
        la   a0, p_dot                  # runc's pivot: pivot_root(".", ".")
        la   a1, p_dot                  # mounts the old root on top of the new one, where
                                        # umount2(".", MNT_DETACH) finds it and takes it away,
                                        # with every mount below it (the host's tree): nothing
        call pivot_root                 # of it stays reachable, and no directory for it is
        blt  a0, zero, .pfail           # needed in the new root
        la   a0, p_dot
        li   a1, MNT_DETACH
        call umount
        blt  a0, zero, .ufail
        la   a0, p_root                 # the working directory: `cwd`, else /
        li   t0, VALS + 4 * K_CWD
        lw   t0, 0(t0)
        beqz t0, .cwd
        mv   a0, t0
.cwd:   call chdir
        bge  a0, zero, .execute
        la   a1, k_cwd
        j    cfail
.execute:
        li   a0, ARGV                   # ulib.s: 127 when it does not exist, 126 otherwise
        la   a1, name
        call exec_command
.mfail: la   a1, w_mount
        j    cfail
.tfail: la   a1, w_tmpfs
        j    cfail
.pfail: la   a1, w_pivot
        j    cfail
.ufail: la   a1, w_umount
        j    cfail

# check_volume: the bundle's `volume=SOURCE:/TARGET` (Docker's -v SOURCE:TARGET, a bind mount):
# cut at the first ':' into volume_src and volume_dst. SOURCE must not be empty and TARGET must
# be absolute and not / itself (whether SOURCE is a directory, and TARGET one in the container's
# root, is the mount's to say: bind_volume).
check_volume:
        li   a0, VALS + 4 * K_VOLUME
        lw   a0, 0(a0)
        beqz a0, .cvok
        mv   t2, a0
.cvch:  lbu  t0, 0(t2)
        beqz t0, .cvbad
        li   t1, ':'
        beq  t0, t1, .cvcut
        addi t2, t2, 1
        j    .cvch
.cvcut: beq  t2, a0, .cvbad             # an empty SOURCE
        sb   zero, 0(t2)
        swg  a0, volume_src, t1
        addi t2, t2, 1
        lbu  t0, 0(t2)
        li   t1, '/'
        bne  t0, t1, .cvbad
        lbu  t0, 1(t2)
        beqz t0, .cvbad
        swg  t2, volume_dst, t1
.cvok:  ret
.cvbad: la   a0, k_volume
        la   a1, m_badvolume
        j    die_msg

# bind_volume -> a0 = 0, or mount's -errno: the volume's SOURCE (a directory of the host's tree)
# bind-mounted at TARGET in the new root, which is the working directory here (TARGET is taken
# relative to it), before pivot_root leaves the host's tree behind. The mount belongs to the new
# root's tree, so the lazy unmount of the old root keeps it: the container reads and writes the
# host's directory directly, not through its overlay (what Docker's volumes are for).
bind_volume:
        push ra
        li   a0, 0
        lwg  t0, volume_dst
        beqz t0, .bvout
        lwg  a0, volume_src
        addi a1, t0, 1
        li   a2, 0
        li   a3, MS_BIND
        call mount
.bvout: pop  ra
        ret

# cfail(a0 = -errno, a1 = what): "crun: ID: what: message" from the container, exit 125.
cfail:  push a0
        push a1
        li   a0, P3
        lwg  a1, id
        call strcpy
        la   a1, s_colon
        call strcpy
        pop  a1
        call strcpy
        pop  a2
        la   a0, name
        li   a1, P3
        call perror
        li   a0, 125
        call exit

# overlay_options -> OPTS = "lowerdir=TOP:...:BOTTOM" (Linux's order: the first is the top),
# then ",upperdir=U,workdir=W" for an upper on the disk (/var/lib/crun/ID/upper) or on the
# tmpfs (/run/crun/ID/rootfs/upper, the tmpfs mounted there).
overlay_options:
        push ra
        push s3
        li   a0, OPTS
        la   a1, w_lowerdir
        call strcpy
        lwg  s3, nlayers
.l:     addi s3, s3, -1
        slli t0, s3, 2
        li   t1, LAYERS
        add  t0, t0, t1
        lw   a1, 0(t0)
        call strcpy
        beqz s3, .upper
        la   a1, s_colonc
        call strcpy
        j    .l
.upper: lwg  t0, upper_kind
        beqz t0, .out
        mv   s3, a0
        li   t1, UP_DISK
        beq  t0, t1, .disk
        call rootfs_dir
        li   a0, P3
        li   a1, P2
        call strcpy
        j    .dirs
.disk:  call disk_dir
.dirs:  mv   a0, s3
        la   a1, w_upperdir
        call strcpy
        li   a1, P3
        call strcpy
        la   a1, s_upper
        call strcpy
        la   a1, w_workdir
        call strcpy
        li   a1, P3
        call strcpy
        la   a1, s_work
        call strcpy
.out:   pop  s3
        pop  ra
        ret

# --- list ----------------------------------------------------------------------------------------
list:   li   t0, 2
        bne  s2, t0, usage
        la   a0, h_list
        call print
        la   a0, p_runcrun
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .none            # no /run/crun: no container yet
        mv   s3, a0
.ent:   mv   a0, s3
        li   a1, DENTS
        li   a2, DE_SIZEOF
        call getdents
        ble  a0, zero, .none
        li   t0, DENTS
        lw   t1, DE_INUM(t0)
        beqz t1, .ent
        lbu  t1, DE_NAME(t0)
        li   t2, '.'
        beq  t1, t2, .ent               # ., .. (and no id starts with a dot)
        li   a0, DENTS + DE_NAME
        swg  a0, id, t1
        call read_state
        bnez a0, .ent
        lwg  a0, id
        li   a1, 16
        call column
        li   a0, SVALS                  # pid
        lw   a0, 0(a0)
        li   a1, 8
        call column
        call running
        la   a1, w_running
        bnez a0, .st
        la   a1, w_stopped
.st:    mv   a0, a1
        li   a1, 10
        call column
        li   a0, SVALS + 4              # bundle
        lw   a0, 0(a0)
        call print
        call newline
        j    .ent
.none:  li   a0, 0
        call exit

# column(a0 = text, a1 = width): the text, then spaces up to the width (at least one).
column: push ra
        push s3
        push a1
        mv   s3, a0
        call print
        mv   a0, s3
        call strlen
        pop  s3
        sub  s3, s3, a0
.sp:    la   a0, s_space
        call print
        addi s3, s3, -1
        bgt  s3, zero, .sp
        pop  s3
        pop  ra
        ret

# read_state -> a0 = 0 with SVALS (pid, bundle, upper) from /run/crun/ID/state and `pid` set,
# or -errno.
read_state:
        push ra
        push s3
        call state_file
        li   a0, P1
        li   a1, O_RDONLY
        call open
        blt  a0, zero, .out
        mv   s3, a0
        li   a1, STATE
        li   a2, STATE_MAX - 1
        call read
        push a0
        mv   a0, s3
        call close
        pop  a0
        blt  a0, zero, .out
        li   t0, STATE
        add  t0, t0, a0
        sb   zero, 0(t0)
        li   t0, SVALS
        sw   zero, 0(t0)
        sw   zero, 4(t0)
        sw   zero, 8(t0)
        li   a0, STATE
        la   a1, state_keys
        li   a2, SVALS
        call parse_kv
        bnez a0, .bad
        li   a0, SVALS
        lw   a0, 0(a0)
        beqz a0, .bad
        call atoi
        bnez a1, .bad
        swg  a0, pid, t1
        li   a0, SVALS + 8              # the upper kind
        lw   a0, 0(a0)
        li   t2, UP_NONE
        beqz a0, .kind
        la   a1, w_disk
        call strcmp
        li   t2, UP_NONE
        bnez a0, .kind
        li   t2, UP_DISK
.kind:  swg  t2, upper_kind, t1
        li   a0, 0
.out:   pop  s3
        pop  ra
        ret
.bad:   li   a0, -EINVAL
        j    .out

# running -> a0 = 1 if the container's pid 1 (`pid`) is alive: kill(pid, 0), which is ESRCH
# for a zombie too (the pids of the root namespace are never reused).
running:
        push ra
        lwg  a0, pid
        li   a1, 0
        call kill
        sltiu a0, a0, 1
        pop  ra
        ret

# existing(a0 = ID): the container's state, or "crun: ID: no such container", exit 1.
existing:
        push ra
        swg  a0, id, t1
        call check_id
        call read_state
        bge  a0, zero, .ok
        lwg  a0, id
        la   a1, m_nosuch
        j    die_msg
.ok:    pop  ra
        ret

# --- kill, stop, delete --------------------------------------------------------------------------
kill_cmd:
        li   t0, 3                      # crun kill ID [SIGNAL]
        blt  s2, t0, usage
        li   t0, 4
        bgt  s2, t0, usage
        li   s3, SIGTERM
        blt  s2, t0, .id
        lw   a0, 12(s1)
        call signal_number
        mv   s3, a0
        bgt  s3, zero, .id
        lw   a0, 12(s1)
        la   a1, m_badsig
        j    die_msg
.id:    lw   a0, 8(s1)
        call existing
        call running
        bnez a0, .send
        lwg  a0, id
        la   a1, m_notrunning
        j    die_msg
.send:  lwg  a0, pid
        mv   a1, s3
        call kill
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.fail:  mv   a2, a0
        lwg  a1, id
        j    die_errno

# signal_number(a0 = "9", "KILL", "SIGKILL", ...) -> a0 = the number, or 0.
signal_number:
        push ra
        push s3
        mv   s3, a0
        call atoi
        beqz a1, .out
        lbu  t0, 0(s3)                  # SIG prefix
        li   t1, 'S'
        bne  t0, t1, .names
        lbu  t0, 1(s3)
        li   t1, 'I'
        bne  t0, t1, .names
        lbu  t0, 2(s3)
        li   t1, 'G'
        bne  t0, t1, .names
        addi s3, s3, 3
.names: mv   a0, s3
        la   a1, w_kill
        call strcmp
        li   t0, SIGKILL
        beqz a0, .num
        mv   a0, s3
        la   a1, w_term
        call strcmp
        li   t0, SIGTERM
        beqz a0, .num
        mv   a0, s3
        la   a1, w_int
        call strcmp
        li   t0, SIGINT
        beqz a0, .num
        li   t0, 0
.num:   mv   a0, t0
.out:   pop  s3
        pop  ra
        ret

stop:   li   t0, 3                      # crun stop ID
        bne  s2, t0, usage
        lw   a0, 8(s1)
        call existing
        call running
        beqz a0, .done                  # stopped already: nothing to do
        lwg  a0, pid
        li   a1, SIGTERM
        call kill
        li   s3, STOP_GRACE
.grace: call running
        beqz a0, .done
        li   a0, 1
        call sleep
        addi s3, s3, -1
        bnez s3, .grace
        la   a0, name                   # "crun: ID: still running 100 ticks after SIGTERM: SIGKILL"
        lwg  a1, id
        la   a2, m_sigkill
        call err_msg
        lwg  a0, pid
        li   a1, SIGKILL
        call kill
.gone:  call running                    # init reaps it
        beqz a0, .done
        li   a0, 1
        call sleep
        j    .gone
.done:  li   a0, 0
        call exit

delete: li   t0, 3                      # crun delete [-k] ID
        blt  s2, t0, usage
        li   t0, 4
        bgt  s2, t0, usage
        addi s3, s1, 8                  # s3 = &ID
        blt  s2, t0, .id
        lw   a0, 8(s1)
        la   a1, o_k
        call strcmp
        bnez a0, usage
        li   t0, 1
        swg  t0, keep_upper, t1
        addi s3, s1, 12
.id:    lw   a0, 0(s3)
        call existing
        call running
        beqz a0, .rm
        lwg  a0, id
        la   a1, m_running
        j    die_msg
.rm:    li   t0, 1
        swg  t0, made_cgroup, t1
        swg  t0, made_state, t1
        la   a0, cg_path
        la   a1, cg_crun_slash
        call strcpy
        lwg  a1, id
        call strcpy
        call remove_container
        li   a0, 0
        call exit

# --- shared ------------------------------------------------------------------------------------------
# parse_kv(a0 = text, a1 = keys: zero-ended names one after another, then an empty one, a2 =
# the values array, a word per key) -> a0 = 0, the text cut into key and value strings and each
# key's value stored at its index (a key given twice: the last wins); or a0 = the first wrong
# line, a1 = 1 for an unknown key, 2 for a line without `=`. Empty lines and lines starting
# with `#` are skipped.
parse_kv:
        push ra
        push s0
        push s1
        push s2
        push s3
        mv   s0, a0                     # s0 = the next line
        mv   s1, a1
        mv   s2, a2
.line:  lbu  t0, 0(s0)
        beqz t0, .ok
        mv   s3, s0                     # s3 = this line
        li   t3, 0                      # t3 = its first `=`
.scan:  lbu  t0, 0(s0)
        beqz t0, .eol
        addi s0, s0, 1
        li   t1, '\n'
        beq  t0, t1, .cut
        li   t1, '='
        bne  t0, t1, .scan
        bnez t3, .scan
        addi t3, s0, -1
        j    .scan
.cut:   sb   zero, -1(s0)
.eol:   lbu  t0, 0(s3)
        beqz t0, .line
        li   t1, '#'
        beq  t0, t1, .line
        li   a1, 2
        beqz t3, .bad
        sb   zero, 0(t3)
        addi t3, t3, 1
        swg  t3, kv_value, t1
        mv   a1, s1                     # find the key
        li   t2, 0
.key:   lbu  t0, 0(a1)
        beqz t0, .unknown
        swg  t2, kv_index, t1
        swg  a1, kv_key, t1
        mv   a0, s3
        call strcmp
        lwg  t2, kv_index
        beqz a0, .found
        lwg  a1, kv_key
.next:  lbu  t0, 0(a1)
        addi a1, a1, 1
        bnez t0, .next
        addi t2, t2, 1
        j    .key
.found: slli t2, t2, 2
        add  t2, t2, s2
        lwg  t0, kv_value
        sw   t0, 0(t2)
        j    .line
.unknown:
        li   a1, 1
.bad:   mv   a0, s3
        j    .out
.ok:    li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  s0
        pop  ra
        ret

# die_msg(a0 = argument, a1 = message): "crun: argument: message", exit fail_code.
die_msg:
        mv   a2, a1
        mv   a1, a0
        la   a0, name
        call err_msg
        lwg  a0, fail_code
        call exit

# die_errno(a1 = argument, a2 = -errno): "crun: argument: strerror", exit fail_code.
die_errno:
        la   a0, name
        call perror
        lwg  a0, fail_code
        call exit

usage:  li   a0, 2
        la   a1, m_usage
        call print_fd
        li   a0, 2
        call exit

name:       .asciz "crun"
m_usage:    .asciz "usage: crun run [-d] [--keep] ID BUNDLE | list | kill ID [SIGNAL] | stop ID | delete [-k] ID\n"
c_run:      .asciz "run"
c_list:     .asciz "list"
c_kill:     .asciz "kill"
c_stop:     .asciz "stop"
c_delete:   .asciz "delete"
o_d:        .asciz "-d"
o_keep:     .asciz "--keep"
o_k:        .asciz "-k"
# the config's keys, in the order of K_*: a flattened OCI runtime config
keys:
k_layers:   .asciz "layers"
k_cmd:      .asciz "cmd"
k_hostname: .asciz "hostname"
            .asciz "cpu.max"
            .asciz "cpu.weight"
            .asciz "memory.max"
            .asciz "memory.high"
            .asciz "pids.max"
k_net:      .asciz "net"
k_nethost:  .asciz "net.host"
k_upper:    .asciz "upper"
            .asciz "upper.size"
k_cwd:      .asciz "cwd"
k_volume:   .asciz "volume"
            .byte 0
state_keys: .asciz "pid"
            .asciz "bundle"
            .asciz "upper"
            .byte 0
m_badid:    .asciz "invalid container id (1 to 15 bytes, no '/', not starting with '.')"
m_nokey:    .asciz "unknown key"
m_noeq:     .asciz "not a key=value line"
m_big:      .asciz "too large (4095 bytes at most)"
m_missing:  .asciz "missing in the bundle's config"
m_manyargs: .asciz "more than 30 words"
m_emptylayer: .asciz "an empty layer path"
m_manylayers: .asciz "more than 8 layers"
m_badupper: .asciz "not none, tmpfs or disk"
m_badvolume: .asciz "not SOURCE:/TARGET"
m_badaddr:  .asciz "not an address a.b.c.d"
m_longhost: .asciz "longer than 64 bytes"
m_zero:     .asciz "a limit of 0 leaves the container nothing to start with"
m_exists:   .asciz "container already exists (crun delete it first)"
m_nosuch:   .asciz "no such container"
m_notrunning: .asciz "container is not running"
m_running:  .asciz "container is running (crun stop it first)"
m_badsig:   .asciz "unknown signal"
m_sigkill:  .asciz "still running 100 ticks after SIGTERM: SIGKILL"
h_list:     .asciz "ID              PID     STATUS    BUNDLE\n"
w_running:  .asciz "running"
w_stopped:  .asciz "stopped"
w_pid:      .asciz "pid="
w_bundle:   .asciz "\nbundle="
w_upper:    .asciz "\nupper="
w_none:     .asciz "none"
w_tmpfs:    .asciz "tmpfs"
w_disk:     .asciz "disk"
w_overlay:  .asciz "overlay"
w_mount:    .asciz "mount"
w_pivot:    .asciz "pivot_root"
w_umount:   .asciz "umount"
w_size:     .asciz "size="
w_defsize:  .asciz "256k"
w_lowerdir: .asciz "lowerdir="
w_upperdir: .asciz ",upperdir="
w_workdir:  .asciz ",workdir="
w_kill:     .asciz "KILL"
w_term:     .asciz "TERM"
w_int:      .asciz "INT"
s_colon:    .asciz ": "
s_colonc:   .asciz ":"
s_space:    .asciz " "
s_pipe:     .asciz "pipe"
s_clone:    .asciz "clone"
s_veth:     .asciz "veth"
s_cgroup:   .asciz "cgroup /crun/ID"
s_state:    .asciz "state"
s_layer:    .asciz "layer "
s_rootfs:   .asciz "/rootfs"
s_upper:    .asciz "/upper"
s_work:     .asciz "/work"
s_root:     .asciz "/root"
s_state_file: .asciz "/state"
f_config:   .asciz "/config"
f_procs:    .asciz "cgroup.procs"
p_dot:      .asciz "."
p_root:     .asciz "/"
p_run:      .asciz "/run"
p_runcrun:  .asciz "/run/crun"
p_runcrun_slash: .asciz "/run/crun/"
p_var:      .asciz "/var"
p_varlib:   .asciz "/var/lib"
p_varlibcrun: .asciz "/var/lib/crun"
p_varlibcrun_slash: .asciz "/var/lib/crun/"
p_rm:       .asciz "/bin/rm"
a_rm:       .asciz "rm"
a_r:        .asciz "-r"
cg_crun:    .asciz "/crun"
cg_crun_slash: .asciz "/crun/"
        .align 4
rm_argv:    .word a_rm, a_r, P3, 0
cg_path:    .space 32                   # "/crun/ID"
fds:        .word -1, -1
status:     .word 0
fail_code:  .word 1
detach:     .word 0
keep:       .word 0
keep_upper: .word 0
id:         .word 0
bundle:     .word 0
child:      .word -1
pid:        .word 0
nlayers:    .word 0
upper_kind: .word 0
net:        .word 0
net_host:   .word 0
volume_src: .word 0                     # the bundle's volume (check_volume): SOURCE
volume_dst: .word 0                     # and /TARGET, or 0
made_state: .word 0
made_cgroup: .word 0
kv_value:   .word 0
kv_index:   .word 0
kv_key:     .word 0
        .include "inet.inc"
        .include "lib.s"
