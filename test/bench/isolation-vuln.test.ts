// Isolation strength (src/bench/isolation-vuln.ts; docs/isolation.md, "Isolation strength"): the
// -D VULN kernel bug exploited from a container. Real boots: the exploit succeeds across
// containers on the VULN kernel, fails on the default kernel, and in a VM reaches only its own
// guest; the bug exists only under `.ifdef VULN` (the default kernel's bytes do not depend on it).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, findSymbol, type Image } from '../../src/asm/index.js';
import { SYSCALLS } from '../../src/abi/index.js';
import { vulnFinding, vulnRun, vulnTable, OUTSIDE_SECRET, VICTIM_SECRET, VULN_MEMORY_BYTES, type VulnRow } from '../../src/bench/isolation-vuln.js';
import { kernelImage } from '../../src/configs/index.js';
import { KERNEL_SOURCE, ROOT } from '../../src/configs/images.js';
import { isaWith } from '../../src/isa/index.js';
import { DEFAULT_COSTS } from '../../src/machine/costs.js';

const isa = isaWith([]);
const runs = new Map<string, VulnRow>();
const run = (config: string, vuln: boolean): VulnRow => {
  const key = `${config} ${vuln}`;
  if (!runs.has(key)) runs.set(key, vulnRun(config, vuln, DEFAULT_COSTS));
  return runs.get(key)!;
};
const SIGBUS = 7;

describe('the exploit (programs/user/isovuln.s) from one container', () => {
  it('on the VULN kernel reads the other container\'s secret, finds its own tables, and dies reading past the end of memory', () => {
    const r = run('native', true);
    expect(r.failure).toBeNull();
    expect(r.memoryBytes).toBe(VULN_MEMORY_BYTES); // read out of the boot arguments through the bug
    expect(r.framesRead).toBe(VULN_MEMORY_BYTES / 4096 - 1); // every frame but page 0
    expect(r.secrets.map((s) => s.text)).toEqual([VICTIM_SECRET]);
    expect(r.neighbourRead).toBe(true);
    expect(r.secrets[0]!.at % 4096).toBe(0);
    expect(r.tables).not.toBeNull();
    expect(r.beyond).toEqual({ address: VULN_MEMORY_BYTES, outcome: expect.stringMatching(/^killed by the kernel: BusError at pc 0x[0-9a-f]{8} addr 0x00400000$/) });
    expect(r.thiefStatus! >> 8).toBe(128 + SIGBUS); // crun passes on the thief's end
    expect(r.outside).toBeNull();
  });

  it('fails on the default kernel: the call does not exist (ENOSYS)', () => {
    const r = run('native', false);
    expect(r.failure).toMatch(/^vuln-thief: vuln_copy returned -1: this kernel has no such call/);
    expect(r.secrets).toEqual([]);
    expect(r.neighbourRead).toBe(false);
    expect(r.memoryBytes).toBeNull();
    expect(r.beyond).toBeNull();
    expect(r.framesRead).toBeNull();
    expect(r.thiefStatus! >> 8).toBe(2);
  });

  it('is deterministic', () => {
    expect(vulnRun('native', true, DEFAULT_COSTS)).toEqual(run('native', true));
  });
});

describe('the same exploit in a VM', () => {
  it.each(['te', 'vtx-ept'])('under %s reaches its own guest only: the neighbour in the VM, not the VMM\'s memory; past the guest\'s end a bus error', (config) => {
    const r = run(config, true);
    expect(r.memoryBytes).toBe(VULN_MEMORY_BYTES); // guest-physical: the guest's memory
    expect(r.framesRead).toBe(VULN_MEMORY_BYTES / 4096 - 1); // every one of them, 0x003f0000 included
    expect(r.secrets.map((s) => s.text)).toEqual([VICTIM_SECRET]); // the container beside it, in the same guest
    expect(r.outside).toMatchObject({ read: false, intact: true, guestBytes: VULN_MEMORY_BYTES });
    expect(r.outside!.hostAddress).toBeLessThan(r.outside!.guestBase); // outside the guest's allocation
    expect(r.beyond).toEqual({ address: VULN_MEMORY_BYTES, outcome: expect.stringMatching(/^killed by the kernel: BusError .* addr 0x00400000$/) });
    expect(JSON.stringify(r)).not.toContain(OUTSIDE_SECRET);
  });

  it('under hosted reaches its own guest only: not the host\'s memory (its last page); past the guest\'s end a bus error from the host\'s driver', () => {
    const r = run('hosted', true);
    expect(r.memoryBytes).toBe(VULN_MEMORY_BYTES);
    expect(r.framesRead).toBe(VULN_MEMORY_BYTES / 4096 - 1); // the scan backs every guest page (an EptViolation each)
    expect(r.secrets.map((s) => s.text)).toEqual([VICTIM_SECRET]);
    expect(r.outside).toMatchObject({ read: false, intact: true, guestBytes: VULN_MEMORY_BYTES, guestBase: null });
    expect(r.outside!.hostAddress).toBeGreaterThan(VULN_MEMORY_BYTES); // no guest-physical address names it
    expect(r.beyond).toEqual({ address: VULN_MEMORY_BYTES, outcome: expect.stringMatching(/^killed by the kernel: BusError .* addr 0x00400000$/) });
    expect(JSON.stringify(r)).not.toContain(OUTSIDE_SECRET);
  });
});

