// `ringlab container run`, RUN in `image build` and `container run --commit` through the CLI
// (docs/images.md, "Running an image"): images built from examples/images/base, run by the
// guest's /bin/crun in every configuration. Boots are the cost here: the images are built once
// (one RUN boot), and each test boots as few times as it can.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runContainer } from '../../src/configs/container.js';
import { findConfig } from '../../src/configs/index.js';
import { decodeTar } from '../../src/image/tar.js';
import { isaWith } from '../../src/isa/index.js';
import { BIN, expectNoStackTrace, ringlab, ringlabChild, ROOT, useCli } from './helpers.js';

const cli = useCli();
const HAS_PYTHON_PTY = spawnSync('python3', ['-c', 'import pty, termios'], { encoding: 'utf8' }).status === 0;
/** A file under the test's directory, its directories made. */
const write = (name: string, text: string): void => {
  mkdirSync(dirname(join(cli.dir(), name)), { recursive: true });
  writeFileSync(join(cli.dir(), name), text);
};
let store: string;
const s = () => ['--store', store];

/** The test image: base:1's shell and utilities, a file, a WORKDIR, a RUN that writes and
 *  deletes, a CMD that shows them and exits 3. */
const PROBE = `FROM base:1
COPY motd /etc/motd
WORKDIR /srv
RUN mkdir data; echo built > data/stamp; rm /bin/false
CMD ["/bin/sh", "-c", "hostname; ls; cat data/stamp /etc/motd; ls /bin; exit 3"]
`;
const PROBE_OUT = 'ctr\ndata\nbuilt\na message\ncat\ncp\necho\nhostname\nls\nmkdir\nmv\nrm\nsh\nsleep\ntrue\nwc\n';

beforeAll(() => {
  store = join(cli.dir(), 'store');
  const base = ringlab(['image', 'build', '-q', '-t', 'base:1', ...s(), join(ROOT, 'examples', 'images', 'base')]);
  expect(base.status, base.stderr).toBe(0);
  write('probe/motd', 'a message\n');
  write('probe/Ringfile', PROBE);
  const probe = ringlab(['image', 'build', '-t', 'probe:1', ...s(), join(cli.dir(), 'probe')]);
  expect(probe.status, probe.stderr).toBe(0);
  write('entry/Ringfile', 'FROM base:1\nENTRYPOINT ["/bin/echo", "entry"]\nCMD ["default"]\n');
  const entry = ringlab(['image', 'build', '-q', '-t', 'entry:1', ...s(), join(cli.dir(), 'entry')]);
  expect(entry.status, entry.stderr).toBe(0);
}, 60_000);

