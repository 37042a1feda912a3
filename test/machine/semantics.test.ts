// Semantic vectors for every instruction of the base ISA, plus two generic checks over the whole
// table: every privileged instruction traps outside ring 0 without side effects, and every
// instruction has semantic vectors here or is listed, with a reason, in TESTED_ELSEWHERE.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cause, Csr, encodeFields } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';
import { archState, asm, boot, enterRing, INT_MAX, INT_MIN, isa, peek32, runAsm, s32, SMALL_MEMORY } from './helpers.js';

type Vec3 = readonly [a: number, b: number, expected: number];

// ---- Register-register ALU ----------------------------------------------------------------------

const U = (v: number): number => v | 0; // write unsigned constants readably

const R_VECTORS: Record<string, readonly Vec3[]> = {
  add: [[1, 2, 3], [INT_MAX, 1, INT_MIN], [-1, 1, 0], [INT_MIN, INT_MIN, 0], [INT_MIN, -1, INT_MAX], [0, 0, 0]],
  sub: [[5, 3, 2], [0, 1, -1], [INT_MIN, 1, INT_MAX], [INT_MAX, -1, INT_MIN], [-1, -1, 0]],
  and: [[U(0xf0f0f0f0), U(0x0ff00ff0), U(0x00f000f0)], [-1, INT_MIN, INT_MIN], [0, -1, 0]],
  or: [[U(0xf0f0f0f0), U(0x0ff00ff0), U(0xfff0fff0)], [INT_MIN, 1, INT_MIN + 1], [0, 0, 0]],
  xor: [[U(0xf0f0f0f0), U(0x0ff00ff0), U(0xff00ff00)], [-1, -1, 0], [-1, 0, -1]],
  // Shift amounts are masked to 5 bits: 32 shifts by 0, 33 by 1.
  sll: [[1, 31, INT_MIN], [1, 32, 1], [1, 33, 2], [-1, 0, -1], [3, -1, INT_MIN], [U(0x12345678), 4, U(0x23456780)]],
  srl: [[INT_MIN, 31, 1], [-1, 32, -1], [-1, 1, INT_MAX], [-1, 33, INT_MAX], [U(0x80000010), 4, U(0x08000001)]],
  sra: [[INT_MIN, 31, -1], [INT_MIN, 32, INT_MIN], [-8, 1, -4], [INT_MAX, 30, 1], [-1, 31, -1], [INT_MIN, 1, U(0xc0000000)]],
  slt: [[-1, 0, 1], [0, -1, 0], [INT_MIN, INT_MAX, 1], [INT_MAX, INT_MIN, 0], [5, 5, 0]],
  sltu: [[-1, 0, 0], [0, -1, 1], [INT_MIN, INT_MAX, 0], [INT_MAX, INT_MIN, 1], [5, 5, 0]],
  mul: [[6, 7, 42], [-3, 7, -21], [0x10000, 0x10000, 0], [65537, 65537, 131073], [-1, -1, 1], [INT_MIN, -1, INT_MIN], [46341, 46341, U(2147488281)]],
  // Signed division rounds toward zero; the remainder has the sign of the dividend.
  div: [[7, 2, 3], [-7, 2, -3], [7, -2, -3], [-7, -2, 3], [INT_MIN, -1, INT_MIN], [INT_MIN, 1, INT_MIN], [0, 5, 0], [INT_MAX, INT_MAX, 1]],
  divu: [[7, 2, 3], [-1, 2, INT_MAX], [-2, -1, 0], [-1, -1, 1], [INT_MIN, 2, 0x40000000], [-7, 2, U(0x7ffffffc)]],
  rem: [[7, 2, 1], [-7, 2, -1], [7, -2, 1], [-7, -2, -1], [INT_MIN, -1, 0], [INT_MIN, 3, -2], [5, 7, 5]],
  remu: [[-1, 10, 5], [7, -1, 7], [-7, 2, 1], [INT_MIN, 3, 2], [5, 7, 5]],
};

