# client: the compose example's client (docs/images.md,
# "Compose: several containers in one boot"). `client PORT ADDR...` sends "hello" to each ADDR:PORT in turn and prints the answer
# after the address. A server may not be listening yet when the client starts (compose starts
# every container at once, as docker compose does): a refused or unreachable connect is tried
# again after a tick, up to TRIES times, as a client in a compose file must. Exit code: the
# number of servers that never answered.
        .include "user.inc"
        .equ BUF, HEAP_BASE
        .equ BUFSZ, 1024
        .equ TRIES, 200
_start: li   t0, 3
        blt  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        mv   s2, a2
        slli t0, a1, 2
        add  t0, a2, t0
        la   t1, argend
        sw   t0, 0(t1)                  # argend = &argv[argc]
        lw   a0, 4(s2)
        call atoi
        bnez a1, .usage
        la   t0, port
        sw   a0, 0(t0)
        addi s2, s2, 8                  # s2 = &argv[2], the first address
.next:  la   t0, argend
        lw   t0, 0(t0)
        beq  s2, t0, .done
        lw   a0, 0(s2)
        call inet_aton
        bnez a1, .usage
        mv   s1, a0                     # s1 = the address
        li   s0, TRIES
.try:   li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, .fail
        mv   s3, a0                     # s3 = the socket
        mv   a1, s1
        la   t0, port
        lw   a2, 0(t0)
        call connect
        bge  a0, zero, .talk
        mv   a0, s3
        call close
        addi s0, s0, -1
        beqz s0, .gaveup
        li   a0, 1
        call sleep
        j    .try
.talk:  mv   a0, s3
        la   a1, hello
        li   a2, 6
        call write_all
        mv   a0, s3
        li   a1, SHUT_WR
        call shutdown
        lw   a0, 0(s2)                  # "ADDR: " then the answer
        call print
        la   a0, colon
        call print
.more:  mv   a0, s3
        li   a1, BUF
        li   a2, BUFSZ
        call read
        blt  a0, zero, .fail
        beqz a0, .closed
        mv   a2, a0
        li   a0, 1
        li   a1, BUF
        call write_all
        j    .more
.closed:
        mv   a0, s3
        call close
        addi s2, s2, 4
        j    .next
.gaveup:
        lw   a0, 0(s2)
        call print
        la   a0, m_noanswer
        call print
        la   t0, failed
        lw   t1, 0(t0)
        addi t1, t1, 1
        sw   t1, 0(t0)
        addi s2, s2, 4
        j    .next
.done:  la   t0, failed
        lw   a0, 0(t0)
        call exit
.fail:  mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit
.usage: li   a0, 2
        la   a1, usage
        call print_fd
        li   a0, 2
        call exit
name:   .asciz "client"
usage:  .asciz "usage: client PORT ADDR...\n"
hello:  .asciz "hello\n"
colon:  .asciz ": "
m_noanswer: .asciz ": no answer\n"
        .align 4
port:   .word 0
argend: .word 0
failed: .word 0
        .include "inet.inc"
        .include "lib.s"
