# net.s: the network. There is no network card: every byte goes from one socket's send to
# another socket's receive buffer inside this kernel, as over Linux's loopback interface. What
# makes it a network is the addressing: sockets have addresses and ports, and which addresses a
# process can bind to and reach depends on its network namespace (see
# docs/containers.md, "Network namespaces and sockets").
#
#   network namespaces  netns_table (NN_*, kernel.inc). Each process points to one (P_NETNS, one
#                       reference); fork shares it, unshare(CLONE_NEWNET) moves the caller to a
#                       fresh one, whose only interface is a loopback (lo, 127.0.0.1). Entry 0 is
#                       the root namespace; init holds it all along. When the last process
#                       leaves a namespace, its sockets are closed (their peers see the end of
#                       the stream) and its veth pairs removed: netns_free.
#
#   veth pairs          veth_table (VE_*): two ends, each in a namespace with an address, joined
#                       point to point. The veth call makes one between the caller's namespace
#                       and another process's (Linux's `ip link add ... type veth peer ... netns
#                       PID` and `ip addr add A peer B` on both sides, as one call).
#
#   routing             connect(addr) from namespace N, in this order (route): 127.0.0.1 or an
#                       address of N itself: N, through its loopback; the address of the other
#                       end of one of N's veth ends: that end's namespace, through the pair;
#                       anything else: ENETUNREACH. Nothing is forwarded: two containers joined
#                       to the root namespace cannot reach each other (no IP forwarding, no
#                       bridge, no gateways).
#
#   sockets             sock_table (S_*). A socket is an open file (FT_SOCKET, file.s) naming an
#                       entry; it lives in the namespace of the process that made it. A stream
#                       connection is two entries pointing at each other (S_PEER), each with a
#                       receive buffer, a SOCK_BUF-byte ring like a pipe's (pipe.s): send copies
#                       into the peer's ring, recv takes from its own.
#
#                          client socket  --send-->  [ring of the server end] --recv--> server
#                          client  <--recv-- [ring of the client socket]  <--send--  server end
#
#                       connect does what a TCP handshake achieves at once: it finds the
#                       listener, makes the server's end (an entry with no file yet, queued on
#                       the listener: S_LISTENER, S_SEQ) and returns connected; accept takes the
#                       oldest queued end and gives it a file and a descriptor. So a client may
#                       send before the server accepts, as on Linux.
#
# Sleeping, as pipe.s: a receiver waits for bytes on its own entry's S_NWRITE, a sender waits for
# room on its peer's S_NREAD, accept waits on the listener's S_QLEN; whoever moves a counter, or
# closes an end, wakes the other side, which looks again. Every wait is interruptible.
#
# Register conventions, as for every handler: s0 = PCB, a0..a3 the arguments, result in a0;
# t0-t3 and a0-a3 are clobbered, s1-s3 and fp are saved where used.

# ---- network namespaces ----------------------------------------------------------------------

# netns_get(a0 = namespace): one more process in it. Clobbers t0.
netns_get:
        lw   t0, NN_REF(a0)
        addi t0, t0, 1
        sw   t0, NN_REF(a0)
        ret

# netns_put(a0 = namespace, or 0): one process fewer; the last one out frees it (netns_free).
# Clobbers a0-a3, t0-t3.
netns_put:
        beqz a0, .out
        lw   t0, NN_REF(a0)
        addi t0, t0, -1
        sw   t0, NN_REF(a0)
        beqz t0, netns_free
.out:   ret

# netns_free(a0 = a namespace nobody is in any more): every socket still in it is closed (a
# connection not yet accepted is freed; any other socket, held by a file of a process that
# moved away, is left unconnected and in no namespace); its veth pairs are removed. The entry is
# free already (NN_REF 0). Clobbers a0-a3, t0-t3.
netns_free:
        push ra
        push s1
        push s2
        mv   s1, a0
        la   s2, sock_table
.sock:  lw   t0, S_STATE(s2)
        beqz t0, .nexts
        lw   t0, S_NS(s2)
        bne  t0, s1, .nexts
        lw   t0, S_LISTENER(s2)
        beqz t0, .owned
        lw   t1, S_QLEN(t0)         # queued on a listener: it goes with the queue
        addi t1, t1, -1
        sw   t1, S_QLEN(t0)
        mv   a0, s2
        call sock_disconnect
        mv   a0, s2
        call sock_free
        j    .nexts
.owned: mv   a0, s2
        call sock_unlisten
        mv   a0, s2
        call sock_disconnect
        sw   zero, S_NS(s2)
        sw   zero, S_ADDR(s2)
        sw   zero, S_PORT(s2)
        sw   zero, S_TXC(s2)
.nexts: addi s2, s2, S_SIZE
        la   t0, sock_table + S_SIZE * NSOCK
        bltu s2, t0, .sock
        la   t0, veth_table         # its veth ends, and so their pairs
        la   t1, veth_table + VE_SIZE * 2 * NVETH
.veth:  lw   t2, VE_NS(t0)
        bne  t2, s1, .nextv
        sw   zero, VE_NS(t0)
        lw   t2, VE_OTHER(t0)
        sw   zero, VE_NS(t2)
