# nc: a TCP client and server over ringlab's sockets, modelled on netcat (programs/kernel/net.s).
#   nc -l PORT [REPLY]   listen on PORT (every address of this network namespace), accept one
#                        connection, copy what it sends to standard output until it shuts down
#                        its side, then send REPLY and a newline (if given) and close
#   nc ADDR PORT [TEXT]  connect to ADDR:PORT, send TEXT and a newline (without TEXT: standard
#                        input until its end), shut down the sending side (as netcat's -N), then
#                        copy the answer to standard output until the server closes
# Errors: bad arguments: the usage, exit 2; a failing call: "nc: message", exit 1.
        .include "user.inc"
        .equ BUF, HEAP_BASE
        .equ BUFSZ, 1024
_start: li   t0, 3
        blt  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        li   t0, 4
        bgt  a1, t0, .usage
        mv   s1, a1
        mv   s2, a2
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        blt  a0, zero, .fail
        mv   s3, a0                     # s3 = the socket
        lw   a0, 4(s2)
        la   a1, w_listen
        call strcmp
        beqz a0, .server
        lw   a0, 4(s2)                  # the client
        call inet_aton
        bnez a1, .usage
        mv   fp, a0
        lw   a0, 8(s2)
        call atoi
        bnez a1, .usage
        mv   a2, a0
        mv   a1, fp
        mv   a0, s3
        call connect
        blt  a0, zero, .fail
        li   t0, 4
        bne  s1, t0, .stdin
        lw   a0, 12(s2)                 # TEXT and a newline
        call sendline
        j    .shut
.stdin: li   a0, 0                      # standard input to its end
        mv   a1, s3
        call copy
.shut:  mv   a0, s3
        li   a1, SHUT_WR
        call shutdown
        mv   a0, s3                     # the answer
        li   a1, 1
        call copy
        li   a0, 0
        call exit
.server:
        lw   a0, 8(s2)
        call atoi
        bnez a1, .usage
        mv   a2, a0
        mv   a0, s3
        li   a1, INADDR_ANY
        call bind
        blt  a0, zero, .fail
        mv   a0, s3
        li   a1, 1
        call listen
        blt  a0, zero, .fail
        mv   a0, s3
        li   a1, 0
        call accept
        blt  a0, zero, .fail
        mv   s3, a0                     # s3 = the connection
        mv   a0, s3
        li   a1, 1
        call copy                       # the request, to its end
        li   t0, 4
        bne  s1, t0, .close
        lw   a0, 12(s2)
        call sendline
.close: mv   a0, s3
        call close
        li   a0, 0
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

# sendline(a0 = string; s3 = the socket): the string and a newline.
sendline:
        push ra
        push a0
        call strlen
        mv   a2, a0
        pop  a1
        mv   a0, s3
        call write_all
        blt  a0, zero, .fail
        mv   a0, s3
        la   a1, nl
        li   a2, 1
        call write_all
        blt  a0, zero, .fail
        pop  ra
        ret
.fail:  mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit

# copy(a0 = from, a1 = to): read and write until the end of the input.
copy:   push ra
        push s1
        push s2
        mv   s1, a0
        mv   s2, a1
.more:  mv   a0, s1
        li   a1, BUF
        li   a2, BUFSZ
        call read
        blt  a0, zero, .fail
        beqz a0, .done
        mv   a2, a0
        mv   a0, s2
        li   a1, BUF
        call write_all
        blt  a0, zero, .fail
        j    .more
.done:  pop  s2
        pop  s1
        pop  ra
        ret
.fail:  mv   a2, a0
        la   a0, name
        li   a1, 0
        call perror
        li   a0, 1
        call exit
name:   .asciz "nc"
usage:  .asciz "usage: nc -l PORT [REPLY] | nc ADDR PORT [TEXT]\n"
w_listen: .asciz "-l"
nl:     .asciz "\n"
        .align 4
        .include "inet.inc"
        .include "lib.s"
