# kill [-SIGNAL] PID...: send SIGNAL (by default TERM) to each PID. SIGNAL is a number (-9) or
# a name with or without SIG (-KILL, -SIGINT): INT ILL BUS FPE KILL SEGV PIPE TERM CHLD, the
# signals ringlab has (abi.inc). ringlab has no handlers: a signal ends the process unless it
# ignores it (SIGKILL cannot be ignored; init, pid 1, takes none: EPERM).
# Errors: "kill: PID: No such process" (exit 1, after trying the others); a bad signal or a PID
# that is not a number: "kill: ARG: invalid signal|process id" and the usage, exit 2.
        .include "user.inc"
_start: addi s1, a2, 4                  # crt0: a1 = argc, a2 = argv; s1 = the next argument
        li   s2, SIGTERM
        li   s3, 0                      # exit status
        lw   s0, 0(s1)
        beqz s0, .usage
        lbu  t1, 0(s0)
        li   t2, '-'
        bne  t1, t2, .pids
        addi a0, s0, 1                  # -SIGNAL
        call signum
        blt  a0, zero, .badsig
        mv   s2, a0
        addi s1, s1, 4
        lw   t1, 0(s1)
        beqz t1, .usage
.pids:  lw   s0, 0(s1)
        beqz s0, .done
        mv   a0, s0
        call atoi
        bnez a1, .badpid
        mv   a1, s2
        call kill
        bge  a0, zero, .next
        mv   a2, a0
        la   a0, name
        mv   a1, s0
        call perror
        li   s3, 1
.next:  addi s1, s1, 4
        j    .pids
.done:  mv   a0, s3
        call exit
.badsig:
        la   a2, m_badsig
        j    .bad
.badpid:
        la   a2, m_badpid
.bad:   la   a0, name
        mv   a1, s0
        call err_msg
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit

# signum(a0 = "9", "KILL" or "SIGKILL") -> a0 = the signal number, or -1.
signum: push ra
        push s0
        push s1
        mv   s0, a0
        call atoi
        beqz a1, .out                   # a number: the kernel checks its range
        lbu  t1, 0(s0)                  # skip a SIG prefix
        li   t2, 'S'
        bne  t1, t2, .names
        lbu  t1, 1(s0)
        li   t2, 'I'
        bne  t1, t2, .names
        lbu  t1, 2(s0)
        li   t2, 'G'
        bne  t1, t2, .names
        addi s0, s0, 3
.names: la   s1, signames               # entries: .byte number, then the zero-ended name
.find:  lbu  t1, 0(s1)
        beqz t1, .none
        mv   a0, s0
        addi a1, s1, 1
        call strcmp
        beqz a0, .found
.skip:  addi s1, s1, 1                  # the next entry: past this name's zero byte
        lbu  t1, 0(s1)
        bnez t1, .skip
        addi s1, s1, 1
        j    .find
.found: lbu  a0, 0(s1)
        j    .out
.none:  li   a0, -1
.out:   pop  s1
        pop  s0
        pop  ra
        ret

name:     .asciz "kill"
usage:    .asciz "usage: kill [-SIGNAL] PID...\n"
m_badsig: .asciz "invalid signal"
m_badpid: .asciz "invalid process id"
signames:
        .byte SIGINT
        .asciz "INT"
        .byte SIGILL
        .asciz "ILL"
        .byte SIGBUS
        .asciz "BUS"
        .byte SIGFPE
        .asciz "FPE"
        .byte SIGKILL
        .asciz "KILL"
        .byte SIGSEGV
        .asciz "SEGV"
        .byte SIGPIPE
        .asciz "PIPE"
        .byte SIGTERM
        .asciz "TERM"
        .byte SIGCHLD
        .asciz "CHLD"
        .byte 0
        .align 4
        .include "lib.s"
