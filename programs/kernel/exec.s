# exec.s: loading a program from the filesystem into a process's address space. An executable
# (docs/fs.md, "Executables"; src/fs/exec.ts writes them) is a header, a table of segments and
# their bytes:
#
#   EX_MAGIC "RLX1" | EX_ENTRY | EX_NSEG | ... | NSEG x (ES_VADDR, ES_OFFSET, ES_FILESZ, ES_MEMSZ)
#
# Each segment becomes fresh zeroed pages at VADDR..VADDR+MEMSZ (user, read/write/execute), the
# first FILESZ bytes read from the file at OFFSET. Everything is checked before it is used, so
# a damaged or hostile file gives ENOEXEC, never a kernel fault.

# exec_load(a0 = path in kernel memory; s0 = PCB with a fresh page directory) -> a0 = the entry
# point, or -errno: ENOENT (and the other path errors), EACCES (a directory), ENOEXEC (not a
# valid executable), ENOMEM, EIO. Used at boot (the filesystem is the kernel's alone then).
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
.new:   call alloc_frame
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
