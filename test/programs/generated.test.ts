import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index.js';
import { CAUSES, CSRS, isaWith } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';
import { hardwareInclude } from '../../src/tools/hw-include.js';

describe('programs/lib/hw.inc', () => {
  it('is fresh (run `npm run gen` after changing a hardware table)', () => {
    expect(readFileSync('programs/lib/hw.inc', 'utf8'), 'programs/lib/hw.inc is stale: run npm run gen').toBe(hardwareInclude());
  });

  it('defines every cause, control register and port with the values of the tables', () => {
    const result = assemble('.include "programs/lib/hw.inc"\n', { fileName: 'probe.s', isa: isaWith() });
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    const value = new Map(result.image.symbols.map((s) => [s.name, s.value]));
    for (const c of CAUSES) expect(value.get(`CAUSE_${c.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`)).toBe(c.code);
    for (const c of CSRS) expect(value.get(`CSR_${c.name}`)).toBe(c.number);
    for (const d of new Machine({ memoryBytes: 4096 }).devices) for (const p of d.ports) expect(value.get(p.name)).toBe(p.port);
  });
});
