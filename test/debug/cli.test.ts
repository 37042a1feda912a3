// `ringlab debug` through the real binary: scripted sessions in each configuration that exists,
// FILE mode on an example, commands from stdin, bad input, usage errors, and the README.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfig } from '../../src/configs/index.js';
import { COMMANDS } from '../../src/debug/commands.js';
import { ANSI, expectNoStackTrace, ringlab, ROOT, useCli } from '../cli/helpers.js';

const cli = useCli();

function session(args: string[], commands: string[]): ReturnType<typeof ringlab> {
  const script = cli.write(`script-${Math.random().toString(36).slice(2)}.txt`, `${commands.join('\n')}\n`);
  return ringlab(['debug', ...args, '--script', script, '--batch']);
}

/** The output of one command in a batch transcript: the lines after its echo up to the next prompt. */
function outputOf(transcript: string, command: string, occurrence = 0): string {
  const parts = transcript.split('(ringlab) ');
  const hits = parts.filter((p) => p.startsWith(`${command}\n`));
  const part = hits[occurrence];
  if (part === undefined) throw new Error(`no '${command}' in the transcript:\n${transcript}`);
  return part.slice(command.length + 1);
}

describe('ringlab debug', () => {
  it('native: break in the kernel, the trap that brought it in, back to the user syscall', () => {
    const r = session(['--config', 'native', '--workload', 'syscall', '--iterations', '2'], [
      'break kernel:syscall_dispatch',
      'continue',
      'info traps',
      'catch world',
      'reverse-continue',
      'reverse-stepi',
      'world',
      'stepi',
      'delete',
      'continue',
    ]);
    expectNoStackTrace(r);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(ANSI);
    expect(outputOf(r.stdout, 'break kernel:syscall_dispatch')).toMatch(/^Breakpoint 1 at 0x[0-9a-f]{8} <kernel:syscall_dispatch> \(programs\/kernel\/syscall\.s:\d+\), guest kernel only/);
    const stop = outputOf(r.stdout, 'continue');
    expect(stop).toContain('kernel: booting 1 processes');
    expect(stop).toMatch(/Breakpoint 1, kernel:syscall_dispatch\n\[guest kernel, ring 0\] kernel:syscall_dispatch {2}programs\/kernel\/syscall\.s:\d+\n=> 0x[0-9a-f]{8} [0-9a-f]{8} {2}lw /);
    expect(stop).toMatch(/changed: .*cause 0x0->0x1/);
    // The first system call is init's (pid 1): the fork of the child that becomes syscall (pid 2).
    expect(outputOf(r.stdout, 'info traps')).toMatch(/#1 {2}cycle \d+ {2}Syscall {2}guest user \(ring 3\) -> guest kernel {2}at 0x40000[0-9a-f]{3} <init:fork\+4> {2}syscall/);
    expect(outputOf(r.stdout, 'reverse-continue')).toMatch(/^Catchpoint 2: world changed from guest user to guest kernel \(going backwards\)\n\[guest kernel, ring 0\] kernel:trap_entry /);
    const back = outputOf(r.stdout, 'reverse-stepi');
    expect(back).toMatch(/^\[guest user, ring 3, pid 1\] init:fork\+4 {2}programs\/lib\/usys\.s:\d+\n=> 0x[0-9a-f]{8} 40000000 {2}syscall/);
    expect(back).toMatch(/ring 0x0->0x3/);
    expect(outputOf(r.stdout, 'world')).toMatch(/^guest user, ring 3, process pid 1 \(init\)/);
    expect(outputOf(r.stdout, 'stepi')).toMatch(/^Catchpoint 2: world changed from guest user to guest kernel\n\[guest kernel, ring 0\] kernel:trap_entry /);
    expect(outputOf(r.stdout, 'continue', 1)).toMatch(/syscall: iterations=2 getpid-ok=2[\s\S]*The machine halted with exit code 0\./);
  });

  it('FILE mode on an example: conditional break, backtrace, finish, print, x, watch', () => {
    const r = session([join('programs', 'examples', 'recursion.s')], [
      'break fib if $a0 == 2',
      'continue',
      'backtrace',
      'finish',
      'print $a0',
      'print/x $sp',
      'x/2xw $sp',
      'watch *($sp - 4)',
      'continue',
      'info breakpoints',
      'delete',
      'continue',
    ]);
    expectNoStackTrace(r);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ringlab debug: recursion\. Type 'help' for commands\.\n\[guest kernel, ring 0\] _start {2}programs\/examples\/recursion\.s:\d+/);
    expect(outputOf(r.stdout, 'continue')).toMatch(/Breakpoint 1, fib\n\[guest kernel, ring 0\] fib /);
    expect(outputOf(r.stdout, 'backtrace')).toMatch(/^#0 {2}0x[0-9a-f]{8} in fib [^\n]*\n#1 {2}0x[0-9a-f]{8} in _start\.loop\+8 /);
    expect(outputOf(r.stdout, 'finish')).toMatch(/^Run till exit; returns to 0x[0-9a-f]{8} <_start\.loop\+8>[\s\S]*Returned; a0 = 1 \(0x1\)/);
    expect(outputOf(r.stdout, 'print $a0')).toBe('= 1 (0x1)\n');
    expect(outputOf(r.stdout, 'print/x $sp')).toBe('= 0x10000\n');
    expect(outputOf(r.stdout, 'watch *($sp - 4)')).toBe('Watchpoint 2: write 0x0000fffc (now 20, 0x14)\n');
    // print_dec stores the digit '1' as a byte into the watched word.
    expect(outputOf(r.stdout, 'continue', 1)).toMatch(/^Watchpoint 2: write to \*\(\$sp - 4\) at 0x0000ffff: 20 \(0x14\) -> 822083604 \(0x31000014\)\n\[guest kernel, ring 0\] print_dec\.divide\+12 /);
    expect(outputOf(r.stdout, 'info breakpoints')).toMatch(/1 +breakpoint +y +0x[0-9a-f]{8} +1 +fib if \$a0 == 2\n2 +watchpoint +y +0x0000fffc +1 +write 0x0000fffc/);
    expect(outputOf(r.stdout, 'continue', 2)).toMatch(/^1 2 3 5 8 13 21 34 55 89 144 233 377 610 987 1597 2584 4181 6765 \n[\s\S]*halted with exit code 0/);
  });

  it('reads commands from stdin when it is not a terminal; --batch echoes them', () => {
    const file = join('programs', 'examples', 'hello.s');
    const plain = ringlab(['debug', file], { input: 'stepi\nprint $pc\nstepi\n\nprint $pc\n' });
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain('(ringlab)');
    expect(plain.stdout).toMatch(/= 4 \(0x4\) <_start\+4>/);
    expect(plain.stdout).toMatch(/= 12 \(0xc\) <_start\.next\+4>/); // the empty line repeated stepi
    const batch = ringlab(['debug', file, '--batch'], { input: 'stepi\nprint $pc\nquit\nprint 1\n' });
    expect(batch.status).toBe(0);
    expect(batch.stdout).toContain('(ringlab) print $pc\n= 4 (0x4) <_start+4>\n(ringlab) quit\n');
    expect(batch.stdout).not.toContain('(ringlab) print 1');
  });

  it('bad input: one line of error each, the session goes on, no stack trace, exit 1', () => {
    const r = session([join('programs', 'examples', 'hello.s')], [
      'frobnicate',
      'x/4xw 0xfffffff0',
      'print (1 +',
      'break nosuchlabel',
      'x/4qw 0',
      'info nonsense',
      'stepi 0',
      'set $zero = 1',
      'set 5 = 1',
      'delete 42',
      'help frob',
      'print 6 * 7',
    ]);
    expectNoStackTrace(r);
    expect(r.status).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(11);
    expect(outputOf(r.stdout, 'frobnicate')).toBe("error: unknown command 'frobnicate' (try 'help')\n");
    expect(outputOf(r.stdout, 'x/4xw 0xfffffff0')).toMatch(/^error: cannot access 0xfffffff0 is beyond physical memory/);
    expect(outputOf(r.stdout, 'print (1 +')).toBe('error: the expression ends too early\n');
    expect(outputOf(r.stdout, 'break nosuchlabel')).toBe("error: no label 'nosuchlabel' in the image\n");
    expect(outputOf(r.stdout, 'print 6 * 7')).toBe('= 42 (0x2a)\n');
  });

  it('usage errors: unknown config, FILE with --config, missing file, assembly errors', () => {
    const unknown = ringlab(['debug', '--config', 'nosuch']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown config 'nosuch' \(valid: native/);
    const both = ringlab(['debug', 'x.s', '--config', 'native']);
    expect(both.status).toBe(1);
    expect(both.stderr).toMatch(/either FILE or --config/);
    const missing = ringlab(['debug', 'missing.s']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read missing\.s: no such file/);
    const bad = cli.write('bad.s', '_start: frob a0\n');
    const asm = ringlab(['debug', bad]);
    expect(asm.status).toBe(2);
    const workload = ringlab(['debug', '--workload', 'nosuch']);
    expect(workload.status).toBe(1);
    expect(workload.stderr).toMatch(/unknown workload 'nosuch'/);
    const script = ringlab(['debug', join('programs', 'examples', 'hello.s'), '--script', 'missing.txt']);
    expect(script.status).toBe(1);
    for (const x of [unknown, both, missing, asm, workload, script]) expectNoStackTrace(x);
  });

  it('help lists every command from the table and describes one', () => {
    const r = session([join('programs', 'examples', 'hello.s')], ['help', 'help x', 'help info']);
    for (const c of COMMANDS) expect(outputOf(r.stdout, 'help')).toContain(c.doc);
    expect(outputOf(r.stdout, 'help x')).toMatch(/^x\/NFU ADDR\n {2}examine memory/);
    expect(outputOf(r.stdout, 'help info')).toMatch(/registers, r, reg/);
  });

  it.skipIf(!findConfig('te'))('te: the guest kernel under the VMM, and the trap history that brought the VMM in', () => {
    const r = session(['--config', 'te', '--workload', 'syscall', '--iterations', '1'], [
      'break kernel:syscall_dispatch',
      'continue',
      'world',
      'info traps 100',
      'info vcpu',
      'catch world',
      'reverse-continue',
    ]);
    expectNoStackTrace(r);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ringlab debug: vmm, kernel, init \(pid 1\), syscall \(pid 2\)/);
    expect(outputOf(r.stdout, 'continue')).toMatch(/Breakpoint 1, kernel:syscall_dispatch\n\[guest kernel, ring 1\] kernel:syscall_dispatch/);
    expect(outputOf(r.stdout, 'world')).toMatch(/^guest kernel, ring 1[\s\S]*ring 0: VMM, ring 1: guest kernel/);
    const traps = outputOf(r.stdout, 'info traps 100');
    expect(traps).toMatch(/Syscall {2}guest user \(ring 3\) -> VMM {2}at 0x40000[0-9a-f]{3} <init:fork\+4> {2}syscall/);
    expect(traps).toMatch(/PrivilegedInstruction {2}guest kernel \(ring 1\) -> VMM {2}at 0x[0-9a-f]{8} <kernel:trap_entry\+\d+> {2}csrr/);
    expect(outputOf(r.stdout, 'info vcpu')).toMatch(/vmm:vcpu at 0xffc[0-9a-f]{5}[\s\S]*V_REGS\.sp[\s\S]*V_PC/);
    expect(outputOf(r.stdout, 'reverse-continue')).toMatch(/world changed from VMM to guest kernel \(going backwards\)/);
  });

  it.skipIf(!findConfig('bt'))('bt: a breakpoint on a guest kernel symbol stops at its translation, and where names both addresses', () => {
    const r = session(['--config', 'bt', '--workload', 'syscall', '--iterations', '1'], [
      'break kernel:syscall_dispatch',
      'continue',
      'info breakpoints',
    ]);
    expectNoStackTrace(r);
    expect(r.status).toBe(0);
    // The guest kernel runs in ring 1 as translations in the VMM's cache (0xfff...); the VMM's
    // PCMAP says which guest instruction each cache word came from.
    expect(outputOf(r.stdout, 'continue')).toMatch(
      /Breakpoint 1, kernel:syscall_dispatch\n\[guest kernel, ring 1\] kernel:syscall_dispatch {2}programs\/kernel\/syscall\.s:\d+\n {3}0x[0-9a-f]{8} +\S.*the guest instruction\n=> 0xfff[0-9a-f]{5} [0-9a-f]{8} {2}\S.*its translation \((its first word|a callout to the VMM)\)/,
    );
    expect(outputOf(r.stdout, 'info breakpoints')).toMatch(/^1 +breakpoint +y +0x[0-9a-f]{8} +1 +kernel:syscall_dispatch/m);
  });

  it.skipIf(!findConfig('vtx'))('vtx: VM exits in the history, catch vmexit, the VMCS, non-root mode', () => {
    const r = session(['--config', 'vtx', '--workload', 'syscall', '--iterations', '1'], [
      'catch vmexit PortIo',
      'continue',
      'info vmcs',
      'delete',
      'break kernel:syscall_dispatch',
      'continue',
      'world',
      'info traps 3',
      'catch vmexit Bogus',
    ]);
    expectNoStackTrace(r);
    expect(r.status).toBe(1); // the last command fails on purpose
    expect(outputOf(r.stdout, 'continue')).toMatch(/^Catchpoint 1: #\d+ {2}cycle \d+ {2}VM exit PortIo \(qual 0x10010\) {2}guest kernel \(ring 0\) -> VMM {2}at 0x[0-9a-f]{8} <kernel:puts\+\d+> {2}out 0x10, t0\n\[VMM, ring 0\] vmm:/);
    expect(outputOf(r.stdout, 'info vmcs')).toMatch(/^VMCS at physical 0x[0-9a-f]{8}\n[\s\S]*X_REASON +\+176 {2}0x00000004/);
    expect(outputOf(r.stdout, 'continue', 1)).toMatch(/Breakpoint 2, kernel:syscall_dispatch\n\[guest kernel, ring 0, non-root\] kernel:syscall_dispatch/);
    expect(outputOf(r.stdout, 'world')).toMatch(/^guest kernel, ring 0, non-root mode/);
    expect(outputOf(r.stdout, 'info traps 3')).toMatch(/traps and VM exits so far[\s\S]*VM exit [\s\S]*Syscall {2}guest user \(ring 3\) -> guest kernel/);
    expect(outputOf(r.stdout, 'catch vmexit Bogus')).toMatch(/^error: unknown exit reason 'Bogus' \(reasons: Exception, ExternalInterrupt/);
  });

  it.skipIf(!findConfig('vtx'))("vtx with a breakpoint: the transcript carries boot's console byte for byte", () => {
    const args = ['--config', 'vtx', '--workload', 'compute,io', '--iterations', '5'];
    const boot = ringlab(['boot', ...args, '--json']);
    const console = (JSON.parse(boot.stdout) as { console: string }).console;
    const r = session(args, ['break kernel:kernel_panic', 'continue']);
    expectNoStackTrace(r);
    expect(outputOf(r.stdout, 'continue')).toBe(`${console}The machine halted with exit code 0.\n`);
  });

  it('FILE with --extensions and --input, as run takes them', () => {
    const file = cli.write('legacy-echo.s', `
_start: rdstatus s0             # legacy extension: STATUS without trapping
.next:  in   t0, 0x10           # console input until it ends (-1)
        blt  t0, zero, .done
        out  0x10, t0
        j    .next
.done:  halt
`);
    const input = cli.write('input.txt', 'typed by the guest\n');
    const r = session([file, '--extensions', 'legacy', '--input', input], ['stepi', 'print $s0', 'continue']);
    expectNoStackTrace(r);
    expect(r.status).toBe(0);
    expect(outputOf(r.stdout, 'print $s0')).toBe('= 0 (0x0)\n'); // ring 0, interrupts off
    expect(outputOf(r.stdout, 'continue')).toBe('typed by the guest\nThe machine halted with exit code 0.\n');
    const without = ringlab(['debug', file], { input: 'continue\n' });
    expect(without.status).toBe(2); // rdstatus is not an instruction without the extension
    const withConfig = ringlab(['debug', '--config', 'native', '--extensions', 'legacy']);
    expect(withConfig.status).toBe(1);
    expect(withConfig.stderr).toMatch(/--input and --extensions go with FILE/);
    const stdinInput = ringlab(['debug', file, '--extensions', 'legacy', '--input', '-']);
    expect(stdinInput.status).toBe(1);
    expect(stdinInput.stderr).toMatch(/reads its commands from stdin/);
    const unknown = ringlab(['debug', file, '--extensions', 'nosuch']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown ISA extension 'nosuch'/);
    for (const x of [without, withConfig, stdinInput, unknown]) expectNoStackTrace(x);
  });

  it('README documents every option of ringlab debug', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const help = ringlab(['debug', '--help']).stdout;
    const options = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help');
    expect(options).toEqual(expect.arrayContaining(['--config', '--workload', '--script', '--batch', '--max-cycles']));
    for (const option of options) expect(readme, `debug ${option}`).toMatch(new RegExp(`${option}\\b`));
    expect(readme).toMatch(/\| `ringlab debug/);
  });
});
