// The network (programs/kernel/net.s; docs/containers.md, "Network namespaces and sockets"): sockets with
// every error of their table, stream semantics (partial reads, blocking, the end of the stream,
// EPIPE and SIGPIPE, shutdown, read/write/fstat/lseek on a socket), network namespaces and veth
// pairs (the experiment: two containers bind port 80, the root namespace reaches each by its
// address; no forwarding between containers; a namespace's last process takes its sockets and
// links with it), and the table of namespaces running out. Each program prints what it saw;
// every config must print what native prints, and sockets, namespaces and frames are back where
// they started once everything has exited.

import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { kernelImage } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { findConfig, type BootResult } from '../../src/configs/index.js';
import { boot, CONFIG_NAMES, framesInUse, program } from './guests/guest.js';

const rows = (...values: (number | string)[]) => values.map((v) => `${v}\n`).join('');
const LO = 0x7f00_0001;

/** sock: a0 = socket(AF_INET, SOCK_STREAM, 0); sa: print the SOCKADDR at `sabuf` as "addr:port";
 *  ifs: print the caller's interfaces (netifs) one per line. */
const COMMON = `
sock:   push ra
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        pop  ra
        ret
sa:     push ra
        la   t0, sabuf
        lw   a0, SA_ADDR(t0)
        call dotted
        li   a0, ':'
        call putch
        la   t0, sabuf
        lw   a0, SA_PORT(t0)
        call result
        pop  ra
        ret
ifs:    push ra
        push s1
        push s2
        li   a0, HEAP_BASE + 0x1000
        li   a1, 4096
        call netifs
        li   s1, HEAP_BASE + 0x1000
        add  s2, s1, a0
.each:  bgeu s1, s2, .done
        lw   a0, IF_INDEX(s1)
        call print_dec
        li   a0, ' '
        call putch
        lw   a0, IF_ADDR(s1)
        call dotted
        li   a0, ' '
        call putch
        lw   a0, IF_PEER(s1)
        call dotted
        li   a0, ' '
        call putch
        lw   a0, IF_TX(s1)
        call print_dec
        li   a0, ' '
        call putch
        lw   a0, IF_RX(s1)
        call result
        addi s1, s1, IF_SIZEOF
        j    .each
.done:  pop  s2
        pop  s1
        pop  ra
        ret
dotted: push ra                     # an IPv4 address, a.b.c.d
        push s1
        push s2
        mv   s1, a0
        li   s2, 24
.byte:  srl  a0, s1, s2
        andi a0, a0, 0xff
        call print_dec
        beqz s2, .done
        li   a0, '.'
        call putch
        addi s2, s2, -8
        j    .byte
.done:  pop  s2
        pop  s1
        pop  ra
        ret
        .align 4
sabuf:  .word 0, 0
st:     .space ST_SIZEOF
buf:    .space 64
`;