.nextv: addi t0, t0, VE_SIZE
        bltu t0, t1, .veth
        pop  s2
        pop  s1
        pop  ra
        ret

# netns_alloc() -> a0 = a free entry of netns_table, or 0 when there is none (ENOSPC for
# unshare). Nothing changes: sys_unshare (ns.s) calls it with its checks, and netns_enter with
# its changes. Clobbers t0, t1.
netns_alloc:
        la   a0, netns_table + NN_SIZE  # entry 0 is the root's
        la   t1, netns_table + NN_SIZE * NNETNS
.find:  lw   t0, NN_REF(a0)
        beqz t0, .out
        addi a0, a0, NN_SIZE
        bltu a0, t1, .find
        li   a0, 0
.out:   ret

# netns_enter(a0 = a free entry, from netns_alloc; s0 = PCB): unshare(CLONE_NEWNET): the caller
# moves to a new namespace there (a loopback, no sockets, no veth); its old one loses a process.
# Its sockets stay where they were made, as on Linux. Clobbers a0-a3, t0-t3.
netns_enter:
        li   t2, 1
        sw   t2, NN_REF(a0)
        li   t2, EPHEMERAL_FIRST
        sw   t2, NN_EPHEM(a0)
        sw   zero, NN_LOTX(a0)
        lw   t0, P_NETNS(s0)
        sw   a0, P_NETNS(s0)
        mv   a0, t0
        j    netns_put

# ---- addresses and ports -----------------------------------------------------------------------

# addr_local(a0 = namespace, a1 = address) -> a0 = 1 when an interface of the namespace has the
# address (the loopback's 127.0.0.1, or one of its veth ends'), else 0. Clobbers t0-t2.
addr_local:
        li   t0, INADDR_LOOPBACK
        beq  a1, t0, .yes
        la   t0, veth_table
        la   t1, veth_table + VE_SIZE * 2 * NVETH
.each:  lw   t2, VE_NS(t0)
        bne  t2, a0, .next
        lw   t2, VE_ADDR(t0)
        beq  t2, a1, .yes
.next:  addi t0, t0, VE_SIZE
        bltu t0, t1, .each
        li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# port_busy(a0 = namespace, a1 = address, a2 = port) -> a0 = 1 when a socket of the namespace
# has the port on an address that overlaps (the same one, or either is INADDR_ANY), else 0.
# Every socket with the port counts (listeners, connections, their accepted ends), as Linux's
# bind does without SO_REUSEADDR. Clobbers t0-t2.
port_busy:
        la   t0, sock_table
.each:  lw   t1, S_STATE(t0)
        beqz t1, .next
        lw   t1, S_NS(t0)
        bne  t1, a0, .next
        lw   t1, S_PORT(t0)
        bne  t1, a2, .next
        beqz a1, .yes
        lw   t1, S_ADDR(t0)
        beqz t1, .yes
        beq  t1, a1, .yes
.next:  addi t0, t0, S_SIZE
        la   t1, sock_table + S_SIZE * NSOCK
        bltu t0, t1, .each
        li   a0, 0
        ret
.yes:   li   a0, 1
        ret

# port_ephemeral(a0 = namespace, a1 = address) -> a0 = a free port of the ephemeral range, the
# namespace's next one that port_busy does not refuse (Linux picks at random: ringlab goes in
# order, so runs repeat), or -EADDRINUSE when every one is taken, or -EADDRNOTAVAIL without a
# namespace. Clobbers a2, a3, t0-t3.
port_ephemeral:
        beqz a0, .nons
        push ra
        push s1
        push s2
        push s3
        mv   s1, a0
        mv   s2, a1
        li   s3, EPHEMERAL_LAST - EPHEMERAL_FIRST + 1  # s3 = ports left to try
.try:   lw   a2, NN_EPHEM(s1)
        addi t3, a2, 1              # the next one to try, wrapping
        li   t0, EPHEMERAL_LAST
        bleu t3, t0, .keep
        li   t3, EPHEMERAL_FIRST
.keep:  sw   t3, NN_EPHEM(s1)
        mv   a0, s1
        mv   a1, s2
        push a2
        call port_busy
        pop  a2
        beqz a0, .got
        addi s3, s3, -1
        bnez s3, .try
        li   a0, -EADDRINUSE
        j    .out
.got:   mv   a0, a2
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.nons:  li   a0, -EADDRNOTAVAIL
        ret

# route(a0 = namespace, a1 = destination address) -> a0 = the namespace that has the address (0:
# unreachable), a1 = the source address (the interface it goes out of), a2 = the counter the
# client's sends add to, a3 = the counter the server's replies add to. Clobbers t0-t2.
route:
        li   t0, INADDR_LOOPBACK
        beq  a1, t0, .lo
        la   t0, veth_table
        la   t1, veth_table + VE_SIZE * 2 * NVETH
.mine:  lw   t2, VE_NS(t0)          # an address of its own: through its loopback
        bne  t2, a0, .nextm
        lw   t2, VE_ADDR(t0)
        beq  t2, a1, .lo
.nextm: addi t0, t0, VE_SIZE
        bltu t0, t1, .mine
        la   t0, veth_table
