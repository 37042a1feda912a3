# privileged.s: a bare-metal guest kernel that exercises every privileged instruction, control
# register and trap the architecture has, and prints what it observes. test/vmm/ runs it
# natively and under each VMM: a VMM that emulates the machine faithfully prints the same.
# (It never prints CYCLE or INSTRET, which differ by design.)
        .include "../../../programs/lib/hw.inc"
        .equ STACK_TOP, 0x00080000
        .equ PGDIR, 0x00090000
        .equ PGTABLE, 0x00091000
        .equ DATA_PAGE, 0x00200000          # a page the paging tests remap
        .equ USER_PAGE, 0x00201000
        .org 0x10000
_start:
        li   sp, STACK_TOP
        la   t0, handler
        csrw TVEC, t0

        # ---- control registers: write, read back --------------------------------------------
        la   a0, m_csr
        call puts
        csrr a0, STATUS
        call show
        li   t0, 0x12345678
        csrw SCRATCH0, t0
        csrr a0, SCRATCH0
        call show
        li   t0, -2
        csrw SCRATCH1, t0
        csrr a0, SCRATCH1
        call show
        li   t0, 0xff
        csrw ESTATUS, t0            # only ring and IE bits stick
        csrr a0, ESTATUS
        call show
        li   t0, 0x4444
        csrw EPC, t0
        csrr a0, EPC
        call show
        csrw CAUSE, t0
        csrr a0, CAUSE
        call show
        csrw BADADDR, t0
        csrr a0, BADADDR
        call show
        csrw EINSN, t0
        csrr a0, EINSN
        call show
        li   t0, 3
        csrw IMASK, t0
        csrr a0, IMASK
        call show
        csrw IMASK, zero
        csrr a0, IPEND
        call show
        csrr a0, TVEC
        call show
        csrr a0, PTBR
        call show
        call newline

        # ---- traps from ring 0 ----------------------------------------------------------------
        syscall
        break
        .word 0                     # illegal
        csrw IPEND, t0              # read-only register: illegal
        csrr a0, 99                 # no such register: illegal
        li   t0, 0x1002
        lw   t1, 0(t0)              # misaligned
        li   t1, 0
        div  t2, t0, t1             # divide by zero
        li   t0, 0x7ffffff0
        lw   t1, 0(t0)              # beyond memory: bus error
        li   t0, 0xffc02000         # where a VMM lives: beyond memory too (paging is off)
        lw   t1, 0(t0)
        sw   t1, 0x1000(t0)

        # ---- ports ----------------------------------------------------------------------------
        la   a0, m_ports
        call puts
        in   a0, NULL_PORT
        call show
        in   a0, 0x99               # nothing there: -1
        call show
        in   a0, POWER_OFF          # write-only: -1
        call show
        li   t0, 123456
        out  TIMER_INTERVAL, t0
        in   a0, TIMER_INTERVAL
        call show
        out  TIMER_INTERVAL, zero
        in   a0, CONSOLE_STATUS
        call show
        out  NULL_PORT, t0
        out  0x99, t0
        call newline

        # ---- ring 3 ---------------------------------------------------------------------------
        la   t0, user_code
        csrw EPC, t0
        li   t0, 3 | STATUS_IE
        csrw ESTATUS, t0
        sret                        # to ring 3; its privileged instruction comes back here
after_user:
        csrr a0, STATUS             # back in ring 0 through the handler
        call show
        call newline

        # ---- interrupts -----------------------------------------------------------------------
        la   a0, m_irq
        call puts
        li   t0, IRQ_TIMER
        csrw IMASK, t0
        li   t0, 20000                  # longer than a host tick's round trip through rlvmm
        out  TIMER_INTERVAL, t0         # under hosted, so no tick falls due between the ack and
                                        # the IPEND read after it (natively one instruction)
        wfi                         # interrupts off: returns once the line is pending
        csrr a0, IPEND
        call show
        out  TIMER_ACK, zero
        csrr a0, IPEND
        call show
        la   t0, ticks
        sw   zero, 0(t0)
        ei
.spin:  lw   t1, 0(t0)              # the handler counts ticks
        li   t2, 3
        blt  t1, t2, .spin
        di
        out  TIMER_INTERVAL, zero
        csrr a0, STATUS
        call show
        li   t0, STATUS_IE          # csrw STATUS turns interrupts on too
        csrw STATUS, t0
        csrr a0, STATUS
        call show
        csrw STATUS, zero
        csrw IMASK, zero
        call newline

        # ---- paging ---------------------------------------------------------------------------
        la   a0, m_paging
        call puts
        li   t0, PGDIR              # directory slot 0 -> PGTABLE; identity map of 0..4 MiB
        li   t1, PGTABLE | PTE_PRESENT
        sw   t1, 0(t0)
        li   t0, PGTABLE
        li   t1, PTE_PRESENT | PTE_WRITABLE | PTE_EXECUTABLE | PTE_RING0
        li   t2, PGTABLE + 4096
        li   t3, PAGE_SIZE