// Every error row of the socket calls' table (veth's and unshare's are in NETNS and NETFULL).
const ERRORS = program('neterr', `
_start: li   a0, 1
        li   a1, SOCK_STREAM
        li   a2, 0
        call socket
        call result                 # -EAFNOSUPPORT
        li   a0, AF_INET
        li   a1, 11
        li   a2, 0
        call socket
        call result                 # -EINVAL: past SOCK_MAX
        li   a0, AF_INET
        li   a1, -1
        li   a2, 0
        call socket
        call result                 # -EINVAL
        li   a0, AF_INET
        li   a1, 2
        li   a2, 0
        call socket
        call result                 # -ESOCKTNOSUPPORT: SOCK_DGRAM
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, 17
        call socket
        call result                 # -EPROTONOSUPPORT
        li   a0, AF_INET
        li   a1, SOCK_STREAM
        li   a2, IPPROTO_TCP
        call socket
        mv   s1, a0
        call result                 # 3: s1, the listener to be
        li   a0, 99
        li   a1, 0
        li   a2, 80
        call bind
        call result                 # -EBADF
        li   a0, 1
        li   a1, 0
        li   a2, 80
        call bind
        call result                 # -ENOTSOCK: the console
        mv   a0, s1
        li   a1, 0
        li   a2, 65536
        call bind
        call result                 # -EINVAL: the port
        mv   a0, s1
        li   a1, 0x0a000001
        li   a2, 80
        call bind
        call result                 # -EADDRNOTAVAIL: 10.0.0.1 is nobody's here
        mv   a0, s1
        li   a1, 0
        li   a2, 80
        call bind
        call result                 # 0
        mv   a0, s1
        li   a1, 0
        li   a2, 81
        call bind
        call result                 # -EINVAL: bound already
        call sock
        mv   s2, a0                 # s2
        li   a1, ${LO}
        li   a2, 80
        call bind
        call result                 # -EADDRINUSE: 127.0.0.1 is within INADDR_ANY
        mv   a0, s2
        li   a1, ${LO}
        li   a2, 0
        call bind
        call result                 # 0: an ephemeral port
        mv   a0, s2
        la   a1, sabuf
        call getsockname
        call result                 # 0
        call sa                     # 127.0.0.1:32768
        mv   a0, s2
        li   a1, 0x10
        call getsockname
        call result                 # -EFAULT
        li   a0, 99
        la   a1, sabuf
        call getsockname
        call result                 # -EBADF
        li   a0, 2
        la   a1, sabuf
        call getsockname
        call result                 # -ENOTSOCK
        li   a0, 99
        li   a1, 1
        call listen
        call result                 # -EBADF
        li   a0, 0
        li   a1, 1
        call listen
        call result                 # -ENOTSOCK
        mv   a0, s1
        li   a1, 0
        call accept
        call result                 # -EINVAL: not listening
        li   a0, 99
        li   a1, 0
        call accept
        call result                 # -EBADF
        li   a0, 0
        li   a1, 0
        call accept
        call result                 # -ENOTSOCK
        mv   a0, s1
        la   a1, buf
        li   a2, 4
        li   a3, 0
        call send
        call result                 # -ENOTCONN
        mv   a0, s1
        la   a1, buf
        li   a2, 4
        li   a3, 0
        call recv
        call result                 # -ENOTCONN
        mv   a0, s1
        la   a1, buf
        li   a2, 4
        call write
        call result                 # -ENOTCONN
        mv   a0, s1
        la   a1, buf
        li   a2, 4
        call read
        call result                 # -ENOTCONN
        li   a0, 1
        la   a1, buf
        li   a2, 4
        li   a3, 0
        call send
        call result                 # -ENOTSOCK
        li   a0, 99
        la   a1, buf
        li   a2, 4
        li   a3, 0
        call recv
        call result                 # -EBADF
        mv   a0, s1
        li   a1, SHUT_WR
        call shutdown
        call result                 # -ENOTCONN
        mv   a0, s1
        li   a1, 3
        call shutdown
        call result                 # -EINVAL
        li   a0, 99
        li   a1, SHUT_WR
        call shutdown
        call result                 # -EBADF
        li   a0, 1
        li   a1, SHUT_WR
        call shutdown
        call result                 # -ENOTSOCK
        mv   a0, s1
        li   a1, 0
        call listen
        call result                 # 0: backlog 0 queues one connection
        mv   a0, s1
        li   a1, ${LO}
        li   a2, 80
        call connect
        call result                 # -EISCONN: listening
        call sock
        mv   s3, a0                 # s3: the client
        li   a1, ${LO}
        li   a2, 81
        call connect
        call result                 # -ECONNREFUSED: nobody on 81
        mv   a0, s3
        li   a1, 0x0a090909
        li   a2, 80
        call connect
        call result                 # -ENETUNREACH
        mv   a0, s3
        li   a1, ${LO}
        li   a2, 70000
        call connect
        call result                 # -EINVAL
        li   a0, 99
        li   a1, ${LO}
        li   a2, 80
        call connect
        call result                 # -EBADF
        li   a0, 1
        li   a1, ${LO}
        li   a2, 80
        call connect
        call result                 # -ENOTSOCK
        mv   a0, s3
        li   a1, 0
        li   a2, 80
        call connect
        call result                 # 0: INADDR_ANY is this host
        mv   a0, s3
        la   a1, sabuf
        call getsockname
        call sa                     # 127.0.0.1:32769
        mv   a0, s3
        li   a1, ${LO}
        li   a2, 80
        call connect
        call result                 # -EISCONN
        mv   a0, s3
        li   a1, 1
        call listen
        call result                 # -EINVAL: connected
        mv   a0, s3
        li   a1, 0
        li   a2, 90
        call bind
        call result                 # -EINVAL: bound (by connect)
        call sock
        mv   fp, a0
        li   a1, ${LO}
        li   a2, 80
        call connect
        call result                 # -ECONNREFUSED: the queue is full (backlog 0: one)
        mv   a0, fp
        call close
        mv   a0, s1
        li   a1, 0x10
        call accept
        call result                 # -EFAULT: the connection stays queued
        mv   a0, s1
        la   a1, sabuf
        call accept
        mv   fp, a0
        call result                 # 6: the server's end (5 is s3, the refused socket's 6 is free again)
        call sa                     # 127.0.0.1:32769: the client
        mv   a0, fp
        la   a1, sabuf
        call getsockname
        call sa                     # 127.0.0.1:80
        mv   a0, s3
        la   a1, m_abcd
        li   a2, 4
        li   a3, 0
        call send
        call result                 # 4
        mv   a0, s3
        li   a1, 0x10
        li   a2, 4
        li   a3, 0
        call send
        call result                 # -EFAULT
        mv   a0, s3
        la   a1, m_abcd
        li   a2, 4
        li   a3, 1
        call send
        call result                 # -EINVAL: flags
        mv   a0, s3
        la   a1, m_abcd
        li   a2, -1
        li   a3, 0
        call send
        call result                 # -EINVAL: the length
        mv   a0, fp
        li   a1, 0x10
        li   a2, 4
        li   a3, 0
        call recv
        call result                 # -EFAULT: the bytes stay
        mv   a0, fp
        la   a1, buf
        li   a2, 4
        li   a3, 2
        call recv
        call result                 # -EINVAL: flags
        mv   a0, fp
        la   a1, buf
        li   a2, -4
        li   a3, 0
        call recv
        call result                 # -EINVAL: the length
        mv   a0, fp
        la   a1, buf
        li   a2, 0
        li   a3, 0
        call recv
        call result                 # 0: nothing asked
        mv   a0, fp
        la   a1, buf
        li   a2, 64
        li   a3, 0
        call recv
        call result                 # 4
        la   a0, buf
        li   a1, 4
        call putbuf                 # abcd
        call newline
        li   a0, 0x10
        li   a1, 100
        call netifs
        call result                 # -EFAULT
        li   a0, HEAP_BASE
        li   a1, IF_SIZEOF - 1
        call netifs
        call result                 # 0: no whole entry fits
        call ifs                    # lo: the 4 bytes sent so far
        li   a0, 0
        call exit
m_abcd: .ascii "abcd"
        .align 4
${COMMON}`);

