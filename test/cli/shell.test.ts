// `ringlab boot --shell`: scripted sessions (input given up front: the same transcript natively
// and under a VMM), usage errors, and interactive sessions on a real pseudo-terminal, typed as a
// person would (test/cli/pty-driver.py holds the terminal; node has no pty module of its own).
// Every root disk has /bin/sh (src/configs/system.ts), and with BOOT_TTY the kernel echoes, edits
// lines, turns CR into NL and Ctrl-C into SIGINT (docs/kernel.md, "The console").

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, expectNoStackTrace, ringlab, ringlabProcess, ROOT, useCli } from './helpers.js';

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

  describe('scripted', () => {
    it('runs /bin/sh on the input given up front: the same transcript natively and under te, from --input or a pipe', () => {
      const input = cli.write('lines.txt', 'echo one\necho two words | wc\n\u0003\u007f junk\nls /bin\nexit 0\n');
      const native = ringlabProcess(['boot', '--shell', '--input', input]);
      expectNoStackTrace(native);
      expect(native.status).toBe(0);
      // Without a terminal the kernel passes bytes as they are (no echo; 0x03 is just a byte).
      expect(native.stdout).toMatch(/^\$ one\n\$ +1 +2 +\d+\n\$ sh: .*not found\n\$ [^]*\bsh\n/m);
      const te = ringlabProcess(['boot', '--shell', '--config', 'te', '--input', input]);
      expect(te.status).toBe(0);
      expect(te.stdout).toBe(native.stdout);
      const piped = ringlabProcess(['boot', '--shell'], { input: readFileSync(input, 'utf8') });
      expect(piped.stdout).toBe(native.stdout);
    }, 120_000);

    it('refuses --workload, --program and --run', () => {
      for (const extra of [['--workload', 'io'], ['--program', 'x.s'], ['--run', '/bin/ls']]) {
        const r = ringlab(['boot', '--shell', ...extra]);
        expectNoStackTrace(r);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`--shell runs /bin/sh as the only process: it cannot be combined with ${extra[0]}\\n`));
      }
      expect(ringlab(['boot']).stderr).toMatch(/--workload, --program, --run or --shell is required/);
    });

    it('--disk keeps what a session made', () => {
      const img = join(cli.dir(), 'keep.img');
      expect(ringlab(['fs', 'mkfs', img]).status).toBe(0);
      const made = ringlabProcess(['boot', '--shell', '--disk', img], { input: 'echo kept > /note\nexit\n' });
      expectNoStackTrace(made);
      const again = ringlabProcess(['boot', '--shell', '--config', 'te', '--disk', img], { input: 'cat /note\n' });
      expect(again.stdout).toContain('kept\n');
    }, 120_000);
  });

  describe.runIf(HAS_PYTHON_PTY)('on a terminal', () => {
    it('typed: a command, a pipeline, Ctrl-C of a running program, exit; the terminal restored', () => {
      const r = onTerminal(['boot', '--shell'], [
        PROMPT,
        { send: 'echo hello there\r' },
        { expect: 'hello there\\r\\n' },
        PROMPT,
        { send: 'echo a b c | wc\r' },
        { expect: ' 1 +3 +6\\r\\n' },
        PROMPT,
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

    it('survives junk and a 100 KB line, and Ctrl-\\ ends it with the terminal restored', () => {
      const junk = Array.from({ length: 256 }, (_, b) => b)
        .filter((b) => ![0x03, 0x04, 0x1c].includes(b)) // Ctrl-C, Ctrl-D: the guest's; Ctrl-\: the host's
        .map((b) => String.fromCharCode(b))
        .join('');
      const r = onTerminal(['boot', '--shell'], [
        PROMPT,
        { send: `${junk}\r` },
        PROMPT,
        { send: `${'x'.repeat(100_000)}\r` },
        { send: 'echo after\r' },
        { expect: 'after\\r\\n' },
        PROMPT,
        { send: '\u001c' },
        { expect: 'session ended by Ctrl-' },
      ]);
      expect(r.failed, r.transcript.slice(-2000)).toBeNull();
      expect(r.status).toBe(3);
      expect(r.restored).toBe(true);
      expect(r.transcript).not.toMatch(/^\s+at .+/m);
    }, 200_000);

    it('ends with the power-off code, on SIGTERM (143), at the cycle limit (3), when the terminal closes; --json is refused', () => {
      const exit = onTerminal(['boot', '--shell', '--config', 'te'], [PROMPT, { send: 'exit 0\r' }]);
      expect(exit.failed, exit.transcript).toBeNull();
      expect(exit.status).toBe(0);
      expect(exit.restored).toBe(true);
      const term = onTerminal(['boot', '--shell'], [PROMPT, { signal: 'SIGTERM' }, { expect: 'session ended by SIGTERM' }]);
      expect(term.failed, term.transcript).toBeNull();
      expect(term.status).toBe(143);
      expect(term.restored).toBe(true);
      const limit = onTerminal(['boot', '--shell', '--max-cycles', '20000000'], [{ expect: 'cycle limit of 20,000,000' }]);
      expect(limit.status).toBe(3);
      expect(limit.restored).toBe(true);
      // The terminal goes away: the shell's input ends (it exits, init powers off), then the
      // session hangs up as a process whose terminal is gone does.
      const gone = onTerminal(['boot', '--shell'], [PROMPT, { send: 'echo x\r' }, { expect: 'x\\r\\n' }, { close: true }]);
      expect(gone.failed).toBeNull();
      expect(gone.status).toBe(-1);
      const json = onTerminal(['boot', '--shell', '--json'], [{ expect: '--json needs a scripted session' }]);
      expect(json.status).toBe(1);
      expect(json.restored).toBe(true);
    }, 200_000);

    it('a closed stdout ends it quietly (no stack trace) and restores the terminal', () => {
      const command = [process.execPath, BIN, 'boot', '--shell'].map((a) => `'${a}'`).join(' ');
      // head passes 40 bytes and leaves; the session's next write (an echo, the command's output,
      // the prompt) meets EPIPE. (The pause only makes sure a write comes after head has gone.)
      const r = onTerminal([], [{ expect: 'kernel' }, { send: `echo ${'y'.repeat(200)}\r` }, { sleep: 1 }, { send: 'echo more\r' }, { expect: 'done' }], ['sh', '-c', `${command} | head -c 40; echo; echo done`]);
      expect(r.failed, r.transcript).toBeNull();
      expect(r.transcript).not.toMatch(/^\s+at .+|internal error/m);
      expect(r.restored).toBe(true);
    }, 200_000);
  });
});