describe('the finding and the table, from the runs', () => {
  it('holds when the runs say so, and not when the VM leaks or the default kernel is broken', () => {
    const rows = [run('native', false), run('native', true), run('te', true), run('vtx-ept', true), run('hosted', true)];
    const f = vulnFinding(rows)!;
    expect(f.id).toBe('iso-vuln-kernel-bug');
    expect(f.holds).toBe(true);
    expect(f.text).toContain('read the victim\'s secret out of the other container\'s page');
    expect(f.text).toContain('under te and vtx-ept and hosted');
    expect(f.text).toContain('hosted the host\'s last page at host-physical');
    const leaky = rows.map((r) => (r.outside ? { ...r, outside: { ...r.outside, read: true } } : r));
    expect(vulnFinding(leaky)!.holds).toBe(false);
    expect(vulnFinding([{ ...rows[0]!, failure: null }, ...rows.slice(1)])!.holds).toBe(false);
    expect(vulnFinding([])).toBeUndefined();
    expect(vulnFinding(rows.slice(0, 2))!.text).toContain('the VM half of the claim is not checked here');
    const t = vulnTable(rows);
    expect(t.rows).toHaveLength(5);
    expect(t.rows[0]![2]).toBe('none: vuln_copy is -1 (ENOSYS), exit 2');
    const doc = readFileSync(join(ROOT, 'docs', 'isolation.md'), 'utf8');
    for (const row of t.rows) expect(doc).toContain(`| ${row.join(' | ')} |`); // the table docs/isolation.md quotes
    expect(t.rows[2]![3]).toMatch(/^not read, intact \(host-physical 0x003f0000; guest-physical 0x003f0000 is its own frame \(host 0x007f0000\)\)$/);
  });
});

/** `text` without its `.ifdef VULN` blocks (their `.else` parts kept). */
function withoutVuln(text: string): string {
  const out: string[] = [];
  const stack: ('keep' | 'vuln' | 'vuln-else')[] = [];
  for (const line of text.split('\n')) {
    const d = /^\s*(\.ifdef|\.ifndef|\.if|\.else|\.elseif|\.endif)\b\s*(\w*)/.exec(line);
    const skipping = stack.includes('vuln');
    if (d && (d[1] === '.ifdef' || d[1] === '.ifndef' || d[1] === '.if')) {
      stack.push(d[1] === '.ifdef' && d[2] === 'VULN' ? 'vuln' : 'keep');
      if (stack.at(-1) === 'vuln' || skipping) continue;
    } else if (d && d[1] === '.else' && stack.at(-1) === 'vuln') {
      stack[stack.length - 1] = 'vuln-else';
      continue;
    } else if (d && d[1] === '.endif') {
      const top = stack.pop();
      if (top !== 'keep' || skipping) continue;
    } else if (skipping) continue;
    out.push(line);
  }
  return out.join('\n');
}

const segments = (image: Image): string => JSON.stringify(image.segments.map((s) => [s.address, Buffer.from(s.data).toString('base64')]));

describe('the bug is in a -D VULN kernel only', () => {
  it.each([['default', {}], ['HOST', { HOST: 1 }]] as const)('the %s kernel\'s bytes are those of the sources with every .ifdef VULN block removed, and nothing else of the bug is outside one', (_, defines) => {
    const read: string[] = [];
    const strip = (text: string): string => {
      const t = withoutVuln(text);
      read.push(t);
      return t;
    };
    const stripped = assemble(strip(readFileSync(KERNEL_SOURCE, 'utf8')), {
      fileName: KERNEL_SOURCE,
      isa: isaWith('HOST' in defines ? ['vmx'] : []),
      defines,
      includeRoot: ROOT,
      readFile: (p) => strip(readFileSync(p, 'utf8')),
    });
    // Outside the blocks only the number's name is left (abi.inc's `.equ SYS_VULN_COPY`: no bytes).
    const mentions = read.flatMap((t) => t.split('\n')).filter((l) => /vuln|syscall_hole/i.test(l));
    expect(mentions.length).toBe(1);
    expect(mentions[0]).toMatch(/^\.equ SYS_VULN_COPY, /);
    expect(stripped.ok).toBe(true);
    if (!stripped.ok) return;
    expect(findSymbol(stripped.image, 'sys_vuln_copy')).toBeUndefined();
    const built = kernelImage(isaWith('HOST' in defines ? ['vmx'] : []), defines);
    expect(findSymbol(built, 'sys_vuln_copy')).toBeUndefined();
    expect(segments(built)).toBe(segments(stripped.image));
  });

  it('numbers the build options\' calls option after option: a VULN kernel answers HOST\'s numbers with ENOSYS', () => {
    const word = (k: Image, at: number): number => {
      const seg = k.segments.find((s) => at >= s.address && at < s.address + s.data.length)!;
      return new DataView(seg.data.buffer, seg.data.byteOffset).getUint32(at - seg.address, true);
    };
    const vuln = SYSCALLS.find((s) => s.name === 'vuln_copy')!;
    const host = SYSCALLS.filter((s) => s.build === 'HOST');
    expect(vuln.build).toBe('VULN');
    expect(vuln.number).toBe(SYSCALLS.length - 1); // last, after HOST's
    for (const [defines, extensions, hosted] of [[{ VULN: 1 }, [], false], [{ VULN: 1, HOST: 1 }, ['vmx'], true]] as const) {
      const k = kernelImage(isaWith([...extensions]), defines);
      const table = findSymbol(k, 'syscall_table')!.value;
      expect(findSymbol(k, 'NSYSCALLS')!.value).toBe(SYSCALLS.length);
      expect(word(k, table + 4 * vuln.number)).toBe(findSymbol(k, 'sys_vuln_copy')!.value >>> 0);
      for (const s of host) expect(word(k, table + 4 * s.number), s.name).toBe(findSymbol(k, hosted ? `sys_${s.name}` : 'syscall_hole')!.value >>> 0);
    }
  });
});