// Streams: partial reads, a send larger than the buffer (the sender sleeps until the receiver
// makes room), the end of the stream, accept and recv that sleep, EPIPE with and without
// SIGPIPE, shutdown each way, read/write/fstat/lseek, a listener closed with a queued connection.
const STREAM = program('stream', `
_start: call sock
        mv   s1, a0                 # s1: the listener on 127.0.0.1:7
        li   a1, ${LO}
        li   a2, 7
        call bind
        mv   a0, s1
        li   a1, 4
        call listen
        call result                 # 0
        call fork                   # a child connects once the parent sleeps in accept
        beqz a0, .late
        mv   a0, s1
        li   a1, 0
        call accept
        mv   s2, a0                 # s2: the server's end
        call result                 # 4
        mv   a0, s2                 # recv sleeps until the child's bytes come
        la   a1, buf
        li   a2, 3
        call read
        call result                 # 3: a partial read
        la   a0, buf
        li   a1, 3
        call putbuf
        call newline                # 012
        mv   a0, s2
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 7
        la   a0, buf
        li   a1, 7
        call putbuf
        call newline                # 3456789
        li   s3, 0                  # then 6000 bytes, more than the buffer holds
.more:  mv   a0, s2
        la   a1, buf
        li   a2, 64
        call read
        blt  a0, zero, .err
        beqz a0, .eof
        add  s3, s3, a0
        j    .more
.eof:   mv   a0, s3
        call result                 # 6000, then the end of the stream
        mv   a0, s2
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 0 again
        call wst                    # 0
        mv   a0, s2
        la   a1, st
        call fstat
        la   t0, st
        lw   a0, ST_TYPE(t0)
        call result                 # T_SOCK
        mv   a0, s2
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        call result                 # -ESPIPE
        li   a0, SIGPIPE
        li   a1, SIG_IGN
        call signal                 # SIGPIPE ignored from here ...
        mv   a0, s2
        la   a1, m_x
        li   a2, 1
        li   a3, 0
        call send
        call result                 # ... so only -EPIPE: the peer is gone
        mv   a0, s2
        call close
        call sock                   # shutdown: a new connection
        mv   s3, a0
        li   a1, ${LO}
        li   a2, 7
        call connect
        call result                 # 0
        mv   a0, s1
        li   a1, 0
        call accept
        mv   s2, a0
        mv   a0, s3
        la   a1, m_x
        li   a2, 5
        call write
        call result                 # 5: sent before the server accepted
        mv   a0, s3
        li   a1, SHUT_WR
        call shutdown
        call result                 # 0
        mv   a0, s3
        la   a1, m_x
        li   a2, 1
        call write
        call result                 # -EPIPE: shut down for sending (SIGPIPE ignored)
        mv   a0, s2
        la   a1, st
        call fstat
        la   t0, st
        lw   a0, ST_SIZE(t0)
        call result                 # 5 waiting
        mv   a0, s2
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 5
        mv   a0, s2
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 0: the end, after the bytes
        mv   a0, s2
        la   a1, m_x
        li   a2, 2
        call write
        call result                 # 2: the other way still works
        mv   a0, s2
        call close
        mv   a0, s3
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 2
        mv   a0, s3
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 0: closed
        mv   a0, s3
        li   a1, SHUT_RD
        call shutdown
        call result                 # 0
        mv   a0, s3
        call close
        call sock                   # SHUT_RD: recv returns 0 though the peer is there
        mv   s3, a0
        li   a1, ${LO}
        li   a2, 7
        call connect
        mv   a0, s3
        li   a1, SHUT_RD
        call shutdown
        mv   a0, s3
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 0
        mv   a0, s3
        la   a1, m_x
        li   a2, 3
        call write
        call result                 # 3: sending still works
        mv   a0, s1                 # the listener closes with that connection queued:
        call close
        mv   a0, s3
        la   a1, m_x
        li   a2, 3
        call write
        call result                 # -EPIPE: it was dropped
        mv   a0, s3
        call close
        li   a0, SIGPIPE
        li   a1, SIG_DFL
        call signal
        call sock                   # SIGPIPE kills a child that does not ignore it
        mv   s1, a0
        li   a1, ${LO}
        li   a2, 8
        call bind
        mv   a0, s1
        li   a1, 1
        call listen
        call sock
        mv   s3, a0
        li   a1, ${LO}
        li   a2, 8
        call connect
        mv   a0, s1
        li   a1, 0
        call accept
        call close                  # the server's end goes at once
        call fork
        beqz a0, .pipe
        mv   a0, s3
        call close
        call wst                    # 13: SIGPIPE
        li   a0, 0
        call exit
.pipe:  mv   a0, s3
        la   a1, m_x
        li   a2, 1
        call write
        li   a0, 1
        call exit
.err:   call result
        li   a0, 1
        call exit
.late:  mv   a0, s1
        call close
        call getppid
        call blocked
        call sock
        mv   s3, a0
        li   a1, ${LO}
        li   a2, 7
        call connect
        call getppid
        call blocked                # the parent sleeps in recv now
        mv   a0, s3
        la   a1, m_digits
        li   a2, 10
        li   a3, 0
        call send
        call getppid
        call blocked                # the parent took the 10 bytes and sleeps for more
        li   s2, 0
.big:   mv   a0, s3                 # 6000 bytes in 1000-byte sends: some sleep for room
        li   a1, HEAP_BASE
        li   a2, 1000
        li   a3, 0
        call send
        li   t0, 1000
        bne  a0, t0, .bad
        addi s2, s2, 1
        li   t0, 6
        blt  s2, t0, .big
        li   a0, 0
        call exit
.bad:   li   a0, 2
        call exit
m_digits: .ascii "0123456789"
m_x:    .ascii "xxxxx"
        .align 4
${COMMON}`);

