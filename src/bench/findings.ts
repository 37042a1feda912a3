// The findings: the claims of the literature, checked against the measured rows and stated in
// words with the numbers in them. Nothing here is written by hand except the claim and the
// threshold that decides it; when a claim does not hold, the text says what the numbers show
// instead and where the extra cycles went.
//
// Slowdowns are per iteration (boot excluded: (cycles at 2N - cycles at N) / N against native's
// same figure), so a short run's boot does not hide or inflate the steady-state cost.

import { grouped, ratio } from './render/format.js';
import type { HostedInterference } from './hosted.js';
import type { Finding, Row, Sweep } from './results.js';
import { COSTLY, FAR_SLOWER, MOST, NEAR_NATIVE } from './thresholds.js';

export { COSTLY, FAR_SLOWER, MOST, NEAR_NATIVE } from './thresholds.js';

const FIRST_GENERATION = 'vtx-2006';
/** Each claim is checked on whichever of its workloads ran: the overhead suite's workloads and
 *  the nano suite's nanobenchmarks that isolate the same operation. */
const COMPUTE_WORKLOADS = ['compute', 'nano-callret'];
const SYSCALL_WORKLOADS = ['syscall', 'nano-syscall'];
const IO_WORKLOADS = ['io', 'nano-in'];
const PAGING_WORKLOADS = ['pagefault', 'ptemod', 'ctxswitch', 'nano-pgfault', 'nano-ptemod'];
const DISK_READ_WORKLOADS = ['diskread'];
/** Process creation: fork marks every page copy-on-write and exit frees the address space, so a
 *  VMM with shadow page tables follows every one of those page-table writes. */
const PROCESS_WORKLOADS = ['forkwait', 'spawn'];
/** Adams and Agesen (ASPLOS 2006), Table 2: 40,000 forkwaits took 6.0 s natively, 36.9 s under
 *  VMware's binary translator and 106.4 s under first-generation VT-x. */
const ADAMS_AGESEN_FORKWAIT = { native: 6.0, software: 36.9, hardware: 106.4 };

/** Adams and Agesen (ASPLOS 2006), their nanobenchmarks on a Pentium 4 with first-generation
 *  VT-x, cycles per operation natively, under VMware's binary translator (BT) and under VT-x, as
 *  issue 20 quotes them; `btFaster`: the order they found between BT and VT-x, and `mechanism`:
 *  why, in their account. ringlab's nanobenchmark of the same operation is named by the key. */
const ADAMS_AGESEN_NANO: Readonly<Record<string, { op: string; paper: string; btFaster: boolean; mechanism: string }>> = {
  'nano-syscall': { op: 'a system call', paper: 'n / n + about 2,000 / about n', btFaster: false, mechanism: 'VT-x keeps a system call in the guest; BT enters the monitor to reflect it and to emulate the return' },
  'nano-in': { op: 'an in from a port', paper: '3,209 / about 214 / 15,826', btFaster: true, mechanism: 'BT emulates the port access with a callout into the monitor; VT-x exits to the VMM' },
  'nano-csrw': { op: 'a cr8 (interrupt mask) write', paper: 'about 140 / 35 / about 140', btFaster: true, mechanism: 'BT turns it into a store to the virtual CPU; VT-x runs it at native speed, and the native write was slow' },
  'nano-callret': { op: 'a call and return', paper: '11 / 51 / 11', btFaster: false, mechanism: 'a translated return goes through a lookup of its target; VT-x runs calls natively' },
  'nano-pgfault': { op: 'a page fault', paper: '1,093 / 3,927 / 11,242', btFaster: true, mechanism: 'a hidden fault of the shadow page tables is a trap into BT\'s monitor but a VM exit and entry under VT-x' },
  'nano-divzero': { op: 'a divide-by-zero fault', paper: '889 / 3,223 / 1,014', btFaster: false, mechanism: 'VT-x delivers the fault in the guest; BT enters the monitor to reflect it' },
  'nano-ptemod': { op: 'a PTE write', paper: 'about 1 / 391 / 12,733', btFaster: true, mechanism: 'adaptive BT turns a traced page-table store into a short callout; VT-x with shadow paging exits for it' },
};