describe('ringlab container run', () => {
  it("runs an image's CMD in a container with the same output and exit code in every configuration", async () => {
    const configs = ['native', 'te', 'vtx', 'vtx-ept', 'pv'];
    const runs = await Promise.all(configs.map((config) => ringlabChild(['container', 'run', '--config', config, '--json', ...s(), 'probe:1'])));
    const cycles: Record<string, number> = {};
    runs.forEach((r, i) => {
      expect(r.stderr).toBe('');
      const json = JSON.parse(r.stdout);
      expect({ config: configs[i], status: r.status, out: json.processes[0].output, exit: json.exitCode }).toEqual({ config: configs[i], status: 3, out: PROBE_OUT, exit: 3 });
      expect(json).toMatchObject({ image: 'probe:1', config: configs[i], halted: true });
      cycles[configs[i]!] = json.stats.cycles;
    });
    // The figures the report quotes: cycles of the whole boot, container included.
    console.log(`container run probe:1, cycles per config: ${JSON.stringify(cycles)}`);
    const plain = await ringlabChild(['container', 'run', ...s(), 'probe:1']);
    expect(plain).toEqual({ status: 3, stdout: PROBE_OUT, stderr: '' });
  }, 120_000);

  it("arguments after IMAGE replace CMD, after the ENTRYPOINT (docker's rules); options after IMAGE are the command's", () => {
    expect(ringlab(['container', 'run', ...s(), 'entry:1'])).toEqual({ status: 0, stdout: 'entry default\n', stderr: '' });
    expect(ringlab(['container', 'run', ...s(), 'entry:1', '-n', 'x y', 'a\\b', '\\'])).toEqual({ status: 0, stdout: 'entry -n x y a\\b \\\n', stderr: '' });
  });

  it("any words reach the container's argv as they were given (arbitrary words through crun's bundle)", () => {
    const word = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom('a', 'Z', ' ', '\\', '"', "'", '=', '#', '$', 'é', '\t', '-', ';', '|') });
    const words = fc.sample(fc.array(word, { minLength: 1, maxLength: 25 }), { numRuns: 1, seed: 18 })[0]!;
    const r = ringlab(['container', 'run', ...s(), 'base:1', 'echo', 'x', ...words]);
    expect(r).toEqual({ status: 0, stdout: `x ${words.join(' ')}\n`, stderr: '' });
  });

  it("sh -c runs its string; crun's cwd= must name a directory (125 with the kernel's error)", () => {
    const r = ringlab(['container', 'run', ...s(), 'base:1', 'sh', '-c', 'echo one; echo two; sh -c; echo $?']);
    expect(r).toEqual({ status: 0, stdout: 'one\ntwo\nsh: -c: option requires an argument\n2\n', stderr: '' });
    const run = runContainer(findConfig('native')!, { layers: [[{ path: 'bin', type: 'dir' }]], command: ['/bin/x'], cwd: '/nothere' }, isaWith([]), {});
    expect({ exit: run.exitCode, out: run.job?.output }).toEqual({ exit: 125, out: 'crun: ctr: cwd: No such file or directory\n' });
  });

  it('the architecture check: an image that needs an ISA extension runs only on a machine that has it', () => {
    expect(ringlab(['image', 'build', '-q', '-t', 'legacy:1', ...s(), join(ROOT, 'examples', 'images', 'legacy')]).status).toBe(0);
    const refused = ringlab(['container', 'run', ...s(), 'legacy:1']);
    expect(refused).toEqual({ status: 1, stdout: '', stderr: "ringlab: the image's platform does not match the machine: it needs the ISA extension legacy, which the machine (--config native) lacks (its extensions: none; boot one with --extensions legacy)\n" });
    const ran = ringlab(['container', 'run', '--extensions', 'legacy', ...s(), 'legacy:1']);
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('ring 3\n');
  });

  it('--hostname and the limits reach the container: --pids 2 lets the shell fork once', () => {
    const r = ringlab(['container', 'run', '--hostname', 'box', '--pids', '2', '--memory', '1M', '--cpus', '0.5', ...s(), 'base:1', 'sh', '-c', 'hostname; echo a | cat | cat; echo $?; cat /nothere']);
    expect(r).toEqual({ status: 1, stdout: 'box\nsh: fork: Resource temporarily unavailable\n1\ncat: /nothere: No such file or directory\n', stderr: '' });
  });

  it("ringlab's own errors: exit 1 with one message; the container's: its code (127: no such command)", () => {
    const cases: [string[], number, RegExp | string][] = [
      [['container', 'run', ...s(), 'nothere:1'], 1, /no image nothere:1 in /],
      [['container', 'run', ...s(), 'Bad:1'], 1, /bad image reference 'Bad:1'/],
      [['container', 'run', '--cpus', '0', ...s(), 'base:1'], 1, /--cpus expects a number of CPUs above 0/],
      [['container', 'run', '--cpus', 'x', ...s(), 'base:1'], 1, /--cpus expects a number/],
      [['container', 'run', '--pids', '0', ...s(), 'base:1'], 1, /--pids 0 leaves the container nothing/],
      [['container', 'run', '--memory', 'lots', ...s(), 'base:1'], 1, /--memory expects a size/],
      [['container', 'run', '--hostname', 'h'.repeat(65), ...s(), 'base:1'], 1, /--hostname expects 1 to 64 bytes/],
      [['container', 'run', '--config', 'nope', ...s(), 'base:1'], 1, /unknown config 'nope'/],
      [['container', 'run', '--rm', '--commit', 'x:1', ...s(), 'base:1'], 1, /--rm and --commit cannot be combined/],
      [['container', 'run', '--commit', 'x@sha256:' + '0'.repeat(64), ...s(), 'base:1'], 1, /--commit takes NAME:TAG/],
      [['container', 'run', ...s(), 'base:1', 'a\nb'], 1, /holds a newline/],
    ];
    for (const [args, status, message] of cases) {
      const r = ringlab(args);
      expectNoStackTrace(r);
      expect({ args, status: r.status }).toEqual({ args, status });
      expect(r.stderr).toMatch(message);
    }
    write('nocmd/Ringfile', 'FROM scratch\nCOPY Ringfile /\n');
    expect(ringlab(['image', 'build', '-q', '-t', 'nocmd:1', ...s(), join(cli.dir(), 'nocmd')]).status).toBe(0);
    const nocmd = ringlab(['container', 'run', ...s(), 'nocmd:1']);
    expect(nocmd.status).toBe(1);
    expect(nocmd.stderr).toMatch(/nocmd:1: no command: the image has no CMD or ENTRYPOINT/);
    const missing = ringlab(['container', 'run', ...s(), 'base:1', 'nothere']);
    expect(missing).toEqual({ status: 127, stdout: 'crun: nothere: No such file or directory\n', stderr: '' });
  });

  it('--commit NAME:TAG makes the writable layer a new image: files written and whiteouts for files removed', () => {
    const script = 'echo new > /srv/note; rm /etc/motd; rm -r /srv/data; mkdir /srv/data; echo n > /srv/data/n; echo done';
    const r = ringlab(['container', 'run', '--commit', 'committed:1', ...s(), 'probe:1', 'sh', '-c', script]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toMatch(/^Committed committed:1: image ID sha256:[0-9a-f]{64} \(a layer of \d+ bytes\)\n$/);
    const inspect = JSON.parse(ringlab(['image', 'inspect', ...s(), 'committed:1']).stdout)[0];
    const top = inspect.Layers.at(-1);
    const tar = decodeTar(readFileSync(join(store, 'blobs', 'sha256', top.Digest.slice(7))), 'layer');
    // a whiteout for the removed file; the directory made again over a removed one is opaque
    expect(tar.map((e) => e.path)).toEqual(['etc', 'etc/.wh.motd', 'srv', 'srv/data', 'srv/data/.wh..wh..opq', 'srv/data/n', 'srv/note']);
    expect(inspect.Config.Cmd).toEqual(['/bin/sh', '-c', 'hostname; ls; cat data/stamp /etc/motd; ls /bin; exit 3']);
    const history = JSON.parse(ringlab(['image', 'history', '--json', ...s(), 'committed:1']).stdout);
    expect(history.at(-1)).toMatchObject({ createdBy: `ringlab container run sh -c ${script}`, comment: 'ringlab container commit' });
    const again = ringlab(['container', 'run', ...s(), 'committed:1', 'sh', '-c', 'cat note; ls /etc; ls data']);
    expect(again).toEqual({ status: 0, stdout: 'new\nn\n', stderr: '' });
  });
});