/** Independent reference model over BigInt, for a cross-product of edge values. */
const REFERENCE: Record<string, (a: number, b: number) => number | 'trap'> = {
  add: (a, b) => Number(BigInt.asIntN(32, BigInt(a) + BigInt(b))),
  sub: (a, b) => Number(BigInt.asIntN(32, BigInt(a) - BigInt(b))),
  and: (a, b) => Number(BigInt.asIntN(32, BigInt(a) & BigInt(b))),
  or: (a, b) => Number(BigInt.asIntN(32, BigInt(a) | BigInt(b))),
  xor: (a, b) => Number(BigInt.asIntN(32, BigInt(a) ^ BigInt(b))),
  sll: (a, b) => Number(BigInt.asIntN(32, BigInt(a) << BigInt(b & 31))),
  srl: (a, b) => Number(BigInt.asIntN(32, BigInt.asUintN(32, BigInt(a)) >> BigInt(b & 31))),
  sra: (a, b) => Number(BigInt(a) >> BigInt(b & 31)),
  slt: (a, b) => (a < b ? 1 : 0),
  sltu: (a, b) => (BigInt.asUintN(32, BigInt(a)) < BigInt.asUintN(32, BigInt(b)) ? 1 : 0),
  mul: (a, b) => Number(BigInt.asIntN(32, BigInt(a) * BigInt(b))),
  div: (a, b) => (b === 0 ? 'trap' : Number(BigInt.asIntN(32, BigInt(a) / BigInt(b)))),
  rem: (a, b) => (b === 0 ? 'trap' : Number(BigInt.asIntN(32, BigInt(a) % BigInt(b)))),
  divu: (a, b) => (b === 0 ? 'trap' : Number(BigInt.asIntN(32, BigInt.asUintN(32, BigInt(a)) / BigInt.asUintN(32, BigInt(b))))),
  remu: (a, b) => (b === 0 ? 'trap' : Number(BigInt.asIntN(32, BigInt.asUintN(32, BigInt(a)) % BigInt.asUintN(32, BigInt(b))))),
};

const EDGE = [0, 1, 2, 3, -1, -2, 31, 32, 33, INT_MIN, INT_MAX, INT_MIN + 1, 0x12345678, U(0x9abcdef0), 0xffff, 0x10000];

const TVEC_HALT = `
        .org    0x3000
handler: halt`;

/** One machine running `insn` (operands a2 <- a0 op a1) with a0/a1 preset; returns a2. */
function rrRunner(mnemonic: string): (a: number, b: number) => { result: number; m: Machine } {
  const { m } = boot(`
        .org    0x1000
_start: ${mnemonic} a2, a0, a1
        halt
${TVEC_HALT}`);
  return (a, b) => {
    m.cpu.reset(0x1000);
    m.cpu.tvec = 0x3000;
    m.cpu.x[4] = a;
    m.cpu.x[5] = b;
    m.cpu.x[6] = 0x5a5a5a5a;
    const stop = m.run(m.cpu.cycles + 1000); // the cap is absolute and cycles accumulate over resets
    expect(stop.kind).toBe('halt');
    return { result: m.cpu.x[6]!, m };
  };
}