describe('the report', () => {
  it('shows the table and the section in the terminal, report.md and report.html, from results.json alone', async () => {
    const { renderIsolationAll, renderIsolationTerminal } = await import('../../src/bench/isolation-render.js');
    const { ISOLATION_SCHEMA } = await import('../../src/bench/isolation.js');
    const { Chalk } = await import('chalk');
    const rows = [run('native', false), run('native', true), run('te', true), run('vtx-ept', true), run('hosted', true)];
    const r = {
      schema: ISOLATION_SCHEMA, suite: 'isolation' as const, revision: 'test', preset: DEFAULT_COSTS, machineBytes: 16 << 20, configs: ['native', 'te', 'vtx-ept'],
      syscalls: [], startup: [], memory: [], density: [], densityCurve: [], minGuestBytes: {}, findings: [vulnFinding(rows)!], deterministic: true, vuln: JSON.parse(JSON.stringify(rows)) as VulnRow[],
    };
    const files = renderIsolationAll(r);
    const t = vulnTable(rows);
    expect(files['report.md']).toContain('## Isolation strength');
    for (const row of t.rows) expect(files['report.md']).toContain(`| ${row.join(' | ').replaceAll('_', '\\_')} |`); // markdown escapes _
    expect(files['report.html']).toContain('Isolation strength');
    expect(files['report.md']).toContain('iso-vuln-kernel-bug');
    const term = renderIsolationTerminal(r, new Chalk({ level: 0 }));
    expect(term).toContain(t.title);
    expect(term).toContain('0x00400000: BusError, killed');
  });
});

describe('vuln_copy\'s own answers', () => {
  // A user-to-user copy works; a length above PAGE_SIZE or negative is EINVAL; on a VULN kernel
  // without HOST, HOST's numbers answer -1 (ENOSYS, syscall_hole); on the default kernel
  // vuln_copy itself does.
  const probe = async () => {
    const { program } = await import('../kernel/guests/guest.js');
    return program('vulncalls', `
_start: la   a0, dst
        la   a1, src
        li   a2, 6
        call vcopy
        call out
        la   a0, dst
        call print
        call newline
        la   a0, dst
        la   a1, src
        li   a2, 4097
        call vcopy
        call out
        la   a0, dst
        la   a1, src
        li   a2, -1
        call vcopy
        call out
        li   t0, SYS_VM_CREATE
        syscall
        call out
        li   a0, 0
        call exit
vcopy:  li   t0, SYS_VULN_COPY
        syscall
        ret
out:    push ra                     # a0 as a signed decimal, then a space
        bge  a0, zero, .pos
        push a0
        la   a0, minus
        call print
        pop  a0
        sub  a0, zero, a0
.pos:   call print_dec
        la   a0, space
        call print
        pop  ra
        ret
minus:  .asciz "-"
space:  .asciz " "
src:    .asciz "hello"
dst:    .space 8
        .align 4`);
  };
  it('on a VULN kernel: 6, the copy, then -EINVAL twice, and -1 for a HOST call', async () => {
    const { findConfig } = await import('../../src/configs/index.js');
    const r = findConfig('native')!.boot({ workloads: [], programs: [await probe()], kernelDefines: { VULN: 1 } });
    expect(r.processes[0]!.output).toBe('6 hello\n-22 -22 -1 ');
    expect(r.processes[0]!.exitCode).toBe(0);
  });
  it('on the default kernel: -1 (ENOSYS) for every one', async () => {
    const { findConfig } = await import('../../src/configs/index.js');
    const r = findConfig('native')!.boot({ workloads: [], programs: [await probe()] });
    expect(r.processes[0]!.output).toBe('-1 \n-1 -1 -1 ');
  });
});
