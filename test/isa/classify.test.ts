// The Popek-Goldberg classifier (src/machine/classify.ts): every instruction of every extension
// is classified by running it, and the instruction table's privilege class must agree, so a
// coursework instruction that claims to be harmless but reads or changes control state is
// caught. Random operands (fast-check) then check the classification's claims beyond the fixed
// encodings the classifier tries.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE,
  buildIsa,
  Cause,
  defineExtension,
  defineInsn,
  EXTENSIONS,
  Formats,
  isaWith,
  LEGACY,
  Status,
  type InsnDef,
  type Isa,
} from '../../src/isa/index.js';
import { ClassifierBench, classifyIsa, CONTEXTS, type Outcome } from '../../src/machine/classify.js';
import { ISAS_UNDER_TEST } from './isas-under-test.js';

const ALL: readonly (readonly [string, Isa])[] = [...ISAS_UNDER_TEST, ['every extension', isaWith([...EXTENSIONS.keys()])]];

describe.each(ALL)('the instruction table of %s', (_name, isa) => {
  it("gives every instruction the privilege class the classifier finds (privileged, sensitive or user)", () => {
    const r = classifyIsa(isa);
    expect(r.insns.map((i) => i.mnemonic)).toEqual(isa.insns.map((i) => i.mnemonic));
    for (const i of r.insns) {
      expect(`${i.mnemonic}: ${i.table}`, `${i.evidence.privilege}; ${i.evidence.control ?? ''}; ${i.evidence.behaviour.join('; ')}`).toBe(`${i.mnemonic}: ${i.expected}`);
    }
  });

  it('holds the Popek-Goldberg condition exactly when it has no sensitive unprivileged instruction', () => {
    const r = classifyIsa(isa);
    expect(r.holds).toBe(!isa.insns.some((i) => i.privilege === 'sensitive'));
    expect(r.offenders.map((o) => o.mnemonic)).toEqual(isa.insns.filter((i) => i.privilege === 'sensitive').map((i) => i.mnemonic));
  });
});