describe('register-register ALU', () => {
  for (const [mnemonic, vectors] of Object.entries(R_VECTORS)) {
    it(`${mnemonic}: hand-picked edge vectors`, () => {
      const exec = rrRunner(mnemonic);
      for (const [a, b, expected] of vectors) {
        const { result, m } = exec(a, b);
        expect(result, `${mnemonic} ${a}, ${b}`).toBe(s32(expected));
        expect(m.cpu.cause, 'no trap').toBe(0);
      }
    });

    it(`${mnemonic}: agrees with a BigInt reference over edge values`, () => {
      const exec = rrRunner(mnemonic);
      const ref = REFERENCE[mnemonic]!;
      for (const a of EDGE) {
        for (const b of EDGE) {
          const want = ref(a | 0, b | 0);
          if (want === 'trap') continue;
          expect(exec(a | 0, b | 0).result, `${mnemonic} ${a | 0}, ${b | 0}`).toBe(want);
        }
      }
    });
  }

  it('reads both sources before writing rd (rd == rs1 == rs2)', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: li      a0, 21
        add     a0, a0, a0
        li      a1, 10
        sub     a1, a1, a1
        li      a2, 7
        mul     a2, a2, a2
        halt`);
    expect([m.cpu.x[4], m.cpu.x[5], m.cpu.x[6]]).toEqual([42, 0, 49]);
  });

  for (const mnemonic of ['div', 'divu', 'rem', 'remu']) {
    it(`${mnemonic} by zero traps DivideByZero at the instruction with rd unchanged`, () => {
      const { m, stop, sym, stats } = runAsm(`
        .org    0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      a0, 1234
        li      a1, 0
        li      a2, 0x5a5a
op:     ${mnemonic} a2, a0, a1
        li      a2, 99          # must not run
        halt
${TVEC_HALT}`);
      expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
      expect(m.cpu.cause).toBe(Cause.DivideByZero);
      expect(m.cpu.epc).toBe(sym('op'));
      expect(m.cpu.einsn >>> 0).toBe(peek32(m, sym('op')) >>> 0);
      expect(m.cpu.badAddr).toBe(0);
      expect(m.cpu.x[6]).toBe(0x5a5a);
      expect(stats.traps).toEqual({ DivideByZero: 1 });
    });
  }
});

// ---- Register-immediate ALU ---------------------------------------------------------------------

const I_VECTORS: Record<string, readonly Vec3[]> = {
  addi: [[INT_MAX, 1, INT_MIN], [0, -32768, -32768], [0, 32767, 32767], [5, -1, 4], [INT_MIN, -1, INT_MAX], [-1, 1, 0]],
  // andi/ori/xori zero-extend their immediate.
  andi: [[-1, 0xffff, 0xffff], [-1, 0x8000, 0x8000], [U(0x12345678), 0xff00, 0x5600], [INT_MIN, 0xffff, 0]],
  ori: [[0, 0x8000, 0x8000], [INT_MIN, 1, INT_MIN + 1], [U(0x12340000), 0xabcd, U(0x1234abcd)], [-1, 0, -1]],
  xori: [[-1, 0xffff, U(0xffff0000)], [0, 0x8000, 0x8000], [0x5555, 0xffff, 0xaaaa]],
  slli: [[1, 31, INT_MIN], [3, 0, 3], [-1, 16, U(0xffff0000)], [U(0x80000001), 1, 2]],
  srli: [[INT_MIN, 31, 1], [-1, 0, -1], [-1, 28, 15], [-1, 1, INT_MAX]],
  srai: [[INT_MIN, 31, -1], [INT_MAX, 30, 1], [-16, 2, -4], [-1, 0, -1], [INT_MIN, 4, U(0xf8000000)]],
  slti: [[-1, 0, 1], [0, -1, 0], [-32769, -32768, 1], [INT_MIN, -32768, 1], [INT_MAX, 32767, 0], [32767, 32767, 0]],
  // sltiu sign-extends the immediate, then compares unsigned: -1 is 0xffffffff.
  sltiu: [[0, -1, 1], [-2, -1, 1], [-1, -1, 0], [5, 6, 1], [INT_MIN, 1, 0], [0x7fff, -32768, 1], [U(0xffff8000), -32768, 0]],
};

describe('register-immediate ALU', () => {
  for (const [mnemonic, vectors] of Object.entries(I_VECTORS)) {
    it(`${mnemonic}: hand-picked edge vectors`, () => {
      for (const [a, imm, expected] of vectors) {
        const { m, stop } = runAsm(`
        .org 0x1000
_start: li      a0, ${a}
        li      a2, 0x5a5a
        ${mnemonic} a2, a0, ${imm}
        halt`);
        expect(stop.kind).toBe('halt');
        expect(m.cpu.x[6], `${mnemonic} ${a}, ${imm}`).toBe(s32(expected));
      }
    });
  }

  it('a shift-immediate word with shamt bit 5 set (reserved) is an illegal instruction', () => {
    for (const op of ['slli', 'srli', 'srai']) {
      const opcode = isa.byMnemonic.get(op)!.opcode;
      const word = ((opcode << 24) | (6 << 20) | (4 << 16) | 32) >>> 0; // shamt "32"
      const { m, sym } = runAsm(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
bad:    .word   ${word}
        halt
${TVEC_HALT}`);
      expect(m.cpu.cause, op).toBe(Cause.IllegalInstruction);
      expect(m.cpu.epc).toBe(sym('bad'));
      expect(m.cpu.einsn >>> 0).toBe(word);
    }
  });
});

