// The generated assembly includes define what their tables say. (That each generated file is
// fresh is test/tools/generated.test.ts's job.)

import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { CAUSES, CSRS, isaWith } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';

describe('programs/lib/hw.inc', () => {
  it('defines every cause, control register and port with the values of the tables', () => {
    const result = assemble('.include "programs/lib/hw.inc"\n', { fileName: 'probe.s', isa: isaWith() });
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    const value = new Map(result.image.symbols.map((s) => [s.name, s.value]));
    for (const c of CAUSES) expect(value.get(`CAUSE_${c.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`)).toBe(c.code);
    for (const c of CSRS) expect(value.get(`CSR_${c.name}`)).toBe(c.number);
    for (const d of new Machine({ memoryBytes: 4096 }).devices) for (const p of d.ports) expect(value.get(p.name)).toBe(p.port);
  });
});
