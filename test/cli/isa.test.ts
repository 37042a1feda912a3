// `ringlab isa`: every instruction of the table, and the Markdown reference that is docs/ISA.md.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTENSIONS, isaWith, PSEUDOS } from '../../src/isa/index.js';
import { ringlab, ROOT, useCli } from './helpers.js';

useCli();

describe('ringlab isa', () => {
  it('lists every mnemonic of the base ISA, with its opcode and doc line', () => {
    const r = ringlab(['isa']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const insn of isaWith().insns) {
      const line = r.stdout.split('\n').find((l) => new RegExp(`^\\s+${insn.mnemonic}\\s`).test(l));
      expect(line, insn.mnemonic).toBeDefined();
      expect(line).toContain(`0x${insn.opcode.toString(16).padStart(2, '0')}`);
      expect(line).toContain(insn.doc);
    }
  });

  it('lists the pseudo-instructions', () => {
    const r = ringlab(['isa']);
    for (const p of PSEUDOS) expect(r.stdout, p.mnemonic).toMatch(new RegExp(`^\\s+${p.mnemonic}\\b`, 'm'));
  });

  it.each([...EXTENSIONS.keys()])('--extensions %s adds that bundle', (name) => {
    const r = ringlab(['isa', '--extensions', name], { spawn: true });
    expect(r.status).toBe(0);
    for (const insn of EXTENSIONS.get(name)!.insns) expect(r.stdout).toMatch(new RegExp(`^\\s+${insn.mnemonic}\\s`, 'm'));
  });

  it('--markdown with every extension prints exactly docs/ISA.md (regenerate it with `npm run gen`)', () => {
    const r = ringlab(['isa', '--markdown', '--extensions', [...EXTENSIONS.keys()].join(',')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'docs', 'ISA.md'), 'utf8'));
  });
});
