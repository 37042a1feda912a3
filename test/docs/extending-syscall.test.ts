// docs/extending.md, "Adding a system call", stays honest: its worked example, uptime(), is in
// the tree, so the entry, the handler and the generated wrapper it quotes must be the tree's
// text, and the transcript it shows must be what the call does, in every configuration.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSymbol } from '../../src/asm/index.js';
import { SYSCALLS } from '../../src/abi/index.js';
import { bootNative, CONFIGS, findConfig, kernelImage } from '../../src/configs/index.js';
import { isaWith } from '../../src/isa/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const doc = read('docs/extending.md');
const section = doc.slice(doc.indexOf('## Adding a system call'));

/** The fenced blocks of one language in a Markdown text. */
function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
}

describe('docs/extending.md: adding a system call', () => {
  it('quotes the table entry of src/abi/syscalls.ts verbatim, with its number', () => {
    const [entry] = blocks(section, 'ts');
    expect(entry).toBeDefined();
    expect(read('src/abi/syscalls.ts')).toContain(entry);
    const uptime = SYSCALLS.find((s) => s.name === 'uptime')!;
    expect(entry).toContain(`number: ${uptime.number},`);
    expect(SYSCALLS.every((s, i) => s.number === i)).toBe(true);
  });

  it('quotes the handler in programs/kernel/syscall.s and the generated wrapper in usys.s verbatim', () => {
    const [handler, wrapper] = blocks(section, 'asm');
    expect(read('programs/kernel/syscall.s')).toContain(handler);
    expect(read('programs/lib/usys.s')).toContain(wrapper);
  });

  it('says what the generated include holds', () => {
    const kernel = kernelImage(isaWith([]));
    expect(findSymbol(kernel, 'SYS_UPTIME')?.value).toBe(11);
    expect(findSymbol(kernel, 'NSYSCALLS')?.value).toBe(SYSCALLS.filter((s) => !s.build).length); // a -D HOST kernel's calls come after
    expect(section).toContain('`.equ SYS_UPTIME, 11`, `NSYSCALLS` counts it (it was\n12 then) and `sys_uptime` is the twelfth word');
  });

  it('shows the console of a real boot', () => {
    const [transcript] = blocks(section, 'console');
    const [command, ...output] = transcript!.split('\n');
    expect(command).toBe('$ npx ringlab boot --workload uptime');
    expect(bootNative({ workloads: ['uptime'] }).console).toBe(output.join('\n'));
  });

  it.each(CONFIGS.map((c) => c.name))('uptime() grows across a sleep under %s as natively', (config) => {
    const r = findConfig(config)!.boot({ workloads: ['uptime'], iterations: 3, maxCycles: 50_000_000 });
    expect(r.processes).toEqual([{ pid: 2, name: 'uptime', exitCode: 0, output: 'uptime: slept 3 ticks; uptime() grew by at least that\n', outputBytes: 54, outputTruncated: false }]);
  });
});
