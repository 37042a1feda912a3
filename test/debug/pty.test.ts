// The REPL as a person uses it: on a pseudo-terminal (Python's pty module drives the real
// binary), with the prompt, colours, line editing, Ctrl-C during a running `continue` (both at
// full speed and while stepping for a watchpoint), Ctrl-C at the prompt, and quit.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, STACK_LINE, useCli } from '../cli/helpers.js';

const cli = useCli();

const havePty = spawnSync('python3', ['-c', 'import pty, select, json, base64'], { encoding: 'utf8' }).status === 0;

/** Runs argv on a pty and plays the actions: ["expect", text] waits for text (after what the
 *  previous expect matched), ["send", text] types it, ["sleep", seconds]. Prints JSON with
 *  the whole output and the exit status. */
const DRIVER = String.raw`
import base64, json, os, pty, select, sys, time
argv, actions = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, mark, failed = b'', 0, None

def pump(timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    out += data
    return True

for kind, arg in actions:
    if kind == 'send':
        os.write(fd, arg.encode())
    elif kind == 'sleep':
        end = time.time() + arg
        while time.time() < end:
            pump(0.02)
    elif kind == 'expect':
        end, want = time.time() + 20, arg.encode()
        while want not in out[mark:]:
            if time.time() > end or not pump(0.05):
                failed = arg
                break
        if failed is not None:
            break
        mark = out.index(want, mark) + len(want)

status = None
end = time.time() + 10
while time.time() < end:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
    pump(0.05)
if status is None:
    os.kill(pid, 9)
print(json.dumps({'output': base64.b64encode(out).decode(), 'status': status, 'failed': failed}))
`;

interface PtyResult {
  output: string;
  status: number | null;
  failed: string | null;
}

function onPty(args: string[], actions: [string, string | number][]): PtyResult {
  const env = { ...process.env, TERM: 'xterm-256color' };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const r = spawnSync('python3', ['-c', DRIVER, JSON.stringify([process.execPath, BIN, ...args]), JSON.stringify(actions)], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`the pty driver failed: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as { output: string; status: number | null; failed: string | null };
  return { ...res, output: Buffer.from(res.output, 'base64').toString('utf8') };
}

describe('the REPL on a terminal', () => {
  it.skipIf(!havePty)('prompt, colours, Ctrl-C during continue and at the prompt, quit', () => {
    const loop = cli.write('spin.s', '_start: addi a0, a0, 1\n        j    _start\n');
    const r = onPty(['debug', loop], [
      ['expect', '(ringlab) '],
      ['send', 'continue\r'],
      ['sleep', 0.4],
      ['send', '\x03'],
      ['expect', 'Interrupted.'],
      ['expect', '(ringlab) '],
      ['send', 'watch $a1\r'],
      ['expect', 'Watchpoint 1'],
      ['expect', '(ringlab) '],
      ['send', 'c\r'],
      ['sleep', 0.4],
      ['send', '\x03'],
      ['expect', 'Interrupted.'],
      ['expect', '(ringlab) '],
      ['send', 'print 6 *'],
      ['send', '\x03'],
      ['expect', '^C'],
      ['expect', '(ringlab) '],
      ['send', 'print 6 * 7\r'],
      ['expect', '= 42'],
      ['expect', '(ringlab) '],
      ['send', 'frobnicate\r'],
      ['expect', "unknown command 'frobnicate'"],
      ['expect', '(ringlab) '],
      ['send', 'quit\r'],
    ]);
    expect(r.failed, r.output).toBeNull();
    expect(r.status, r.output).toBe(0);
    // Colour on a terminal: the prompt is bold, the stop reason red, the location magenta.
    expect(r.output).toContain('\u001b[1m(ringlab) \u001b[22m');
    expect(r.output).toMatch(/\u001b\[31mInterrupted\.\u001b\[39m/);
    expect(r.output).toMatch(/\u001b\[35m\[guest kernel, ring 0\]\u001b\[39m/);
    const plain = r.output.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
    expect(plain.match(/Interrupted\./g)).toHaveLength(2);
    // The interrupted loop left a0 counting: it really ran.
    expect(plain).toMatch(/changed: a0 0x0->0x[0-9a-f]{4,}/);
    expect(plain).toContain('(ringlab) print 6 *^C');
    expect(r.output).not.toMatch(STACK_LINE);
  });
});