.link:  lw   t2, VE_NS(t0)          # the other end of one of its links: through the pair
        bne  t2, a0, .nextl
        lw   t2, VE_OTHER(t0)
        lw   t2, VE_ADDR(t2)
        beq  t2, a1, .veth
.nextl: addi t0, t0, VE_SIZE
        bltu t0, t1, .link
        li   a0, 0
        ret
.lo:    addi a2, a0, NN_LOTX
        mv   a3, a2
        ret
.veth:  lw   a1, VE_ADDR(t0)
        addi a2, t0, VE_TX
        lw   t2, VE_OTHER(t0)
        addi a3, t2, VE_TX
        lw   a0, VE_NS(t2)
        ret

# ---- sockets: entries --------------------------------------------------------------------------

# sock_fd(a0 = fd; s0 = PCB) -> a0 = its socket, or -EBADF, -ENOTSOCK. Keeps a1-a3; clobbers t0, t1.
sock_fd:
        push ra
        call fd_file
        pop  ra
        blt  a0, zero, .out
        lw   t0, F_TYPE(a0)
        li   t1, FT_SOCKET
        bne  t0, t1, .notsock
        lw   a0, F_SOCK(a0)
.out:   ret
.notsock:
        li   a0, -ENOTSOCK
        ret

# sock_alloc() -> a0 = a free entry, cleared (still SS_FREE: the caller sets S_STATE when it
# keeps it), or 0 when the table is full. Clobbers t0, t1.
sock_alloc:
        la   a0, sock_table
        la   t1, sock_table + S_SIZE * NSOCK
.each:  lw   t0, S_STATE(a0)
        beqz t0, .found
        addi a0, a0, S_SIZE
        bltu a0, t1, .each
        li   a0, 0
        ret
.found: li   t0, 4
.zero:  add  t1, a0, t0
        sw   zero, 0(t1)
        addi t0, t0, 4
        li   t1, S_SIZE
        blt  t0, t1, .zero
        ret

# sock_free(a0 = socket): its buffer back to the pool, the entry free. Clobbers a0, t0, t1.
sock_free:
        sw   zero, S_STATE(a0)
        lw   t0, S_BUF(a0)
        beqz t0, .out
        sw   zero, S_BUF(a0)
        mv   a0, t0
        j    free_frame
.out:   ret

# sock_disconnect(a0 = socket): part from the peer, if any: the peer reads what it has and then
# the end of the stream, and may not send any more (EPIPE); so does this socket. Wakes both
# sides' sleepers. Clobbers a0-a3, t0-t3.
sock_disconnect:
        push ra
        push s1
        mv   s1, a0
        lw   t0, S_SHUT(s1)
        ori  t0, t0, SHUT_RDBIT | SHUT_WRBIT
        sw   t0, S_SHUT(s1)
        lw   t2, S_PEER(s1)
        beqz t2, .self
        sw   zero, S_PEER(s1)
        sw   zero, S_PEER(t2)
        lw   t0, S_SHUT(t2)
        ori  t0, t0, SHUT_RDBIT | SHUT_WRBIT
        sw   t0, S_SHUT(t2)
        addi a0, t2, S_NWRITE       # its receivers: the end of the stream
        call wakeup
.self:  addi a0, s1, S_NWRITE       # ours, and the peer's senders waiting for room here
        call wakeup
        addi a0, s1, S_NREAD
        call wakeup
        pop  s1
        pop  ra
        ret

# sock_unlisten(a0 = socket): if it listens, it stops: the connections queued on it and not yet
# accepted are closed (their clients read the end of the stream, as after a reset) and a
# process sleeping in accept on it wakes (and finds it is not listening: EINVAL). Clobbers
# a0-a3, t0-t3.
sock_unlisten:
        lw   t0, S_STATE(a0)
        li   t1, SS_LISTEN
        bne  t0, t1, .out
        push ra
        push s1
        push s2
        mv   s1, a0
        li   t0, SS_UNCONN
        sw   t0, S_STATE(s1)
        la   s2, sock_table
.each:  lw   t0, S_STATE(s2)
        beqz t0, .next
        lw   t0, S_LISTENER(s2)
        bne  t0, s1, .next
        mv   a0, s2
        call sock_disconnect
        mv   a0, s2
        call sock_free
.next:  addi s2, s2, S_SIZE
        la   t0, sock_table + S_SIZE * NSOCK
        bltu s2, t0, .each
        sw   zero, S_QLEN(s1)
        addi a0, s1, S_QLEN
        call wakeup
        pop  s2
        pop  s1
        pop  ra
.out:   ret

# sock_close(a0 = a socket's open file, at its last close): stop listening, part from the peer,
# free the entry. Clobbers a0-a3, t0-t3.
sock_close:
        push ra
        push s1
        lw   s1, F_SOCK(a0)
        mv   a0, s1
        call sock_unlisten
        mv   a0, s1
        call sock_disconnect
        mv   a0, s1
        call sock_free
        pop  s1
        pop  ra
        ret

