// Running `ringlab` as a user would, and the fixture programs the CLI tests use. The command
// line runs in-process (runCli with captured output: no node start-up per call) unless what is
// tested is the process itself: `debug` (it reads the process's stdin), another cwd or
// environment, or a test that asks for a real process with { spawn: true }.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import * as asm from '../../src/cli/commands/asm.js';
import * as bench from '../../src/cli/commands/bench.js';
import * as boot from '../../src/cli/commands/boot.js';
import * as compose from '../../src/cli/commands/compose.js';
import * as container from '../../src/cli/commands/container.js';
import * as debug from '../../src/cli/commands/debug.js';
import * as disasm from '../../src/cli/commands/disasm.js';
import * as fs from '../../src/cli/commands/fs.js';
import * as fuzz from '../../src/cli/commands/fuzz.js';
import * as image from '../../src/cli/commands/image.js';
import * as registry from '../../src/cli/commands/registry.js';
import * as isa from '../../src/cli/commands/isa.js';
import * as run from '../../src/cli/commands/run.js';
import { COMMAND_MODULES, runCli, type Commands } from '../../src/cli/program.js';
import { ensureBuilt, ROOT } from './setup.js';

export { ROOT };

export const BIN = join(ROOT, 'bin', 'ringlab.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Bytes for the process's stdin. */
  input?: string;
  /** Extra environment variables (undefined deletes one). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Run the real executable (node bin/ringlab.js) even where in-process would do. */
  spawn?: boolean;
}

/** The environment a plain user has: no colour forcing, whatever NO_COLOR the caller says. */
function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['FORCE_COLOR'];
  delete env['NO_COLOR'];
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

const COMMANDS: Required<Commands> = { asm, bench, boot, compose, container, debug, disasm, fs, fuzz, image, isa, run, registry, push: registry, pull: registry };
// A command added to the CLI must be loaded here too, or in-process tests would miss it.
for (const name of Object.keys(COMMAND_MODULES)) if (!(name in COMMANDS)) throw new Error(`test/cli/helpers.ts: load the '${name}' command module`);

/** Whether the process boundary matters to this call (see the top of the file). */
function needsProcess(args: readonly string[], options: CliOptions): boolean {
  const env = Object.entries(options.env ?? {}).filter(([name, value]) => !(name === 'NO_COLOR' && value !== ''));
  return options.spawn === true || args.find((a) => !a.startsWith('-')) === 'debug' || env.length > 0 || (options.cwd ?? ROOT) !== process.cwd();
}

/** `ringlab ...args` as the executable would run it from the repository root. */
export function ringlab(args: readonly string[], options: CliOptions = {}): CliResult {
  return needsProcess(args, options) ? ringlabProcess(args, options) : ringlabInProcess(args, options.input ?? '');
}

