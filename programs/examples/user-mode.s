# user-mode.s: a ring-0 trap handler that runs a ring-3 program and returns to it.
#
# 1. In ring 0 the "kernel" sets TVEC to its trap handler, puts the user program's address in
#    EPC and ring 3 in ESTATUS, and executes `sret`: the CPU "returns" into ring 3.
# 2. The user program asks for services with `syscall` (a0 = service number, a1 = argument).
#    Each syscall traps to the handler in ring 0, with EPC = the syscall instruction; the
#    handler does the work and resumes the user at EPC + 4 with `sret`.
# 3. Finally the user program tries `halt`, a privileged instruction. It does not run: it
#    traps with cause PrivilegedInstruction, and the handler reports it and powers off.
#
#   npx ringlab run programs/examples/user-mode.s --stats   # note the guest user / kernel split

        .include "../lib/hw.inc"
        .equ KERNEL_STACK, 0x8000
        .equ USER_STACK, 0xc000
        .equ SYS_PUTS, 1                # a1 = address of a zero-terminated string
        .equ SYS_PUTDEC, 2              # a1 = number to print in decimal

# ---- ring 0: set up and drop to ring 3 ---------------------------------------------------
_start: li   sp, KERNEL_STACK
        csrw SCRATCH0, sp               # the handler finds its stack here
        la   t0, trap_handler
        csrw TVEC, t0
        la   t0, user_main
        csrw EPC, t0                    # where sret goes
        li   t0, 3
        csrw ESTATUS, t0                # ring 3, interrupts off
        li   sp, USER_STACK
        sret                            # into ring 3

# ---- ring 3: the user program ------------------------------------------------------------
user_main:
        li   a0, SYS_PUTS
        la   a1, hello
        syscall
        li   s0, 1                      # print 1 2 4 8 ... 1024 through system calls
.again: li   a0, SYS_PUTDEC
        mv   a1, s0
        syscall
        li   a0, SYS_PUTS
        la   a1, space
        syscall
        slli s0, s0, 1
        li   t0, 2048
        blt  s0, t0, .again
        li   a0, SYS_PUTS
        la   a1, attempt
        syscall
        halt                            # privileged: traps instead of halting

# ---- ring 0: the trap handler ------------------------------------------------------------
# On entry the CPU has saved pc in EPC, the ring and IE in ESTATUS, and set CAUSE.
trap_handler:
        csrw SCRATCH1, sp               # switch to the kernel stack, keeping the user sp
        csrr sp, SCRATCH0
        push ra                         # save what the C-like routines below may clobber
        push a0
        push a1
        push s0
        csrr t0, CAUSE
        li   t1, CAUSE_SYSCALL
        bne  t0, t1, .fatal
        li   t1, SYS_PUTS                # dispatch on the service number in a0
        beq  a0, t1, .puts
        li   t1, SYS_PUTDEC
        beq  a0, t1, .putdec
        j    .resume                    # unknown service: ignored
.puts:  mv   a0, a1
        call puts
        j    .resume
.putdec:
        mv   a0, a1
        call print_dec
.resume:
        csrr t0, EPC                    # skip the syscall instruction
        addi t0, t0, 4
        csrw EPC, t0
        pop  s0
        pop  a1
        pop  a0
        pop  ra
        csrr sp, SCRATCH1               # back to the user stack
        sret                            # to ring 3, after the syscall

.fatal: la   a0, killed                 # any other trap ends the program
        call puts
        csrr a0, CAUSE
        call print_dec
        la   a0, at
        call puts
        csrr a0, EPC
        call print_hex
        la   a0, from_ring
        call puts
        csrr a0, ESTATUS
        andi a0, a0, STATUS_RING_MASK
        call print_dec
        li   a0, '\n'
        call putc
        out  POWER_OFF, zero

hello:     .asciz "ring 3 says hello through a system call\n"
space:     .asciz " "
attempt:   .asciz "\nring 3 now tries to execute halt...\n"
killed:    .asciz "trap: cause "
at:        .asciz " at pc "
from_ring: .asciz " from ring "

        .include "../lib/console.s"