describe('the classification of ringlab', () => {
  it('the base ISA: the eleven privileged instructions are exactly the sensitive ones', () => {
    const r = classifyIsa(isaWith());
    expect(r.holds).toBe(true);
    const sensitive = r.insns.filter((i) => i.controlSensitive || i.behaviourSensitive).map((i) => i.mnemonic);
    expect(sensitive).toEqual(['sret', 'halt', 'wfi', 'ei', 'di', 'csrr', 'csrw', 'in', 'out', 'tlbflush', 'tlbflushall']);
    expect(r.insns.filter((i) => i.privileged).map((i) => i.mnemonic)).toEqual(sensitive);
  });

  it('names what makes each privileged instruction sensitive', () => {
    const r = classifyIsa(isaWith());
    const by = new Map(r.insns.map((i) => [i.mnemonic, i]));
    expect(by.get('ei')!.evidence.control).toMatch(/`ei` changed STATUS\.IE 0 -> 1 without trapping; in ring 3 .* it traps with PrivilegedInstruction/);
    expect(by.get('tlbflush')!.evidence.control).toMatch(/relocated map.*changed translation of 0x00003000 frame 0x0000d000 -> frame 0x0000f000/);
    expect(by.get('csrr')!.evidence.behaviour.join('\n')).toMatch(/reveals STATUS\.IE/);
    expect(by.get('in')!.evidence.behaviour.join('\n')).toMatch(/depends on the other control registers or the devices/);
    expect(by.get('wfi')!.evidence.control).toMatch(/run state running -> sleeping/);
  });

  it('loads and stores are not location-sensitive: the relocated map changes nothing a program sees', () => {
    const r = classifyIsa(isaWith());
    for (const m of ['lb', 'lbu', 'lh', 'lhu', 'lw', 'sb', 'sh', 'sw', 'jal', 'jalr', 'syscall', 'div']) {
      const i = r.insns.find((x) => x.mnemonic === m)!;
      expect(i.verdict, m).toBe('innocuous');
    }
  });

  it('the legacy extension breaks the condition: rdstatus reveals the ring and IE, wrstatus drops IE changes outside ring 0', () => {
    const r = classifyIsa(isaWith(['legacy']));
    expect(r.holds).toBe(false);
    expect(r.offenders.map((o) => o.mnemonic)).toEqual(['rdstatus', 'wrstatus']);
    const [rd, wr] = r.offenders;
    expect(rd!.behaviourSensitive && !rd!.controlSensitive && !rd!.privileged).toBe(true);
    expect(rd!.evidence.behaviour).toEqual([
      '`rdstatus t1` puts 0x00000000 in t1 in ring 0 and 0x00000001 in ring 1 (otherwise the same state: IE 0, paging off, setting A): it reveals the ring',
      '`rdstatus t1` puts 0x00000000 in t1 in IE 0 and 0x00000004 in IE 1 (otherwise the same state: ring 0, paging off, setting A): it reveals STATUS.IE',
    ]);
    expect(wr!.controlSensitive && !wr!.behaviourSensitive && !wr!.privileged).toBe(true);
    expect(wr!.evidence.control).toBe(
      'in ring 0, IE 0, paging off, setting A, `wrstatus ra` changed STATUS.IE 0 -> 1 without trapping; in ring 3 (otherwise the same state) it left STATUS.IE at 0 without trapping',
    );
    expect(wr!.evidence.privilege).toMatch(/^`wrstatus \w+` does not trap in ring 3/);
  });

  it('the vmx instructions: the five root-mode ones are privileged, vmcall (IllegalInstruction in root mode) innocuous', () => {
    const r = classifyIsa(isaWith(['vmx']));
    const vmx = r.insns.filter((i) => i.extension === 'vmx');
    expect(vmx.map((i) => `${i.mnemonic}:${i.verdict}`)).toEqual([
      'vmptrld:privileged', 'vmlaunch:privileged', 'vmresume:privileged', 'vmcall:innocuous', 'invvpid:privileged', 'invvpidall:privileged',
    ]);
    for (const i of vmx.filter((x) => x.privileged)) expect(i.controlSensitive, i.mnemonic).toBe(true);
  });

  it('is deterministic: the same tables give the same classification, evidence included', () => {
    const a = classifyIsa(buildIsa([BASE, LEGACY]));
    const b = classifyIsa(buildIsa([BASE, LEGACY]));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

// ---- A coursework extension that lies about its instructions ---------------------------------

const LIAR = defineExtension('liar', 'instructions whose privilege class is wrong', [
  // Claims to be harmless, but tells the ring (like reading CS on x86).
  defineInsn({ mnemonic: 'getring', opcode: 0x90, format: Formats.U, cost: 1, memory: 'none', doc: 'rd = current ring', exec: (c, d) => { c.x[d.rd] = c.ring; } }),
  // Claims to be harmless, but turns interrupts on in any ring (STI without a check).
  defineInsn({ mnemonic: 'sti', opcode: 0x91, format: Formats.N, cost: 1, memory: 'none', doc: 'IE = 1', exec: (c) => c.setInterruptsEnabled(true) }),
  // Claims to be sensitive, but is an ordinary add.
  defineInsn({ mnemonic: 'addx', opcode: 0x92, format: Formats.R, privilege: 'sensitive', cost: 1, memory: 'none', doc: 'rd = rs1 + rs2', exec: (c, d) => { c.x[d.rd] = (c.x[d.rs1]! + c.x[d.rs2]!) | 0; } }),
  // Honest: privileged, so the interpreter traps it outside ring 0.
  defineInsn({ mnemonic: 'cli2', opcode: 0x93, format: Formats.N, privilege: 'privileged', cost: 1, memory: 'none', doc: 'IE = 0', exec: (c) => c.setInterruptsEnabled(false) }),
]);

describe('an extension whose table lies', () => {
  const r = classifyIsa(buildIsa([BASE, LIAR]));
  const by = new Map(r.insns.map((i) => [i.mnemonic, i]));

  it('is caught instruction by instruction', () => {
    expect([...by.values()].filter((i) => i.table !== i.expected).map((i) => `${i.mnemonic}: table ${i.table}, found ${i.expected}`)).toEqual([
      'getring: table user, found sensitive',
      'sti: table user, found sensitive',
      'addx: table sensitive, found user',
    ]);
    expect(by.get('cli2')!.verdict).toBe('privileged');
  });

  it('with evidence from the ring that matters: sti changes IE from ring 3', () => {
    expect(by.get('sti')!.evidence.control).toMatch(/^in ring 3, IE 0, .*`sti` changed STATUS\.IE 0 -> 1 without trapping$/);
    expect(by.get('getring')!.evidence.behaviour[0]).toMatch(/it reveals the ring$/);
    expect(r.holds).toBe(false);
    expect(r.offenders.map((o) => o.mnemonic)).toEqual(['getring', 'sti']);
  });
});

// ---- Random operands ------------------------------------------------------------------------------

/** A random valid encoding of an instruction: its opcode, random bits wherever the format has an operand. */
function encoding(insn: InsnDef): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 0xffffff }).map((bits) => ((insn.opcode << 24) | (bits & ~insn.format.reservedMask & 0xffffff)) | 0);
}

/** Register values: arbitrary, or addresses in and around the program's pages. */
const registerValue = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0x1000, 0x1800, 0x2000, 0x2ffc, 0x3000, 0x3ffc, 0x4000, 0));
const registers = fc.array(registerValue, { minLength: 15, maxLength: 15 }).map((r) => [0, ...r]);

