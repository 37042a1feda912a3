// `ringlab boot` through the real binary, as a student or an autograder runs it.

import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

useCli();

describe('ringlab boot', () => {
  it('--list names the configurations and every workload', () => {
    const r = ringlab(['boot', '--list']);
    expect(r.status).toBe(0);
    for (const name of ['native', 'compute', 'syscall', 'io', 'pagefault', 'ctxswitch', 'ptemod', 'nano-syscall', 'nano-pgfault']) {
      expect(r.stdout).toContain(name);
    }
  });

  it('--json reports each process with its own output and exit code; a killed process makes the kernel exit 4', () => {
    const r = ringlab(['boot', '--config', 'native', '--workload', 'compute,badpriv', '--iterations', '2', '--json'], { spawn: true });
    expect(r.status).toBe(4);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ config: 'native', exitCode: 4, halted: true });
    expect(result.processes.map((p: { name: string }) => p.name)).toEqual(['compute', 'badpriv']);
    const [compute, badpriv] = result.processes;
    expect(compute.exitCode).toBe(0);
    expect(compute.output).toMatch(/^compute: rounds=2 checksum=\d+\n$/);
    expect(badpriv.exitCode).toBe(128 + 4); // 128 + SIGILL
    expect(result.processes.map((p: { pid: number }) => p.pid)).toEqual([2, 3]); // init is pid 1
    expect(result.console).toContain('kernel: killed pid 3 (badpriv): PrivilegedInstruction');
    expect(result.stats.worlds.guestUser.instructions).toBeGreaterThan(0);
    expect(result.stats.traps.PrivilegedInstruction).toBe(1);
  });

  it('gives the same figures on every run', () => {
    const args = ['boot', '--workload', 'syscall,ctxswitch', '--iterations', '20', '--quantum', '5000', '--json'];
    const first = JSON.parse(ringlab(args).stdout);
    const second = JSON.parse(ringlab(args).stdout);
    expect(second.stats).toEqual(first.stats);
    expect(first.stats.traps.TimerInterrupt).toBeGreaterThan(0);
  });

  it('--vhost-console (hosted): the driver writes the guest\'s console bytes, and the output is the same', () => {
    const args = ['boot', '--config', 'hosted', '--workload', 'io', '--iterations', '2', '--json'];
    const plain = JSON.parse(ringlab(args).stdout);
    const vhost = JSON.parse(ringlab([...args, '--vhost-console']).stdout);
    expect(vhost.processes).toEqual(plain.processes);
    expect(plain.stats.hosted.vhostBytes).toBeUndefined();
    expect(vhost.stats.hosted.vhostBytes).toBe(vhost.consoleBytes); // every byte of the guest's console, none through rlvmm
    expect(vhost.stats.hosted.exits.user.PortIo).toBeLessThan(plain.stats.hosted.exits.user.PortIo - 60);
  });

  it.each([
    [['boot', '--workload', 'nope'], /unknown workload 'nope' \(valid: compute, syscall/],
    [['boot', '--config', 'xen', '--workload', 'compute'], /unknown config 'xen' \(valid: native/],
    [['boot', '--workload', 'compute', '--iterations', 'many'], /--iterations/],
    [['boot', '--config', 'vtx', '--workload', 'io', '--vhost-console'], /--vhost-console is for --config hosted/],
    [['boot', '--config', 'te', '--workload', 'io', '--host-workload', 'compute'], /--host-workload is for --config hosted/],
  ])('%j exits 1 with one clear line', (args, message) => {
    const r = ringlab(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expectNoStackTrace(r);
  });
});

describe('ringlab boot --program', () => {
  const cli = useCli();
  const MINE = `# mine.s: a program of one's own, next to no other file of ringlab's
        .include "user.inc"
_start: la   a0, hello
        call print
        li   a0, 7
        call exit
hello:  .asciz "hello from my own program\\n"
        .align 4
        .include "lib.s"
`;

  it('boots my own program as a process, next to workloads, with the same output under every config', () => {
    const file = cli.write('mine.s', MINE);
    const outputs = ['native', 'te', 'vtx', 'vtx-ept', 'pv'].map((config) => {
      const r = ringlab(['boot', '--config', config, '--workload', 'compute', '--iterations', '1', '--program', file, '--json']);
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout).processes.map((p: { name: string; exitCode: number; output: string }) => [p.name, p.exitCode, p.output]);
    });
    expect(outputs[0]).toEqual([
      ['compute', 0, expect.stringMatching(/^compute: rounds=1/)],
      ['mine', 7, 'hello from my own program\n'],
    ]);
    for (const o of outputs) expect(o).toEqual(outputs[0]);
  });

  it('a program that does not assemble is exit 2 with file:line:column; a missing include names where it looked', () => {
    const bad = cli.write('bad.s', `        .include "user.inc"\n_start: addi a0\n        .include "nosuch.inc"\n`);
    const r = ringlab(['boot', '--program', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.s:2:\d+: error/);
    expect(r.stderr).toMatch(/nosuch\.inc.*looked for/);
    expectNoStackTrace(r);
  });
});

describe('programs on the disk: asm --exec, --run, --program FILE:N, --input', () => {
  const cli = useCli();
  const ARG = `        .include "user.inc"
_start: mv   a1, a0
        la   a0, label
        call print_kv
        li   a0, 0                  # and a line of console input, echoed
        li   a1, HEAP_BASE
        li   a2, 32
        call read
        mv   a2, a0
        li   a0, 1
        li   a1, HEAP_BASE
        call write
        li   a0, 0
        call exit
label:  .asciz "a0="
        .include "lib.s"
`;

  it('--program FILE:N gives each process its own a0', () => {
    const file = cli.write('arg.s', ARG);
    const r = ringlab(['boot', '--program', `${file}:3`, '--program', `${file}:7`, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).processes.map((p: { output: string }) => p.output)).toEqual(['a0=3', 'a0=7']);
  });

  it('asm --exec writes an executable that --run starts from the disk; --input is its console input', () => {
    const source = cli.write('arg.s', ARG);
    const exec = `${cli.dir()}/arg`;
    const disk = `${cli.dir()}/run.img`;
    expect(ringlab(['asm', source, '--exec']).status).toBe(0);
    expect(ringlab(['fs', 'mkfs', disk, '--size', '1M']).status).toBe(0);
    expect(ringlab(['fs', 'mkdir', disk, '/bin']).status).toBe(0);
    expect(ringlab(['fs', 'put', disk, exec, '/bin/arg']).status).toBe(0);
    const input = cli.write('in.txt', 'hi there\nnot read\n');
    const r = ringlab(['boot', '--disk', disk, '--run', '/bin/arg', '--run', '/bin/nope', '--iterations', '5', '--input', input, '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.processes).toMatchObject([
      { name: 'arg', exitCode: 0, output: 'a0=5hi there\n' },
      { name: 'nope', exitCode: 127 },
    ]);
    // init's child reports it, as the process's own output, and exits 127 (ENOENT), as a shell does.
    expect(j.processes[1].output).toBe('init: cannot run /bin/nope: error 2\n');
    expect(j.console).toMatch(/exit codes: 2=0 3=127; power off code 0\n$/);
    expect(r.status).toBe(0);
  });

  it('--run without --disk runs from a fresh root disk (init, the shell, the utilities); a bad --run path is a usage error', () => {
    const missing = ringlab(['boot', '--run', '/bin/x', '--json']);
    expect(missing.status).toBe(0);
    expect(JSON.parse(missing.stdout).processes).toMatchObject([{ pid: 2, name: 'x', exitCode: 127, output: 'init: cannot run /bin/x: error 2\n' }]);
    const echo = ringlab(['boot', '--run', '/bin/echo', '--iterations', '7', '--json']);
    expect(echo.status, echo.stderr).toBe(0);
    expect(JSON.parse(echo.stdout).processes).toMatchObject([{ pid: 2, name: 'echo', exitCode: 0, output: '7\n' }]);
    const disk = `${cli.dir()}/x.img`;
    ringlab(['fs', 'mkfs', disk, '--size', '1M']);
    const r = ringlab(['boot', '--disk', disk, '--run', 'relative']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--run relative: an absolute path on the disk');
    expectNoStackTrace(r);
  });
});
