# exec.s: loading a program from the filesystem into a process's address space. An executable
# (docs/fs.md, "Executables"; src/fs/exec.ts writes them) is a header, a table of segments and
# their bytes:
#
#   EX_MAGIC "RLX1" | EX_ENTRY | EX_NSEG | EX_ISA | NSEG x (ES_VADDR, ES_OFFSET, ES_FILESZ, ES_MEMSZ)
#
# EX_ISA names the ISA extensions the program's instructions use (the assembler sets a bit for
# each it emitted one of); a program that needs one this CPU lacks is refused with ENOEXEC, the
# "exec format error" Linux gives a binary for another architecture, instead of dying later of
# SIGILL at its first such instruction. Each segment becomes fresh zeroed pages at VADDR..VADDR+MEMSZ (user, read/write/execute), the
# first FILESZ bytes read from the file at OFFSET. Everything is checked before it is used, so
# a damaged or hostile file gives ENOEXEC, never a kernel fault.

# exec_load(a0 = path in kernel memory; s0 = PCB with a fresh page directory) -> a0 = the entry
# point, or -errno: ENOENT (and the other path errors), EACCES (a directory), ENOEXEC (not a
# valid executable), ENOMEM, EIO. Called by exec_image, under the filesystem lock (or at boot,
# when the filesystem is the kernel's alone).
exec_load:
        push ra
        push s1
        push s2
        push s3
        push fp
        li   a1, 0
        la   a2, name_buf
        call namex
        blt  a0, zero, .ret
        mv   s1, a0                 # s1 = held inode
        lw   t0, I_TYPE(s1)
        li   t1, T_FILE
        li   a0, -EACCES
        bne  t0, t1, .put
        la   t0, exec_hdr           # the header and the segment table, into exec_hdr
        li   t1, EX_SEGS + EXEC_MAX_SEGS * ES_SIZEOF
        mv   a0, s1
        mv   a1, t0
        li   a2, 0
        mv   a3, t1
        call readi_kernel
        blt  a0, zero, .put
        mv   s2, a0                 # s2 = bytes of header read
        li   a0, -ENOEXEC
        li   t0, EX_SEGS
        blt  s2, t0, .put
        la   s3, exec_hdr
        lw   t0, EX_MAGIC(s3)
        li   t1, EXEC_MAGIC
        bne  t0, t1, .put
        lw   t0, EX_NSEG(s3)        # 1..EXEC_MAX_SEGS, all in what was read
        beqz t0, .put
        li   t1, EXEC_MAX_SEGS
        bgtu t0, t1, .put
        slli t0, t0, 4              # * ES_SIZEOF
        addi t0, t0, EX_SEGS
        bgtu t0, s2, .put
        lw   t0, EX_ENTRY(s3)       # a user address below the heap
        li   t1, USER_BASE
        bltu t0, t1, .put
        li   t1, HEAP_BASE
        bgeu t0, t1, .put
        lw   t0, EX_ISA(s3)         # only extensions this CPU has (boot.s read them)
        la   t1, cpu_extensions
        lw   t1, 0(t1)
        not  t1, t1
        and  t0, t0, t1             # the ones it needs and the CPU lacks
        bnez t0, .put
        li   fp, 0                  # fp = segment number
.seg:   lw   t0, EX_NSEG(s3)
        bgeu fp, t0, .done
        slli a0, fp, 4
        addi a0, a0, EX_SEGS
        add  a0, a0, s3             # a0 = the segment's entry
        mv   a1, s1
        call load_segment
        blt  a0, zero, .put
        addi fp, fp, 1
        j    .seg
.done:  lw   a0, EX_ENTRY(s3)
.put:   push a0
        mv   a0, s1
        call iput
        pop  a0
.ret:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# load_segment(a0 = segment entry, a1 = inode; s0 = PCB) -> a0 = 0 or -errno.
load_segment:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   fp, a0
        mv   s3, a1
        li   a0, -ENOEXEC
        lw   s1, ES_VADDR(fp)
        lw   t0, ES_MEMSZ(fp)
        lw   t1, ES_FILESZ(fp)
        bgtu t1, t0, .out           # more in the file than in memory
        li   t2, USER_BASE          # USER_BASE <= vaddr, vaddr + memsz <= HEAP_BASE
        bltu s1, t2, .out
        li   t2, HEAP_BASE
        bgeu s1, t2, .out
        sub  t2, t2, s1
        bgtu t0, t2, .out
        lw   t2, ES_OFFSET(fp)      # offset + filesz within the file
        lw   t3, I_ISIZE(s3)
        bgtu t2, t3, .out
        sub  t3, t3, t2
        bgtu t1, t3, .out
        add  s2, s1, t0             # s2 = end of the segment in memory
        li   t0, ~0xfff
        and  s1, s1, t0             # s1 = each page from the first