const MEMORY_OR_PRIVILEGE = new Set<number>([Cause.PageFaultRead, Cause.PageFaultWrite, Cause.PageFaultExecute, Cause.BusError, Cause.PrivilegedInstruction]);
const comparable = (o: Outcome): boolean => o.trap === undefined || !MEMORY_OR_PRIVILEGE.has(o.trap);
const ordinary = (o: Outcome): unknown => (o.trap !== undefined ? { trap: o.trap } : { regs: o.regs, pc: o.pc, stores: o.stores });

describe('random operands agree with the classification', () => {
  const isa = isaWith(['vmx', 'legacy']);
  const bench = new ClassifierBench(isa);
  const { insns } = classifyIsa(isa);
  const innocuous = isa.insns.filter((i) => insns.find((c) => c.mnemonic === i.mnemonic)!.verdict === 'innocuous');
  const privileged = isa.insns.filter((i) => i.privilege === 'privileged');

  it('an innocuous instruction does the same in every state and changes no control state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...innocuous).chain((insn) => fc.tuple(fc.constant(insn), encoding(insn))), registers, ([insn, word], regs) => {
        const outcomes = CONTEXTS.map((_, c) => bench.run(word, c, regs));
        const seen = outcomes.filter(comparable).map((o) => JSON.stringify(ordinary(o)));
        expect(new Set(seen).size, `${insn.mnemonic} ${word.toString(16)}`).toBeLessThanOrEqual(1);
        for (const o of outcomes) expect(o.controlChanges, insn.mnemonic).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a privileged instruction traps with PrivilegedInstruction outside ring 0, whatever its operands', () => {
    fc.assert(
      fc.property(fc.constantFrom(...privileged).chain((insn) => fc.tuple(fc.constant(insn), encoding(insn))), registers, fc.nat(CONTEXTS.length - 1), ([insn, word], regs, c) => {
        const o = bench.run(word, c, regs);
        if (CONTEXTS[c]!.ring !== 0) expect(o.trap, insn.mnemonic).toBe(Cause.PrivilegedInstruction);
        else expect(o.trap, insn.mnemonic).not.toBe(Cause.PrivilegedInstruction);
      }),
      { numRuns: 300 },
    );
  });

  it('rdstatus reads the ring and IE of the state it runs in, in every ring, without trapping', () => {
    const rdstatus = isa.byMnemonic.get('rdstatus')!;
    fc.assert(
      fc.property(encoding(rdstatus), registers, fc.nat(CONTEXTS.length - 1), (word, regs, c) => {
        const o = bench.run(word, c, regs);
        const rd = (word >>> 20) & 15;
        const ctx = CONTEXTS[c]!;
        expect(o.trap).toBeUndefined();
        if (rd !== 0) expect(o.regs[rd - 1]).toBe(ctx.ring | (ctx.ie ? Status.IE : 0));
        expect(o.controlChanges).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('wrstatus sets IE from bit 2 of rs1 in ring 0 and silently does nothing in rings 1-3', () => {
    const wrstatus = isa.byMnemonic.get('wrstatus')!;
    fc.assert(
      fc.property(encoding(wrstatus), registers, fc.nat(CONTEXTS.length - 1), (word, regs, c) => {
        const o = bench.run(word, c, regs);
        const ctx = CONTEXTS[c]!;
        const ie = ((regs[(word >>> 16) & 15] ?? 0) & Status.IE) !== 0;
        expect(o.trap).toBeUndefined();
        const expected = ctx.ring === 0 && ie !== ctx.ie ? [{ name: 'STATUS.IE', from: ctx.ie ? '1' : '0', to: ie ? '1' : '0' }] : [];
        expect(o.controlChanges).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
