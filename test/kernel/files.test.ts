// The kernel's files as processes see them, in every configuration: console input by read(0),
// descriptors (dup, dup2, close), relative paths with chdir and getcwd, unlink of an open file,
// O_APPEND, lseek past the end (zeros), a read-only root (EROFS), and a process that waits for
// the disk while another computes. Each program prints what it saw; every config must print what native prints.

import { describe, expect, it } from 'vitest';
import { assemble, type Image } from '../../src/asm/index.js';
import { CONFIGS, findConfig, type BootResult } from '../../src/configs/index.js';
import { USER_DIR } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { join } from 'node:path';
import { fsck } from '../../src/fs/fsck.js';
import { openFs } from '../../src/fs/image.js';

function program(name: string, body: string): { name: string; image: Image } {
  const source = `        .include "user.inc"\n${body}\n        .include "lib.s"\n`;
  const r = assemble(source, { fileName: join(USER_DIR, `${name}.s`), isa: isaWith([]) });
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors[0])}`);
  return { name, image: r.image };
}

/** print_int(a0) then a newline: a signed result. */
const PRINT = `
result: push ra
        bge  a0, zero, .pos
        push a0
        la   a0, minus
        call print
        pop  a0
        neg  a0, a0
.pos:   call print_dec
        call newline
        pop  ra
        ret
minus:  .asciz "-"
        .align 4
`;

// Reads lines from descriptor 0 until the end and echoes each with its length.
const ECHO = program('echo', `
_start: li   s1, 0
.line:  li   a0, 0
        li   a1, HEAP_BASE
        li   a2, 100
        call read
        mv   s2, a0
        call result
        ble  s2, zero, .end
        li   a0, 1
        li   a1, HEAP_BASE
        mv   a2, s2
        call write
        j    .line
.end:   li   a0, 0
        call exit
${PRINT}`);

// Descriptors and paths: dup/dup2 share an offset; chdir, relative create, getcwd; unlink while
// open keeps the data; O_APPEND; lseek past the end fills with zeros; EBADF after close.
const FILES = program('files', `
_start: la   a0, dir
        call mkdir
        call result
        la   a0, dir
        call chdir
        call result
        la   a0, name
        li   a1, O_CREAT | O_RDWR
        call open
        mv   s1, a0                 # fd 3
        call result
        mv   a0, s1
        call dup                    # fd 4, the same open file
        mv   s2, a0
        call result
        mv   a0, s1
        la   a1, abc
        li   a2, 3
        call write
        call result
        mv   a0, s2                 # the shared offset is 3
        li   a1, 0
        li   a2, SEEK_CUR
        call lseek
        call result
        mv   a0, s2                 # past the end: a gap of 5
        li   a1, 8
        li   a2, SEEK_SET
        call lseek
        mv   a0, s2
        la   a1, abc
        li   a2, 3
        call write
        call result
        li   a0, HEAP_BASE          # getcwd
        li   a1, 64
        call getcwd
        call result
        li   a0, HEAP_BASE
        call print
        call newline
        la   a0, name               # unlink while open: the data stays readable
        call unlink
        call result
        mv   a0, s1
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        mv   a0, s1
        li   a1, HEAP_BASE + 64
        li   a2, 32
        call read
        call result                 # 11: abc, five zeros, abc
        li   t0, HEAP_BASE + 64
        lbu  a0, 4(t0)
        call result                 # a zero of the gap
        mv   a0, s1
        call close
        call result
        mv   a0, s1
        call close
        call result                 # -EBADF
        mv   a0, s2
        li   a1, 1
        call dup2                   # fd 1 now names the deleted file: writes go there
        call result
        li   a0, 1
        la   a1, abc
        li   a2, 3
        call write
        li   a0, 2
        la   a1, done
        li   a2, 5
        call write
        la   a0, app                # O_APPEND: every write at the end
        li   a1, O_CREAT | O_WRONLY | O_APPEND
        call open
        mv   s3, a0
        la   a1, abc
        li   a2, 3
        call write
        mv   a0, s3
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        mv   a0, s3
        la   a1, abc
        li   a2, 2
        call write
        li   a0, 2
        la   a1, done
        li   a2, 5
        call write
        li   a0, 0
        call exit
dir:    .asciz "/work"
name:   .asciz "f"
app:    .asciz "../log"
abc:    .asciz "abc"
done:   .asciz "done\\n"
        .align 4
${PRINT}`);

// Reads a block with O_DIRECT again and again: it waits for the disk each time.
const READER = program('reader', `
_start: mv   s0, a0
        la   a0, path
        li   a1, O_RDONLY | O_DIRECT
        call open
        mv   s1, a0