/** A slowdown as the report tables print it (three significant figures): 473x, 12.6x, 1.02x. */
export const times = ratio;

class RowIndex {
  constructor(private readonly rows: readonly Row[]) {}
  get(workload: string, config: string, preset: string): Row | undefined {
    return this.rows.find((r) => r.workload === workload && r.config === config && r.preset === preset);
  }
  presets(): string[] {
    return [...new Set(this.rows.map((r) => r.preset))];
  }
  /** Every config but native, in the order the rows have them. */
  vmms(): string[] {
    return [...new Set(this.rows.map((r) => r.config))].filter((c) => c !== 'native');
  }
  has(config: string): boolean {
    return this.rows.some((r) => r.config === config);
  }
}

/** Where the extra cycles per iteration of `row` over native went, largest share first. */
export function explainGap(row: Row, native: Row): string {
  const extra = row.perIteration.cycles - native.perIteration.cycles;
  if (extra <= 0) return `${row.config} spends no more cycles per iteration than native`;
  // Shares of the cycles that grew: under a VMM idle time can shrink (the VMM works while the
  // guest waits for the disk), so the growth adds up to more than the extra cycles.
  const grown = (['transitions', 'vmm', 'guestKernel', 'guestUser', 'idle'] as const)
    .map((k) => ({ k, d: row.perIteration.attribution[k] - native.perIteration.attribution[k] }))
    .filter((p) => p.d > 0);
  const growth = grown.reduce((sum, p) => sum + p.d, 0);
  const parts = grown
    .sort((a, b) => b.d - a.d)
    .slice(0, 2)
    .map((p) => `${Math.round((100 * p.d) / growth)}% ${NAMES[p.k]}`);
  const events: string[] = [];
  const causes = Object.entries(row.run.trapsByCause).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const causeShare = causes.slice(0, 2).map(([cause, n]) => `${Math.round((100 * n) / row.run.traps)}% ${cause}`).join(', ');
  if (row.perIteration.vmExits > 0) events.push(`${row.perIteration.vmExits.toFixed(1)} VM exits`);
  if (row.perIteration.traps > 0) events.push(`${row.perIteration.traps.toFixed(1)} traps${causeShare ? ` (${causeShare} over the run)` : ''}`);
  const misses = row.perIteration.tlbMisses - native.perIteration.tlbMisses;
  if (misses > 0.5) events.push(`${misses.toFixed(1)} more TLB misses than native`);
  return `${row.config} spends ${grouped(extra)} more cycles per iteration than native (${parts.join(', ')})${events.length ? `, with ${events.join(', ')} per iteration` : ''}`;
}

const NAMES = { transitions: 'in hardware transitions', vmm: 'in the VMM', guestKernel: 'in the guest kernel', guestUser: 'in guest user code', idle: 'idle' } as const;

function list(rows: readonly Row[]): string {
  return rows.map((r) => `${r.config} ${times(r.slowdownPerIteration)}`).join(', ');
}

/** Why pure trap-and-emulate can lose where Adams and Agesen's VMM won: when most of te's traps
 *  are the guest kernel's privileged instructions (its system-call and trap paths), which their
 *  binary-translating VMM ran as translated code without a trap. Said only when the numbers show it. */
function teSyscallPathNote(te: Row): string {
  const privileged = te.run.trapsByCause['PrivilegedInstruction'] ?? 0;
  if (privileged * 2 < te.run.traps) return '';
  return `. Most of te's traps (${Math.round((100 * privileged) / te.run.traps)}%) are privileged instructions of the guest kernel's ` +
    'own system-call and trap paths, which a binary-translating VMM (the one Adams and Agesen measured) runs without trapping; ' +
    'the nanobenchmark nano-ptemod (ringlab bench nano) isolates the page-table update';
}

