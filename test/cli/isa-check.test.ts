// `ringlab isa --check`, the Popek-Goldberg classification, through the real binary.

import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/errors.js';
import { isaWith } from '../../src/isa/index.js';
import { ANSI, expectNoStackTrace, ringlab, ringlabInTty, useCli } from './helpers.js';

useCli();

describe('ringlab isa --check', () => {
  it('the base ISA: a row per instruction, and the condition holds (exit 0)', () => {
    const r = ringlab(['isa', '--check']);
    expect(r.status).toBe(ExitCode.OK);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(ANSI);
    for (const insn of isaWith().insns) {
      const verdict = insn.privilege === 'privileged' ? 'privileged' : 'innocuous';
      expect(r.stdout, insn.mnemonic).toMatch(new RegExp(`^ {2}${insn.mnemonic} +base +${insn.privilege} +(yes|no) +(yes|no) +(yes|no) +${verdict}$`, 'm'));
    }
    expect(r.stdout).toMatch(/^ {2}csrw +base +privileged +yes +yes +no +privileged$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Popek-Goldberg condition holds: every sensitive instruction is privileged');
  });

  it('--extensions legacy: names both offenders with the evidence, and exits 10', () => {
    const r = ringlab(['isa', '--check', '--extensions', 'legacy'], { spawn: true });
    expect(r.status).toBe(ExitCode.NOT_VIRTUALIZABLE);
    expect(r.status).toBe(10);
    expect(r.stdout).toMatch(/^ {2}rdstatus +legacy +sensitive +no +no +yes +SENSITIVE, NOT PRIVILEGED$/m);
    expect(r.stdout).toMatch(/^ {2}wrstatus +legacy +sensitive +no +yes +no +SENSITIVE, NOT PRIVILEGED$/m);
    expect(r.stdout).toContain('behaviour-sensitive: `rdstatus t1` puts 0x00000000 in t1 in ring 0 and 0x00000001 in ring 1');
    expect(r.stdout).toContain('it reveals the ring');
    expect(r.stdout).toContain('control-sensitive: in ring 0, IE 0, paging off, setting A, `wrstatus ra` changed STATUS.IE 0 -> 1 without trapping; in ring 3 (otherwise the same state) it left STATUS.IE at 0 without trapping');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Popek-Goldberg condition does not hold: 2 sensitive instructions are unprivileged: rdstatus, wrstatus');
    expectNoStackTrace(r);
  });

  it('--json: one object with the verdict, the offenders and the evidence for every instruction', () => {
    const r = ringlab(['isa', '--check', '--json', '--extensions', 'vmx,legacy']);
    expect(r.status).toBe(10);
    const j = JSON.parse(r.stdout);
    expect(j.isa).toEqual(['base', 'vmx', 'legacy']);
    expect(j.states).toBe(48);
    expect(j.holds).toBe(false);
    expect(j.offenders).toEqual(['rdstatus', 'wrstatus']);
    expect(j.instructions).toHaveLength(isaWith(['vmx', 'legacy']).insns.length);
    for (const i of j.instructions) expect(i.tableAgrees, i.mnemonic).toBe(true);
    const sret = j.instructions.find((i: { mnemonic: string }) => i.mnemonic === 'sret');
    expect(sret).toMatchObject({ bundle: 'base', opcode: 0x50, table: 'privileged', privileged: true, controlSensitive: true, behaviourSensitive: true, verdict: 'privileged' });
    expect(sret.evidence.privilege).toMatch(/^traps with PrivilegedInstruction in rings 1-3 and never in ring 0/);
    expect(ringlab(['isa', '--check', '--json']).status).toBe(0);
  });

  it('is coloured only on a terminal, and never with NO_COLOR', () => {
    const tty = ringlabInTty(['isa', '--check', '--extensions', 'legacy']);
    if (!tty) return; // no `script` here to give the command a terminal
    expect(tty.stdout).toMatch(ANSI);
    expect(ringlabInTty(['isa', '--check', '--extensions', 'legacy'], { NO_COLOR: '1' })!.stdout).not.toMatch(ANSI);
  });

  it('usage errors: --json without --check, --check with --markdown, an unknown extension', () => {
    for (const args of [['isa', '--json'], ['isa', '--check', '--markdown'], ['isa', '--check', '--extensions', 'nope']]) {
      const r = ringlab(args);
      expect(r.status, args.join(' ')).toBe(ExitCode.USAGE);
      expect(r.stderr).toMatch(/^ringlab: /);
      expectNoStackTrace(r);
    }
  });
});
