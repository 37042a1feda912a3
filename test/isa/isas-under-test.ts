// The ISAs the generic table tests run over: the base ISA alone and with each extension, so an
// instruction a student adds to any bundle is checked without writing a new test.

import { EXTENSIONS, isaWith, type InsnDef, type Isa } from '../../src/isa/index.js';

export const ISAS_UNDER_TEST: readonly (readonly [string, Isa])[] = [
  ['base', isaWith()],
  ...[...EXTENSIONS.keys()].map((name) => [`base+${name}`, isaWith([name])] as const),
];

/** Whether `insn` claims `word` by the table alone: its opcode, and none of its reserved bits set. */
export function claims(insn: InsnDef, word: number): boolean {
  return word >>> 24 === insn.opcode && (word & insn.format.reservedMask) === 0;
}

export function claimantsOf(isa: Isa, word: number): InsnDef[] {
  return isa.insns.filter((insn) => claims(insn, word));
}
