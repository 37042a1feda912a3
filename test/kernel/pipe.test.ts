// Pipes (programs/kernel/pipe.s) as processes see them, in every configuration: bytes through a
// pipe in one process, partial reads, the ring wrapping, end of file, EPIPE, fstat (T_FIFO) and
// lseek (ESPIPE), bad pointers (EFAULT, nothing leaked), descriptors (EMFILE) and the file table
// (ENFILE) running out with everything given back, frames returned at the last close; and
// between processes (fork): a write much bigger than the pipe, SIGPIPE, a partial write cut
// short by the last reader, and sleeps that a signal ends.
// Each program prints what it saw; every config must print what native prints.

import { describe, expect, it } from 'vitest';
import { boot, CONFIG_NAMES, framesInUse, program } from './guests/guest.js';

const rows = (...values: (number | string)[]) => values.map((v) => `${v}\n`).join('');

// One process: write, fstat, partial reads, ESPIPE, EBADF on the wrong end, EOF after the write
// end closes.
const BASIC = program('pbasic', `
_start: la   a0, fds
        call pipe
        call result                 # 0
        call fd0
        call result                 # 3: the lowest free descriptors
        call fd1
        call result                 # 4
        call fd1
        la   a1, hello
        li   a2, 5
        call write
        call result                 # 5
        call fd0
        li   a1, HEAP_BASE
        call fstat
        call result                 # 0
        li   t0, HEAP_BASE
        lw   a0, ST_TYPE(t0)
        call result                 # T_FIFO
        li   t0, HEAP_BASE
        lw   a0, ST_SIZE(t0)
        call result                 # 5 held
        call fd0
        li   a1, HEAP_BASE + 64
        li   a2, 0
        call read
        call result                 # 0: nothing asked
        call fd0
        li   a1, HEAP_BASE + 64
        li   a2, 3
        call read
        call result                 # 3
        call fd0
        li   a1, HEAP_BASE + 67
        li   a2, 100
        call read
        call result                 # 2: what it holds, without waiting for more
        li   a0, HEAP_BASE + 64
        li   a1, 5
        call putbuf                 # hello
        call newline
        call fd0
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        call result                 # -ESPIPE
        call fd1
        li   a1, 0
        li   a2, SEEK_CUR
        call lseek
        call result                 # -ESPIPE
        call fd1
        li   a1, HEAP_BASE
        li   a2, 1
        call read
        call result                 # -EBADF: the write end is not readable
        call fd0
        la   a1, hello
        li   a2, 1
        call write
        call result                 # -EBADF: the read end is not writable
        call fd1
        call dup
        mv   s1, a0                 # a second descriptor on the write end
        call fd1
        call close
        call fd0
        la   a1, hello
        li   a2, 5
        mv   a0, s1
        call write
        call result                 # 5: the write end is still open through the dup
        mv   a0, s1
        call close
        call fd0
        li   a1, HEAP_BASE
        li   a2, 100
        call read
        call result                 # 5
        call fd0
        li   a1, HEAP_BASE
        li   a2, 100
        call read
        call result                 # 0: empty and no write end: the end of the file
        call fd0
        call close
        call result                 # 0
        li   a0, 0
        call exit
hello:  .asciz "hello"
        .align 4
`);

// A write to a pipe nobody can read: EPIPE (SIGPIPE ignored, so the process lives on).
const BROKEN = program('pbroken', `
_start: li   a0, SIGPIPE
        li   a1, SIG_IGN
        call signal
        la   a0, fds
        call pipe
        call fd1
        la   a1, abc
        li   a2, 3
        call write
        call result                 # 3
        call fd0
        call close
        call result                 # 0
        call fd1
        la   a1, abc
        li   a2, 0
        call write
        call result                 # 0: writing nothing is not an error
        call fd1
        la   a1, abc
        li   a2, 3
        call write
        call result                 # -EPIPE
        call fd1
        call close
        call result                 # 0
        li   a0, 0
        call exit
abc:    .asciz "abc"
        .align 4
`);