.page:  bgeu s1, s2, .fill
        lw   a0, P_PGDIR(s0)        # not mapped yet (segments may share a page)
        mv   a1, s1
        call pte_address
        beqz a0, .new
        lw   t0, 0(a0)
        andi t0, t0, PTE_PRESENT
        bnez t0, .next
.new:   call cg_alloc_frame         # a user page: charged to its control group (cgroup.s)
        beqz a0, .oom
        ori  a2, a0, USER_CODE_PTE
        lw   a0, P_PGDIR(s0)
        mv   a1, s1
        call map_page
        bnez a0, .oom
.next:  li   t0, PAGE_SIZE
        add  s1, s1, t0
        j    .page
.fill:  mv   a0, s3                 # the file's bytes, through the process's page table
        lw   a1, ES_VADDR(fp)
        lw   a2, ES_OFFSET(fp)
        lw   a3, ES_FILESZ(fp)
        beqz a3, .ok
        call readi
        blt  a0, zero, .out
        mv   t1, a0
        lw   t0, ES_FILESZ(fp)
        li   a0, -EIO               # a short read: the file is damaged
        bne  t1, t0, .out
.ok:    li   a0, 0
        j    .out
.oom:   li   a0, -ENOMEM
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# readi_kernel(a0 = inode, a1 = kernel address, a2 = offset, a3 = count) -> a0 = bytes read or
# -errno: readi into the kernel's own memory (readi's copy goes to kernel memory while
# io_to_kernel is set; system calls never set it, so a user pointer is never taken for one).
readi_kernel:
        push ra
        la   t0, io_to_kernel
        li   t1, 1
        sw   t1, 0(t0)
        call readi
        la   t0, io_to_kernel
        sw   zero, 0(t0)
        pop  ra
        ret

# ---- exec: a new program in the calling process ------------------------------------------------
#
# exec builds the new address space next to the old one, so a failure leaves the caller as it
# was: path and arguments are copied into the kernel (path_buf, exec_args), the executable is
# loaded into a fresh page directory, the arguments are laid out on its stack:
#
#   STACK_TOP ->  the argument strings, packed, zero-terminated (rounded up to a word)
#                 argv[argc] = 0
#                 argv[argc-1] ... argv[0]: pointers to the strings
#   sp = argv ->
#
# and only then is the old address space freed. The program starts at its entry with
# a0 = argc, a1 = argv (lib.s's crt0 takes it from there). All of it runs under the filesystem
# lock, which also guards path_buf and exec_args while the disk is read.

# exec(path, argv) -> does not return on success (the new program starts); else -errno.
sys_exec:
        la   t0, fs_mounted
        lw   t0, 0(t0)
        beqz t0, .nofs
        push ra
        push s1
        push s2
        mv   s1, a0                 # s1 = user path
        mv   s2, a1                 # s2 = user argv
        call fs_lock
        la   a0, path_buf
        mv   a1, s1
        call copy_string
        blt  a0, zero, .unlock
        mv   a0, s2
        call copy_argv
        blt  a0, zero, .unlock
        call exec_image             # a0 = argc
.unlock:
        push a0
        call fs_unlock
        pop  a0
        pop  s2
        pop  s1
        pop  ra
        ret
.nofs:  li   a0, -ENODEV
        ret

# copy_argv(a0 = user argv: 0, or a zero-terminated array of string pointers) -> a0 = argc,
# with the strings packed into exec_args and their bytes in exec_argbytes; or -EFAULT, -E2BIG.
copy_argv:
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0                 # s1 = address of the next pointer
        li   s2, 0                  # s2 = argc
        li   s3, 0                  # s3 = bytes of strings so far
        beqz s1, .done
.next:  la   a0, exec_word          # the pointer, into the kernel
        mv   a1, s1
        li   a2, 4
        li   a3, 0
        call copy_user
        li   t0, 4
        bne  a0, t0, .fault
        la   t0, exec_word
        lw   a1, 0(t0)
        beqz a1, .done              # the terminating 0
        li   t0, MAXARG
        bgeu s2, t0, .big
        la   a0, exec_args
        add  a0, a0, s3
        li   a2, ARG_MAX
        sub  a2, a2, s3             # room left
        call copy_string_max
        li   t0, -ENAMETOOLONG
        beq  a0, t0, .big
        blt  a0, zero, .out
        add  s3, s3, a0
        addi s3, s3, 1              # and its zero byte
        addi s2, s2, 1
        addi s1, s1, 4
        j    .next