/** runCli with captured output: neither stream is a terminal, so there is no colour. */
function ringlabInProcess(args: readonly string[], input: string): CliResult {
  let stdout = '';
  let stderr = '';
  const text = (data: string | Uint8Array): string => (typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  const status = runCli(args, {
    stdout: { write: (data) => (stdout += text(data)) },
    stderr: { write: (data) => (stderr += text(data)) },
    readStdin: () => Buffer.from(input),
  }, COMMANDS);
  if (typeof status !== 'number') throw new Error('in-process runs are synchronous (debug spawns)');
  return { status, stdout, stderr };
}

/** runCli in-process for the commands that give a promise (push, pull): they write to the io
 *  they were started with. */
export async function ringlabAsync(args: readonly string[], input = ''): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const text = (data: string | Uint8Array): string => (typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  const status = await runCli(args, {
    stdout: { write: (data) => (stdout += text(data)) },
    stderr: { write: (data) => (stderr += text(data)) },
    readStdin: () => Buffer.from(input),
  }, COMMANDS);
  return { status, stdout, stderr };
}

/** `node bin/ringlab.js ...args`, from the repository root. */
export function ringlabProcess(args: readonly string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    input: options.input ?? '',
    env: cleanEnv(options.env),
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `node bin/ringlab.js ...args` as a child process, asynchronously (so that several, e.g. one
 *  per configuration, run at once). */
export function ringlabChild(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Run a command under a pseudo-terminal with `script` (util-linux), so stdout and stderr are
 *  TTYs. Returns undefined where `script` is not available. */
export function ringlabInTty(args: readonly string[], env: Record<string, string | undefined> = {}): CliResult | undefined {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return undefined;
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: cleanEnv(env), timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Build once before the tests of a file, and give them a scratch directory of their own. */
export function useCli(): { dir: () => string; write: (name: string, text: string) => string } {
  let dir = '';
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'ringlab-cli-test-'));
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*[A-Za-z]/;

/** A line of a JavaScript stack trace ("    at foo (file.js:1:2)"). */
export const STACK_LINE = /^\s+at .+/m;

export function expectNoStackTrace(r: CliResult): void {
  expect(r.stdout, 'stdout holds a stack trace').not.toMatch(STACK_LINE);
  expect(r.stderr, 'stderr holds a stack trace').not.toMatch(STACK_LINE);
  expect(r.stderr).not.toMatch(/internal error/);
}

// ---- Fixture programs ----------------------------------------------------------------------

/** Prints a line and halts (exit code 0). */
export const HELLO = `
        .equ CONSOLE, 0x10
_start: la   a0, msg
.loop:  lbu  t0, 0(a0)
        beqz t0, .done
        out  CONSOLE, t0
        addi a0, a0, 1
        j    .loop
.done:  halt
msg:    .asciz "hello from the cli test\\n"
`;

/** Powers off through the power port with exit code 42. */
export const EXIT_42 = `
_start: li   a0, 42
        out  0x30, a0
        halt                    # not reached: the power port stops the machine
`;

/** Never stops. */
export const INFINITE = `
_start: addi a0, a0, 1
        j    _start
`;

/** Copies console input to the output, each byte plus one, until input ends (-1). */
export const SHIFT_INPUT = `
_start: in   t0, 0x10
        blt  t0, zero, .done
        addi t0, t0, 1
        out  0x10, t0
        j    _start
.done:  halt
`;

/** Three independent errors on lines 2, 3 and 5. */
export const THREE_ERRORS = `_start: li a0, 1
        addi a0, a0, 70000
        frob a1, a2
        add  a0, a1, a2
        add  a0, a1
        halt
`;

/**
 * Paging on (identity map), a ring-0 trap handler, a ring-3 program that prints through
 * syscalls, and timer interrupts while it computes: every kind of accounting in one run.
 */
export const TOUR = `
        .equ CONSOLE, 0x10
        .equ TIMER_INTERVAL, 0x20
        .equ TIMER_ACK, 0x21
        .equ PAGEDIR, 0x10000
        .equ PAGETAB, 0x11000

_start: li   t0, PAGETAB        # identity-map 32 pages (128 KiB): present, writable,
        li   t1, 0x1f           # executable, reachable from ring 3
        li   t2, 32
        li   t3, 0x1000
.map:   sw   t1, 0(t0)
        addi t0, t0, 4
        add  t1, t1, t3
        addi t2, t2, -1
        bnez t2, .map
        li   t0, PAGETAB | 1    # page-directory entry 0 -> the page table
        li   t1, PAGEDIR
        sw   t0, 0(t1)
        li   t0, PAGEDIR | 1
        csrw PTBR, t0           # paging on
        la   t0, trap
        csrw TVEC, t0
        li   t0, 1
        csrw IMASK, t0          # timer line
        li   t0, 700
        out  TIMER_INTERVAL, t0
        la   t0, user
        csrw EPC, t0
        li   t0, 7              # ring 3, interrupts enabled
        csrw ESTATUS, t0
        sret

user:   la   s0, msg            # print msg, one syscall per byte
.next:  lbu  a0, 0(s0)
        beqz a0, .work
        syscall
        addi s0, s0, 1
        j    .next
.work:  li   s1, 2000           # compute for a while so the timer fires
        li   s2, 0
.sum:   add  s2, s2, s1
        addi s1, s1, -1
        bnez s1, .sum
        li   a0, -1             # exit
        syscall

trap:   csrr t0, CAUSE
        li   t1, 1
        beq  t0, t1, .sys
        out  TIMER_ACK, zero    # timer interrupt: acknowledge and resume
        sret
.sys:   blt  a0, zero, .exit
        out  CONSOLE, a0
        csrr t0, EPC            # resume after the syscall
        addi t0, t0, 4
        csrw EPC, t0
        sret
.exit:  halt

msg:    .asciz "tour: rings, traps, paging\\n"
`;