// The experiment (docs/containers.md): containers a and b, each its own network namespace made
// by unshare(CLONE_NEWNET), both bind port 80 (a second bind in a gets EADDRINUSE), the root
// namespace links to each with a veth pair (10.0.1.1 - 10.0.1.2, 10.0.2.1 - 10.0.2.2) and binds
// port 80 itself; a client in the root namespace reaches each container's server by its address
// and gets that server's own answer. A container reaches the root (its link's other end) but
// not the other container (nothing forwards). When a container's last process exits, its link
// goes with it. The interfaces' byte counters are printed along the way.
const NETNS = program('netns', `
_start: li   a0, 'a'
        call container
        mv   s1, a0                 # s1 = a's pid
        li   a0, 'b'
        call container
        mv   s2, a0                 # s2 = b's pid
        mv   a0, s1
        li   a1, 0x0a000101
        li   a2, 0x0a000102
        call veth
        call result                 # 0: pair 0, 10.0.1.1 here, 10.0.1.2 in a
        mv   a0, s2
        li   a1, 0x0a000201
        li   a2, 0x0a000202
        call veth
        call result                 # 1
        mv   a0, s2                 # veth's errors
        li   a1, 0x0a000201
        li   a2, 0x0a000203
        call veth
        call result                 # -EEXIST: 10.0.2.1 is ours already
        mv   a0, s2
        li   a1, 0x0a000301
        li   a2, 0x0a000202
        call veth
        call result                 # -EEXIST: 10.0.2.2 is b's
        call getpid
        li   a1, 0x0a000301
        li   a2, 0x0a000302
        call veth
        call result                 # -EINVAL: our own namespace
        mv   a0, s2
        li   a1, ${LO + 1}
        li   a2, 0x0a000302
        call veth
        call result                 # -EINVAL: 127.x
        mv   a0, s2
        li   a1, 0x0a000301
        li   a2, 0x0a000301
        call veth
        call result                 # -EINVAL: the same address
        mv   a0, s2
        li   a1, 0
        li   a2, 0x0a000301
        call veth
        call result                 # -EINVAL: 0
        li   a0, 0x7fff
        li   a1, 0x0a000301
        li   a2, 0x0a000302
        call veth
        call result                 # -ESRCH
        call sock                   # the root's own server on port 80
        mv   s3, a0
        li   a1, 0
        li   a2, 80
        call bind
        call result                 # 0: port 80 is free in the root namespace too
        mv   a0, s3
        li   a1, 4
        call listen
        li   a0, 0x0a000102
        call ask                    # a's answer
        li   a0, 0x0a000202
        call ask                    # b's answer
        li   a0, 0x0a000102
        call bye
        call wst                    # 0: a is done
        li   a0, 0x0a000202
        call bye
        call wst
        call ifs                    # lo, and no veth: a and b took their links with them
        call sock
        mv   s1, a0
        li   a1, 0x0a000102
        li   a2, 80
        call connect
        call result                 # -ENETUNREACH: a is gone
        li   a0, 0
        call exit

# ask(a0 = address): connect to port 80 there, send "GET /", read the answer to its end, and
# (once the server's process has printed its part and the request's wait says so) print it.
ask:    push ra
        push s1
        push s2
        mv   s2, a0
        call sock
        mv   s1, a0
        mv   a1, s2
        li   a2, 80
        call connect
        push a0                     # printed with the answer: the server prints first
        mv   a0, s1
        la   a1, m_get
        li   a2, 5
        call write
        mv   a0, s1
        li   a1, SHUT_WR
        call shutdown
        li   s2, HEAP_BASE + 0x800
.more:  mv   a0, s1
        mv   a1, s2
        li   a2, 64
        call read
        ble  a0, zero, .end
        add  s2, s2, a0
        j    .more
.end:   sb   zero, 0(s2)
        pop  a0
        call result                 # 0: connect's
        li   a0, HEAP_BASE + 0x800
        call print
        call ifs                    # ours: lo, veth0, veth1
        mv   a0, s1
        call close
        pop  s2
        pop  s1
        pop  ra
        ret

# bye(a0 = address): connect to port 80 there and close: the container's second connection,
# after which it exits.
bye:    push ra
        push s1
        mv   s1, a0
        call sock
        push a0
        mv   a1, s1
        li   a2, 80
        call connect
        pop  a0
        call close
        pop  s1
        pop  ra
        ret

# container(a0 = its letter) -> a0 = its pid: a child in a network namespace of its own, with
# port 80 bound and listening, once it has said so through a pipe.
container:
        push ra
        push s1
        mv   s1, a0
        la   a0, fds
        call pipe
        call fork
        beqz a0, .child
        push a0
        call fd1
        call close
        call fd0
        la   a1, buf
        li   a2, 1
        call read                   # ready
        call fd0
        call close
        pop  a0
        pop  s1
        pop  ra
        ret
.child: la   t0, m_who
        sb   s1, 0(t0)
        li   a0, CLONE_NEWNET
        call unshare
        call result                 # 0
        call ifs                    # only lo
        call sock
        mv   s1, a0
        li   a1, 0
        li   a2, 80
        call bind
        call result                 # 0: port 80, in this namespace
        call sock
        li   a1, 0
        li   a2, 80
        call bind
        call result                 # -EADDRINUSE: the second bind
        mv   a0, s1
        li   a1, 4
        call listen
        call fd1
        la   a1, buf
        li   a2, 1
        call write                  # ready
        mv   a0, s1
        la   a1, sabuf
        call accept
        mv   s2, a0
        la   t0, m_who
        lbu  a0, 0(t0)
        call putch
        li   a0, ' '
        call putch
        call sa                     # who asked: 10.0.x.1, an ephemeral port
        mv   a0, s2
        la   a1, buf
        li   a2, 64
        call read
        call result                 # 5: GET /
        call sock                   # the root is reachable: its end of our link
        mv   s3, a0
        la   t0, sabuf
        lw   a1, SA_ADDR(t0)
        li   a2, 80
        call connect
        call result                 # 0
        mv   a0, s3
        call close
        call sock                   # the other container is not: nothing forwards
        mv   s3, a0
        la   t0, sabuf
        lw   a1, SA_ADDR(t0)
        li   t1, 0x300              # 10.0.1.1 -> 10.0.2.2, 10.0.2.1 -> 10.0.1.2 (x ^ 0x301)
        xor  a1, a1, t1
        xori a1, a1, 1
        li   a2, 80
        call connect
        call result                 # -ENETUNREACH
        call ifs                    # lo and our end of the link
        mv   a0, s2
        la   a1, m_who
        li   a2, 10
        call write                  # the answer: "a says hi"
        mv   a0, s2
        call close
        mv   a0, s1                 # until the root says bye (a second connection)
        li   a1, 0
        call accept
        li   a0, 0
        call exit
m_get:  .ascii "GET /"
m_who:  .ascii "? says hi\\n"
        .byte 0
        .align 4
${COMMON}`);