/** forkwait beside the paper's figures: the hardware VMM's time over the software VMM's (te or bt). */
function forkwaitPaperNote(software: Row, vtx: Row): string {
  const paper = ADAMS_AGESEN_FORKWAIT;
  return ` (vtx takes ${times(vtx.slowdownPerIteration / software.slowdownPerIteration)} ${software.config}'s time per fork and wait; Adams and Agesen measured ` +
    `VT-x at ${times(paper.hardware / paper.software)} their binary translator's, ${times(paper.hardware / paper.native)} and ${times(paper.software / paper.native)} native)`;
}

type Claim = (index: RowIndex, workload: string, preset: string) => Finding | undefined;

/** Compute-bound work runs close to native under every VMM. */
const computeNearNative: Claim = (index, workload, preset) => {
  const rows = index.vmms().map((c) => index.get(workload, c, preset)).filter((r): r is Row => r !== undefined);
  const native = index.get(workload, 'native', preset);
  if (!rows.length || !native) return undefined;
  const holds = rows.every((r) => r.slowdownPerIteration <= NEAR_NATIVE);
  const worst = rows.reduce((a, b) => (b.slowdownPerIteration > a.slowdownPerIteration ? b : a));
  const whole = rows.map((r) => `${r.config} ${times(r.slowdown)}`).join(', ');
  return {
    id: `compute-near-native/${workload}/${preset}`,
    claim: `compute-bound work runs close to native (within ${NEAR_NATIVE}x) under every VMM (${preset})`,
    holds,
    text: `${workload} (${preset}): per iteration ${list(rows)} native; whole run with boot ${whole}` +
      (holds ? '' : `. Not close for ${worst.config}: ${explainGap(worst, native)}`),
  };
};

/** System-call-heavy work is far slower under trap-and-emulate than under VT-x. */
const syscallTeVersusVtx: Claim = (index, workload, preset) => {
  const te = index.get(workload, 'te', preset);
  const vtx = index.get(workload, 'vtx', preset);
  if (!te || !vtx) return undefined;
  const ratio = te.slowdownPerIteration / vtx.slowdownPerIteration;
  return {
    id: `syscall-te-vs-vtx/${workload}/${preset}`,
    claim: `system-call-heavy work is far slower (${FAR_SLOWER}x or more) under trap-and-emulate than under VT-x (${preset})`,
    holds: ratio >= FAR_SLOWER,
    text: `${workload} (${preset}): te is ${times(te.slowdownPerIteration)} native, vtx ${times(vtx.slowdownPerIteration)}: te is ${times(ratio)} slower than vtx. ` +
      `te takes ${te.perIteration.traps.toFixed(1)} traps per iteration (each privileged instruction of the guest kernel and each system call goes through the VMM); ` +
      `vtx takes ${vtx.perIteration.vmExits.toFixed(1)} VM exits per iteration (system calls stay in the guest)`,
  };
};

/** I/O is costly under both. */
const ioCostly: Claim = (index, workload, preset) => {
  const rows = ['te', 'vtx'].map((c) => index.get(workload, c, preset)).filter((r): r is Row => r !== undefined);
  const native = index.get(workload, 'native', preset);
  if (rows.length !== 2 || !native) return undefined;
  return {
    id: `io-costly/${workload}/${preset}`,
    claim: `I/O is costly (${COSTLY}x or more) under both trap-and-emulate and VT-x (${preset})`,
    holds: rows.every((r) => r.slowdownPerIteration >= COSTLY),
    text: `${workload} (${preset}): per iteration ${list(rows)} native; every port access leaves the guest. ${rows.map((r) => explainGap(r, native)).join('; ')}`,
  };
};

/** Random reads from the disk: Felter et al. (2015) measured KVM at about half of native
 *  random-read IOPS, every request going through the VMM, and a paravirtual interface closer. */