// The ring wraps: 3000 in, 2000 out, 3000 in (across the end), 96 more (full), then a partial
// read of 10 and a read of everything; the bytes come out in order.
const RING = program('pring', `
_start: li   t0, HEAP_BASE          # 8192 bytes of a pattern: byte i = 7i + 3
        li   t1, 0
.fill:  li   t2, 7
        mul  t2, t2, t1
        addi t2, t2, 3
        add  t3, t0, t1
        sb   t2, 0(t3)
        addi t1, t1, 1
        li   t2, 8192
        blt  t1, t2, .fill
        la   a0, fds
        call pipe
        call fd1
        li   a1, HEAP_BASE
        li   a2, 3000
        call write
        call result                 # 3000
        call fd0
        li   a1, HEAP_BASE + 0x4000
        li   a2, 2000
        call read
        call result                 # 2000
        call fd1
        li   a1, HEAP_BASE + 3000
        li   a2, 3000
        call write
        call result                 # 3000
        call size
        call result                 # 4000
        call fd1
        li   a1, HEAP_BASE + 6000
        li   a2, 96
        call write
        call result                 # 96
        call size
        call result                 # 4096: full
        call fd0
        li   a1, HEAP_BASE + 0x4000 + 2000
        li   a2, 10
        call read
        call result                 # 10
        call fd0
        li   a1, HEAP_BASE + 0x4000 + 2010
        li   a2, 8000
        call read
        call result                 # 4086
        li   t0, HEAP_BASE          # compare what went in with what came out
        li   t1, HEAP_BASE + 0x4000
        li   t2, 6096
        li   a0, 0                  # mismatches
.cmp:   lbu  t3, 0(t0)
        lbu  a1, 0(t1)
        beq  t3, a1, .same
        addi a0, a0, 1
.same:  addi t0, t0, 1
        addi t1, t1, 1
        addi t2, t2, -1
        bnez t2, .cmp
        call result                 # 0
        li   a0, 0
        call exit
size:   push ra
        call fd0
        li   a1, HEAP_BASE + 0x7000
        call fstat
        li   t0, HEAP_BASE + 0x7000
        lw   a0, ST_SIZE(t0)
        pop  ra
        ret
`);

// Bad pointers: pipe() with an fds the process cannot write gives EFAULT and leaks no
// descriptor; reads and writes with bad buffers move what they can (the rest stays).
const FAULT = program('pfault', `
_start: li   a0, 0
        call pipe
        call result                 # -EFAULT
        li   a0, HEAP_END - 4       # fds[0] writable, fds[1] not
        call pipe
        call result                 # -EFAULT
        li   a0, STACK_TOP - 2      # runs past the top of user space
        call pipe
        call result                 # -EFAULT
        la   a0, fds
        call pipe
        call result                 # 0
        call fd0
        call result                 # 3: nothing was leaked
        call fd1
        call result                 # 4
        call fd1
        li   a1, HEAP_END
        li   a2, 4
        call write
        call result                 # -EFAULT: no byte readable
        call fd1
        li   a1, HEAP_END - 2
        li   a2, 4
        call write
        call result                 # 2: the two the process may read
        call fd0
        li   a1, HEAP_END
        li   a2, 10
        call read
        call result                 # -EFAULT
        call fd0
        li   a1, 0
        li   a2, 10
        call read
        call result                 # -EFAULT
        call fd0
        li   a1, HEAP_END - 1
        li   a2, 10
        call read
        call result                 # 1: one byte fits
        call fd0
        li   a1, HEAP_BASE
        li   a2, 10
        call read
        call result                 # 1: the other stayed in the pipe
        li   a0, 0
        call exit
`);

// Descriptors run out: with one free, pipe() gives EMFILE and takes none of them.
const EMFILE = program('pemfile', `
_start: li   s1, 12
.dup:   li   a0, 0                  # descriptors 3..14
        call dup
        addi s1, s1, -1
        bnez s1, .dup
        call result                 # 14
        la   a0, fds
        call pipe
        call result                 # -EMFILE
        li   a0, 0
        call dup
        call result                 # 15: the free one stayed free
        la   a0, fds
        call pipe
        call result                 # -EMFILE
        li   a0, 15
        call close
        li   a0, 14
        call close
        la   a0, fds
        call pipe
        call result                 # 0
        call fd0
        call result                 # 14
        call fd1
        call result                 # 15
        li   a0, 0
        call exit
`);