// unshare(CLONE_NEWNET) until the table is full: ENOSPC; once the holders exit, their
// namespaces are free again.
const FULL = program('netfull', `
_start: la   a0, fds
        call pipe
        li   s1, 0
.more:  li   a0, CLONE_NEWNET
        call unshare
        blt  a0, zero, .full
        addi s1, s1, 1
        call fork
        beqz a0, .child
        j    .more
.full:  call result                 # -ENOSPC
        mv   a0, s1
        call result                 # 15
        call fd1
        call close
.reap:  li   a0, -1
        li   a1, 0
        li   a2, 0
        call wait
        bge  a0, zero, .reap
        li   a0, CLONE_NEWNET
        call unshare
        call result                 # 0
        li   a0, 0
        call exit
.child: call fd1
        call close
        call fd0
        li   a1, HEAP_BASE
        li   a2, 1
        call read
        li   a0, 0
        call exit
${COMMON}`);

const PROGRAMS = [ERRORS, STREAM, NETNS, FULL];

const EXPECTED: Record<string, string> = {
  neterr: rows(-97, -22, -22, -94, -93, 3, -9, -88, -22, -99, 0, -22, -98, 0, 0, '127.0.0.1:32768', -14, -9, -88, -9, -88, -22, -9, -88, -107, -107, -107, -107, -88, -9, -107, -22, -9, -88, 0, -106, -111, -101, -22, -9, -88, 0, '127.0.0.1:32769', -106, -22, -22, -111, -14, 6, '127.0.0.1:32769', '127.0.0.1:80', 4, -14, -22, -22, -14, -22, -22, 0, 4, 'abcd', -14, 0, '1 127.0.0.1 0.0.0.0 4 4'),
  stream: rows(0, 4, 3, '012', 7, 3456789, 6000, 0, 0, 5, -29, -32, 0, 5, 0, -32, 5, 5, 0, 2, 2, 0, 0, 0, 3, -32, 13),
  netns: rows(0, '1 127.0.0.1 0.0.0.0 0 0', 0, -98, 0, '1 127.0.0.1 0.0.0.0 0 0', 0, -98, 0, 1, -17, -17, -22, -22, -22, -22, -3, 0, 'a 10.0.1.1:32768', 5, 0, -101, '1 127.0.0.1 0.0.0.0 0 0', '2 10.0.1.2 10.0.1.1 0 5', 0, 'a says hi', '1 127.0.0.1 0.0.0.0 0 0', '2 10.0.1.1 10.0.1.2 5 10', '3 10.0.2.1 10.0.2.2 0 0', 'b 10.0.2.1:32769', 5, 0, -101, '1 127.0.0.1 0.0.0.0 0 0', '3 10.0.2.2 10.0.2.1 0 5', 0, 'b says hi', '1 127.0.0.1 0.0.0.0 0 0', '2 10.0.1.1 10.0.1.2 5 10', '3 10.0.2.1 10.0.2.2 5 10', 0, 0, '1 127.0.0.1 0.0.0.0 0 0', -101),
  netfull: rows(-28, 15, 0),
};

