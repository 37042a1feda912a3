# ip: the network interfaces of this process's network namespace, modelled on iproute2's `ip`.
#   ip addr                      one line per interface: index, name, address, the peer's address
#                                for a veth end, and the bytes sent (tx) and received (rx)
#                                through it (as `ip -s addr` counts them)
#   ip link add PID ADDR PEER    a veth pair between this namespace and the network namespace of
#                                process PID, this end with ADDR, the other with PEER: what
#                                `ip link add vethK type veth peer name vethK netns PID` and
#                                `ip addr add ADDR peer PEER dev vethK` (on each side) do, as one
#                                system call (veth, programs/kernel/net.s); prints nothing
# Errors: bad arguments: the usage, exit 2; the kernel's refusal: "ip: message", exit 1.
        .include "user.inc"
        .equ IFBUF, HEAP_BASE
_start: li   t0, 2
        blt  a1, t0, .usage             # crt0: a1 = argc, a2 = argv
        mv   s1, a1
        mv   s2, a2
        lw   a0, 4(s2)
        la   a1, w_addr
        call strcmp
        beqz a0, .addr
        lw   a0, 4(s2)
        la   a1, w_link
        call strcmp
        bnez a0, .usage
        li   t0, 6                      # ip link add PID ADDR PEER
        bne  s1, t0, .usage
        lw   a0, 8(s2)
        la   a1, w_add
        call strcmp
        bnez a0, .usage
        lw   a0, 12(s2)
        call atoi
        bnez a1, .usage
        mv   s3, a0                     # s3 = PID
        lw   a0, 16(s2)
        call inet_aton
        bnez a1, .usage
        mv   s1, a0                     # s1 = ADDR
        lw   a0, 20(s2)
        call inet_aton
        bnez a1, .usage
        mv   a2, a0
        mv   a1, s1
        mv   a0, s3
        call veth
        blt  a0, zero, .fail
        li   a0, 0
        call exit
.addr:  li   t0, 2
        bne  s1, t0, .usage
        li   a0, IFBUF
        li   a1, 4096
        call netifs
        blt  a0, zero, .fail
        li   s1, IFBUF
        add  s2, s1, a0
.each:  bgeu s1, s2, .done
        lw   a0, IF_INDEX(s1)
        call print_dec
        lw   s3, IF_INDEX(s1)
        li   t0, 1
        bne  s3, t0, .veth
        la   a0, m_lo
        call print
        j    .inet
.veth:  la   a0, m_veth
        call print
        addi a0, s3, -2
        call print_dec
.inet:  la   a0, m_inet
        call print
        lw   a0, IF_ADDR(s1)
        call print_addr
        li   t0, 1
        beq  s3, t0, .stats
        la   a0, m_peer
        call print
        lw   a0, IF_PEER(s1)
        call print_addr
.stats: la   a0, m_tx
        call print
        lw   a0, IF_TX(s1)
        call print_dec
        la   a0, m_rx
        call print
        lw   a0, IF_RX(s1)
        call print_dec
        call newline
        addi s1, s1, IF_SIZEOF
        j    .each
.done:  li   a0, 0
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
name:   .asciz "ip"
usage:  .asciz "usage: ip addr | ip link add PID ADDR PEER\n"
w_addr: .asciz "addr"
w_link: .asciz "link"
w_add:  .asciz "add"
m_lo:   .asciz ": lo"
m_veth: .asciz ": veth"
m_inet: .asciz " inet "
m_peer: .asciz " peer "
m_tx:   .asciz " tx "
m_rx:   .asciz " rx "
        .align 4
        .include "inet.inc"
        .include "lib.s"
