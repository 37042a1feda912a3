# server: a web-like server for the compose example (docs/images.md,
# "Compose: several containers in one boot"). `server PORT REPLY` listens on PORT on every
# address of its network namespace and answers each connection, for ever: it reads the request up to its end (the
# client shuts down its sending side, as nc does), prints it, and sends REPLY and a newline.
# Two containers run it on the same port, each in its own network namespace.
        .include "user.inc"
        .equ BUF, HEAP_BASE
        .equ BUFSZ, 1024
_start: li   t0, 3
        bne  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        mv   s2, a2
        lw   a0, 4(s2)
        call atoi
        bnez a1, .usage
        mv   s1, a0                     # s1 = the port
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, .fail
        mv   s3, a0                     # s3 = the listening socket
        li   a1, INADDR_ANY
        mv   a2, s1
        call bind
        blt  a0, zero, .fail
        mv   a0, s3
        li   a1, 4
        call listen
        blt  a0, zero, .fail
        la   a0, m_listen
        call print
        mv   a0, s1
        call print_dec
        call newline
.serve: mv   a0, s3
        li   a1, 0
        call accept
        blt  a0, zero, .fail
        mv   s0, a0                     # s0 = this connection
        la   a0, m_got
        call print
.more:  mv   a0, s0                     # the request, to its end, onto standard output
        li   a1, BUF
        li   a2, BUFSZ
        call read
        blt  a0, zero, .fail
        beqz a0, .reply
        mv   a2, a0
        li   a0, 1
        li   a1, BUF
        call write_all
        j    .more
.reply: lw   a0, 8(s2)                  # REPLY and a newline
        call strlen
        mv   a2, a0
        lw   a1, 8(s2)
        mv   a0, s0
        call write_all
        blt  a0, zero, .fail
        mv   a0, s0
        la   a1, nl
        li   a2, 1
        call write_all
        mv   a0, s0
        call close
        j    .serve
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
name:   .asciz "server"
usage:  .asciz "usage: server PORT REPLY\n"
m_listen: .asciz "listening on port "
m_got:  .asciz "request: "
nl:     .asciz "\n"
        .align 4
        .include "lib.s"
