# isoprobe: the probe of the isolation benchmark (`ringlab bench isolation`, src/bench/isolation.ts,
# docs/isolation.md). One program installed under several names; what it does is chosen by the
# name it runs as (argv[0]), so the same bytes run as a process, in a container and in a VM:
#
#   iso-null N    N null system calls (getpid)
#   iso-read N    N x (open /data/small, read 64 bytes, close): a small file read, path lookup included
#   iso-sock N    N round trips on a loopback TCP connection it holds both ends of: one byte
#                 written to one end, read at the other, written back, read (4 system calls)
#   iso-disk N    N random 4 KiB reads with O_DIRECT from /data/disk.dat (DISK_BLOCKS blocks, every
#                 word of block b holding b): each read a disk request, the shape of an IOPS test
#   iso-start     nothing: exits at once (start-up: what is timed is its first instruction)
#   iso-serve N   a small server: listens on a TCP port (ephemeral), says it is ready, then with
#                 N = 0 accepts forever; with N > 0 it exits (a VM's server: measured, then done)
#   iso-dense     the density driver: starts containers of the bundle /var/lib/crun/dense
#                 (`crun run -d cK ...`) one by one until one fails, and says how many started
#
# Markers. The host finds what it measures from executed instructions: each marker is a getpid
# system call with a0 = ISO_MARK and a1 = what happened (a2 = a count), which the kernel answers
# as any getpid (it ignores a0..a2) and the harness sees as the trap of a ring-3 `syscall` with
# those registers. Every probe makes MARK_START first thing in _start.
        .include "user.inc"
        .equ ISO_MARK,     0x49534f4d   # "ISOM"
        .equ MARK_START,   1            # the probe began
        .equ MARK_READY,   2            # iso-serve: listening (a2 = its port)
        .equ MARK_UP,      3            # iso-dense: container a2 started and its server is ready
        .equ MARK_DENSE,   4            # iso-dense: a2 containers started, the next one failed
        .equ TIMEOUT_TICKS, 500         # iso-dense: ticks a new container gets to say it is ready
        .equ DRIVER_PORT,  7000         # iso-dense listens there for its containers' 'R'
        .equ MAX_DENSE,    64           # iso-dense: more than the kernel's tables allow
        .equ DISK_BLOCKS,  64           # iso-disk: /data/disk.dat is 256 KiB

.macro marker what, count
        li   a0, ISO_MARK
        li   a1, \what
        mv   a2, \count
        call getpid
.endm

_start: mv   s0, a0                     # s0 = N
        mv   s3, a2                     # s3 = argv
        marker MARK_START, zero
        lw   t0, 0(s3)                  # argv[0]: "iso-X", X chooses
        lbu  t0, 4(t0)
        li   t1, 'n'
        beq  t0, t1, null
        li   t1, 'r'
        beq  t0, t1, fread
        li   t1, 's'
        beq  t0, t1, .s
        li   t1, 'd'
        beq  t0, t1, .d
        j    done                       # iso-start (and any other name): exit at once
.s:     lw   t0, 0(s3)                  # iso-sock or iso-serve
        lbu  t0, 5(t0)
        li   t1, 'o'
        beq  t0, t1, sock
        j    serve
.d:     lw   t0, 0(s3)                  # iso-dense or iso-disk
        lbu  t0, 5(t0)
        li   t1, 'e'
        beq  t0, t1, dense
        j    disk

# ---- iso-null: N x getpid ------------------------------------------------------------------------
null:   li   s1, 0
.nl:    bge  s1, s0, done
        call getpid
        addi s1, s1, 1
        j    .nl

# ---- iso-read: N x (open, read 64 bytes, close) ---------------------------------------------------
fread:  li   s1, 0
.rl:    bge  s1, s0, done
        la   a0, p_small
        li   a1, O_RDONLY
        call open
        blt  a0, zero, fail
        mv   s2, a0
        la   a1, buf
        li   a2, 64
        call read
        li   t0, 64
        bne  a0, t0, fail
        mv   a0, s2
        call close
        addi s1, s1, 1
        j    .rl