# sock_stat(a0 = open file, a1 = user address) -> a0 = 0 or -EFAULT: type T_SOCK, size = the
# bytes waiting to be received, one link, inode 0.
sock_stat:
        push ra
        addi sp, sp, -ST_SIZEOF
        lw   t0, F_SOCK(a0)
        lw   t1, S_NWRITE(t0)
        lw   t0, S_NREAD(t0)
        sub  t0, t1, t0
        sw   t0, ST_SIZE(sp)
        li   t0, T_SOCK
        sw   t0, ST_TYPE(sp)
        li   t0, 1
        sw   t0, ST_NLINK(sp)
        sw   zero, ST_INUM(sp)
        mv   a0, sp
        li   a2, ST_SIZEOF
        call stat_copy
        addi sp, sp, ST_SIZEOF
        pop  ra
        ret

# ---- the calls ---------------------------------------------------------------------------------

# socket(domain, type, protocol): Linux's checks in Linux's order (the domain, the type's range,
# the type, the protocol), then an entry, an open file and a descriptor.
sys_socket:
        li   t0, AF_INET
        bne  a0, t0, .afnosupport
        sltiu t0, a1, SOCK_TYPE_MAX + 1
        beqz t0, .inval
        li   t0, SOCK_STREAM
        bne  a1, t0, .socktnosupport
        beqz a2, .ok
        li   t0, IPPROTO_TCP
        bne  a2, t0, .protonosupport
.ok:    push ra
        push s1
        push s2
        call sock_alloc
        mv   s1, a0                 # s1 = the entry
        li   a0, -ENFILE
        beqz s1, .out
        call filealloc
        mv   s2, a0                 # s2 = the open file
        li   a0, -ENFILE
        beqz s2, .out
        mv   a0, s2
        call fd_alloc
        blt  a0, zero, .nofd
        li   t0, FT_SOCKET
        sw   t0, F_TYPE(s2)
        li   t0, O_RDWR
        sw   t0, F_FLAGS(s2)
        sw   s1, F_SOCK(s2)
        li   t0, SS_UNCONN
        sw   t0, S_STATE(s1)
        lw   t0, P_NETNS(s0)
        sw   t0, S_NS(s1)
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.nofd:  sw   zero, F_REF(s2)        # nobody saw the file: free it as it is
        j    .out
.afnosupport:
        li   a0, -EAFNOSUPPORT
        ret
.inval: li   a0, -EINVAL
        ret
.socktnosupport:
        li   a0, -ESOCKTNOSUPPORT
        ret
.protonosupport:
        li   a0, -EPROTONOSUPPORT
        ret

# bind(fd, addr, port): the port's range, the address (one of the namespace's, or INADDR_ANY),
# then whether the socket is bound already, then the port (EADDRINUSE; 0 picks one).
sys_bind:
        push ra
        push s1
        push s2
        push s3
        mv   s2, a1                 # s2 = addr
        mv   s3, a2                 # s3 = port
        call sock_fd
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = the socket
        li   t0, PORT_MAX
        bgtu s3, t0, .inval
        lw   a0, S_NS(s1)
        beqz a0, .notavail
        beqz s2, .state
        mv   a1, s2
        call addr_local
        beqz a0, .notavail
.state: lw   t0, S_STATE(s1)
        li   t1, SS_UNCONN
        bne  t0, t1, .inval
        lw   t0, S_PORT(s1)
        bnez t0, .inval
        lw   a0, S_NS(s1)
        mv   a1, s2
        beqz s3, .ephem
        mv   a2, s3
        call port_busy
        bnez a0, .inuse
        mv   a0, s3
        j    .bind
.ephem: call port_ephemeral
        blt  a0, zero, .out
.bind:  sw   s2, S_ADDR(s1)
        sw   a0, S_PORT(s1)
        li   a0, 0
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out
.notavail:
        li   a0, -EADDRNOTAVAIL
        j    .out
.inuse: li   a0, -EADDRINUSE
        j    .out

# listen(fd, backlog): a bound or new socket starts listening (a new one gets an ephemeral
# port, as Linux's autobind); a listener gets the new backlog.
sys_listen:
        push ra
        push s1
        push s2
        mv   s2, a1                 # s2 = backlog
        call sock_fd
        blt  a0, zero, .out
        mv   s1, a0
        lw   t0, S_STATE(s1)
        li   t1, SS_CONN
        beq  t0, t1, .inval
        lw   t0, S_PORT(s1)
        bnez t0, .bound
        lw   a0, S_NS(s1)
        li   a1, 0
        call port_ephemeral
        blt  a0, zero, .out
        sw   a0, S_PORT(s1)
.bound: li   t0, SOMAXCONN          # negative or too large: SOMAXCONN (an unsigned compare)
        bleu s2, t0, .set
        mv   s2, t0
.set:   sw   s2, S_BACKLOG(s1)
        li   t0, SS_LISTEN
        sw   t0, S_STATE(s1)
        li   a0, 0
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out

