// `ringlab boot --shell`: scripted sessions (input given up front: the same transcript natively
// and under a VMM), usage errors, and interactive sessions on a real pseudo-terminal, typed as a
// person would (test/cli/pty-driver.py holds the terminal; node has no pty module of its own).
//
// The host side does not depend on which program /bin/sh is: most tests put a small line echoer
// there (a disk made with `ringlab fs`), so they hold whatever the shell and the kernel's line
// discipline do. The tests of the real shell run once programs/user/sh.s is there; those that
// need the kernel's terminal handling (echo, Ctrl-C as SIGINT) once it is (BOOT_TTY in the
// console driver).

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, expectNoStackTrace, ringlab, ringlabProcess, ROOT, useCli } from './helpers.js';

/** The stand-in for /bin/sh: prints "$ ", reads a line, writes it back as "> LINE", until the
 *  end of its input; then "bye" and exit 0. */
const ECHOER = `
        .include "user.inc"
_start: la   a0, prompt
        call print
        li   a0, 0
        la   a1, buf
        li   a2, 256
        call read
        ble  a0, zero, .done
        mv   s0, a0
        la   a0, tag
        call print
        li   a0, 1
        la   a1, buf
        mv   a2, s0
        call write
        j    _start
.done:  la   a0, bye
        call print
        li   a0, 0
        call exit
prompt: .asciz "$ "
tag:    .asciz "> "
bye:    .asciz "bye\\n"
        .align 4
buf:    .space 256
        .include "lib.s"
`;

const HAS_SHELL = existsSync(join(ROOT, 'programs', 'user', 'sh.s'));
const HAS_PIPES = HAS_SHELL && existsSync(join(ROOT, 'programs', 'kernel', 'pipe.s'));
const HAS_TTY = /BOOT_TTY/.test(['console.s', 'file.s'].map((f) => (existsSync(join(ROOT, 'programs', 'kernel', f)) ? readFileSync(join(ROOT, 'programs', 'kernel', f), 'utf8') : '')).join(''));
const HAS_PYTHON_PTY = spawnSync('python3', ['-c', 'import pty, termios'], { encoding: 'utf8' }).status === 0;

type Step = { send: string } | { expect: string } | { signal: string } | { close: true } | { sleep: number };

interface PtyResult {
  /** Exit code, or minus the signal that ended it. */
  status: number;
  transcript: string;
  failed: string | null;
  /** The terminal's mode after the command equals the mode before it (null: terminal gone). */
  restored: boolean | null;
}