# ---- iso-disk: N random O_DIRECT reads of a block -------------------------------------------------
disk:   la   a0, p_disk
        li   a1, O_RDONLY | O_DIRECT
        call open
        blt  a0, zero, fail
        mv   s2, a0
        li   s1, 0
        li   s3, 12345                  # random state
.kl:    bge  s1, s0, done
        li   t0, 1103515245             # the next block: an LCG (diskread.s's), modulo DISK_BLOCKS
        mul  s3, s3, t0
        li   t0, 12345
        add  s3, s3, t0
        srli t0, s3, 16
        andi t0, t0, DISK_BLOCKS - 1
        mv   fp, t0
        mv   a0, s2
        slli a1, t0, 12
        li   a2, SEEK_SET
        call lseek
        mv   a0, s2
        li   a1, HEAP_BASE
        li   a2, BSIZE
        call read
        li   t0, BSIZE
        bne  a0, t0, fail
        li   t0, HEAP_BASE
        lw   t0, 0(t0)
        li   a0, -EIO                   # the wrong block
        bne  t0, fp, fail
        addi s1, s1, 1
        j    .kl

# ---- iso-sock: a connection to itself, N round trips of one byte ----------------------------------
sock:   call listener                   # s2 = the listener, s3 = its port
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, fail
        mv   s1, a0                     # s1 = the client's end
        li   a1, INADDR_LOOPBACK
        mv   a2, s3
        call connect
        blt  a0, zero, fail
        mv   a0, s2
        li   a1, 0
        call accept
        blt  a0, zero, fail
        mv   s2, a0                     # s2 = the server's end
        li   s3, 0
.sl:    bge  s3, s0, done
        mv   a0, s1                     # there...
        la   a1, buf
        li   a2, 1
        call write
        mv   a0, s2
        la   a1, buf
        li   a2, 1
        call read
        li   t0, 1
        bne  a0, t0, fail
        mv   a0, s2                     # ...and back
        la   a1, buf
        li   a2, 1
        call write
        mv   a0, s1
        la   a1, buf
        li   a2, 1
        call read
        li   t0, 1
        bne  a0, t0, fail
        addi s3, s3, 1
        j    .sl

# listener -> s2 = a socket listening on 127.0.0.1 at an ephemeral port, s3 = the port.
listener:
        push ra
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, fail
        mv   s2, a0
        li   a1, INADDR_LOOPBACK
        li   a2, 0
        call bind
        blt  a0, zero, fail
        mv   a0, s2
        li   a1, 1
        call listen
        blt  a0, zero, fail
        mv   a0, s2
        la   a1, sockaddr
        call getsockname
        blt  a0, zero, fail
        la   t0, sockaddr
        lw   s3, 4(t0)
        pop  ra
        ret

# ---- iso-serve: listen, say so, then accept forever (N = 0) or exit -------------------------------
# With N = 0 it is a container of iso-dense's: before it accepts, it tells the driver it is ready
# (a connection to DRIVER_PORT on the loopback and one byte, 'R').
serve:  call listener
        marker MARK_READY, s3
        bnez s0, done
        li   a0, 'R'
        call tell
.accept:
        mv   a0, s2
        li   a1, 0
        call accept
        blt  a0, zero, fail
        call close
        j    .accept

# tell(a0 = a byte): connect to the driver (127.0.0.1, DRIVER_PORT), send the byte, close.
tell:   push ra
        push s1
        la   t0, buf
        sb   a0, 0(t0)
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, fail
        mv   s1, a0
        li   a1, INADDR_LOOPBACK
        li   a2, DRIVER_PORT
        call connect
        blt  a0, zero, fail
        mv   a0, s1
        la   a1, buf
        li   a2, 1
        call write
        mv   a0, s1
        call close
        pop  s1
        pop  ra
        ret

# ---- iso-dense: containers until the next one fails -----------------------------------------------
# For each: `crun run -d cK /var/lib/crun/dense`, then wait for its server's 'R' on DRIVER_PORT. A
# detached start returns before the container has built its root (a failure there, such as a full
# tmpfs table, comes later, from the container's own process), so a watchdog child sends 'T' after
# TIMEOUT_TICKS: whichever byte comes first says whether the container made it. At the end every
# container is killed through its group's cgroup.kill, so that the machine can power off.
dense:  li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, fail
        mv   s2, a0                     # s2 = the driver's listener
        li   a1, INADDR_LOOPBACK
        li   a2, DRIVER_PORT
        call bind
        blt  a0, zero, fail
        mv   a0, s2
        li   a1, 4
        call listen
        blt  a0, zero, fail
        li   s1, 1                      # s1 = the container being started
