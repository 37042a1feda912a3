# vuln.s: only with -D VULN. A DELIBERATE, DOCUMENTED BUG, planted for the isolation benchmark's
# "isolation strength" demonstration (`ringlab bench isolation`, docs/isolation.md): the kernel
# every container shares has one hole, and a process in one container uses it to read another
# container's memory. Never in the default kernel (the include in kernel.s and this call's slot
# in the dispatch table are both under `.ifdef VULN`: the default kernel's bytes do not change).
#
# The bug is the classic one of real kernels: a system call that takes a pointer from user space
# and uses it without checking that it points into user space. Every honest call of this kernel
# reaches user memory through copy_user (mm.s), which translates each user address with
# user_to_phys and refuses anything outside USER_BASE..USER_TOP; Linux's copy_from_user does the
# same with access_ok. CVE-2017-5123 was exactly this: waitid() lost its access_ok check in Linux
# 4.13, and an unprivileged process could write to any kernel address through it.
#
# Here the kernel runs on the calling process's page table, which also maps all of physical
# memory (the identity map, ring 0 only: docs/kernel.md, "Memory map"). So a "user pointer" the
# kernel dereferences itself can be any physical address below the end of memory: another
# process's page, a page table, the process table. vuln_copy is an arbitrary read AND an
# arbitrary write of physical memory (the write lets a process edit its own page tables). An
# address the identity map does not cover faults in ring 0: a kernel panic, as an oops would be.

# vuln_copy(a0 = dst, a1 = src, a2 = len) -> a0 = len, or -EINVAL. THE BUG: neither pointer is
# checked (the honest version would be a copy_user each way through a kernel buffer).
sys_vuln_copy:
        li   t0, PAGE_SIZE
        bltu t0, a2, .bad               # unsigned: a negative length is huge
        push ra
        push a2
        call copy_bytes                 # mm.s: straight through the current address space
        pop  a0
        pop  ra
        ret
.bad:   li   a0, -EINVAL
        ret