.loop:  beqz s0, .end
        mv   a0, s1
        li   a1, 0
        li   a2, SEEK_SET
        call lseek
        mv   a0, s1
        li   a1, HEAP_BASE
        li   a2, 4096
        call read
        addi s0, s0, -1
        j    .loop
.end:   li   a0, 0
        call exit
path:   .asciz "/bin/reader"
        .align 4`);

// On a read-only root: reading works; every change gives EROFS, after the errors of the path
// (a name that exists is EEXIST for mkdir, as on Linux).
const READONLY = program('readonly', `
_start: la   a0, self
        li   a1, O_RDONLY
        call open
        call result                 # 3
        la   a0, self
        li   a1, O_WRONLY
        call open
        call result                 # -30
        la   a0, self
        li   a1, O_RDONLY | O_TRUNC
        call open
        call result                 # -30
        la   a0, fresh
        li   a1, O_CREAT | O_WRONLY
        call open
        call result                 # -30
        la   a0, fresh
        call mkdir
        call result                 # -30
        la   a0, bin
        call mkdir
        call result                 # -17
        la   a0, self
        call unlink
        call result                 # -30
        la   a0, fresh
        call unlink
        call result                 # -30 (before ENOENT)
        la   a0, bin
        call rmdir
        call result                 # -30
        la   a0, self
        la   a1, fresh
        call rename
        call result                 # -30
        li   a0, 0
        call exit
self:   .asciz "/bin/readonly"
fresh:  .asciz "/new"
bin:    .asciz "/bin"
        .align 4
${PRINT}`);

function boot(config: string, programs: { name: string; image: Image; iterations?: number }[], input?: string, readOnly = false): BootResult {
  return findConfig(config)!.boot({ workloads: [], programs, maxCycles: 500_000_000, readOnly, ...(input !== undefined && { input: new TextEncoder().encode(input) }) });
}

const CONFIG_NAMES = CONFIGS.map((c) => c.name);

describe.each(CONFIG_NAMES)('files under %s', (config) => {
  it('read(0) returns the console input a line at a time, then 0', () => {
    const r = boot(config, [ECHO], 'hello\nworld, again\nno newline');
    expect(r.processes[0]!.output).toBe('6\nhello\n13\nworld, again\n10\nno newline0\n');
    expect(r.processes[0]!.exitCode).toBe(0);
  });

  it('read(0) without input is the end of input', () => {
    expect(boot(config, [ECHO]).processes[0]!.output).toBe('0\n');
  });

  it('descriptors, relative paths, unlink of an open file, O_APPEND, a gap of zeros', () => {
    const r = boot(config, [FILES]);
    expect(r.processes[0]).toMatchObject({
      exitCode: 0,
      // After dup2(4, 1) the process's own output goes to the deleted file, not the console.
      output: ['0', '0', '3', '4', '3', '3', '3', '6', '/work', '0', '11', '0', '0', '-9', 'done', 'done', ''].join('\n'),
    });
    // The deleted file went when its last descriptor closed (at exit); O_APPEND put both writes
    // at the end; the disk is clean.
    const disk = r.machine.disk.contents();
    expect(fsck(disk).problems).toEqual([]);
    const fs = openFs(disk);
    if (!fs.ok) throw new Error(fs.detail);
    expect(fs.value.readdir('/work')).toEqual({ ok: true, value: [] });
    expect(fs.value.readFile('/log')).toEqual({ ok: true, value: new TextEncoder().encode('abcab') });
  });

  it('a read-only root: reads work, every change is EROFS, and the disk is untouched', () => {
    const r = boot(config, [READONLY], undefined, true);
    expect(r.processes[0]).toMatchObject({ exitCode: 0, output: ['3', '-30', '-30', '-30', '-30', '-17', '-30', '-30', '-30', '-30', ''].join('\n') });
    expect(r.machine.disk.wasWritten).toBe(false);
  });

  it('a process that waits for the disk sleeps while another computes', () => {
    const reader = { ...READER, iterations: 20 };
    const alone = boot(config, [reader]);
    const together = findConfig(config)!.boot({ workloads: ['compute'], programs: [reader], maxCycles: 500_000_000 });
    expect(together.processes.map((p) => p.exitCode)).toEqual([0, 0]);
    const idleAlone = alone.stats.worlds?.idle?.cycles ?? 0;
    const idleTogether = together.stats.worlds?.idle?.cycles ?? 0;
    // The compute process ran in the time the reader waited: less idle time with it than without.
    expect(idleTogether).toBeLessThan(idleAlone);
  });
});
