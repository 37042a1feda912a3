// The isolation suite's findings: the literature's claims about containers and virtual machines,
// checked against the measured figures (isolation.ts) and stated with the numbers in them. As in
// findings.ts, only the claim and its threshold are written by hand; when a claim does not hold,
// the text says what the numbers show instead and why.
//
//   Felter et al. (IBM, ISPASS 2015): Docker equals or beats KVM almost everywhere; its layered
//     root (AUFS) costs on file operations, which volumes avoid.
//   LightVM (Manco et al., SOSP 2017): a minimal VM boots in 2.3 ms against 1 ms for fork/exec,
//     and faster than a Docker container through its tooling.
//   Firecracker (Agache et al., NSDI 2020): a minimal VMM, the guest's boot to init in at most
//     125 ms, at most 5 MiB of VMM memory per microVM.

import { grouped, percent, ratio as times } from './render/format.js';
import type { IsolationResults, StartupRow, SyscallOp, SyscallRow } from './isolation.js';

/** The hosted configuration (isolation.ts's HOSTED; not imported from there, which imports this file). */
const HOSTED_CONFIG = 'hosted';
import type { Finding } from './results.js';
import { vulnFinding } from './isolation-vuln.js';
import { FAR_SLOWER, NEAR_NATIVE } from './thresholds.js';
import { storageFindings } from './isolation-storage.js';
import { controlFindings } from './isolation-control-report.js';

/** LightVM: a minimal VM starts within this factor of a process's fork and exec (2.3 ms
 *  against 1 ms measured; an order of magnitude is the claim's scale). */
export const SAME_ORDER = 10;
/** Firecracker: the VMM's memory per microVM, at most 5 MiB. */
export const FIRECRACKER_VMM_BYTES = 5 << 20;
/** Firecracker's VMM is a small part of a start: its set-up under this share. */
export const SMALL_SHARE = 0.1;

const PAGE = 4096;

function row(r: IsolationResults, op: SyscallOp, config: string, where: 'process' | 'container'): SyscallRow | undefined {
  return r.syscalls.find((s) => s.op === op && s.config === config && s.where === where);
}

function start(r: IsolationResults, kind: StartupRow['kind'], config: string): StartupRow | undefined {
  return r.startup.find((s) => s.kind === kind && s.config === config);
}

const kib = (pages: number): string => `${grouped(pages * 4)} KiB`;
const share = (part: number, whole: number): string => `${Math.round((100 * part) / whole)}%`;

/** The phases of a VM's start that are the guest's own; the ones before them are the VMM's. */
const GUEST_PHASES = ['guest kernel boot', 'init'];
/** The VMM's part of a VM's start: its phases before the guest's first instruction. */
const vmmSetUp = (v: StartupRow): number => v.phases.filter((p) => !GUEST_PHASES.includes(p.name)).reduce((a, p) => a + p.cycles, 0);
/** A start's longest phase, with the share of it spent waiting for the disk. */
function longest(v: StartupRow): string {
  const big = [...v.phases].sort((a, b) => b.cycles - a.cycles)[0]!;
  return `${v.config}'s longest phase is ${big.name}, ${grouped(big.cycles)} cycles, ${share(big.idle ?? 0, big.cycles)} of them waiting for the disk`;
}
/** Why a hosted VM's start is long: said where a finding fails because of it. */
const HOSTED_START = 'a hosted VMM is a program: the host execs rlvmm, which reads the guest image from the host\'s disk a block at a time, ' +
  'where a bare-metal VMM finds its guest placed in memory by the loader';