// 1000 x (pipe, write, close both): in 4 MiB, fewer frames than that are free, so each pipe's
// frame must come back at its last close.
const CYCLES = program('pcycles', `
_start: li   s1, 0
.cycle: la   a0, fds
        call pipe
        bnez a0, .fail
        call fd1
        la   a1, fds
        li   a2, 4
        call write
        call fd1
        call close
        call fd0
        call close
        addi s1, s1, 1
        li   t0, 1000
        blt  s1, t0, .cycle
        mv   a0, s1
        call result                 # 1000
        li   a0, 0
        call exit
.fail:  call result
        mv   a0, s1
        call result
        li   a0, 1
        call exit
`);

// The file table fills: four holders each keep 13 open files (12 on "/", and /hK to say they
// are ready) until the tester creates /done; the tester opens "/" until ENFILE. With one file
// free, pipe() gives ENFILE and gives it back; with two it works.
const HOLDER = program('holder', `
_start: mv   s3, a0                 # K (the iteration count): 1..4
        li   s1, 12
.open:  la   a0, root
        li   a1, O_RDONLY
        call open
        addi s1, s1, -1
        bnez s1, .open
        la   t0, ready
        addi t1, s3, '0'
        sb   t1, 2(t0)
        la   a0, ready
        li   a1, O_CREAT | O_WRONLY
        call open
.wait:  call yield
        la   a0, done
        li   a1, HEAP_BASE
        call stat
        bnez a0, .wait
        li   a0, 0
        call exit
root:   .asciz "/"
ready:  .asciz "/hK"
done:   .asciz "/done"
        .align 4
`);

const TESTER = program('tester', `
_start:
.wait:  call yield                  # until every holder holds its files
        li   s1, 4
        li   s2, 0                  # holders ready
.each:  la   t0, ready
        addi t1, s1, '0'
        sb   t1, 2(t0)
        la   a0, ready
        li   a1, HEAP_BASE
        call stat
        bnez a0, .next
        addi s2, s2, 1
.next:  addi s1, s1, -1
        bnez s1, .each
        li   t0, 4
        bne  s2, t0, .wait
        li   s1, -1                 # open "/" until the table is full
.fill:  mv   s2, s1
        la   a0, root
        li   a1, O_RDONLY
        call open
        mv   s1, a0
        bge  a0, zero, .fill
        call result                 # -ENFILE (s2 = the last descriptor opened)
        mv   a0, s2
        call close                  # one file free
        la   a0, fds
        call pipe
        call result                 # -ENFILE
        la   a0, root
        li   a1, O_RDONLY
        call open
        sub  a0, a0, s2
        call result                 # 0: the pipe gave the free file back
        la   a0, root
        li   a1, O_RDONLY
        call open
        call result                 # -ENFILE
        mv   a0, s2
        call close
        addi a0, s2, -1
        call close                  # two files free
        la   a0, fds
        call pipe
        call result                 # 0
        call fd0
        sub  a0, a0, s2
        call result                 # -1
        call fd1
        sub  a0, a0, s2
        call result                 # 0
        call fd0
        call close
        call fd1
        call close
        la   a0, done
        li   a1, O_CREAT | O_WRONLY
        call open
        li   a0, 0
        call exit
root:   .asciz "/"
ready:  .asciz "/hK"
done:   .asciz "/done"
        .align 4
`);

