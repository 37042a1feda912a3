# kernel.s: the ringlab guest kernel. Assemble this file; it includes the others:
#   kernel.inc   constants, memory maps, boot-argument and PCB layouts, syscall numbers
#   boot.s       entry point: paging off -> page tables -> paging on -> processes -> timer
#   trap.s       the trap vector: save the process, dispatch on CAUSE, kill on fatal traps
#   syscall.s    the system calls
#   proc.s       processes: fork, exec's entry, wait, exit, the process table, jobs
#   signal.s     signals: kill, signal, delivery on the way back to a process
#   sched.s      round-robin scheduler, timer ticks, sleeping, exit and shutdown
#   mm.s         physical frame allocator, page tables, copying to and from processes
#   disk.s       disk driver: one request at a time, completion by interrupt
#   bio.s        buffer cache: NBUF blocks, least recently used, write-through
#   fs.s         filesystem: blocks, inodes, file data, directories, paths; the fs lock
#   file.s       open files and descriptors; read, write, close, lseek, fstat, dup
#   pipe.s       pipes: a ring buffer between a read end and a write end; sys_pipe
#   sysfile.s    the calls on paths: open, stat, mkdir, rmdir, unlink, rename, chdir, ...
#   exec.s       exec: an executable from the filesystem, its arguments on the new stack
#   ns.s         containers: the root directory (chroot), UTS namespaces (hostname), unshare
#   net.s        the network: stream sockets over kernel buffers, network namespaces, veth pairs
#   ovl.s        the overlay filesystem: merged directories over layers, whiteouts, copy-up
#   cgroup.s     control groups (cgroup v2): the tree, pids, memory and cpu controllers, files
#   console.s    the console: kernel messages, input (the line discipline), read and write
#   kvm.s        only with -D HOST: the virtualization driver of the hosted VMM (vm_*, vcpu_*)
#
# The kernel uses only the architecture (docs/ISA.md): it would run the same in ring 0 of bare
# metal or pushed to ring 1 under a VMM. It never touches the top 4 MiB of any address space.
#
# Following one system call end to end (write): user code calls sys_write in programs/user/lib.s,
# which puts SYS_WRITE in t0 and executes `syscall` -> the CPU enters ring 0 at trap_entry
# (trap.s), which saves every register into the current PCB and branches to syscall_dispatch
# (syscall.s) -> sys_write copies the bytes to the console -> syscall_return stores the result
# in the saved a0 and resume_process (sched.s) reloads the registers and executes `sret`.

        .include "../lib/hw.inc"
        .include "kernel.inc"
        .include "arch.inc"         # privileged operations: native, or paravirtual (-D PARAVIRT)

        .org KERNEL_BASE
        .include "boot.s"
        .include "trap.s"
        .include "syscall.s"
        .include "proc.s"
        .include "signal.s"
        .include "sched.s"
        .include "mm.s"
        .include "disk.s"
        .include "bio.s"
        .include "fs.s"
        .include "file.s"
        .include "pipe.s"
        .include "sysfile.s"
        .include "exec.s"
        .include "ns.s"
        .include "net.s"
        .include "vfs.s"
        .include "tmpfs.s"
        .include "ovl.s"
        .include "cgroup.s"
        .include "console.s"
        .ifdef LEGACY
        .include "legacy.s"         # PUSHF/POPF-style STATUS access (docs/popek-goldberg.md)
        .endif
        .ifdef PARAVIRT
        .include "pv.s"             # the page-table queue of a paravirtualized kernel
        .endif
        .ifdef HOST
        .include "kvm.s"            # the hosted VMM's driver: VMs for a user-space VMM (docs/vmm-hosted.md)
        .endif
        .ifdef VULN
        .include "vuln.s"           # a DELIBERATE BUG for `ringlab bench isolation` (docs/isolation.md)
        .endif

# ---- kernel data -------------------------------------------------------------------------
        .align PAGE_SIZE        # the scheduler's variables start a page (the process table, 64 x 288 bytes, takes five more)