const diskRandomRead: Claim = (index, workload, preset) => {
  const native = index.get(workload, 'native', preset);
  const full = ['te', 'vtx'].map((c) => index.get(workload, c, preset)).filter((r): r is Row => r !== undefined);
  const pv = index.get(workload, 'pv', preset);
  if (!native || !full.length) return undefined;
  const iops = (r: Row) => `${Math.round((100 * native.perIteration.cycles) / r.perIteration.cycles)}%`;
  const others = index.vmms().map((c) => index.get(workload, c, preset)).filter((r): r is Row => r !== undefined);
  const holds = full.every((r) => r.slowdownPerIteration >= NEAR_NATIVE) && (!pv || full.every((r) => pv.slowdownPerIteration < r.slowdownPerIteration));
  const worst = full.reduce((a, b) => (b.slowdownPerIteration > a.slowdownPerIteration ? b : a));
  return {
    id: `disk-random-read/${workload}/${preset}`,
    claim: `random-read throughput is far below native (1/${NEAR_NATIVE} or less) when every disk request goes through the VMM, and a paravirtual guest gets more of it back (${preset}; Felter et al. 2015)`,
    holds,
    text: `${workload} (${preset}): random 4 KiB reads per cycle against native: ${others.map((r) => `${r.config} ${iops(r)}`).join(', ')}. ` +
      `One read costs ${grouped(native.perIteration.cycles)} cycles natively, ${grouped(Math.round(native.perIteration.attribution.idle))} of them waiting for the device` +
      (holds ? '' : `; the VMM's share is small beside that wait. ${explainGap(worst, native)}`),
  };
};

/** The hosted VMM (docs/vmm-hosted.md), against the bare-metal VT-x VMM with the same nested
 *  paging (vtx-ept). Sugerman, Venkitachalam and Lim (USENIX ATC 2001): a port access VMware
 *  Workstation's user-level application handled cost 7.45 us against 1.36 us in its VMM, 5.5x;
 *  KVM's round trip to user space, about 2,500 cycles against about 1,400 for the exit in the
 *  kernel, 1.8x. */
const SUGERMAN_USER_EXIT = 7.45 / 1.36;
const KVM_USER_EXIT = 2500 / 1400;
/** "A multiple": an exit rlvmm handles costs at least this times one the bare-metal VMM handles. */
const MULTIPLE = 1.5;
const USER_EXIT_WORKLOADS = ['io'];
const KERNEL_EXIT_WORKLOADS = ['nano-in'];

/** Per-iteration cycles a config adds over native: what the VMM's exits cost. */
const added = (row: Row, native: Row): number => row.perIteration.cycles - native.perIteration.cycles;

/** An exit handled by the user-space VMM (io's console bytes: rlvmm writes each) costs a
 *  multiple of one the bare-metal VMM handles in its own ring 0. */
const hostedUserExit: Claim = (index, workload, preset) => {
  const [native, ept, hosted] = ['native', 'vtx-ept', 'hosted'].map((c) => index.get(workload, c, preset));
  if (!native || !ept || !hosted) return undefined;
  const ratio = added(hosted, native) / added(ept, native);
  const nearest = Math.abs(ratio - KVM_USER_EXIT) < Math.abs(ratio - SUGERMAN_USER_EXIT) ? 'KVM\'s' : 'Sugerman\'s';
  return {
    id: `hosted-user-exit/${workload}/${preset}`,
    claim: `an I/O exit handled by the user-space VMM costs a multiple (${MULTIPLE}x or more) of one handled by the bare-metal VT-x VMM (${preset}; Sugerman et al. 2001: ${times(SUGERMAN_USER_EXIT)}; KVM's user-space round trip: ${times(KVM_USER_EXIT)})`,
    holds: ratio >= MULTIPLE,
    text: `${workload} (${preset}): over native, hosted adds ${grouped(Math.round(added(hosted, native)))} cycles per iteration, vtx-ept ${grouped(Math.round(added(ept, native)))}: ` +
      `each exit to rlvmm costs ${times(ratio)} one handled by the vtx VMM, nearer ${nearest} figure ` +
      `(the way out is a return from vcpu_run, rlvmm's write() of the byte and a new vcpu_run: three host kernel entries per exit; its share: ${Math.round((100 * (hosted.perIteration.attribution.vmm - ept.perIteration.attribution.vmm)) / Math.max(1, added(hosted, native) - added(ept, native)))}% of the difference is host kernel and rlvmm instructions, the rest transitions)`,
  };
};