# connect(fd, addr, port): route to the namespace that has the address, find its listener, and
# make the connection at once: the server's end is a new entry queued on the listener.
#   s1 = the socket, s2 = the destination address, s3 = the port, fp = the server's end
#   0(sp) = the namespace reached, 4(sp) = the source address, 8(sp) = the client's counter,
#   12(sp) = the server's counter, 16(sp) = the listener
sys_connect:
        push ra
        push s1
        push s2
        push s3
        push fp
        addi sp, sp, -20
        mv   s2, a1
        mv   s3, a2
        call sock_fd
        blt  a0, zero, .out
        mv   s1, a0
        lw   t0, S_STATE(s1)
        li   t1, SS_UNCONN
        bne  t0, t1, .isconn
        li   t0, PORT_MAX
        bgtu s3, t0, .inval
        bnez s2, .route             # INADDR_ANY: this host, as Linux
        li   s2, INADDR_LOOPBACK
.route: lw   a0, S_NS(s1)
        beqz a0, .unreach
        mv   a1, s2
        call route
        beqz a0, .unreach
        sw   a0, 0(sp)
        sw   a1, 4(sp)
        sw   a2, 8(sp)
        sw   a3, 12(sp)
        la   t0, sock_table         # the listener: that port, on that address or on any
        la   t1, sock_table + S_SIZE * NSOCK
.find:  lw   t2, S_STATE(t0)
        li   t3, SS_LISTEN
        bne  t2, t3, .nextl
        lw   t2, S_NS(t0)
        bne  t2, a0, .nextl
        lw   t2, S_PORT(t0)
        bne  t2, s3, .nextl
        lw   t2, S_ADDR(t0)
        beqz t2, .found
        beq  t2, s2, .found
.nextl: addi t0, t0, S_SIZE
        bltu t0, t1, .find
        j    .refused
.found: sw   t0, 16(sp)
        lw   t1, S_QLEN(t0)         # a full queue refuses (Linux would retry the handshake)
        lw   t2, S_BACKLOG(t0)
        bgtu t1, t2, .refused
        lw   t0, S_PORT(s1)         # not bound: an ephemeral port, on the source address
        bnez t0, .bound
        lw   a0, S_NS(s1)
        lw   a1, 4(sp)
        call port_ephemeral
        blt  a0, zero, .out
        sw   a0, S_PORT(s1)
        lw   t0, 4(sp)
        sw   t0, S_ADDR(s1)
.bound: lw   t0, S_ADDR(s1)         # bound to INADDR_ANY: now the source address
        bnez t0, .alloc
        lw   t0, 4(sp)
        sw   t0, S_ADDR(s1)
.alloc: call sock_alloc
        mv   fp, a0
        beqz fp, .nobufs
        call alloc_frame            # the server end's buffer
        beqz a0, .nobufs
        sw   a0, S_BUF(fp)
        li   t0, SS_CONN            # held from here: sock_free undoes it
        sw   t0, S_STATE(fp)
        call alloc_frame            # the client's
        beqz a0, .nobufs2
        sw   a0, S_BUF(s1)
        lw   t0, 0(sp)              # the server's end
        sw   t0, S_NS(fp)
        sw   s2, S_ADDR(fp)
        sw   s3, S_PORT(fp)
        sw   s1, S_PEER(fp)
        lw   t0, S_ADDR(s1)
        sw   t0, S_PADDR(fp)
        lw   t0, S_PORT(s1)
        sw   t0, S_PPORT(fp)
        lw   t0, 12(sp)
        sw   t0, S_TXC(fp)
        lw   t0, 16(sp)
        sw   t0, S_LISTENER(fp)
        la   t1, sock_seq
        lw   t2, 0(t1)
        addi t2, t2, 1
        sw   t2, 0(t1)
        sw   t2, S_SEQ(fp)
        li   t1, SS_CONN            # the client
        sw   t1, S_STATE(s1)
        sw   fp, S_PEER(s1)
        sw   s2, S_PADDR(s1)
        sw   s3, S_PPORT(s1)
        lw   t1, 8(sp)
        sw   t1, S_TXC(s1)
        lw   t1, S_QLEN(t0)         # queued: wake accept
        addi t1, t1, 1
        sw   t1, S_QLEN(t0)
        addi a0, t0, S_QLEN
        call wakeup
        li   a0, 0
.out:   addi sp, sp, 20
        pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.nobufs2:
        mv   a0, fp
        call sock_free
.nobufs:
        li   a0, -ENOBUFS
        j    .out
.isconn:
        li   a0, -EISCONN
        j    .out
.inval: li   a0, -EINVAL
        j    .out
.unreach:
        li   a0, -ENETUNREACH
        j    .out
.refused:
        li   a0, -ECONNREFUSED
        j    .out

# accept(fd, addr): sleep until a connection is queued, then give the oldest a file and a
# descriptor, and write its peer's socket address. A failure leaves it queued.
sys_accept:
        push ra
        push s1
        push s2
        push s3
        push fp
        mv   s3, a1                 # s3 = addr
        call sock_fd
        blt  a0, zero, .out
        mv   s1, a0                 # s1 = the listener
.wait:  lw   t0, S_STATE(s1)
        li   t1, SS_LISTEN
        bne  t0, t1, .inval
        lw   t0, S_QLEN(s1)
        bnez t0, .take
        lw   t0, P_SIGPEND(s0)
        bnez t0, .intr
        addi a0, s1, S_QLEN
        call sleep
        j    .wait