.map:   sw   t1, 0(t0)
        add  t1, t1, t3
        addi t0, t0, 4
        bltu t0, t2, .map
        li   t0, PGTABLE            # page 0 unmapped
        sw   zero, 0(t0)
        li   t0, PGTABLE + (DATA_PAGE >> 12) * 4
        li   t1, DATA_PAGE | PTE_PRESENT | PTE_RING0   # read-only, not executable
        sw   t1, 0(t0)
        li   t0, PGTABLE + (USER_PAGE >> 12) * 4
        li   t1, USER_PAGE | PTE_PRESENT | PTE_WRITABLE | PTE_RING3
        sw   t1, 0(t0)
        li   t0, PGDIR | PTBR_ENABLE
        csrw PTBR, t0
        csrr a0, PTBR
        call show
        li   t0, 0
        lw   t1, 0(t0)              # page 0: not present
        li   t0, 0x00500000
        sw   t1, 0(t0)              # beyond the table's 4 MiB: no directory entry
        li   t0, DATA_PAGE
        li   t1, 77
        sw   t1, 0(t0)              # read-only page: write fault
        lw   a0, 0(t0)
        call show                   # 0: the write did not happen
        la   t0, resume
        la   t1, .back
        sw   t1, 0(t0)
        li   t0, DATA_PAGE
        jr   t0                     # not executable: fetch fault, resumes at .back
.back:  li   t0, PGTABLE + (DATA_PAGE >> 12) * 4     # make it writable; flush; write again
        li   t1, DATA_PAGE | PTE_PRESENT | PTE_WRITABLE | PTE_RING0
        sw   t1, 0(t0)
        li   t0, DATA_PAGE
        tlbflush t0
        li   t1, 77
        sw   t1, 0(t0)
        lw   a0, 0(t0)
        call show
        li   t0, PGTABLE + (DATA_PAGE >> 12) * 4     # unmap it; flush everything
        sw   zero, 0(t0)
        tlbflushall
        li   t0, DATA_PAGE
        lw   a0, 0(t0)              # not present any more
        li   t0, USER_PAGE          # a ring-3 page, reached from ring 0
        li   t1, 99
        sw   t1, 0(t0)
        lw   a0, 0(t0)
        call show
        csrw PTBR, zero             # paging off again
        li   t0, DATA_PAGE
        lw   a0, 0(t0)
        call show                   # 77, straight from physical memory
        call newline

        la   a0, m_done
        call puts
        li   t0, 42
        out  POWER_OFF, t0
        halt

# user_code: ring 3 with paging off. A privileged instruction traps to the handler, which
# sees ESTATUS ring 3 and continues at after_user in ring 0 instead of returning.
user_code:
        csrr a0, STATUS
        .word 0x55000000            # unreachable filler (csrr zero, STATUS) never executed

# handler: print "trap <cause> epc <pc> bad <addr> insn <word> es <estatus>"; interrupts
# count a tick and return; exceptions resume after the instruction, or at `resume` when set,
# or (from ring 3) at after_user in ring 0.
handler:
        csrw SCRATCH0, t0           # save what the handler uses: the code it interrupts
        la   t0, saved              # keeps its registers
        sw   ra, 0(t0)
        sw   a0, 4(t0)
        sw   t1, 8(t0)
        sw   t2, 12(t0)
        sw   t3, 16(t0)
        csrr t1, SCRATCH0
        sw   t1, 20(t0)
        csrr t0, CAUSE
        li   t1, CAUSE_TIMER_INTERRUPT
        beq  t0, t1, .tick
        la   a0, m_trap
        call puts
        csrr a0, CAUSE
        call show
        csrr a0, EPC
        call show
        csrr a0, BADADDR
        call show
        csrr a0, EINSN
        call show
        csrr a0, ESTATUS
        call show
        call newline
        csrr t0, ESTATUS
        andi t0, t0, STATUS_RING_MASK
        bnez t0, .from_user
        la   t0, resume
        lw   t1, 0(t0)
        beqz t1, .next
        sw   zero, 0(t0)
        csrw EPC, t1
        j    .restore
.next:  csrr t0, EPC
        addi t0, t0, 4
        csrw EPC, t0
        j    .restore
.from_user:
        li   sp, STACK_TOP
        j    after_user
.tick:  out  TIMER_ACK, zero
        la   t0, ticks
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)              # EPC is the interrupted instruction: resume there
.restore:
        la   t0, saved
        lw   ra, 0(t0)
        lw   a0, 4(t0)
        lw   t1, 8(t0)
        lw   t2, 12(t0)
        lw   t3, 16(t0)
        lw   t0, 20(t0)
        sret

# show(a0): print a0 in hex and a space.
show:   push ra
        call print_hex
        li   a0, ' '
        call putc
        pop  ra
        ret

newline:
        li   a0, '\n'
        j    putc

m_csr:    .asciz "csr: "
m_ports:  .asciz "ports: "
m_irq:    .asciz "irq: "
m_paging: .asciz "paging: "
m_trap:   .asciz "trap "
m_done:   .asciz "done\n"
        .align 4
ticks:  .word 0
saved:  .space 24
resume: .word 0
        .include "../../../programs/lib/console.s"