/** An exit the host kernel's driver handles itself (the null port) costs about what the
 *  bare-metal VMM's does: what costs is the way to user space, not the kernel. */
const hostedKernelExit: Claim = (index, workload, preset) => {
  const [native, ept, hosted] = ['native', 'vtx-ept', 'hosted'].map((c) => index.get(workload, c, preset));
  if (!native || !ept || !hosted) return undefined;
  const ratio = added(hosted, native) / added(ept, native);
  return {
    id: `hosted-kernel-exit/${workload}/${preset}`,
    claim: `an exit handled in the host kernel costs about (within ${NEAR_NATIVE}x) what one handled by the bare-metal VT-x VMM costs (${preset})`,
    holds: ratio <= NEAR_NATIVE && ratio >= 1 / NEAR_NATIVE,
    text: `${workload} (${preset}): over native, hosted adds ${grouped(Math.round(added(hosted, native)))} cycles per iteration, vtx-ept ${grouped(Math.round(added(ept, native)))}: ${times(ratio)}. ` +
      `The driver handles the null port in its exit path, as the vtx VMM does, and never returns from vcpu_run`,
  };
};

/** Compute-bound work under hosted, per iteration and whole run. */
const hostedCompute: Claim = (index, workload, preset) => {
  const native = index.get(workload, 'native', preset);
  const hosted = index.get(workload, 'hosted', preset);
  if (!native || !hosted) return undefined;
  const holds = hosted.slowdownPerIteration <= NEAR_NATIVE;
  return {
    id: `hosted-compute-near-native/${workload}/${preset}`,
    claim: `compute-bound work runs close to native (within ${NEAR_NATIVE}x) under the hosted VMM (${preset})`,
    holds,
    text: `${workload} (${preset}): per iteration hosted is ${times(hosted.slowdownPerIteration)} native; the whole run, boot included, ${times(hosted.slowdown)}: ` +
      `the host boots its own kernel, init and rlvmm, and rlvmm reads the guest image and the guest's disk through the host's file layer, ` +
      `${grouped(Math.round(hosted.run.attribution.idle))} cycles of it waiting for the host's disk` + (holds ? '' : `. ${explainGap(hosted, native)}`),
  };
};

/** A host process beside the VM: the processor is shared by time slices, so each takes about
 *  twice as long as alone; what sharing costs beyond that is the switching. */
function hostedInterference(index: RowIndex, m: HostedInterference): Finding | undefined {
  const guestAlone = index.get(m.workload, 'hosted', m.preset);
  const hostAlone = index.get(m.workload, 'native', m.preset);
  if (!guestAlone || !hostAlone) return undefined;
  const alone = guestAlone.perIteration.cycles + hostAlone.perIteration.cycles;
  const extra = m.together / alone;
  return {
    id: `hosted-interference/${m.workload}/${m.preset}`,
    claim: `a host process and the VM share the processor by time slices: together they take about (within ${NEAR_NATIVE}x) the sum of their times alone, so each slows the other by about its own share (${m.preset})`,
    holds: extra <= NEAR_NATIVE,
    text: `${m.workload} in the VM beside ${m.workload} as a host process (${m.preset}): ${grouped(Math.round(m.together))} cycles per iteration of both, against ` +
      `${grouped(Math.round(guestAlone.perIteration.cycles))} for the VM's alone and ${grouped(Math.round(hostAlone.perIteration.cycles))} for the process alone on the bare kernel: ${times(extra)} their sum. ` +
      `The VM's iteration takes ${times(m.together / guestAlone.perIteration.cycles)} as long in elapsed cycles as alone, the host process's ${times(m.together / hostAlone.perIteration.cycles)}; ` +
      `of each pair, the guest ran ${grouped(Math.round(m.guest))} cycles, the host kernel ${grouped(Math.round(m.hostKernel))}, host processes ${grouped(Math.round(m.hostUser))}, transitions ${grouped(Math.round(m.transitions))}, ` +
      `with ${m.restarts.toFixed(2)} restarts of vcpu_run (a host tick leaving the guest)`,
  };
}