.take:  li   s2, 0                  # s2 = the oldest queued on it
        la   t0, sock_table
        la   t1, sock_table + S_SIZE * NSOCK
.each:  lw   t2, S_STATE(t0)
        beqz t2, .next
        lw   t2, S_LISTENER(t0)
        bne  t2, s1, .next
        beqz s2, .older
        lw   t2, S_SEQ(t0)
        lw   t3, S_SEQ(s2)
        bgeu t2, t3, .next
.older: mv   s2, t0
.next:  addi t0, t0, S_SIZE
        bltu t0, t1, .each
        call filealloc
        mv   fp, a0                 # fp = its open file
        li   a0, -ENFILE
        beqz fp, .out
        li   t0, FT_SOCKET
        sw   t0, F_TYPE(fp)
        li   t0, O_RDWR
        sw   t0, F_FLAGS(fp)
        sw   s2, F_SOCK(fp)
        mv   a0, fp
        call fd_alloc
        blt  a0, zero, .nofd
        beqz s3, .done
        push a0
        addi a0, s2, S_PADDR        # S_PADDR, S_PPORT: a SOCKADDR
        mv   a1, s3
        li   a2, SA_SIZEOF
        li   a3, 1
        call copy_user
        li   t0, SA_SIZEOF
        pop  t1
        bne  a0, t0, .fault
        mv   a0, t1
.done:  sw   zero, S_LISTENER(s2)   # accepted: off the queue
        lw   t0, S_QLEN(s1)
        addi t0, t0, -1
        sw   t0, S_QLEN(s1)
.out:   pop  fp
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.fault: slli t1, t1, 2              # undo the descriptor and the file
        add  t1, t1, s0
        sw   zero, P_OFILE(t1)
        li   a0, -EFAULT
.nofd:  sw   zero, F_REF(fp)
        sw   zero, F_TYPE(fp)
        j    .out
.inval: li   a0, -EINVAL
        j    .out
.intr:  li   a0, -EINTR
        j    .out

# send(fd, buf, len, flags) and recv(fd, buf, len, flags): flags must be 0; then as write and
# read on the socket (file.s sends those here too).
sys_send:
        push ra
        call sock_fd
        blt  a0, zero, .out
        bnez a3, .inval
        blt  a2, zero, .inval
        add  t0, a1, a2
        bltu t0, a1, .fault         # buf + len wraps past 2^32: a bad buffer
        call sock_send
.out:   pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out
.fault: li   a0, -EFAULT
        j    .out

sys_recv:
        push ra
        call sock_fd
        blt  a0, zero, .out
        bnez a3, .inval
        blt  a2, zero, .inval
        call sock_recv
.out:   pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out

# sock_send(a0 = socket, a1 = user buffer, a2 = length >= 0; s0 = PCB) -> a0 = bytes sent: all
# of them, into the peer's receive buffer, sleeping while it is full; what was sent before a
# signal (-EINTR if nothing), a bad user page (-EFAULT if nothing) or the peer's going away or a
# shutdown (-EPIPE and SIGPIPE if nothing). -ENOTCONN when it is not connected.
sock_send:
        lw   t0, S_STATE(a0)
        li   t1, SS_CONN
        bne  t0, t1, .notconn
        push ra
        push s1
        push s2
        push s3
        push a1                     # 0(sp) = the buffer, for the count
        mv   s1, a0                 # s1 = the socket
        mv   s2, a1                 # s2 = next user address
        mv   s3, a2                 # s3 = bytes still to send
.next:  lw   t0, S_SHUT(s1)
        andi t0, t0, SHUT_WRBIT
        bnez t0, .broken
        beqz s3, .done
        lw   t3, S_PEER(s1)         # t3 = the peer (there while SHUT_WRBIT is clear)
        lw   t0, S_NREAD(t3)
        lw   t1, S_NWRITE(t3)
        sub  a2, t1, t0
        li   t2, SOCK_BUF
        sub  a2, t2, a2             # a2 = room
        bnez a2, .room
        addi a0, t3, S_NWRITE       # full: let the receiver at it, and wait for room
        call wakeup
        lw   t0, P_SIGPEND(s0)
        bnez t0, .intr
        lw   a0, S_PEER(s1)
        addi a0, a0, S_NREAD
        call sleep
        j    .next
.room:  bgeu s3, a2, .want          # a2 = min(room, to send, to the end of the ring)
        mv   a2, s3
.want:  andi t1, t1, SOCK_BUF - 1
        sub  t2, t2, t1
        bgeu t2, a2, .piece
        mv   a2, t2
.piece: lw   a0, S_BUF(t3)
        add  a0, a0, t1
        mv   a1, s2
        li   a3, 0                  # user to kernel
        push a2
        call copy_user
        pop  t2
        lw   t3, S_PEER(s1)
        lw   t0, S_NWRITE(t3)
        add  t0, t0, a0
        sw   t0, S_NWRITE(t3)
        lw   t0, S_TXC(s1)          # the interface's byte counter
        lw   t1, 0(t0)
        add  t1, t1, a0
        sw   t1, 0(t0)
        add  s2, s2, a0
        sub  s3, s3, a0
        push t2
        push a0
        addi a0, t3, S_NWRITE       # bytes for the receiver
        call wakeup
        pop  a0
        pop  t2
        beq  a0, t2, .next
        li   s3, -EFAULT            # a bad user page: stop here
        j    .end