export function isolationFindings(r: IsolationResults): Finding[] {
  const out: Finding[] = [];
  const vmms = r.configs.filter((c) => c !== 'native');

  // 1. Containers' system calls cost a process's (Felter et al.).
  const calls = (['null', 'socket'] as const).map((op) => ({ op, p: row(r, op, 'native', 'process'), c: row(r, op, 'native', 'container') }));
  if (calls.every((x) => x.p && x.c)) {
    const holds = calls.every((x) => x.c!.ratio <= NEAR_NATIVE);
    out.push({
      id: 'iso-container-syscalls',
      claim: `a container's system calls cost what a process's do, within ${NEAR_NATIVE}x (Felter et al. 2015: Docker equal to native)`,
      holds,
      text: `per call in the same kernel, container against process: ${calls.map((x) => `${x.op} ${grouped(x.c!.perIteration)} against ${grouped(x.p!.perIteration)} cycles (${times(x.c!.ratio)})`).join(', ')}` +
        (holds ? ': a container is a process with other names; its calls take the same path through the kernel' : ''),
    });
  }

  // 2. The layered root costs on file opens (Felter et al.: AUFS; volumes avoid it).
  const rp = row(r, 'read', 'native', 'process');
  const rc = row(r, 'read', 'native', 'container');
  if (rp && rc) {
    out.push({
      id: 'iso-overlay-read',
      claim: `a container's file opens pay for its layered root, over ${NEAR_NATIVE}x a process's (Felter et al. 2015: AUFS adds overhead to file operations, which volumes avoid)`,
      holds: rc.ratio > NEAR_NATIVE,
      text: `open, read 64 bytes and close: ${grouped(rc.perIteration)} cycles in a container against ${grouped(rp.perIteration)} for a process (${times(rc.ratio)}): ` +
        `the container's open looks the path up in the overlay, its tmpfs upper layer first, then each lower layer, before it reaches the file`,
    });
  }

  // 3. A VM's system calls: costly without hardware assistance, near native with it.
  const te = row(r, 'null', 'te', 'process');
  const vtx = row(r, 'null', 'vtx', 'process');
  if (te && vtx) {
    const holds = te.ratio >= FAR_SLOWER && vtx.ratio <= NEAR_NATIVE;
    const all = vmms.map((c) => row(r, 'null', c, 'process')).filter((x): x is SyscallRow => x !== undefined);
    out.push({
      id: 'iso-vm-syscalls',
      claim: `in a VM a system call costs ${FAR_SLOWER}x or more a native one under trap-and-emulate, and close to native (${NEAR_NATIVE}x) with VT-x (the seed documents: a VM pays for emulating its guest's kernel)`,
      holds,
      text: `a null call per config against native: ${all.map((x) => `${x.config} ${times(x.ratio)}`).join(', ')}; te takes each call through the VMM, which reflects it into the guest kernel ` +
        `(gVisor's ptrace platform, which also takes every call through a second kernel, made one about 20x dearer)`,
    });
  }

  // 4. A container in a VM costs the VM's price and the container's, nothing more.
  const nested = vmms.flatMap((c) => (['null', 'socket'] as const).map((op) => ({ c, op, p: row(r, op, c, 'process'), k: row(r, op, c, 'container') }))).filter((x) => x.p && x.k);
  if (nested.length) {
    const holds = nested.every((x) => x.k!.perIteration / x.p!.perIteration <= NEAR_NATIVE);
    out.push({
      id: 'iso-container-in-vm',
      claim: `a container inside a VM makes system calls at the VM's price, within ${NEAR_NATIVE}x of a process in the same VM (containers in VMs, as clouds run them)`,
      holds,
      text: `container against process in the same VM: ${nested.map((x) => `${x.c} ${x.op} ${times(x.k!.perIteration / x.p!.perIteration)}`).join(', ')}`,
    });
  }

  // 4b. Random reads from the disk (Felter et al.: Docker at native IOPS, KVM about half of it).
  const dp = row(r, 'disk', 'native', 'process');
  const dk = row(r, 'disk', 'native', 'container');
  if (dp && dk) {
    const iops = (x: SyscallRow): string => `${Math.round((100 * dp.perIteration) / x.perIteration)}%`;
    const others = r.syscalls.filter((x) => x.op === 'disk' && !(x.config === 'native' && x.where === 'process'));
    out.push({
      id: 'iso-disk-iops',
      claim: `a container reads the disk at a process's random-read IOPS, within ${NEAR_NATIVE}x (Felter et al. 2015: Docker at native IOPS, KVM about half)`,
      holds: dk.ratio <= NEAR_NATIVE,
      text: `random 4 KiB reads per cycle against a native process: ${others.map((x) => `${x.config === 'native' ? 'native' : x.config} ${x.where} ${iops(x)}`).join(', ')}; ` +
        `one read costs ${grouped(dp.perIteration)} cycles natively, ${grouped(dp.attribution.idle)} of them waiting for the device, so what a VMM adds per request is small beside it`,
    });
  }

  // 5. LightVM: a minimal VM starts within an order of magnitude of fork and exec.
  const proc = start(r, 'process', 'native');
  const vms = vmms.map((c) => start(r, 'vm', c)).filter((x): x is StartupRow => x !== undefined);
  if (proc && vms.length) {
    const worst = vms.reduce((a, b) => (b.total > a.total ? b : a));
    const holds = worst.total / proc.total <= SAME_ORDER;
    out.push({
      id: 'iso-startup-lightvm',
      claim: `a minimal VM starts within ${SAME_ORDER}x a process's fork and exec (LightVM, SOSP 2017: 2.3 ms against 1 ms)`,
      holds,
      text: `power-on (hosted: the running host's exec of rlvmm) to the first instruction of the workload: ${vms.map((v) => `${v.config} ${grouped(v.total)}`).join(', ')} cycles, against ${grouped(proc.total)} for init's fork and exec natively ` +
        `(${times(worst.total / proc.total)} at most); the guest kernel's own boot is ${grouped(worst.phases.find((p) => p.name === 'guest kernel boot')?.cycles ?? 0)} of ${worst.config}'s` +
        (holds ? '' : `. ${longest(worst)}${worst.host ? `: ${HOSTED_START}` : ''}`),
    });
  }

  // 6. The seed documents: a VM start costs far more than a container start.
  const ctr = start(r, 'container', 'native');
  if (ctr && vms.length) {
    const fastest = vms.reduce((a, b) => (b.total < a.total ? b : a));
    const holds = fastest.total >= FAR_SLOWER * ctr.total;
    const idle = ctr.phases.reduce((s, p) => s + (p.idle ?? 0), 0);
    const big = [...ctr.phases].sort((a, b) => b.cycles - a.cycles)[0]!;
    out.push({
      id: 'iso-startup-vm-vs-container',
      claim: `a VM start costs ${FAR_SLOWER}x or more a container start (the seed documents: a VM boots a whole OS; a container is a process)`,
      holds,
      text: `a container starts in ${grouped(ctr.total)} cycles (crun exec'd to the workload's first instruction), a VM in ${grouped(fastest.total)} (${fastest.config}, ${fastest.host ? 'the host\'s exec of rlvmm' : 'power-on'} to the same): ` +
        `the VM is ${times(fastest.total / ctr.total)} the container` +
        (holds ? '' : `. The container's start waits for the disk ${share(idle, ctr.total)} of the time (crun, its bundle, the state directory, the control group's and the root's directories ` +
          `are files and directories read and written through the buffer cache; its longest phase is ${big.name}, ${grouped(big.cycles)} cycles), while the VM's kernel is placed in memory by the loader ` +
          `and boots in ${grouped(fastest.phases.find((p) => p.name === 'guest kernel boot')?.cycles ?? 0)} cycles: the toy's guest kernel is tiny, as LightVM's unikernels are, ` +
          'and LightVM too started its VMs faster than Docker started containers through its tooling'),
    });
  }

  // 7. Firecracker: the VMM is a small part of a start.
  if (vms.length) {
    const worst = vms.reduce((a, b) => (vmmSetUp(b) / b.total > vmmSetUp(a) / a.total ? b : a));
    const holds = vms.every((v) => vmmSetUp(v) / v.total < SMALL_SHARE);
    out.push({
      id: 'iso-startup-vmm-share',
      claim: `the VMM's own set-up is a small part (under ${Math.round(SMALL_SHARE * 100)}%) of a VM's start; the rest is the guest's boot (Firecracker: a minimal VMM, the guest at init within 125 ms)`,
      holds,
      text: `VMM set-up: ${vms.map((v) => `${v.config} ${grouped(vmmSetUp(v))} cycles (${percent(vmmSetUp(v), v.total)})`).join(', ')}; ` +
        (holds
          ? `the largest share, ${worst.config}'s, leaves the bulk of its start to the guest kernel's boot and init`
          : `${longest(worst)}${worst.host ? `: ${HOSTED_START}. Firecracker's VMM is a program too, but the kernel it loads is usually in the host's page cache; ringlab's host caches 32 blocks, fewer than the image's` : ''}`),
    });
  }

  // 8. Firecracker: at most 5 MiB of VMM memory per microVM.
  const vmMem = r.memory.filter((m) => m.kind === 'vm');
  if (vmMem.length) {
    // parts[0] is the guest's memory: a bare-metal VMM's reservation, or what a hosted VM backed.
    const vmmPart = (m: (typeof vmMem)[number]): number => m.pages - (m.parts[0]?.cycles ?? 0);
    const holds = vmMem.every((m) => vmmPart(m) * PAGE <= FIRECRACKER_VMM_BYTES);
    const reserved = vmMem.find((m) => m.config !== HOSTED_CONFIG);
    const hosted = vmMem.find((m) => m.config === HOSTED_CONFIG);
    out.push({
      id: 'iso-vmm-memory',
      claim: 'a VMM needs at most 5 MiB of its own memory per VM (Firecracker); the guest\'s memory is the bulk',
      holds,
      text: `the VMM's pages per VM besides the guest's memory: ${vmMem.map((m) => `${m.config} ${vmmPart(m)} (${kib(vmmPart(m))})`).join(', ')}` +
        (reserved ? `, against ${grouped(reserved.parts[0]!.cycles)} pages of guest memory reserved, the smallest that runs the server (${kib(reserved.parts[0]!.cycles)}, of which the guest uses ${grouped(reserved.guestInUse ?? 0)})` : '') +
        (hosted ? `; hosted reserves nothing: the host backs the guest's pages as it touches them, ${grouped(hosted.parts[0]!.cycles)} when the server is ready, and its VMM is rlvmm and its I/O process, host processes` : ''),
    });
  }

  // 9. A container costs far fewer pages than a VM.
  const ctrMem = r.memory.find((m) => m.kind === 'container');
  if (ctrMem && vmMem.length) {
    const least = vmMem.reduce((a, b) => (b.pages < a.pages ? b : a));
    out.push({
      id: 'iso-memory-per-instance',
      claim: `a VM costs ${FAR_SLOWER}x or more a container's pages: a guest kernel and a memory reservation of its own (the seed documents: a whole OS per VM)`,
      holds: least.pages >= FAR_SLOWER * ctrMem.pages,
      text: `pages per additional instance of the server: a container ${grouped(ctrMem.pages)} (${ctrMem.parts.map((p) => `${grouped(p.cycles)} ${p.name.split(' (')[0]}`).join(', ')}), ` +
        `a VM at least ${grouped(least.pages)} (${least.config}): ${times(least.pages / ctrMem.pages)}`,
    });
  }

  // 10. Density: more containers than VMs in the same memory.
  const dc = r.density.find((d) => d.kind === 'container');
  const dv = r.density.filter((d) => d.kind === 'vm');
  if (dc && dv.length) {
    const most = dv.reduce((a, b) => (b.instances > a.instances ? b : a));
    const holds = dc.instances > most.instances;
    out.push({
      id: 'iso-density',
      claim: `more containers than VMs fit in the same ${grouped(r.machineBytes >> 20)} MiB machine (the seed documents: containers are lighter)`,
      holds,
      text: `${dc.instances} containers of the server started before the next failed (${dc.limit}), where ${dv.map((d) => `${d.instances} ${d.config} VMs`).join(', ')} fit (computed: the VMMs run one guest)` +
        (holds ? '' : `. The containers stopped at a table of the kernel, not at memory: by memory alone ${grouped(dc.byMemory)} would fit, ${times(dc.byMemory / most.instances)} the VMs` +
          (most.config === HOSTED_CONFIG ? ` of ${most.config}, whose host backs a guest's pages as it touches them rather than reserving its memory` : '')),
    });
  }

  // 11. Storage: a VM's and pv's random-read IOPS, layer lookups, copy-up, volumes (isolation-storage.ts).
  out.push(...storageFindings(r));
  // 12. Resource control: cpu.max share and stall, memory.max isolation (isolation-control-report.ts).
  if (r.control) out.push(...controlFindings(r.control));
  // 13. Isolation strength: a kernel bug, from a container and from a VM (isolation-vuln.ts).
  const vuln = vulnFinding(r.vuln);
  if (vuln) out.push(vuln);
  return out;
}
