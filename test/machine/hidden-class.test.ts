// The processor's and the MMU's counts start as doubles (STARTS_AS_DOUBLE in mmu.ts), so a
// machine whose counts grow past 2^31 keeps the hidden class the other machines have. If it did
// not, the others would keep a deprecated class, and V8 would deoptimize every function
// optimized for it (the translator's regions, the interpreter), once per process. V8's own
// check (%HaveSameMap) needs --allow-natives-syntax, so this runs in a child node process on
// the built dist/.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../cli/setup.js';

describe('hidden classes', () => {
  it('a machine whose counts pass 2^31 keeps the hidden class of the machine made before it', async () => {
    await ensureBuilt();
    const machineJs = pathToFileURL(join(ROOT, 'dist', 'src', 'machine', 'machine.js')).href;
    const script = `
      const { Machine } = await import(${JSON.stringify(machineJs)});
      const other = new Machine({ memoryBytes: 1 << 20 });
      const grown = new Machine({ memoryBytes: 1 << 20 });
      const cpu = grown.cpu, stats = cpu.mmu.stats;
      cpu.cycles = cpu.instret = cpu.fetchHits = cpu.transitionCycles = cpu.idleCycles = 2 ** 32;
      stats.hits = stats.misses = stats.walkRefs = 2 ** 32;
      console.log(JSON.stringify({ processor: %HaveSameMap(cpu, other.cpu), tlbStats: %HaveSameMap(stats, other.cpu.mmu.stats) }));`;
    const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ processor: true, tlbStats: true });
  });
});