.broken:
        li   s3, -EPIPE
        j    .end
.intr:  li   s3, -EINTR
        j    .end
.done:  li   s3, 0
.end:   lw   t0, 0(sp)
        sub  a0, s2, t0             # bytes sent, or the error if none were
        bnez a0, .out
        mv   a0, s3
        li   t0, -EPIPE             # nothing sent to a closed peer: SIGPIPE, as a pipe
        bne  a0, t0, .out
        mv   a0, s0
        li   a1, SIGPIPE
        call send_signal
        li   a0, -EPIPE
.out:   addi sp, sp, 4
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.notconn:
        li   a0, -ENOTCONN
        ret

# sock_recv(a0 = socket, a1 = user buffer, a2 = length >= 0; s0 = PCB) -> a0 = bytes received:
# what its buffer holds, at most the length; sleeps while it is empty; 0 when it is empty and
# nothing more will come (the peer closed or shut down sending, or this socket SHUT_RD); -EINTR,
# -EFAULT (the bytes stay) or -ENOTCONN as pipe_read.
sock_recv:
        lw   t0, S_STATE(a0)
        li   t1, SS_CONN
        bne  t0, t1, .notconn
        push ra
        push s1
        push s2
        push s3
        push a1                     # 0(sp) = the buffer, for the count
        mv   s1, a0
        mv   s2, a1
        mv   s3, a2
        beqz s3, .zero
.wait:  lw   t0, S_NREAD(s1)
        lw   t1, S_NWRITE(s1)
        bne  t0, t1, .copy
        lw   t0, S_SHUT(s1)         # empty, and nothing more will come: the end
        andi t0, t0, SHUT_RDBIT
        bnez t0, .zero
        lw   t0, P_SIGPEND(s0)
        bnez t0, .intr
        addi a0, s1, S_NWRITE
        call sleep
        j    .wait
.copy:  lw   t0, S_NREAD(s1)        # at most two pieces, as pipe_read
        lw   t1, S_NWRITE(s1)
        sub  a2, t1, t0
        beqz a2, .moved
        beqz s3, .moved
        bgeu s3, a2, .held
        mv   a2, s3
.held:  andi t0, t0, SOCK_BUF - 1
        li   t1, SOCK_BUF
        sub  t1, t1, t0
        bgeu t1, a2, .piece
        mv   a2, t1
.piece: lw   a0, S_BUF(s1)
        add  a0, a0, t0
        mv   a1, s2
        li   a3, 1                  # kernel to user
        push a2
        call copy_user
        pop  t2
        lw   t0, S_NREAD(s1)
        add  t0, t0, a0
        sw   t0, S_NREAD(s1)
        add  s2, s2, a0
        sub  s3, s3, a0
        beq  a0, t2, .copy
.moved: addi a0, s1, S_NREAD        # room for a waiting sender
        call wakeup
        lw   t0, 0(sp)
        sub  a0, s2, t0
        bnez a0, .out
        li   a0, -EFAULT
        j    .out
.zero:  li   a0, 0
.out:   addi sp, sp, 4
        pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.intr:  li   a0, -EINTR
        j    .out
.notconn:
        li   a0, -ENOTCONN
        ret

# shutdown(fd, how): SHUT_RD: recv returns 0 once the buffer is empty; SHUT_WR: send gives
# EPIPE and the peer reads the end of the stream after what it has; SHUT_RDWR: both.
sys_shutdown:
        push ra
        push s1
        mv   s1, a1
        call sock_fd
        blt  a0, zero, .out
        li   t0, SHUT_RDWR
        bgtu s1, t0, .inval
        lw   t0, S_STATE(a0)
        li   t1, SS_CONN
        bne  t0, t1, .notconn
        addi s1, s1, 1              # SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 -> the bits 1, 2, 3
        lw   t0, S_SHUT(a0)
        or   t0, t0, s1
        sw   t0, S_SHUT(a0)
        andi t1, s1, SHUT_WRBIT
        lw   t2, S_PEER(a0)
        push a0
        beqz t1, .wake
        beqz t2, .wake
        lw   t0, S_SHUT(t2)         # the peer hears no more from us
        ori  t0, t0, SHUT_RDBIT
        sw   t0, S_SHUT(t2)
        addi a0, t2, S_NWRITE
        call wakeup
        lw   a0, 0(sp)
        lw   a0, S_PEER(a0)
        addi a0, a0, S_NREAD        # our own senders waiting for room: EPIPE now
        call wakeup
.wake:  pop  a0
        addi a0, a0, S_NWRITE       # our receivers: perhaps the end now
        call wakeup
        li   a0, 0
.out:   pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out
.notconn:
        li   a0, -ENOTCONN
        j    .out

# getsockname(fd, addr): the socket's own address and port (S_ADDR, S_PORT: a SOCKADDR).
sys_getsockname:
        push ra
        push a1
        call sock_fd
        pop  a1
        blt  a0, zero, .out
        addi a0, a0, S_ADDR
        li   a2, SA_SIZEOF
        call stat_copy              # file.s: copy out, 0 or -EFAULT