/** Sockets in use and each network namespace's reference count at power-off (net.s). */
function netState(r: BootResult): { sockets: number; netns: number[]; veth: number } {
  const kernel = kernelImage(isaWith([]));
  const sym = (name: string): number => findSymbol(kernel, name)!.value;
  const word = (address: number): number => r.machine.memory.words[address >>> 2]! >>> 0;
  let sockets = 0;
  for (let i = 0; i < sym('NSOCK'); i++) if (word(sym('sock_table') + i * sym('S_SIZE')) !== 0) sockets++;
  let veth = 0;
  for (let i = 0; i < 2 * sym('NVETH'); i++) if (word(sym('veth_table') + i * sym('VE_SIZE')) !== 0) veth++;
  const netns = Array.from({ length: sym('NNETNS') }, (_, i) => word(sym('netns_table') + i * sym('NN_SIZE')));
  return { sockets, netns, veth };
}

describe.each(CONFIG_NAMES)('the network under %s', (config) => {
  it.each(PROGRAMS)('$name', (p) => {
    const r = boot(config, { programs: [p] });
    expect(r.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(EXPECTED[p.name]);
    expect(r.processes[0]!.exitCode).toBe(0);
  });
});

describe('references', () => {
  it('sockets, network namespaces, veth pairs and frames are back where they started once everything has exited', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const base = boot('native', { programs: [idle] });
    const baseline = { ...netState(base), frames: framesInUse(base) };
    expect(baseline).toEqual({ sockets: 0, netns: [1, ...Array(15).fill(0)], veth: 0, frames: baseline.frames }); // init's
    for (const p of PROGRAMS) {
      const r = boot('native', { programs: [p] });
      expect({ program: p.name, ...netState(r), frames: framesInUse(r) }).toEqual({ program: p.name, ...baseline });
    }
  });
});