.dl:    li   t0, MAX_DENSE
        bgt  s1, t0, .dd
        call set_id
        call fork
        blt  a0, zero, .dd              # fork failed: that is the limit too
        bnez a0, .dw
        la   a0, p_crun                 # the child: crun run -d cK /var/lib/crun/dense
        la   a1, crun_argv
        call exec
        li   a0, 127
        call exit
.dw:    la   a1, status
        li   a2, 0
        call wait
        lwg  t0, status
        bnez t0, .dd                    # crun said why on the console
        call fork                       # the watchdog
        blt  a0, zero, .dd
        bnez a0, .dacc
        li   a0, TIMEOUT_TICKS
        call sleep
        li   a0, 'T'
        call tell
        li   a0, 0
        call exit
.dacc:  mv   s3, a0                     # s3 = the watchdog
        mv   a0, s2
        li   a1, 0
        call accept
        blt  a0, zero, fail
        mv   fp, a0
        la   a1, buf
        li   a2, 1
        call read
        mv   a0, fp
        call close
        mv   a0, s3                     # the watchdog has done its job, or is not needed
        li   a1, SIGKILL
        call kill
        mv   a0, s3
        li   a1, 0
        li   a2, 0
        call wait
        la   t0, buf
        lbu  t0, 0(t0)
        li   t1, 'R'
        bne  t0, t1, .dd                # 'T': the container never became ready
        marker MARK_UP, s1
        addi s1, s1, 1
        j    .dl
.dd:    mv   s3, s1                     # s3 = the one that failed
        addi s1, s1, -1
        marker MARK_DENSE, s1
        la   a0, m_dense
        mv   a1, s1
        call print_kv
        call newline
.kill:  beqz s3, done                   # every container's group: cgroup.kill
        mv   s1, s3
        call set_id
        la   a0, cg_path + 6
        la   a1, id
        call strcpy
        la   a0, cg_path
        la   a1, f_kill
        la   a2, w_one
        li   a3, 1
        call cgroup_write
        addi s3, s3, -1
        j    .kill

# set_id: id = "c" and s1 in decimal.
set_id: push ra
        la   t0, id
        li   t1, 'c'
        sb   t1, 0(t0)
        la   a0, id + 1
        mv   a1, s1
        call decimal
        pop  ra
        ret

# decimal(a0 = buffer, a1 = value > 0): its digits and a zero byte.
decimal:
        li   t0, 0                      # digits, backwards on the stack
        li   t2, 10
.dg:    remu t1, a1, t2
        addi t1, t1, '0'
        addi sp, sp, -4
        sw   t1, 0(sp)
        addi t0, t0, 1
        divu a1, a1, t2
        bnez a1, .dg
.dp:    lw   t1, 0(sp)
        addi sp, sp, 4
        sb   t1, 0(a0)
        addi a0, a0, 1
        addi t0, t0, -1
        bnez t0, .dp
        sb   zero, 0(a0)
        ret

done:   li   a0, 0
        call exit
fail:   mv   a2, a0
        la   a0, m_name
        li   a1, 0
        call perror
        li   a0, 1
        call exit

m_name:   .asciz "isoprobe"
m_dense:  .asciz "iso-dense: started="
p_small:  .asciz "/data/small"
p_disk:   .asciz "/data/disk.dat"
p_crun:   .asciz "/bin/crun"
w_crun:   .asciz "crun"
w_run:    .asciz "run"
w_d:      .asciz "-d"
p_dense:  .asciz "/var/lib/crun/dense"
f_kill:   .asciz "cgroup.kill"
w_one:    .asciz "1"
cg_path:  .asciz "/crun/"
          .space 16
id:       .space 16
          .align 4
crun_argv: .word w_crun, w_run, w_d, id, p_dense, 0
status:   .word 0
sockaddr: .space 8
buf:      .space 64
        .include "lib.s"