describe('lui and constant building', () => {
  const LUI: readonly [number, number][] = [[0x1234, 0x12340000], [0xffff, U(0xffff0000)], [0x8000, INT_MIN], [0, 0], [1, 0x10000]];
  it('lui: rd = imm16 << 16, low half zero', () => {
    for (const [imm, expected] of LUI) {
      const { m } = runAsm(`
        .org 0x1000
_start: li a2, -1
        lui a2, ${imm}
        halt`);
      expect(m.cpu.x[6], `lui ${imm}`).toBe(s32(expected));
    }
  });

  it('lui + ori build any 32-bit constant (ori does not sign-extend)', () => {
    for (const v of [U(0xdeadbeef), INT_MIN, INT_MAX, -1, 0x8000, U(0x80008000), 1]) {
      const { m } = runAsm(`
        .org 0x1000
_start: lui a0, ${(v >>> 16) & 0xffff}
        ori a0, a0, ${v & 0xffff}
        li  a1, ${v}
        halt`);
      expect(m.cpu.x[4]).toBe(s32(v));
      expect(m.cpu.x[5]).toBe(s32(v));
    }
  });
});

// ---- Loads and stores ---------------------------------------------------------------------------

const DATA = 0x2000;
const LOAD_PROGRAM = (insn: string): string => `
        .org    0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        la      a1, data
        li      a2, 0x5a5a
op:     ${insn}
        halt
${TVEC_HALT}
        .org    ${DATA}
data:   .word   0x80ff7f01, 0x11223344, 0xcafef00d
`;

/** [instruction text, expected a2] with a1 = data. Bytes of word 0 in memory: 01 7f ff 80. */
const LOAD_VECTORS: Record<string, readonly [string, number][]> = {
  lb: [['lb a2, 0(a1)', 1], ['lb a2, 1(a1)', 127], ['lb a2, 2(a1)', -1], ['lb a2, 3(a1)', -128], ['lb a2, 4(a1)', 0x44]],
  lbu: [['lbu a2, 0(a1)', 1], ['lbu a2, 1(a1)', 127], ['lbu a2, 2(a1)', 255], ['lbu a2, 3(a1)', 128], ['lbu a2, 7(a1)', 0x11]],
  lh: [['lh a2, 0(a1)', 0x7f01], ['lh a2, 2(a1)', -32513 /* 0x80ff */], ['lh a2, 4(a1)', 0x3344], ['lh a2, 10(a1)', U(0xffffcafe)]],
  lhu: [['lhu a2, 0(a1)', 0x7f01], ['lhu a2, 2(a1)', 0x80ff], ['lhu a2, 10(a1)', 0xcafe]],
  lw: [['lw a2, 0(a1)', U(0x80ff7f01)], ['lw a2, 4(a1)', 0x11223344], ['lw a2, 8(a1)', U(0xcafef00d)]],
};

const STORE_VECTORS: Record<string, readonly [string, number, readonly number[]][]> = {
  // [instruction with a0 = 0x8899aabb stored relative to a1 = data, offset of data, bytes expected there]
  sb: [['sb a0, 0(a1)', 0, [0xbb, 0x7f, 0xff, 0x80]], ['sb a0, 3(a1)', 0, [0x01, 0x7f, 0xff, 0xbb]], ['sb a0, 5(a1)', 4, [0x44, 0xbb, 0x22, 0x11]]],
  sh: [['sh a0, 0(a1)', 0, [0xbb, 0xaa, 0xff, 0x80]], ['sh a0, 2(a1)', 0, [0x01, 0x7f, 0xbb, 0xaa]]],
  sw: [['sw a0, 4(a1)', 4, [0xbb, 0xaa, 0x99, 0x88]], ['sw a0, 0(a1)', 0, [0xbb, 0xaa, 0x99, 0x88]]],
};

