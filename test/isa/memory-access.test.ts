// Every instruction's `memory` declaration is checked by running it: an instruction that
// declares a load or store makes exactly that one access (kind, size, the address its table
// entry computes from the registers before it runs); an instruction that declares 'none' makes
// no data access through the MMU. The debugger's watchpoints rely on it.

import { describe, expect, it } from 'vitest';
import { BASE, buildIsa, decodeFields, defineExtension, defineInsn, encodeFields, EXTENSIONS, Formats, type Extension, type InsnDef } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';

interface Access {
  kind: 'load' | 'store';
  size: number;
  address: number;
}

const METHODS = [
  ['load8', 'load', 1], ['load8u', 'load', 1], ['load16', 'load', 2], ['load16u', 'load', 2], ['load32', 'load', 4],
  ['store8', 'store', 1], ['store16', 'store', 2], ['store32', 'store', 4],
] as const;

const PC = 0x100;

/** Run `insn` once in ring 0 with paging off; the data accesses it made, and what it declares. */
function accessesOf(extension: Extension, insn: InsnDef): { made: Access[]; declared: Access[] } {
  const isa = buildIsa(extension === BASE ? [BASE] : [BASE, extension]);
  const machine = new Machine({ isa, memoryBytes: 64 * 1024 });
  const word = encodeFields(insn.format, insn.opcode, { rd: 5, rs1: 6, rs2: 7, imm: 8 });
  machine.writePhysical(PC, Uint8Array.of(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24));
  const cpu = machine.cpu;
  cpu.reset(PC);
  cpu.x[5] = 0x40;
  cpu.x[6] = 0x1000; // rs1 + imm = 0x1008, rs1 + rs2 = 0x1200: aligned for every size
  cpu.x[7] = 0x200;
  const before = Int32Array.from(cpu.x);
  const made: Access[] = [];
  const spy = cpu as unknown as Record<string, (address: number, value?: number) => number | void>;
  for (const [name, kind, size] of METHODS) {
    const real = spy[name]!.bind(cpu);
    spy[name] = (address, value) => {
      made.push({ kind, size, address: address >>> 0 });
      return real(address, value);
    };
  }
  machine.step();
  const m = insn.memory;
  const declared = m ? [{ kind: m.kind, size: m.size, address: m.address(before, decodeFields(insn.format, word)) >>> 0 }] : [];
  return { made, declared };
}

const bundles: Extension[] = [BASE, ...EXTENSIONS.values()];

describe('memory access declared in the instruction table', () => {
  for (const extension of bundles) {
    for (const insn of extension.insns) {
      const def = buildIsa(extension === BASE ? [BASE] : [BASE, extension]).byMnemonic.get(insn.mnemonic)!;
      it(`${extension.name}: ${insn.mnemonic} ${def.memory ? `${def.memory.kind}s ${def.memory.size} bytes where it says` : 'touches no memory'}`, () => {
        const { made, declared } = accessesOf(extension, def);
        expect(made).toEqual(declared);
      });
    }
  }

  it('an extension with an indexed load declares its address, and the check holds it to it', () => {
    const INDEXED = defineExtension('indexed', 'test: indexed loads', [
      defineInsn({ mnemonic: 'lwx', opcode: 0xe0, format: Formats.R, cost: 1, doc: 'rd = mem32[rs1 + rs2]',
        memory: { kind: 'load', size: 4, address: (x, d) => (x[d.rs1]! + x[d.rs2]!) >>> 0 },
        exec: (c, d) => { c.x[d.rd] = c.load32((c.x[d.rs1]! + c.x[d.rs2]!) | 0); } }),
      // Declares rs1 + imm by default, but loads at rs1 + rs2: caught.
      defineInsn({ mnemonic: 'lwbad', opcode: 0xe1, format: Formats.R, cost: 1, doc: 'claims the wrong address', memory: { kind: 'load', size: 4 },
        exec: (c, d) => { c.x[d.rd] = c.load32((c.x[d.rs1]! + c.x[d.rs2]!) | 0); } }),
    ]);
    const isa = buildIsa([BASE, INDEXED]);
    const good = accessesOf(INDEXED, isa.byMnemonic.get('lwx')!);
    expect(good.made).toEqual([{ kind: 'load', size: 4, address: 0x1200 }]);
    expect(good.made).toEqual(good.declared);
    const bad = accessesOf(INDEXED, isa.byMnemonic.get('lwbad')!);
    expect(bad.made).not.toEqual(bad.declared);
  });

  it('defineInsn refuses a missing or malformed declaration', () => {
    const spec = { mnemonic: 'nop2', opcode: 0xe2, format: Formats.N, cost: 1, doc: 'nothing', exec: () => {} };
    expect(() => defineInsn({ ...spec } as unknown as Parameters<typeof defineInsn>[0])).toThrow(/memory must be 'none'/);
    expect(() => defineInsn({ ...spec, memory: { kind: 'load', size: 3 as 4 } })).toThrow(/1, 2 or 4 bytes/);
    expect(defineInsn({ ...spec, memory: 'none' }).memory).toBeUndefined();
  });
});
