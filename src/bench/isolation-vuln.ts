// Isolation strength (issue 19; docs/isolation.md, "Isolation strength"): what one kernel bug
// does to containers, and what it does in a VM. A kernel built with -D VULN has one deliberate
// bug (programs/kernel/vuln.s: vuln_copy trusts its pointers, an arbitrary read and write of
// physical memory). programs/user/isovuln.s exploits it from inside a container:
//
//   vuln-run (the boot's one job) starts two containers of crun: `victim`, which puts a secret at
//   the start of a heap page and sleeps, and `thief`, the exploit: it reads the boot arguments
//   (how much memory), reads the first bytes of every physical frame and prints every secret,
//   finds its own page tables in memory, forges a mapping of the first physical address past the
//   end of its memory with the write primitive, and reads there.
//
// It runs natively (the default kernel too: there the call does not exist and the exploit
// fails) and in a VM under te, vtx-ept and hosted (one guest kernel built with VULN). In a VM the
// harness also plants a secret of the same shape in the VMM's own memory, outside the guest's
// allocation (under hosted, in the host's: the last page of the machine, which its kernel's frame
// pool, filled from the bottom, does not reach): the one thing on the machine a VM's exploit
// could want besides its own guest. The
// outcomes are read from the run: the thief's lines, the kernel's message when it kills the
// thief, and whether the planted secret was read (its text in any output) or touched.

import { findSymbol } from '../asm/index.js';
import { LAYER_DIR, bundleConfig } from '../configs/container.js';
import { findConfig, runBoot, userImage, type BootResult } from '../configs/index.js';
import { rootDisk } from '../configs/rootfs.js';
import { systemPrograms } from '../configs/system.js';
import type { DiskFile } from '../configs/workloads.js';
import { toExecutable } from '../fs/exec.js';
import { isaWith } from '../isa/index.js';
import type { CostModel } from '../machine/costs.js';
import { BenchError, MEASURE_MAX_CYCLES } from './measure.js';
import { grouped } from './render/format.js';

/** The VMM configurations the exploit runs under (one guest kernel built with VULN each). pv is
 *  left out: its kernel is a different build (PARAVIRT), whose page-table writes go through the
 *  VMM's queue, so the forged mapping would be a different experiment. */
export const VULN_VMMS = ['te', 'vtx-ept', 'hosted'] as const;
/** The word a page holding a secret starts with ("SCRT"), as isovuln.s's SECRET_MAGIC. */
export const SECRET_MAGIC = 0x54524353;
/** The victim's secret (isovuln.s's s_secret). */
export const VICTIM_SECRET = "the victim's password is swordfish";
/** The secret the harness plants in the VMM's memory, outside the guest's allocation. */
export const OUTSIDE_SECRET = "the VMM's key is hunter2, outside the guest";
/** Where it is planted: a page of the VMM's 4 MiB region below the guest that no VMM uses
 *  (programs/vmm/common/layout.inc: GUEST_BASE - 16 pages, above pv's guest-frame map). */
export const OUTSIDE_PAGES_BELOW_GUEST = 16;
/** The machine's memory natively, the guest's in a VM: 4 MiB (the two containers need about
 *  1.5), so that the thief's scans of every frame take a fraction of a second. */
export const VULN_MEMORY_BYTES = 4 << 20;

export interface VulnRow {
  /** 'native' (bare metal) or the VMM the guest kernel runs under. */
  config: string;
  /** The kernel the containers share: built with -D VULN, or the default one. */
  kernel: 'VULN' | 'default';
  /** Physical memory as the thief read it from the boot arguments (guest-physical in a VM). */
  memoryBytes: number | null;
  /** Frames whose first bytes its scan read (every frame but page 0, which nothing maps). */
  framesRead: number | null;
  /** Every secret the thief found: the (guest-)physical address of its page and its text. */
  secrets: { at: number; text: string }[];
  /** The victim's secret, in the other container, was among them. */
  neighbourRead: boolean;
  /** The thief's own tables, as it found them in memory. */
  tables: { heap: number; table: number; directory: number } | null;
  /** Its last step: the address past the end of its memory it mapped and read, and what came of it. */
  beyond: { address: number; outcome: string } | null;
  /** In a VM: the secret planted in the VMM's memory (hosted: the host's), its host-physical
   *  address, whether any output held its text, and whether its bytes were still there after the
   *  run; where guest-physical 0 is (null under hosted: the guest's pages are the VMM process's,
   *  anywhere in the host's memory). */
  outside: { hostAddress: number; read: boolean; intact: boolean; guestBytes: number; guestBase: number | null } | null;
  /** The thief's line when the exploit failed (the default kernel). */
  failure: string | null;
  /** The thief container's wait status as vuln-run saw it. */
  thiefStatus: number | null;
  cycles: number;
}