describe('loads and stores', () => {
  for (const [mnemonic, vectors] of Object.entries(LOAD_VECTORS)) {
    it(`${mnemonic}: width, sign/zero extension and little-endian order`, () => {
      for (const [insn, expected] of vectors) {
        const { m, stop } = runAsm(LOAD_PROGRAM(insn));
        expect(stop.kind).toBe('halt');
        expect(m.cpu.cause, insn).toBe(0);
        expect(m.cpu.x[6], insn).toBe(s32(expected));
      }
    });
  }

  for (const [mnemonic, vectors] of Object.entries(STORE_VECTORS)) {
    it(`${mnemonic}: writes only its bytes, little-endian`, () => {
      for (const [insn, offset, bytes] of vectors) {
        const { m } = runAsm(LOAD_PROGRAM(`li a0, 0x8899aabb\n        ${insn}`));
        expect(m.cpu.cause, insn).toBe(0);
        expect(Array.from(m.memory.bytes.subarray(DATA + offset, DATA + offset + 4)), insn).toEqual(bytes);
        // The neighbouring words are untouched.
        expect(peek32(m, DATA + 8) >>> 0).toBe(0xcafef00d);
      }
    });
  }

  it('negative offsets and a base in a different register', () => {
    const { m } = runAsm(LOAD_PROGRAM('addi a3, a1, 8\n        lw a2, -4(a3)\n        li t1, 77\n        sw t1, -8(a3)'));
    expect(m.cpu.x[6]).toBe(0x11223344);
    expect(peek32(m, DATA)).toBe(77);
  });

  const MISALIGNED: readonly [string, number][] = [
    ['lh a2, 1(a1)', 1], ['lhu a2, 3(a1)', 3], ['lw a2, 1(a1)', 1], ['lw a2, 2(a1)', 2], ['lw a2, 3(a1)', 3],
    ['sh a0, 1(a1)', 1], ['sw a0, 2(a1)', 2], ['sw a0, 3(a1)', 3],
  ];
  it('misaligned 16/32-bit accesses trap Misaligned with BADADDR and no effect', () => {
    for (const [insn, offset] of MISALIGNED) {
      const { m, sym } = runAsm(LOAD_PROGRAM(`li a0, -1\n        ${insn}`));
      expect(m.cpu.cause, insn).toBe(Cause.Misaligned);
      expect(m.cpu.badAddr, insn).toBe(DATA + offset);
      expect(m.cpu.epc, insn).toBe(sym('op') + 4); // `li a0, -1` is one word before the access
      expect(m.cpu.x[6], `${insn}: rd unchanged`).toBe(0x5a5a);
      expect(peek32(m, DATA) >>> 0, `${insn}: memory unchanged`).toBe(0x80ff7f01);
      expect(peek32(m, DATA + 4) >>> 0).toBe(0x11223344);
    }
  });

  it('byte accesses at odd addresses are fine', () => {
    const { m } = runAsm(LOAD_PROGRAM('li a0, 0x42\n        sb a0, 1(a1)\n        lbu a2, 1(a1)'));
    expect(m.cpu.cause).toBe(0);
    expect(m.cpu.x[6]).toBe(0x42);
  });

  it('an access beyond physical memory (paging off) is a BusError with the physical address', () => {
    for (const insn of ['lw a2, 0(a1)', 'lb a2, 0(a1)', 'sw a0, 0(a1)', 'sh a0, 0(a1)', 'lbu a2, 0(a1)']) {
      const { m } = runAsm(`
        .org 0x1000
_start: la      t0, handler
        csrw    TVEC, t0
        li      a1, ${SMALL_MEMORY}
        li      a2, 0x5a5a
        ${insn}
        halt
${TVEC_HALT}`);
      expect(m.cpu.cause, insn).toBe(Cause.BusError);
      expect(m.cpu.badAddr, insn).toBe(SMALL_MEMORY);
      expect(m.cpu.x[6]).toBe(0x5a5a);
    }
  });
});