/** The findings of an overhead (or nano) run, and of sweeps if given. */
export function computeFindings(rows: readonly Row[], sweeps: readonly Sweep[] = [], interference: readonly HostedInterference[] = []): Finding[] {
  const index = new RowIndex(rows);
  const findings: Finding[] = [];
  const add = (f: Finding | undefined): void => {
    if (f) findings.push(f);
  };

  if (rows.length) {
    const differing = rows.filter((r) => !r.matchesNative);
    findings.push({
      id: 'same-output',
      claim: 'every configuration runs the same guest to the same result as native',
      holds: differing.length === 0,
      text: differing.length === 0
        ? `all ${rows.length} runs: every process printed what it prints natively and exited with the same code`
        : `${differing.length} of ${rows.length} runs differ from native: ${differing.map((r) => `${r.workload} under ${r.config} (${r.preset})`).join(', ')}`,
    });
  }

  for (const preset of index.presets()) {
    for (const workload of COMPUTE_WORKLOADS) add(computeNearNative(index, workload, preset));
    for (const workload of SYSCALL_WORKLOADS) add(syscallTeVersusVtx(index, workload, preset));
    for (const workload of IO_WORKLOADS) add(ioCostly(index, workload, preset));
    for (const workload of DISK_READ_WORKLOADS) add(diskRandomRead(index, workload, preset));
    for (const workload of COMPUTE_WORKLOADS) add(hostedCompute(index, workload, preset));
    for (const workload of USER_EXIT_WORKLOADS) add(hostedUserExit(index, workload, preset));
    for (const workload of KERNEL_EXIT_WORKLOADS) add(hostedKernelExit(index, workload, preset));
  }
  for (const m of interference) add(hostedInterference(index, m));

  // First-generation VT-x with shadow paging loses to trap-and-emulate on page-table work, and
  // nested paging removes most of that.
  if (index.presets().includes(FIRST_GENERATION)) {
    for (const workload of [...PAGING_WORKLOADS, ...PROCESS_WORKLOADS]) {
      const te = index.get(workload, 'te', FIRST_GENERATION);
      const vtx = index.get(workload, 'vtx', FIRST_GENERATION);
      const ept = index.get(workload, 'vtx-ept', FIRST_GENERATION);
      const native = index.get(workload, 'native', FIRST_GENERATION);
      if (!native) continue;
      if (te && vtx) {
        const holds = vtx.slowdownPerIteration > te.slowdownPerIteration;
        findings.push({
          id: `first-gen-shadow-loses/${workload}`,
          claim: `with first-generation VT-x (${FIRST_GENERATION}), ${workload} is slower under VT-x with shadow paging than under trap-and-emulate`,
          holds,
          text: `${workload} (${FIRST_GENERATION}): vtx ${times(vtx.slowdownPerIteration)} native against te ${times(te.slowdownPerIteration)}` +
            (workload === 'forkwait' ? forkwaitPaperNote(te, vtx) : '') + '. ' +
            `${explainGap(vtx, native)}; ${explainGap(te, native)}` + (holds ? '' : teSyscallPathNote(te)),
        });
      }
      // Adams and Agesen's own comparison: VT-x against a binary translator, bt.
      const bt = index.get(workload, 'bt', FIRST_GENERATION);
      if (bt && vtx) {
        const holds = vtx.slowdownPerIteration > bt.slowdownPerIteration;
        findings.push({
          id: `first-gen-shadow-loses-to-bt/${workload}`,
          claim: `with first-generation VT-x (${FIRST_GENERATION}), ${workload} is slower under VT-x with shadow paging than under binary translation (Adams and Agesen 2006)`,
          holds,
          text: `${workload} (${FIRST_GENERATION}): vtx ${times(vtx.slowdownPerIteration)} native against bt ${times(bt.slowdownPerIteration)}` +
            (workload === 'forkwait' ? forkwaitPaperNote(bt, vtx) : '') + '. ' +
            `${explainGap(vtx, native)}; ${explainGap(bt, native)}`,
        });
      }
      if (vtx && ept) {
        const removed = (vtx.slowdownPerIteration - ept.slowdownPerIteration) / (vtx.slowdownPerIteration - 1);
        const holds = removed >= MOST;
        findings.push({
          id: `ept-removes-most/${workload}`,
          claim: `nested paging removes most (${Math.round(MOST * 100)}% or more) of shadow paging's overhead on ${workload} (${FIRST_GENERATION})`,
          holds,
          text: `${workload} (${FIRST_GENERATION}): vtx-ept ${times(ept.slowdownPerIteration)} native against vtx ${times(vtx.slowdownPerIteration)}: ` +
            `nested paging removes ${Math.round(removed * 100)}% of the overhead` +
            (holds ? '' : `. ${explainGap(ept, native)}`) +
            (te ? `; against te (${times(te.slowdownPerIteration)}) vtx-ept is ${ept.slowdownPerIteration < te.slowdownPerIteration ? 'faster' : 'slower'}` : ''),
        });
      }
    }
  }

  // The seven nanobenchmarks of Adams and Agesen, binary translation against first-generation
  // VT-x: the order they found, and whether ringlab's bt and vtx show it.
  for (const [workload, paper] of Object.entries(ADAMS_AGESEN_NANO)) {
    const [native, bt, vtx] = ['native', 'bt', 'vtx'].map((c) => index.get(workload, c, FIRST_GENERATION));
    if (!native || !bt || !vtx) continue;
    const cycles = (r: Row) => grouped(Math.round(r.perIteration.cycles));
    const btFaster = bt.perIteration.cycles < vtx.perIteration.cycles;
    const holds = btFaster === paper.btFaster;
    findings.push({
      id: `adams-agesen/${workload}`,
      claim: `${paper.op} costs ${paper.btFaster ? 'less' : 'more'} under binary translation than under first-generation VT-x (${FIRST_GENERATION}; Adams and Agesen 2006, native / BT / VT-x: ${paper.paper} cycles: ${paper.mechanism})`,
      holds,
      text: `${workload} (${FIRST_GENERATION}), cycles per operation: native ${cycles(native)}, bt ${cycles(bt)}, vtx ${cycles(vtx)}: bt is ${btFaster ? 'below' : 'above'} vtx` +
        (holds ? '' : `, not as in the paper. ${explainGap(bt, native)}; ${explainGap(vtx, native)}`),
    });
  }

  // Paravirtualization, when the pv config ran: what it saves against trap-and-emulate.
  if (index.has('pv') && index.has('te')) {
    for (const preset of index.presets()) {
      const pairs = rows
        .filter((r) => r.preset === preset && r.config === 'pv')
        .map((pv) => ({ pv, te: index.get(pv.workload, 'te', preset) }))
        .filter((p): p is { pv: Row; te: Row } => p.te !== undefined);
      if (!pairs.length) continue;
      const faster = pairs.filter((p) => p.pv.slowdownPerIteration < p.te.slowdownPerIteration);
      findings.push({
        id: `pv-vs-te/${preset}`,
        claim: `a paravirtualized kernel runs faster than the same kernel under trap-and-emulate (${preset})`,
        holds: faster.length === pairs.length,
        text: `pv against te (${preset}), per iteration: ${pairs.map((p) => `${p.pv.workload} ${times(p.pv.slowdownPerIteration)} vs ${times(p.te.slowdownPerIteration)}`).join(', ')}`,
      });
    }
  }

  for (const sweep of sweeps) {
    for (const c of sweep.crossovers) {
      findings.push({
        id: `sweep-${sweep.parameter}/${c.workload}`,
        claim: `${c.workload}: where ${c.config} overtakes ${c.versus} as the ${sweep.label.split(' (')[0]} moves`,
        holds: c.value !== null,
        text: c.note,
      });
    }
  }
  return findings;
}