.done:  la   t0, exec_argbytes
        sw   s3, 0(t0)
        mv   a0, s2
        j    .out
.fault: li   a0, -EFAULT
        j    .out
.big:   li   a0, -E2BIG
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# exec_image(a0 = argc; s0 = PCB; the path in path_buf, the strings in exec_args) -> a0 = argc
# with the process now running the new program from its entry, or -errno with the process
# unchanged. The caller holds the filesystem lock (or is the kernel at boot).
exec_image:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   fp, a0                 # fp = argc
        lw   s1, P_PGDIR(s0)        # s1 = the old address space (0: none, at boot)
        call new_pgdir
        beqz a0, .oom
        sw   a0, P_PGDIR(s0)        # loading writes through the process's page directory
        la   a0, path_buf
        call exec_load
        blt  a0, zero, .fail
        mv   s2, a0                 # s2 = entry point
        la   t0, exec_argbytes      # the strings at the top of the stack
        lw   s3, 0(t0)
        addi s3, s3, 3
        srli s3, s3, 2
        slli s3, s3, 2              # rounded up to a word
        li   t0, STACK_TOP
        sub  s3, t0, s3             # s3 = user address of the first string
        la   t0, exec_argv          # argv[] in the kernel first: each string's user address
        mv   t1, s3
        la   t2, exec_args
        li   t3, 0                  # t3 = index
.ptr:   bgeu t3, fp, .ptrs
        slli a0, t3, 2
        add  a0, a0, t0
        sw   t1, 0(a0)
.skip:  lbu  a0, 0(t2)              # to the next string
        addi t1, t1, 1
        addi t2, t2, 1
        bnez a0, .skip
        addi t3, t3, 1
        j    .ptr
.ptrs:  slli a0, fp, 2
        add  a0, a0, t0
        sw   zero, 0(a0)            # argv[argc] = 0
        la   a0, exec_args          # copy the strings out ...
        mv   a1, s3
        la   t0, exec_argbytes
        lw   a2, 0(t0)
        li   a3, 1
        push a2
        call copy_user
        pop  a2
        bne  a0, a2, .oomload       # (the stack is demand-zero: only memory can run out)
        slli a2, fp, 2              # ... and argv below them
        addi a2, a2, 4
        sub  s3, s3, a2             # s3 = argv = the new sp
        srli s3, s3, 4              # (aligned to 16 bytes, like the start of a C stack)
        slli s3, s3, 4
        la   a0, exec_argv
        mv   a1, s3
        li   a3, 1
        push a2
        call copy_user
        pop  a2
        bne  a0, a2, .oomload
        lw   t1, P_PGDIR(s0)        # commit: run on the new space, free the old one
        ori  t1, t1, PTBR_ENABLE
        la   t0, cur_ptbr
        sw   t1, 0(t0)
        vset_ptbr t1
        beqz s1, .regs
        mv   a0, s1
        call free_pgdir
.regs:  li   t0, 4                  # registers: zero but sp, a0 = argc, a1 = argv
.zero:  add  t1, s0, t0
        sw   zero, 0(t1)
        addi t0, t0, 4
        li   t1, 64
        blt  t0, t1, .zero
        sw   s3, P_SP(s0)
        sw   s3, P_A1(s0)
        sw   fp, P_A0(s0)
        sw   s2, P_PC(s0)
        sw   zero, P_DIVZ(s0)
        call exec_name
        mv   a0, fp
        j    .out
.oomload:
        li   a0, -ENOMEM
.fail:  push a0                     # undo: back to the old address space
        lw   a0, P_PGDIR(s0)
        call free_pgdir
        sw   s1, P_PGDIR(s0)
        pop  a0
        j    .out
.oom:   li   a0, -ENOMEM
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret

# exec_name(s0 = PCB; the path in path_buf): its last component (15 bytes at most) becomes the
# process's name, as Linux's comm. Clobbers a0-a2, t0-t2.
exec_name:
        la   a0, path_buf           # a0 = the start of the last component
        mv   a1, a0
.scan:  lbu  t0, 0(a1)
        beqz t0, .copy
        addi a1, a1, 1
        li   t1, '/'
        bne  t0, t1, .scan
        mv   a0, a1
        j    .scan
.copy:  addi a1, s0, P_NAME
        li   t2, 15
.byte:  lbu  t0, 0(a0)
        sb   t0, 0(a1)
        beqz t0, .pad
        addi a0, a0, 1
        addi a1, a1, 1
        addi t2, t2, -1
        bnez t2, .byte
.pad:   addi t1, s0, P_NAME + 16
.zero:  bgeu a1, t1, .done
        sb   zero, 0(a1)
        addi a1, a1, 1
        j    .zero
.done:  ret
