// The ABI tables (src/abi/) are well formed, and the programs built from the generated includes
// use them: the kernel's dispatch table holds sys_<name> of every call in number order, in both
// builds; the user library has a wrapper per call; abi.inc defines each value of the tables.

import { describe, expect, it } from 'vitest';
import { assemble, findSymbol, type Image } from '../../src/asm/index.js';
import { BOOT, BOOT_ARGS, BOOT_RECORD, ERRNO, errno, STRUCTS, SYSCALLS, USER_SPACE } from '../../src/abi/index.js';
import { kernelImage, userImage } from '../../src/configs/index.js';
import { isaWith } from '../../src/isa/index.js';

const isa = isaWith([]);

function symbols(source: string): Map<string, number> {
  const r = assemble(source, { fileName: 'probe.s', isa });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return new Map(r.image.symbols.map((s) => [s.name, s.value]));
}

/** The 32-bit word at `address` of an image. */
function word(image: Image, address: number): number {
  const seg = image.segments.find((s) => address >= s.address && address + 4 <= s.address + s.data.length)!;
  return new DataView(seg.data.buffer, seg.data.byteOffset).getUint32(address - seg.address, true);
}

describe('the system-call table', () => {
  it('numbers the calls 0, 1, 2, ... in table order, with unique names that make assembly symbols', () => {
    SYSCALLS.forEach((s, i) => expect(s.number, s.name).toBe(i));
    expect(new Set(SYSCALLS.map((s) => s.name)).size).toBe(SYSCALLS.length);
    for (const s of SYSCALLS) expect(s.name).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('passes at most four arguments (a0..a3) and says what each call returns and how it fails', () => {
    for (const s of SYSCALLS) {
      expect(s.args.length, s.name).toBeLessThanOrEqual(4);
      expect(s.doc.length, s.name).toBeGreaterThan(0);
      // `returns: null`: the call does not return when it succeeds; exec and poweroff still
      // return their error (usys.s ends their wrappers in ret), exit cannot fail at all.
      if (s.returns === null && s.name === 'exit') expect(s.errors, 'exit cannot fail').toEqual([]);
      expect(new Set(s.errors.map((e) => e.errno)).size, s.name).toBe(s.errors.length);
    }
  });
});

describe('the errno table', () => {
  it('uses Linux numbering, one name per value', () => {
    expect(new Set(ERRNO.map((e) => e.value)).size).toBe(ERRNO.length);
    expect([errno('EPERM'), errno('ENOENT'), errno('EBADF'), errno('ENOMEM'), errno('EFAULT'), errno('EEXIST'), errno('EINVAL'), errno('ENOSYS')]).toEqual([1, 2, 9, 12, 14, 17, 22, 38]);
  });
});

describe('the shared structures', () => {
  it.each(STRUCTS.map((s) => [s.name, s] as const))('%s: fields inside the structure, aligned, not overlapping', (_, st) => {
    const fields = Object.entries(st.fields).sort(([, a], [, b]) => a.offset - b.offset);
    let end = 0;
    for (const [name, f] of fields) {
      expect(f.offset, name).toBeGreaterThanOrEqual(end);
      if (f.size === 4) expect(f.offset % 4, name).toBe(0);
      end = f.offset + f.size;
    }
    expect(end).toBeLessThanOrEqual(st.size);
  });
});

describe('programs/lib/abi.inc', () => {
  it('defines every value of the tables', () => {
    const value = symbols('.include "programs/lib/abi.inc"\n');
    for (const s of SYSCALLS) expect(value.get(`SYS_${s.name.toUpperCase()}`)).toBe(s.number);
    // Without a build option: the calls every kernel has (a HOST kernel's come last).
    expect(value.get('NSYSCALLS')).toBe(SYSCALLS.filter((s) => !s.build).length);
    for (const e of ERRNO) expect(value.get(e.name)).toBe(e.value);
    for (const [name, c] of Object.entries({ ...USER_SPACE, ...BOOT })) expect(value.get(name), name).toBe(c.value | 0);
    for (const st of [BOOT_ARGS, BOOT_RECORD]) {
      for (const [name, f] of Object.entries(st.fields)) expect(value.get(`${st.prefix}_${name}`)).toBe(f.offset);
      expect(value.get(`${st.prefix}_SIZEOF`)).toBe(st.size);
    }
  });
});

describe('the kernel', () => {
  it.each([['native', {}], ['PARAVIRT', { PARAVIRT: 1 }]])('(%s build) dispatches call n to sys_<name> of entry n', (_, defines) => {
    const kernel = kernelImage(isa, defines);
    const table = findSymbol(kernel, 'syscall_table')!.value;
    const calls = SYSCALLS.filter((s) => !s.build); // (test/kernel/hosted.test.ts: the HOST build's)
    expect(findSymbol(kernel, 'NSYSCALLS')?.value).toBe(calls.length);
    for (const s of calls) {
      const handler = findSymbol(kernel, `sys_${s.name}`);
      expect(handler, `the kernel has no handler sys_${s.name}`).toBeDefined();
      expect(word(kernel, table + 4 * s.number), `syscall_table[${s.number}] is not sys_${s.name}`).toBe(handler!.value >>> 0);
    }
  });
});

describe('the user library', () => {
  it('has a wrapper per call (but a build option\'s: rlvmm defines its own), named after it, that puts its number in t0 and traps', () => {
    const image = userImage('syscall', isa);
    const probe = assemble('ret\n', { fileName: 'ret.s', isa });
    if (!probe.ok) throw new Error('ret does not assemble');
    const retWord = word(probe.image, probe.image.entry) >>> 0;
    for (const s of SYSCALLS.filter((c) => !c.build)) {
      const at = findSymbol(image, s.name);
      expect(at, `no wrapper ${s.name}`).toBeDefined();
      const syscallWord = isa.byMnemonic.get('syscall')!.opcode << 24;
      // li t0, n (one word for small n), then syscall.
      expect(word(image, at!.value + 4) >>> 0, s.name).toBe(syscallWord >>> 0);
      // A call that returns, or that returns its error (exec, poweroff), goes back with ret.
      if (s.returns !== null || s.errors.length > 0) expect(word(image, at!.value + 8) >>> 0, `${s.name} ends in ret`).toBe(retWord);
    }
  });
});