// ---- Branches and jumps -------------------------------------------------------------------------

const BRANCH_VECTORS: Record<string, readonly [number, number, boolean][]> = {
  beq: [[5, 5, true], [5, 6, false], [-1, U(0xffffffff), true], [0, INT_MIN, false]],
  bne: [[5, 5, false], [5, 6, true], [INT_MIN, INT_MAX, true]],
  blt: [[-1, 0, true], [0, -1, false], [INT_MIN, INT_MAX, true], [3, 3, false], [INT_MAX, INT_MIN, false]],
  bge: [[3, 3, true], [-1, 0, false], [INT_MAX, INT_MIN, true], [0, -1, true]],
  bltu: [[0, -1, true], [-1, 0, false], [3, 3, false], [INT_MAX, INT_MIN, true]],
  bgeu: [[-1, 0, true], [3, 3, true], [0, -1, false], [INT_MIN, INT_MAX, true]],
};

describe('branches', () => {
  for (const [mnemonic, vectors] of Object.entries(BRANCH_VECTORS)) {
    it(`${mnemonic}: taken and not taken, forwards and backwards`, () => {
      for (const [a, b, taken] of vectors) {
        const forward = runAsm(`
        .org 0x1000
_start: li a0, ${a}
        li a1, ${b}
        ${mnemonic} a0, a1, yes
        li a2, 1
        halt
yes:    li a2, 2
        halt`);
        expect(forward.m.cpu.x[6], `${mnemonic} ${a}, ${b} forward`).toBe(taken ? 2 : 1);
        const backward = runAsm(`
        .org 0x1000
_start: li a0, ${a}
        li a1, ${b}
        j there
yes:    li a2, 2
        halt
there:  ${mnemonic} a0, a1, yes
        li a2, 1
        halt`);
        expect(backward.m.cpu.x[6], `${mnemonic} ${a}, ${b} backward`).toBe(taken ? 2 : 1);
      }
    });
  }

  it('a counted backwards loop runs the expected number of times', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: li a0, 10
        li a1, 0
loop:   addi a1, a1, 3
        addi a0, a0, -1
        bne a0, zero, loop
        halt`);
    expect(m.cpu.x[5]).toBe(30);
  });
});

describe('jal and jalr', () => {
  it('jal links pc + 4 and jumps pc-relative (forwards and backwards)', () => {
    const { m, sym } = runAsm(`
        .org 0x1000
_start: jal a2, fwd
        halt
back:   jal a3, done
fwd:    jal zero, back
        halt
done:   halt`);
    expect(m.cpu.x[6]).toBe(0x1004);
    expect(m.cpu.x[7]).toBe(sym('back') + 4);
    expect(m.cpu.pc).toBe(sym('done') + 4);
    expect(m.cpu.x[0]).toBe(0);
  });

  it('jalr links pc + 4 and jumps to rs1 + imm (positive and negative imm)', () => {
    const { m, sym } = runAsm(`
        .org 0x1000
_start: la a1, mid
        jalr a2, a1, 8          # to mid + 8
        halt
mid:    halt
        halt
        jalr a3, a1, -4         # mid + 8: to mid - 4 (the first halt)
        halt`);
    expect(m.cpu.x[6]).toBe(sym('_start') + 12);
    expect(m.cpu.x[7]).toBe(sym('mid') + 12);
    expect(m.cpu.pc).toBe(sym('mid')); // halted after executing the halt at mid - 4
  });

  it('jalr with rd == rs1 jumps to the old rs1 and then links', () => {
    const { m, sym } = runAsm(`
        .org 0x1000
_start: la a1, target
here:   jalr a1, a1, 0
        li a2, 1
        halt
target: li a2, 2
        halt`);
    expect(m.cpu.x[6]).toBe(2);
    expect(m.cpu.x[5]).toBe(sym('here') + 4);
  });

  it('call and ret round-trip', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: li a0, 5
        call double
        call double
        halt
double: add a0, a0, a0
        ret`);
    expect(m.cpu.x[4]).toBe(20);
  });
});