current:     .word 0            # PCB of the running process (0 while idle or booting)
current_pid: .word 0            # its pid (0: none)
writer_job:  .word 0            # job whose write() is on the console now, 0 for kernel text
cur_ptbr:    .word 0            # value last written to PTBR (saves re-reading it)
kernel_pgdir: .word 0           # page directory of the kernel alone (used while idle/exiting)
ticks:       .word 0            # timer interrupts so far
alive:       .word 0            # processes not yet finished
killed_any:  .word 0            # 1 once a process has been killed
mem_end:     .word 0            # end of identity-mapped physical memory
free_next:   .word 0            # next never-used frame
free_list:   .word 0            # frames returned by free_frame, linked through their first word
next_pid:    .word 0            # the pid the next process gets, after the records' (proc.s)
njobs:       .word 0            # jobs started: children of init (proc.s)
frame_base:  .word 0            # first frame with a reference count (mm.s)
frame_refs:  .word 0            # the counts: one byte per frame from frame_base
frame_owner: .word 0            # the groups charged: one byte per frame (cgroup.s, cg_index)
frame_owner_end: .word 0        # the end of those bytes
# ns.s: the namespaces, on this page because fork and exit touch them with the rest (under a VMM
# with shadow paging, another page would cost a hidden fault after each switch). Entry 0 of
# uts_table is the boot namespace, with the default hostname; entry 0 of pidns_table, the root
# pid namespace, is filled in by init_create.
uts_table:   .word 0            # U_REF (init_create takes the first reference)
        .asciz "ringlab"        # U_NAME
        .space U_NAMELEN - 8
        .space U_SIZE * (NUTS - 1)
pidns_table: .space PN_SIZE * NPIDNS
netns_table: .word 0, EPHEMERAL_FIRST, 0    # net.s: entry 0 is the root network namespace
        .space NN_SIZE * (NNETNS - 1)
# cgroup.s: the control groups, here too (the tick and the scheduler read them); with them the
# variables take a page and a little of the next (boot_pcb), before the process table's pages.
cgroup_table: .space CG_SIZE * NCGROUP
cg_count:    .word 0            # groups in use, the root included (1: nobody uses cgroups)
cg_throttle: .word 0            # PCB that went over memory.high in this page fault (0: none)
boot_pcb:    .space P_SIZE      # scratch save area for traps before the first process runs
        .align PAGE_SIZE
proc_table:  .space P_SIZE * NPROC
jobs:        .space J_SIZE * MAX_PROCS
proc_info:   .space PI_SIZEOF   # procs: one entry, built here before it is copied out

# disk.s, bio.s
disk_blocks: .word 0            # blocks on the disk (0: none)
disk_owner:  .word 0            # buffer whose request is in flight (0: the disk is idle)
buf_clock:   .word 0            # use clock for the buffers' least-recently-used order
bget_retry:  .word 0            # 1 while bget flushes to make room (bio.s)
bufs:        .space B_SIZE * NBUF
        .ifdef PARAVIRT
blk_rsp_cons: .word 0           # block ring responses taken (disk.s; the ring is hypercall.inc's)
blk_bufs:    .space 4 * PV_BLK_SLOTS    # the buffer of each slot's request
        .endif