// A parent writes 20000 bytes in one call to its child, which reads them in whatever pieces the
// pipe gives until the end of the file: the bytes and their hash arrive whole.
const BIG = program('pbig', `
_start: li   t0, HEAP_BASE          # 20000 bytes of a pattern: byte i = 7i + 3
        li   t1, 0
.fill:  li   t2, 7
        mul  t2, t2, t1
        addi t2, t2, 3
        add  t3, t0, t1
        sb   t2, 0(t3)
        addi t1, t1, 1
        li   t2, 20000
        blt  t1, t2, .fill
        li   s2, 0                  # the hash the child must see: h = 31h + byte
        li   t0, HEAP_BASE
        li   t1, HEAP_BASE + 20000
.hash:  lbu  t2, 0(t0)
        li   t3, 31
        mul  s2, s2, t3
        add  s2, s2, t2
        addi t0, t0, 1
        blt  t0, t1, .hash
        la   a0, fds
        call pipe
        call fork
        beqz a0, child
        mv   s1, a0
        call fd0
        call close
        call fd1
        li   a1, HEAP_BASE
        li   a2, 20000
        call write
        call result                 # 20000 (before the child's lines: it reads to the end first)
        call fd1
        call close
        mv   a0, s1
        li   a1, HEAP_BASE + 0x8000
        li   a2, 0
        call wait
        sub  a0, a0, s1
        call result                 # 0: the child
        li   t0, HEAP_BASE + 0x8000
        lw   a0, 0(t0)
        call result                 # its status: exit(0)
        li   a0, 0
        call exit
child:  call fd1
        call close
        li   s1, 0                  # bytes
        li   s3, 0                  # hash
.read:  call fd0
        li   a1, HEAP_BASE + 0x10000
        li   a2, 3000
        call read
        ble  a0, zero, .end
        add  s1, s1, a0
        li   t0, HEAP_BASE + 0x10000
        add  t1, t0, a0
.byte:  lbu  t2, 0(t0)
        li   t3, 31
        mul  s3, s3, t3
        add  s3, s3, t2
        addi t0, t0, 1
        bltu t0, t1, .byte
        j    .read
.end:   call result                 # 0: the end of the file
        mv   a0, s1
        call result                 # 20000
        sub  a0, s3, s2
        call result                 # 0: the same hash
        li   a0, 0
        call exit
`);

// A write with no reader, SIGPIPE not ignored: the writer dies of it (128 + 13 for its job).
const SIGPIPE = program('psigpipe', `
_start: la   a0, fds
        call pipe
        call fd0
        call close
        call result                 # 0
        call fd1
        la   a1, fds
        li   a2, 4
        call write
        call result                 # never printed
        li   a0, 0
        call exit
`);

// The child waits until its parent's write of 10000 bytes has filled the pipe and sleeps, then
// closes its read end and exits: the write returns the 4096 bytes it wrote (SIGPIPE ignored),
// and the next write gives EPIPE.
const CUT = program('pcut', `
_start: li   a0, SIGPIPE
        li   a1, SIG_IGN
        call signal
        la   a0, fds
        call pipe
        call getpid
        mv   s2, a0                 # the parent's pid
        call fork
        beqz a0, child
        mv   s1, a0
        call fd0
        call close
        call fd1
        li   a1, HEAP_BASE
        li   a2, 10000
        call write
        call result                 # 4096
        call fd1
        li   a1, HEAP_BASE
        li   a2, 10
        call write
        call result                 # -EPIPE
        mv   a0, s1
        li   a1, 0
        li   a2, 0
        call wait
        li   a0, 0
        call exit
child:  call fd1
        call close
        mv   a0, s2
        call blocked                # the parent sleeps in its write
        call fd0
        li   a1, HEAP_BASE
        call fstat
        li   t0, HEAP_BASE
        lw   a0, ST_SIZE(t0)
        call result                 # 4096: full
        li   a0, 0
        call exit
`);

// Sleeps a signal ends: a child asleep reading an empty pipe, another asleep writing to a full
// one; SIGTERM ends each (wait status 15) instead of leaving it asleep forever.
const INTR = program('pintr', `
_start: la   a0, fds
        call pipe
        call fork
        beqz a0, reader
        mv   s1, a0
        call blocked
        mv   a0, s1
        li   a1, SIGTERM
        call kill
        call result                 # 0
        mv   a0, s1
        li   a1, HEAP_BASE
        li   a2, 0
        call wait
        li   t0, HEAP_BASE
        lw   a0, 0(t0)
        call result                 # 15: SIGTERM
        call fork
        beqz a0, writer
        mv   s1, a0
        call blocked
        mv   a0, s1
        li   a1, SIGTERM
        call kill
        mv   a0, s1
        li   a1, HEAP_BASE
        li   a2, 0
        call wait
        li   t0, HEAP_BASE
        lw   a0, 0(t0)
        call result                 # 15
        call fd0                    # what the writer put in before it slept is there
        li   a1, HEAP_BASE
        call fstat
        li   t0, HEAP_BASE
        lw   a0, ST_SIZE(t0)
        call result                 # 4096
        li   a0, 0
        call exit
reader: call fd0
        li   a1, HEAP_BASE
        li   a2, 10
        call read
        li   a0, 1                  # never here
        call exit
writer: call fd1
        li   a1, HEAP_BASE
        li   a2, 5000
        call write
        li   a0, 1                  # never here
        call exit
`);

