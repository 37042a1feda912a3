// The example programs in programs/examples/ run to a clean power-off through the real binary.
// (Their exact output is the examples' business; here we check they work as documented.)

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab, ROOT, useCli } from './helpers.js';

useCli();

const dir = join(ROOT, 'programs', 'examples');
let examples: string[] = [];
try {
  examples = readdirSync(dir).filter((f) => f.endsWith('.s')).sort();
} catch {
  /* no examples yet */
}

describe.skipIf(examples.length === 0)('programs/examples', () => {
  it.each(examples)('%s runs, prints something and exits 0', (name) => {
    const r = ringlab(['run', join('programs', 'examples', name), '--max-cycles', '1e8']);
    expectNoStackTrace(r);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toBe('');
  });
});