/** Run `ringlab ...args` on a pseudo-terminal and play the steps on it. */
function onTerminal(args: readonly string[], steps: readonly Step[], argv = [process.execPath, BIN, ...args]): PtyResult {
  const spec = { argv, cwd: ROOT, env: { NO_COLOR: '1' }, timeout: 150, steps };
  const r = spawnSync('python3', [join(ROOT, 'test', 'cli', 'pty-driver.py')], { input: JSON.stringify(spec), encoding: 'utf8', timeout: 200_000 });
  if (r.status !== 0) throw new Error(`pty-driver.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PtyResult;
}

const regex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PROMPT = { expect: regex('$ ') };

describe('boot --shell', () => {
  const cli = useCli();
  let disk = '';
  let copies = 0;
  /** A fresh copy of the disk whose /bin/sh is the echoer. */
  const echoerDisk = (): string => {
    if (!disk) {
      const source = cli.write('echoer.s', ECHOER);
      const exe = join(cli.dir(), 'echoer');
      disk = join(cli.dir(), 'echoer.img');
      for (const args of [['asm', '--exec', source, '-o', exe], ['fs', 'mkfs', disk], ['fs', 'mkdir', disk, '/bin'], ['fs', 'put', disk, exe, '/bin/sh']]) {
        expect(ringlab(args).status, args.join(' ')).toBe(0);
      }
    }
    const copy = join(cli.dir(), `session-${copies++}.img`);
    copyFileSync(disk, copy);
    return copy;
  };

  describe('scripted', () => {
    it('runs /bin/sh on the input given up front: the same transcript natively and under te, from --input or a pipe', () => {
      const input = cli.write('lines.txt', 'one\ntwo words\n\u0003\u007f junk\n');
      const native = ringlabProcess(['boot', '--shell', '--disk', echoerDisk(), '--input', input]);
      expectNoStackTrace(native);
      expect(native.status).toBe(0);
      // Without a terminal the kernel passes bytes as they are (no echo, 0x03 is a byte).
      expect(native.stdout).toContain('$ > one\n$ > two words\n$ > \u0003\u007f junk\n$ bye\n');
      const te = ringlabProcess(['boot', '--shell', '--config', 'te', '--disk', echoerDisk(), '--input', input]);
      expect(te.status).toBe(0);
      expect(te.stdout).toBe(native.stdout);
      const piped = ringlabProcess(['boot', '--shell', '--disk', echoerDisk()], { input: readFileSync(input, 'utf8') });
      expect(piped.stdout).toBe(native.stdout);
    }, 120_000);

    it('refuses --workload, --program and --run, and --json on a terminal', () => {
      for (const extra of [['--workload', 'io'], ['--program', 'x.s'], ['--run', '/bin/ls', '--disk', 'x.img']]) {
        const r = ringlab(['boot', '--shell', ...extra]);
        expectNoStackTrace(r);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`--shell runs /bin/sh as the only process: it cannot be combined with ${extra[0]}\\n`));
      }
      expect(ringlab(['boot']).stderr).toMatch(/--workload, --program, --run or --shell is required/);
    });

    it.runIf(HAS_SHELL)('the real shell: --disk keeps what a session made', () => {
      const img = join(cli.dir(), 'keep.img');
      expect(ringlab(['fs', 'mkfs', img]).status).toBe(0);
      const made = ringlabProcess(['boot', '--shell', '--disk', img], { input: 'echo kept > /note\nexit\n' });
      expectNoStackTrace(made);
      const again = ringlabProcess(['boot', '--shell', '--config', 'te', '--disk', img], { input: 'cat /note\n' });
      expect(again.stdout).toContain('kept\n');
    }, 120_000);
  });

  describe.runIf(HAS_PYTHON_PTY)('on a terminal', () => {
    it('forwards typed bytes, survives junk and a 100 KB line, and Ctrl-\\ ends it with the terminal restored', () => {
      const junk = Array.from({ length: 256 }, (_, b) => b)
        .filter((b) => ![0x03, 0x04, 0x1c].includes(b)) // Ctrl-C, Ctrl-D: the guest's; Ctrl-\: the host's
        .map((b) => String.fromCharCode(b))
        .join('');
      const r = onTerminal(['boot', '--shell', '--disk', echoerDisk()], [
        PROMPT,
        { send: 'hello\n' },
        { expect: regex('> hello') },
        { send: `${junk}\n` },
        PROMPT,
        { send: `${'x'.repeat(100_000)}\n` },
        { send: 'after\n' },
        { expect: regex('> after') },
        { send: '\u001c' },
        { expect: 'session ended by Ctrl-' },
      ]);
      expect(r.failed, r.transcript.slice(-2000)).toBeNull();
      expect(r.status).toBe(3);
      expect(r.restored).toBe(true);
      expect(r.transcript).not.toMatch(/^\s+at .+/m);
    }, 200_000);

    it('the guest powering off ends it with its code; SIGTERM ends it with 143; both restore the terminal (under te too)', () => {
      const bye = onTerminal(['boot', '--shell', '--config', 'te', '--disk', echoerDisk()], [PROMPT, { send: 'x\n' }, { expect: regex('> x') }, { close: true }]);
      // The terminal went away: the guest's input ends (the echoer says bye and exits, init powers
      // off), then the session hangs up as a process whose terminal is gone does.
      expect(bye.failed).toBeNull();
      expect(bye.status).toBe(-1);
      const term = onTerminal(['boot', '--shell', '--disk', echoerDisk()], [PROMPT, { signal: 'SIGTERM' }, { expect: 'session ended by SIGTERM' }]);
      expect(term.failed, term.transcript).toBeNull();
      expect(term.status).toBe(143);
      expect(term.restored).toBe(true);
      const json = onTerminal(['boot', '--shell', '--json'], [{ expect: '--json needs a scripted session' }]);
      expect(json.status).toBe(1);
      expect(json.restored).toBe(true);
      const limit = onTerminal(['boot', '--shell', '--disk', echoerDisk(), '--max-cycles', '20000000'], [{ expect: 'cycle limit of 20,000,000' }]);
      expect(limit.status).toBe(3);
      expect(limit.restored).toBe(true);
    }, 200_000);

    it('a closed stdout ends it quietly (no stack trace) and restores the terminal', () => {
      const command = [process.execPath, BIN, 'boot', '--shell', '--disk', echoerDisk()].map((a) => `'${a}'`).join(' ');
      // head passes 40 bytes and leaves; the session's next write (the answer to "more") meets
      // EPIPE. (Pacing only: a write before head has gone would just wait for more typing.)
      const r = onTerminal([], [{ expect: 'kernel' }, { send: `${'y'.repeat(200)}\n` }, { expect: 'y{8}' }, { sleep: 1 }, { send: 'more\n' }, { expect: 'done' }], ['sh', '-c', `${command} | head -c 40; echo; echo done`]);
      expect(r.failed, r.transcript).toBeNull();
      expect(r.transcript).toContain('done');
      expect(r.transcript).not.toMatch(/^\s+at .+|internal error/m);
      expect(r.restored).toBe(true);
    }, 200_000);

    it.runIf(HAS_SHELL && HAS_TTY)('the real shell, typed: a command, Ctrl-C of a running program, exit', () => {
      const r = onTerminal(['boot', '--shell'], [
        PROMPT,
        { send: 'echo hello there\r' },
        { expect: 'hello there\\r\\n' },
        PROMPT,
        ...(HAS_PIPES ? [{ send: 'echo a b c | wc\r' }, { expect: '3' }, PROMPT] : []),
        { send: 'sleep 100000\r' },
        { sleep: 1 },
        { send: '\u0003' },
        { expect: regex('^C') },
        PROMPT,
        { send: 'echo still here\r' },
        { expect: 'still here\\r\\n' },
        PROMPT,
        { send: 'exit\r' },
      ]);
      expect(r.failed, r.transcript.slice(-2000)).toBeNull();
      expect(r.status).toBe(0);
      expect(r.restored).toBe(true);
    }, 200_000);
  });
});