describe('r0', () => {
  it('writes to r0 are discarded by every kind of instruction', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: addi zero, zero, 5
        add  a0, zero, zero
        lui  zero, 0x1234
        or   a1, zero, zero
        la   t0, data
        lw   zero, 0(t0)
        add  a2, zero, zero
        jal  zero, next
next:   csrr zero, TVEC
        ori  a3, zero, 0
        halt
data:   .word 77`);
    expect([m.cpu.x[0], m.cpu.x[4], m.cpu.x[5], m.cpu.x[6], m.cpu.x[7]]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('syscall and break', () => {
  for (const [mnemonic, cause] of [['syscall', Cause.Syscall], ['break', Cause.Breakpoint]] as const) {
    it(`${mnemonic} traps with EPC at the instruction itself`, () => {
      const { m, sym } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
op:     ${mnemonic}
        halt
${TVEC_HALT}`);
      expect(m.cpu.cause).toBe(cause);
      expect(m.cpu.epc).toBe(sym('op'));
      expect(m.cpu.einsn >>> 0).toBe(peek32(m, sym('op')) >>> 0);
      expect(m.cpu.badAddr).toBe(0);
    });
  }
});

// ---- Generic checks over the whole table ---------------------------------------------------------

/** Operand choices that would have a visible effect if the privilege check were missing. */
const OPERANDS = [
  { rd: 5, rs1: 6, rs2: 7, imm: Csr.STATUS }, // csrw STATUS <- 0 would drop to ring 0; in from port 0
  { rd: 5, rs1: 6, rs2: 7, imm: Csr.PTBR }, // PTBR write would turn paging on
  { rd: 6, rs1: 7, rs2: 5, imm: 0x30 }, // out POWER_OFF would halt
  { rd: 7, rs1: 5, rs2: 6, imm: 0x10 }, // in CONSOLE_DATA would consume input; csrr CAUSE
  { rd: 5, rs1: 5, rs2: 5, imm: Csr.IMASK },
];

describe('privileged instructions outside ring 0', () => {
  const privileged = isa.insns.filter((i) => i.privilege === 'privileged');

  it('the table has privileged instructions', () => {
    expect(privileged.length).toBeGreaterThan(0);
  });

  for (const insn of privileged) {
    for (const ring of [1, 2, 3]) {
      it(`${insn.mnemonic} in ring ${ring} traps PrivilegedInstruction with no other effect`, () => {
        for (const fields of OPERANDS) {
          const word = encodeFields(insn.format, insn.opcode, fields);
          expect(isa.decodeIndex(word)).toBe(isa.insns.indexOf(insn));
          const { m, sym } = boot(
            `
        .org 0x1000
_start: ${enterRing(ring)}
        .org 0x2000
user:   .word ${word}
        .word 0
        .org 0x3000
handler: halt`,
            { consoleInput: 'abc' },
          );
          // Step through the ring-0 prelude up to the instruction under test.
          let guard = 0;
          while (m.cpu.pc !== sym('user')) {
            expect(m.step().kind).toBe('step');
            expect(++guard).toBeLessThan(50);
          }
          expect(m.cpu.ring).toBe(ring);
          // Registers hold a value that would matter: the value for STATUS/PTBR/POWER writes etc.
          for (let r = 1; r < 16; r++) m.cpu.x[r] = r === 6 ? 0x10001 : r * 0x1111;
          m.cpu.imask = 3;
          const before = archState(m);
          const consoleBefore = m.console.save();
          const timerBefore = m.timer.save();
          const tlbBefore = { ...m.cpu.mmu.stats };
          const instructionsBefore = m.cpu.instret;

          expect(m.step().kind).toBe('step');

          const c = m.cpu;
          expect(c.cause, `${insn.mnemonic} cause`).toBe(Cause.PrivilegedInstruction);
          expect(c.epc).toBe(sym('user'));
          expect(c.einsn >>> 0).toBe(word);
          expect(c.badAddr).toBe(0);
          expect(c.ring).toBe(0);
          expect(c.interruptsEnabled).toBe(false);
          expect(c.estatus).toBe(ring);
          expect(c.pc).toBe(sym('handler'));
          expect(c.instret).toBe(instructionsBefore);
          // Everything else as it was.
          expect({ ...archState(m), ring, ie: false, epc: before.epc, estatus: before.estatus, cause: before.cause, einsn: before.einsn, badAddr: before.badAddr }).toEqual(before);
          expect(m.console.save()).toEqual(consoleBefore);
          expect(m.console.output()).toBe('');
          expect(m.timer.save()).toEqual(timerBefore);
          expect(m.cpu.mmu.stats).toEqual(tlbBefore);
          expect(m.stats().traps).toEqual({ PrivilegedInstruction: 1 });
        }
      });
    }
  }
});