// `ip`, `nc` and `unshare -n` as a user types them: `boot --shell --input` (what needs two
// processes at once, a server and its client, is in the programs above: in a shell, which one
// runs first depends on timing).
const SESSION = ['ip addr', 'ip link add 1 10.0.0.1 10.0.0.2', 'ip', 'ip link add x 1.2.3.4 5.6.7.8', 'ip link add 1 1.2.3 5.6.7.8', 'unshare -n ip addr', 'nc 127.0.0.1 80 hi', 'nc 10.1.1.1 80 hi', 'nc -l 99999', 'echo "@@ $?"', 'nc -x'].join('\n') + '\n';
const TRANSCRIPT = `$ 1: lo inet 127.0.0.1 tx 0 rx 0
$ ip: Invalid argument
$ usage: ip addr | ip link add PID ADDR PEER
$ usage: ip addr | ip link add PID ADDR PEER
$ usage: ip addr | ip link add PID ADDR PEER
$ 1: lo inet 127.0.0.1 tx 0 rx 0
$ nc: Connection refused
$ nc: Network is unreachable
$ nc: Invalid argument
$ @@ 1
$ usage: nc -l PORT [REPLY] | nc ADDR PORT [TEXT]
$ `;

describe('a shell session with ip, nc and unshare -n', () => {
  it.each(['native', 'te'])('prints the transcript (%s)', (config) => {
    const r = findConfig(config)!.boot({ workloads: [], shell: true, input: new TextEncoder().encode(SESSION), maxCycles: 2_000_000_000 });
    expect(r.exitCode).toBe(0);
    expect(r.console.replace(/^kernel: booting .*\n/, '').replace(/kernel: [^\n]*\n$/, '')).toBe(TRANSCRIPT);
  });
});