# fs.s, file.s, sysfile.s
fs_mounted:  .word 0            # 1 once a filesystem is mounted at /
fs_readonly: .word 0            # 1: mounted read-only (BOOT_RDONLY): changes give EROFS
fs_owner:    .word 0            # PCB holding the filesystem lock (0: free)
dev_table:   .space D_SIZE * NDEV   # the disk (entry 0) and the tmpfs instances (fs.s, tmpfs.s)
itable:      .space I_SIZE * NINODE
ftable:      .space F_SIZE * NFILE
# vfs.s: mounts and mount namespaces
mount_table: .space M_SIZE * NMOUNT
mntns_table: .space MN_SIZE * NMNTNS
proc_mnts:   .space 8 * NPROC   # per process slot: the mounts of P_CWD and P_ROOT
mnt_map:     .space 4 * NMOUNT  # unshare(CLONE_NEWNS): each original's copy
mnt_seq:     .word 0            # M_SEQ of the last mount
namex_mnt:   .word 0            # the mount the last namex ended in (fs lock held)
# ovl.s: overlay instances and merged directories; scratch words for the call in progress
ovl_table:   .space OV_SIZE * NOVL
ovl_nodes:   .space ON_SIZE * NOVLNODE
ovl_found:   .space 4 * OVL_SLOTS   # a lookup's directories in each layer (held)
ovl_whname:  .space NAME_MAX + 1    # `.wh.NAME`, zero padded
ovl_ent:     .space DIRENT_SIZE     # readdir: the entry being merged
ovl_cur:     .word 0                # the layer directory being searched
ovl_next:    .word 0                # mount: the next option
ovl_last:    .word 0, 0, 0          # the file a lookup found last: its node (held), slot, inode
ovl_lastname: .space NAME_MAX + 1   # and its name
ovl_cnt:     .word 0                # copy-up: bytes copied so far
ovl_buf:     .word 0                # copy-up: the lower file's block
ovl_pos:     .word 0                # mountstats: where the text goes on
ovl_digits:  .space 16
pipe_table:  .space PP_SIZE * NPIPE     # pipe.s
sock_table:  .space S_SIZE * NSOCK      # net.s: sockets, veth pairs, accept's queue order
veth_table:  .space VE_SIZE * 2 * NVETH
sock_seq:    .word 0
netif_buf:   .space IF_SIZEOF * (1 + 2 * NVETH)     # netifs: the entries, built before the copy
# console.s: console input, a ring of CONS_BUF bytes; indices only grow (the byte of index i is
# at cons_buf + i % CONS_BUF) and cons_r <= cons_w <= cons_e <= cons_r + CONS_BUF
console_readers: .word 0        # channel of processes waiting for console input
cons_r:      .word 0            # the next byte a read takes
cons_w:      .word 0            # the end of what reads may take (complete lines, with BOOT_TTY)
cons_e:      .word 0            # the end of what was typed: cons_w..cons_e is the line being edited
cons_irq:    .word 0            # 1 while the console's interrupt is enabled
cons_tty:    .word 0            # 1: the console is a terminal (BOOT_TTY): echo, editing, signals
cons_buf:    .space CONS_BUF
uts_buf:     .space U_NAMELEN   # ns.s, sethostname: the new name, copied in and zero padded
cg_path:     .space CGROUP_PATH_MAX     # cgroup.s: a group's path, copied in
cg_file:     .space CGROUP_FILE_MAX     # a file's name, zero padded
cg_in:       .space CGROUP_WRITE_MAX + 4  # the text written to a file
cg_out:      .space 1024                # the text of a file being read (cgroup.procs: NPROC lines)
cg_pos:      .word 0                    # where the next byte of cg_out goes
cg_name:     .space 16                  # a path's component, zero padded (CG_NAME)
cg_digits:   .space 16                  # cg_putdec
        .align 4
rn_frame:    .space 24          # rename's held inodes (RN_* in sysfile.s)
dot_name:    .asciz "."         # names as the directory code compares them: 28 bytes,
        .space 26               # zero padded
dotdot_name: .asciz ".."
        .space 25
        .align 4
name_buf:    .space 32          # a path's last component (namex), zero padded
name_buf2:   .space 32          # rename: from's last component
path_buf:    .space PATH_MAX    # a path copied in from a process (or getcwd's result)
path_buf2:   .space PATH_MAX    # rename: from's path
io_to_kernel: .word 0           # 1 while readi copies into kernel memory (exec.s)
io_direct:   .word 0            # 1 while a read with O_DIRECT runs (data_buffer)
exec_hdr:    .space EX_SEGS + EXEC_MAX_SEGS * ES_SIZEOF   # an executable's header (exec.s)
cpu_extensions: .word 0     # the CPU's ISA extensions (EXTENSIONS, read at boot: boot.s)
exec_word:   .word 0            # exec: one argv pointer, copied in
exec_argbytes: .word 0          # exec: bytes of the strings in exec_args
exec_argv:   .space 4 * (MAXARG + 1)    # exec: argv as the new program sees it
exec_args:   .space ARG_MAX     # exec: the argument strings, packed