/**
 * Instructions whose semantics are tested in another file, with where and why. Every other
 * instruction must have vectors in this file: adding an instruction to the table without either
 * makes the coverage test below fail.
 */
const TESTED_ELSEWHERE: Record<string, { file: string; why: string }> = {
  sret: { file: 'traps.test.ts', why: 'restores ring, IE and pc from ESTATUS/EPC; needs trap state' },
  halt: { file: 'devices.test.ts', why: 'stop kind and exit code, together with the power port' },
  wfi: { file: 'devices.test.ts', why: 'needs the timer to wake it; idle accounting and deadlock' },
  ei: { file: 'devices.test.ts', why: 'observable only through interrupt delivery' },
  di: { file: 'devices.test.ts', why: 'observable only through interrupt delivery' },
  csrr: { file: 'traps.test.ts', why: 'reads of every control register, unknown numbers' },
  csrw: { file: 'traps.test.ts', why: 'writes, read-only registers, STATUS masking' },
  in: { file: 'devices.test.ts', why: 'reads of each device port' },
  out: { file: 'devices.test.ts', why: 'writes to each device port' },
  tlbflush: { file: 'mmu.test.ts', why: 'needs paging and a stale TLB entry' },
  tlbflushall: { file: 'mmu.test.ts', why: 'needs paging and a stale TLB entry' },
};

const TESTED_HERE = new Set<string>([
  ...Object.keys(R_VECTORS),
  ...Object.keys(I_VECTORS),
  'lui',
  ...Object.keys(LOAD_VECTORS),
  ...Object.keys(STORE_VECTORS),
  ...Object.keys(BRANCH_VECTORS),
  'jal',
  'jalr',
  'syscall',
  'break',
]);

describe('coverage of the instruction table', () => {
  it('every instruction has semantic vectors or a justified entry in TESTED_ELSEWHERE', () => {
    const missing = isa.insns.map((i) => i.mnemonic).filter((m) => !TESTED_HERE.has(m) && !(m in TESTED_ELSEWHERE));
    expect(missing, 'add semantic vectors in test/machine/semantics.test.ts for these instructions').toEqual([]);
  });

  it('the coverage lists name only real instructions, and each file listed exercises its instruction', () => {
    for (const m of [...TESTED_HERE, ...Object.keys(TESTED_ELSEWHERE)]) expect(isa.byMnemonic.has(m), m).toBe(true);
    for (const [mnemonic, { file, why }] of Object.entries(TESTED_ELSEWHERE)) {
      expect(why.length).toBeGreaterThan(10);
      const text = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
      expect(new RegExp(`\\b${mnemonic}\\b`).test(text), `${file} should use ${mnemonic}`).toBe(true);
    }
  });

  it('the assembler encodes each tested mnemonic to its table opcode (sanity of the harness)', () => {
    const image = asm('        .org 0x1000\n_start: add a2, a0, a1\n        addi a2, a0, -1\n');
    const seg = image.segments[0]!;
    expect(seg.data[3]).toBe(isa.byMnemonic.get('add')!.opcode);
    expect(seg.data[7]).toBe(isa.byMnemonic.get('addi')!.opcode);
  });
});
