// `ringlab boot --container DIR ... -- CMD [ARGS]` through the real binary: a directory of the
// host as a container's layer (its .s files assembled), /bin/crun inside the guest running the
// command as the container's pid 1 (docs/containers.md, "A container runtime").

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab, useCli } from './helpers.js';

const cli = useCli();

const HELLO = `        .include "user.inc"
# hello [WORD...]: its pid and hostname as the container sees them, its arguments, exit 3
_start: mv   s1, a1
        mv   s2, a2
        la   a0, m_pid
        call print
        call getpid
        call print_dec
        la   a0, m_host
        call print
        li   a0, HEAP_BASE
        li   a1, 80
        call gethostname
        li   a0, HEAP_BASE
        call print
        li   s3, 1
.arg:   bge  s3, s1, .done
        la   a0, m_sp
        call print
        slli t0, s3, 2
        add  t0, t0, s2
        lw   a0, 0(t0)
        call print
        addi s3, s3, 1
        j    .arg
.done:  call newline
        li   a0, 3
        call exit
m_pid:  .asciz "pid "
m_host: .asciz ", hostname "
m_sp:   .asciz " "
        .align 4
        .include "lib.s"
`;

function layer(name: string, files: Record<string, string>): string {
  const dir = join(cli.dir(), name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('ringlab boot --container', () => {
  it('runs the command as pid 1 of a container, prints its output and exits with its code', () => {
    const dir = layer('hello', { 'bin/hello.s': HELLO, 'etc/motd': 'a plain file\n' });
    const r = ringlab(['boot', '--container', dir, '--', 'hello', 'a', 'b'], { spawn: true });
    expectNoStackTrace(r);
    expect(r.stdout).toBe('pid 1, hostname ctr a b\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
  });

  it('gives the same output under every configuration', () => {
    const dir = layer('hello2', { 'bin/hello.s': HELLO });
    for (const config of ['te', 'vtx', 'vtx-ept', 'pv']) {
      const r = ringlab(['boot', '--config', config, '--container', dir, '--', '/bin/hello']);
      expect({ config, out: r.stdout, status: r.status }).toEqual({ config, out: 'pid 1, hostname ctr\n', status: 3 });
    }
  });

  it('--json reports the processes as boot --json does', () => {
    const dir = layer('hello3', { 'bin/hello.s': HELLO });
    const r = ringlab(['boot', '--container', dir, '--json', '--', 'hello'], { spawn: true });
    expect(r.status).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ config: 'native', exitCode: 3, halted: true });
    expect(result.processes).toHaveLength(1);
    expect(result.processes[0]).toMatchObject({ pid: 2, name: 'container', exitCode: 3, output: 'pid 1, hostname ctr\n' });
    expect(result.console).toContain('pid 1, hostname ctr\n');
  });

  it('a command that does not exist: crun says so, exit 127 as a shell', () => {
    const dir = layer('hello4', { 'bin/hello.s': HELLO });
    const r = ringlab(['boot', '--container', dir, '--', 'nothere'], { spawn: true });
    expect(r.stdout).toBe('crun: nothere: No such file or directory\n');
    expect(r.status).toBe(127);
  });

  it('bad input: a missing or non-directory DIR, no command, an assembly error with its file and line', () => {
    const dir = layer('hello5', { 'bin/hello.s': HELLO });
    const missing = ringlab(['boot', '--container', join(cli.dir(), 'nope'), '--', 'hello'], { spawn: true });
    expect(missing.stderr).toContain(`--container ${join(cli.dir(), 'nope')}: no such directory`);
    expect(missing.status).toBe(1);
    const file = ringlab(['boot', '--container', join(dir, 'bin', 'hello.s'), '--', 'hello'], { spawn: true });
    expect(file.stderr).toContain('hello.s: not a directory');
    expect(file.status).toBe(1);
    const nocmd = ringlab(['boot', '--container', dir], { spawn: true });
    expect(nocmd.stderr).toContain('--container needs the command the container runs');
    expect(nocmd.status).toBe(1);
    const bad = layer('bad', { 'bin/bad.s': '        .include "user.inc"\n_start: bogus a0\n        .include "lib.s"\n' });
    const asm = ringlab(['boot', '--container', bad, '--', 'bad'], { spawn: true });
    expect(asm.stderr).toContain(`${join(bad, 'bin', 'bad.s')}:2:9: error: unknown instruction 'bogus'`);
    expect(asm.stderr).toContain('1 error in');
    expect(asm.status).toBe(2);
    const nocontainer = ringlab(['boot', '--', 'hello'], { spawn: true });
    expect(nocontainer.stderr).toContain('is for a container: give its layers with --container DIR');
    expect(nocontainer.status).toBe(1);
    const both = ringlab(['boot', '--container', dir, '--workload', 'compute', '--', 'hello'], { spawn: true });
    expect(both.stderr).toContain('cannot be combined with --workload');
    expect(both.status).toBe(1);
    for (const r of [missing, file, nocmd, asm, nocontainer, both]) expectNoStackTrace(r);
  });

  it('boot --shell has /bin/crun', () => {
    const r = ringlab(['boot', '--shell'], { input: 'crun list\ncrun\n' });
    expect(r.stdout).toContain('ID              PID     STATUS    BUNDLE\n');
    expect(r.stdout).toContain('usage: crun run [-d] [--keep] ID BUNDLE');
  });
});