.out:   pop  ra
        ret

# veth(pid, addr, peer) -> the pair's number: a link between the caller's namespace (its end
# has addr) and the namespace of process pid (its end has peer).
sys_veth:
        push ra
        push s1
        push s2
        push s3
        mv   s2, a1
        mv   s3, a2
        li   s1, 0                  # s1 = the process
        bge  zero, a0, .found       # no pid is 0 or negative
        la   t0, proc_table
        la   t1, proc_table + P_SIZE * NPROC
.each:  lw   t2, P_STATE(t0)
        beqz t2, .next
        li   t3, PS_DONE
        beq  t2, t3, .next
        push a0
        mv   a0, t0                 # (pid_in keeps t0-t3)
        lw   a1, P_PIDNS(s0)
        call pid_in
        pop  a1
        beq  a0, a1, .hit
        mv   a0, a1
.next:  addi t0, t0, P_SIZE
        bltu t0, t1, .each
        j    .found
.hit:   mv   s1, t0
.found: li   a0, -ESRCH
        beqz s1, .out
        lw   s1, P_NETNS(s1)        # s1 = its namespace
        lw   t0, P_NETNS(s0)
        beq  s1, t0, .inval
        beqz s2, .inval
        beqz s3, .inval
        beq  s2, s3, .inval
        srli t0, s2, 24
        li   t1, 127
        beq  t0, t1, .inval
        srli t0, s3, 24
        beq  t0, t1, .inval
        lw   a0, P_NETNS(s0)
        mv   a1, s2
        call addr_local
        bnez a0, .exist
        mv   a0, s1
        mv   a1, s3
        call addr_local
        bnez a0, .exist
        la   t0, veth_table
        la   t1, veth_table + VE_SIZE * 2 * NVETH
.pair:  lw   t2, VE_NS(t0)
        beqz t2, .free
        addi t0, t0, 2 * VE_SIZE
        bltu t0, t1, .pair
        li   a0, -ENOSPC
        j    .out
.free:  lw   t2, P_NETNS(s0)        # end 0: ours; end 1: theirs
        sw   t2, VE_NS(t0)
        sw   s2, VE_ADDR(t0)
        sw   zero, VE_TX(t0)
        addi t2, t0, VE_SIZE
        sw   t2, VE_OTHER(t0)
        sw   s1, VE_NS(t2)
        sw   s3, VE_ADDR(t2)
        sw   zero, VE_TX(t2)
        sw   t0, VE_OTHER(t2)
        la   t1, veth_table         # its number
        sub  a0, t0, t1
        srli a0, a0, 5              # 2 * VE_SIZE = 32 bytes a pair
.out:   pop  s3
        pop  s2
        pop  s1
        pop  ra
        ret
.inval: li   a0, -EINVAL
        j    .out
.exist: li   a0, -EEXIST
        j    .out

# netifs(buf, len): the caller's namespace's interfaces, as NETIF entries built in netif_buf:
# the loopback, then each veth end in it; as many whole entries as fit in len.
netifs_entry:                       # t0 = entry, a0..a3 = INDEX, ADDR, PEER, TX; t1 = RX
        sw   a0, IF_INDEX(t0)
        sw   a1, IF_ADDR(t0)
        sw   a2, IF_PEER(t0)
        sw   a3, IF_TX(t0)
        sw   t1, IF_RX(t0)
        addi t0, t0, IF_SIZEOF
        ret
sys_netifs:
        push ra
        push s1
        push s2
        mv   s1, a0                 # s1 = buf
        mv   s2, a1                 # s2 = len
        lw   t3, P_NETNS(s0)
        la   t0, netif_buf
        li   a0, 1
        li   a1, INADDR_LOOPBACK
        li   a2, 0
        lw   a3, NN_LOTX(t3)
        mv   t1, a3
        call netifs_entry
        la   t2, veth_table
.each:  lw   a0, VE_NS(t2)
        bne  a0, t3, .next
        la   a0, veth_table
        sub  a0, t2, a0
        srli a0, a0, 5
        addi a0, a0, 2              # the index: 2 + the pair's number
        lw   a1, VE_ADDR(t2)
        lw   t1, VE_OTHER(t2)
        lw   a2, VE_ADDR(t1)
        lw   a3, VE_TX(t2)
        lw   t1, VE_TX(t1)
        call netifs_entry
.next:  addi t2, t2, VE_SIZE
        la   a0, veth_table + VE_SIZE * 2 * NVETH
        bltu t2, a0, .each
        la   a0, netif_buf
        sub  a2, t0, a0             # a2 = bytes built
        li   t1, IF_SIZEOF          # whole entries that fit in len (unsigned: negative is large)
        divu t0, s2, t1
        mul  t0, t0, t1
        bleu a2, t0, .copy
        mv   a2, t0
.copy:  mv   a1, s1
        li   a3, 1
        push a2
        call copy_user
        pop  t0
        bne  a0, t0, .fault
.out:   pop  s2
        pop  s1
        pop  ra
        ret
.fault: li   a0, -EFAULT
        j    .out