describe.each(CONFIG_NAMES)('pipes under %s', (config) => {
  it('bytes through a pipe in one process: fstat, partial reads, ESPIPE, EBADF, end of file', () => {
    const r = boot(config, { programs: [BASIC] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(0, 3, 4, 5, 0, 4, 5, 0, 3, 2) + 'hello\n' + rows(-29, -29, -9, -9, 5, 5, 0, 0) });
    expect(r.exitCode).toBe(0);
  });

  it('a write with no read end open: EPIPE', () => {
    const r = boot(config, { programs: [BROKEN] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(3, 0, 0, -32, 0) });
  });

  it('the ring wraps and fills: the bytes come out in order', () => {
    const r = boot(config, { programs: [RING] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(3000, 2000, 3000, 4000, 96, 4096, 10, 4086, 0) });
  });

  it('bad pointers: EFAULT, nothing leaked, partial transfers', () => {
    const r = boot(config, { programs: [FAULT] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(-14, -14, -14, 0, 3, 4, -14, 2, -14, -14, 1, 1) });
  });

  it('descriptors run out: EMFILE, and the free one stays free', () => {
    const r = boot(config, { programs: [EMFILE] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(14, -24, 15, -24, 0, 14, 15) });
  });

  it('the file table runs out: ENFILE, and the file taken is given back', () => {
    const holders = [1, 2, 3, 4].map((k) => ({ ...HOLDER, name: `holder${k}`, iterations: k }));
    const r = boot(config, { programs: [...holders, TESTER] });
    expect(r.processes.map((p) => p.exitCode)).toEqual([0, 0, 0, 0, 0]);
    expect(r.processes[4]!.output).toBe(rows(-23, -23, 0, -23, 0, -1, 0));
  });

  it('1000 pipes in 4 MiB: each frame comes back at the last close', () => {
    const r = boot(config, { programs: [CYCLES], memoryBytes: 4 << 20 });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(1000) });
  });

  it('a write of 20000 bytes to a child that reads: all of it arrives, in order', () => {
    const r = boot(config, { programs: [BIG] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(20000, 0, 20000, 0, 0, 0) });
  });

  it('a write with no reader kills the writer with SIGPIPE', () => {
    const r = boot(config, { programs: [SIGPIPE] });
    expect(r.processes[0]).toMatchObject({ exitCode: 128 + 13, output: rows(0) });
  });

  it('the last reader going while a write sleeps: the bytes written so far, then EPIPE', () => {
    const r = boot(config, { programs: [CUT] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(4096, 4096, -32) });
  });

  it('a signal ends a sleep in a pipe read or write', () => {
    const r = boot(config, { programs: [INTR] });
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: rows(0, 15, 15, 4096) });
  });
});

describe('pipe frames', () => {
  it('every pipe buffer is back in the pool at power-off, whoever closed the last end', () => {
    const idle = program('idle', `
_start: li   a0, 0
        call exit`);
    const baseline = framesInUse(boot('native', { programs: [idle] }));
    for (const p of [BASIC, BROKEN, RING, FAULT, EMFILE, CYCLES, BIG, SIGPIPE, CUT, INTR]) {
      expect({ program: p.name, frames: framesInUse(boot('native', { programs: [p] })) }).toEqual({ program: p.name, frames: baseline });
    }
    // Pipes left open at exit are closed by it.
    const open = program('popen', `
_start: la   a0, fds
        call pipe
        la   a0, fds
        call pipe
        call fd1
        la   a1, fds
        li   a2, 8
        call write
        li   a0, 0
        call exit`);
    expect(framesInUse(boot('native', { programs: [open] }))).toBe(baseline);
  });
});