describe('container run -i and -it', () => {
  it('-i gives the container stdin as its input; -t needs -i and a terminal', () => {
    expect(ringlab(['container', 'run', '-i', ...s(), 'base:1', 'wc'], { input: 'one two\nthree\n' })).toEqual({ status: 0, stdout: '      2       3      14\n', stderr: '' });
    const noTty = ringlab(['container', 'run', '-it', ...s(), 'base:1', 'sh'], { spawn: true });
    expect(noTty.status).toBe(1);
    expect(noTty.stderr).toMatch(/the input device is not a TTY: -it needs a terminal/);
    const noI = ringlab(['container', 'run', '-t', ...s(), 'base:1', 'sh']);
    expect(noI.status).toBe(1);
    expect(noI.stderr).toMatch(/-t needs -i/);
  });

  it.skipIf(!HAS_PYTHON_PTY)('-it on a real terminal: a shell in the container, Ctrl-C of a program in it, exit with its code; no kernel lines; the terminal restored', () => {
    const spec = {
      argv: [process.execPath, BIN, 'container', 'run', '-it', ...s(), 'probe:1', 'sh'],
      cwd: ROOT,
      env: { NO_COLOR: '1' },
      timeout: 100,
      steps: [
        { expect: '\\$ ' },
        { send: 'ls; hostname\r' },
        { expect: 'data\\r\\nctr\\r\\n' },
        { expect: '\\$ ' },
        { send: 'sleep 100000\r' },
        { sleep: 1 },
        { send: '\u0003' },
        { expect: '\\^C' },
        { expect: '\\$ ' },
        { send: 'echo still here; exit 5\r' },
      ],
    };
    const r = spawnSync('python3', [join(ROOT, 'test', 'cli', 'pty-driver.py')], { input: JSON.stringify(spec), encoding: 'utf8', timeout: 150_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { status: number; transcript: string; failed: string | null; restored: boolean };
    expect(result.failed, result.transcript).toBeNull();
    expect(result.status).toBe(5);
    expect(result.restored).toBe(true);
    expect(result.transcript).toBe('$ ls; hostname\r\ndata\r\nctr\r\n$ sleep 100000\r\n^C\r\n$ echo still here; exit 5\r\nstill here\r\n');
  }, 160_000);
});

describe('RUN in image build', () => {
  it('a cache hit boots nothing; the same Ringfile and context give the same image ID in another store', () => {
    const first = ringlab(['image', 'inspect', ...s(), 'probe:1']);
    const id = JSON.parse(first.stdout)[0].Id;
    const cached = ringlab(['image', 'build', '-t', 'probe:2', ...s(), join(cli.dir(), 'probe')]);
    expect(cached.status).toBe(0);
    expect(cached.stdout).toContain('Step 4/5 : RUN mkdir data; echo built > data/stamp; rm /bin/false\n ---> Using cache\n');
    expect(cached.stdout).toContain(`image ID ${id}`);
    // another store: base and probe built again from nothing, RUN booted again
    const other = ['--store', join(cli.dir(), 'other')];
    expect(ringlab(['image', 'build', '-q', '-t', 'base:1', ...other, join(ROOT, 'examples', 'images', 'base')]).status).toBe(0);
    const rebuilt = ringlab(['image', 'build', '-q', '--no-cache', '-t', 'probe:1', ...other, join(cli.dir(), 'probe')]);
    expect(rebuilt).toEqual({ status: 0, stdout: `${id}\n`, stderr: '' });
    // the RUN layer: the new files, and a whiteout for the one the command removed
    const inspect = JSON.parse(first.stdout)[0];
    const tar = decodeTar(readFileSync(join(store, 'blobs', 'sha256', inspect.Layers.at(-1).Digest.slice(7))), 'layer');
    expect(tar.map((e) => (e.type === 'dir' ? `${e.path}/` : e.path))).toEqual(['bin/', 'bin/.wh.false', 'srv/', 'srv/data/', 'srv/data/stamp']);
  });

  it("a failing RUN stops the build with the command's exit code, its output and the step's line:column; -q prints the output on stderr", () => {
    write('fail/Ringfile', 'FROM base:1\n# a comment\n  RUN ["/bin/sh", "-c", "echo half; cat /nothere; exit 7"]\nCMD ["/bin/true"]\n');
    const ringfile = join(cli.dir(), 'fail', 'Ringfile');
    const r = ringlab(['image', 'build', '-t', 'fail:1', ...s(), join(cli.dir(), 'fail')]);
    expectNoStackTrace(r);
    expect(r.status).toBe(7);
    expect(r.stdout).toContain('Step 2/3 : RUN ["/bin/sh", "-c", "echo half; cat /nothere; exit 7"]\n ---> Running in a container on the emulated machine (native)\nhalf\ncat: /nothere: No such file or directory\n');
    expect(r.stdout).not.toContain('Step 3/3');
    expect(r.stderr).toBe(`ringlab: ${ringfile}:3:3: RUN ["/bin/sh", "-c", "echo half; cat /nothere; exit 7"]: the command returned a non-zero code: 7\n`);
    const quiet = ringlab(['image', 'build', '-q', '-t', 'fail:1', ...s(), join(cli.dir(), 'fail')]);
    expect(quiet.status).toBe(7);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe(`half\ncat: /nothere: No such file or directory\nringlab: ${ringfile}:3:3: RUN ["/bin/sh", "-c", "echo half; cat /nothere; exit 7"]: the command returned a non-zero code: 7\n`);
    expect(ringlab(['image', 'inspect', ...s(), 'fail:1']).status).toBe(1);
  });

  it("the guest's disk filling up during RUN is a clear error", () => {
    write('full/big', 'x'.repeat(1_200_000));
    write('full/Ringfile', 'FROM base:1\nCOPY big /big\nRUN cp /big /a; cp /big /b; cp /big /c\n');
    const r = ringlab(['image', 'build', '-t', 'full:1', ...s(), join(cli.dir(), 'full')]);
    expectNoStackTrace(r);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('cp: /c: No space left on device\n');
    expect(r.stderr).toMatch(/Ringfile:3:1: RUN cp \/big \/a; cp \/big \/b; cp \/big \/c: the command returned a non-zero code: 1; the guest's disk is full: its 4 MiB root disk had \d+ KiB free for the container's files when it started and \d+ KiB at its end\n$/);
  });
});