const isa = isaWith([]);
const NAMES = ['vuln-victim', 'vuln-thief'] as const;
const BUNDLES = { victim: '/var/lib/crun/victim', thief: '/var/lib/crun/thief' } as const;
let disk: Uint8Array | undefined;

/** The root disk: the program in the one layer under both names, and the two bundles. */
function vulnDisk(): Uint8Array {
  if (disk) return disk;
  const exe = toExecutable(userImage('isovuln', isa), 'isovuln');
  const bundle = (dir: string, cmd: string): DiskFile => ({ path: `${dir}/config`, bytes: new TextEncoder().encode(bundleConfig({ command: [cmd], layerCount: 1 }) + 'upper=tmpfs\nupper.size=64k\n') });
  const files: DiskFile[] = [...NAMES.map((n) => ({ path: `${LAYER_DIR}/0/bin/${n}`, bytes: exe })), bundle(BUNDLES.victim, 'vuln-victim'), bundle(BUNDLES.thief, 'vuln-thief')];
  disk = rootDisk([], undefined, files, systemPrograms(isa));
  return disk;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** One boot of vuln-run under `config`, with the VULN kernel or the default one. */
export function vulnRun(config: string, vuln: boolean, costs: CostModel): VulnRow {
  const c = findConfig(config);
  if (!c) throw new BenchError(`unknown config '${config}'`);
  const prepared = c.prepare({
    workloads: [],
    programs: [{ name: 'vuln-run', image: userImage('isovuln', isa), iterations: 1 }],
    disk: vulnDisk(),
    costs,
    maxCycles: MEASURE_MAX_CYCLES,
    memoryBytes: VULN_MEMORY_BYTES,
    ...(vuln && { kernelDefines: { VULN: 1 } }),
  });
  const machine = prepared.machine;
  const bytes = machine.memory.bytes;
  const secret = new TextEncoder().encode(OUTSIDE_SECRET);
  let outsideAt = -1;
  let guestBase: number | null = 0;
  if (config === 'hosted') {
    guestBase = null;
    outsideAt = machine.memory.size - 4096;
    if (bytes.subarray(outsideAt, outsideAt + 4096).some((b) => b !== 0)) throw new BenchError(`isolation-vuln: the host's last page, ${hex(outsideAt)}, is not unused`);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(outsideAt, SECRET_MAGIC, true);
    bytes.set(secret, outsideAt + 4);
  } else if (config !== 'native') {
    const vmm = prepared.images.find((i) => i.name === 'vmm')?.image;
    const base = vmm && findSymbol(vmm, 'GUEST_BASE')?.value;
    if (base === undefined) throw new BenchError(`isolation-vuln: the ${config} VMM has no GUEST_BASE`);
    guestBase = base;
    outsideAt = base - OUTSIDE_PAGES_BELOW_GUEST * 4096;
    if (bytes.subarray(outsideAt, outsideAt + 4096).some((b) => b !== 0)) throw new BenchError(`isolation-vuln: host-physical ${hex(outsideAt)} is not an unused page of the ${config} VMM`);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(outsideAt, SECRET_MAGIC, true);
    bytes.set(secret, outsideAt + 4);
  }
  const result: BootResult = c.run(prepared, MEASURE_MAX_CYCLES);
  if (!result.halted) throw new BenchError(`isolation-vuln under ${config}: the machine did not power off (${result.stop.kind})`);
  const job = result.processes[0];
  if (!job) throw new BenchError(`isolation-vuln under ${config}: vuln-run did not run`);
  const out = job.output;
  const lines = out.split('\n');
  const thief = (prefix: string): string | undefined => lines.find((l) => l.startsWith(`vuln-thief: ${prefix}`));
  const mem = /memory is (\d+) bytes/.exec(thief('vuln_copy read') ?? '');
  const secrets = lines.flatMap((l) => {
    const m = /^vuln-thief: physical (0x[0-9a-f]{8}): (.*)$/.exec(l);
    return m ? [{ at: Number(m[1]), text: m[2]! }] : [];
  });
  const scanned = /found \d+ secrets in the first bytes of (\d+) frames/.exec(thief('found') ?? '');
  const t = /heap page is at physical (0x[0-9a-f]+), its page table at (0x[0-9a-f]+), its page directory at (0x[0-9a-f]+)/.exec(thief('its heap page') ?? '');
  const forged = /forged a mapping of physical (0x[0-9a-f]+)/.exec(thief('forged') ?? '');
  let beyond: VulnRow['beyond'] = null;
  if (forged) {
    const address = Number(forged[1]);
    const killed = result.console.split('\n').find((l) => /^kernel: killed pid \d+ \(vuln-thief\)/.test(l));
    const read = thief('read ');
    beyond = { address, outcome: killed ? killed.replace(/^kernel: killed pid \d+ \(vuln-thief\): /, 'killed by the kernel: ') : read ? read.replace('vuln-thief: ', '') : 'no outcome in the output' };
  }
  const status = /the thief's container exited with status (\d+)/.exec(out);
  const failure = thief('vuln_copy returned') ?? null;
  let outside: VulnRow['outside'] = null;
  if (outsideAt >= 0) {
    const intact = new DataView(bytes.buffer, bytes.byteOffset).getUint32(outsideAt, true) === SECRET_MAGIC && new TextDecoder().decode(bytes.subarray(outsideAt + 4, outsideAt + 4 + secret.length)) === OUTSIDE_SECRET;
    outside = { hostAddress: outsideAt, read: result.console.includes(OUTSIDE_SECRET) || out.includes(OUTSIDE_SECRET), intact, guestBytes: guestBase === null ? VULN_MEMORY_BYTES : machine.memory.size - guestBase, guestBase };
  }
  return {
    config,
    kernel: vuln ? 'VULN' : 'default',
    memoryBytes: mem ? Number(mem[1]) : null,
    framesRead: scanned ? Number(scanned[1]) : null,
    secrets,
    neighbourRead: secrets.some((s) => s.text === VICTIM_SECRET),
    tables: t ? { heap: Number(t[1]), table: Number(t[2]), directory: Number(t[3]) } : null,
    beyond,
    outside,
    failure,
    thiefStatus: status ? Number(status[1]) : null,
    cycles: result.stats.cycles,
  };
}

/** The demonstration: the default kernel and the VULN kernel natively, and the VULN kernel as
 *  the guest of each of `vmms` (those of VULN_VMMS the suite runs). `same` compares a second run. */
export function runVuln(vmms: readonly string[], costs: CostModel, same: (again: unknown, first: unknown) => void = () => {}): VulnRow[] {
  const runs: [string, boolean][] = [['native', false], ['native', true], ...VULN_VMMS.filter((v) => vmms.includes(v)).map((v): [string, boolean] => [v, true])];
  return runs.map(([config, vuln]) => {
    const row = vulnRun(config, vuln, costs);
    same(vulnRun(config, vuln, costs), row);
    return row;
  });
}

// ---------------------------------------------------------------------------------------------
// The finding, the table and the report's section (isolation-findings.ts and isolation-render.ts
// call these, so the suite's shared files only gain a line each)

const mib = (bytes: number): string => `${bytes / (1 << 20)} MiB`;
const where = (r: VulnRow): string => (r.config === 'native' ? `native, ${r.kernel} kernel` : `VM: ${r.config}, ${r.kernel} guest kernel`);
/** The thief's exit code (crun's: 128 + the signal that killed it). */
const exitOf = (r: VulnRow): string => (r.thiefStatus === null ? '?' : String(r.thiefStatus >> 8));

/** A row's outcome, in one sentence each for the table and the finding. */
function stolen(r: VulnRow): string {
  if (r.failure) return `none: vuln_copy is -1 (ENOSYS), exit ${exitOf(r)}`;
  const s = r.secrets.map((x) => `${hex(x.at)}: "${x.text}"`).join(', ');
  return r.secrets.length ? s : 'nothing found';
}

function outsideCell(r: VulnRow): string {
  if (!r.outside) return r.config === 'native' ? '— (no VMM)' : '—';
  const o = r.outside;
  const own = o.guestBase !== null && o.hostAddress < (r.memoryBytes ?? 0) ? `; guest-physical ${hex(o.hostAddress)} is its own frame (host ${hex(o.guestBase + o.hostAddress)})` : '';
  return `${o.read ? 'READ' : 'not read'}, ${o.intact ? 'intact' : 'CHANGED'} (host-physical ${hex(o.hostAddress)}${own})`;
}

/** What came of the read past the end: "BusError, killed" from the kernel's message. */
const beyondCell = (r: VulnRow): string => {
  if (!r.beyond) return '—';
  const cause = /^killed by the kernel: (\w+)/.exec(r.beyond.outcome);
  return `${hex(r.beyond.address)}: ${cause ? `${cause[1]}, killed` : r.beyond.outcome}`;
};

export function vulnTable(rows: readonly VulnRow[]): { title: string; head: string[]; align: ('left' | 'right')[]; rows: string[][] } {
  return {
    title: 'Isolation strength: a kernel bug (-D VULN: vuln_copy skips the user-pointer check), exploited from a container',
    head: ['the kernel', 'memory it reads', 'secrets it stole', "the VMM's secret", 'read past the end'],
    align: ['left', 'left', 'left', 'left', 'left'],
    rows: rows.map((r) => [
      where(r),
      r.memoryBytes === null ? '—' : `${mib(r.memoryBytes)}${r.config === 'native' ? ' (the machine)' : ' (its guest)'}: ${r.framesRead === null ? '?' : grouped(r.framesRead)} frames read`,
      stolen(r),
      outsideCell(r),
      beyondCell(r),
    ]),
  };
}

/** The seed documents' remark the demonstration checks (seed 000: "Docker ... has no security
 *  features of its own, and vulnerabilities have been pointed out"; containers run on the host
 *  OS's kernel). */
export const VULN_CLAIM = 'a kernel bug lets a container read its neighbour\'s memory; in a VM it reaches only that VM\'s guest (the seed documents: Docker has no security features of its own and relies on the shared kernel, whose vulnerabilities it inherits)';

export function vulnFinding(rows: readonly VulnRow[] | undefined): { id: string; claim: string; holds: boolean; text: string } | undefined {
  if (!rows || rows.length === 0) return undefined;
  const plain = rows.find((r) => r.config === 'native' && r.kernel === 'default');
  const bug = rows.find((r) => r.config === 'native' && r.kernel === 'VULN');
  const vms = rows.filter((r) => r.config !== 'native');
  const confined = (r: VulnRow): boolean => !!r.outside && !r.outside.read && r.outside.intact && r.secrets.every((s) => s.text === VICTIM_SECRET) && /BusError/.test(r.beyond?.outcome ?? '');
  const holds = !!plain && !!plain.failure && !!bug && bug.neighbourRead && vms.every(confined);
  const parts: string[] = [];
  if (bug) parts.push(bug.neighbourRead ? `natively, the thief in one container read the victim's secret out of the other container's page (physical ${hex(bug.secrets.find((s) => s.text === VICTIM_SECRET)!.at)}) through the shared kernel's bug` : 'natively, the thief did not find the victim\'s secret');
  if (plain) parts.push(plain.failure ? 'on the default kernel the call does not exist (-1, ENOSYS) and the exploit fails' : 'on the default kernel the exploit did NOT fail');
  if (vms.length) {
    const names = vms.map((v) => v.config).join(' and ');
    const all = (test: (v: VulnRow) => boolean): boolean => vms.every(test);
    const first = vms[0]!;
    const planted = vms.map((v) => `${v.config} ${v.config === 'hosted' ? 'the host\'s last page' : 'the VMM\'s memory'} at host-physical ${hex(v.outside?.hostAddress ?? 0)}`).join(', ');
    const own = vms.filter((v) => v.outside && v.outside.guestBase !== null && v.outside.hostAddress < (v.memoryBytes ?? 0)).map((v) => hex(v.outside!.hostAddress));
    parts.push(`under ${names} it ${all((v) => v.neighbourRead) ? 'read the secret of the container beside it in the same VM' : 'did not always read its neighbour in the same VM'} (the guest kernel is as broken as a host kernel) ` +
      `but ${all((v) => !!v.outside && !v.outside.read) ? 'not' : 'ALSO'} the secret planted outside its guest (${planted}; ${all((v) => !!v.outside?.intact) ? 'untouched' : 'CHANGED'}): ` +
      `its physical memory is its guest's ${mib(first.memoryBytes ?? 0)}${own.length ? ` (guest-physical ${[...new Set(own)].join(', ')} is its own frame)` : ''}, ` +
      `and its forged mapping of ${hex(first.beyond?.address ?? 0)}, past the end, ${all((v) => /BusError/.test(v.beyond?.outcome ?? '')) ? 'got a bus error, as on bare metal: the VMM (or the host\'s driver) maps guest memory only' : 'did not always end in a bus error'}`);
  }
  if (!vms.length) parts.push(`no VM of ${VULN_VMMS.join(' or ')} ran, so the VM half of the claim is not checked here`);
  return { id: 'iso-vuln-kernel-bug', claim: VULN_CLAIM, holds, text: parts.join('; ') };
}
