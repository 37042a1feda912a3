// `--config hosted` (docs/vmm-hosted.md): the kernel built with -D HOST, its KVM-style driver
// (programs/kernel/kvm.s) and the user-space VMM /bin/rlvmm run the unmodified guest kernel.
// Every workload gives native's per-process output; the driver's errors; the host outliving a
// killed VMM process; the figures docs/vmm-hosted.md quotes.

import { describe, expect, it } from 'vitest';
import { findSymbol, type Image } from '../../src/asm/index.js';
import { findConfig, kernelImage, userImage, type BootOptions, type BootResult } from '../../src/configs/index.js';
import { HOST_DEFINES } from '../../src/configs/hosted.js';
import { SYSCALLS } from '../../src/abi/index.js';
import { isaWith } from '../../src/isa/index.js';
import { costPreset } from '../../src/machine/costs.js';
import { program } from './guests/guest.js';
import { checkBootSet } from '../../src/fuzz/equivalence.js';
import { deriveSeed } from '../../src/fuzz/random.js';
import { fsck } from '../../src/fs/fsck.js';
import { runContainer } from '../../src/configs/container.js';
import { measureInterference } from '../../src/bench/hosted.js';

const hosted = (options: Omit<BootOptions, 'maxCycles'>): BootResult => findConfig('hosted')!.boot({ maxCycles: 400_000_000, ...options });
const native = (options: Omit<BootOptions, 'maxCycles'>): BootResult => findConfig('native')!.boot({ maxCycles: 400_000_000, ...options });
const perProcess = (r: BootResult) => r.processes.map((p) => ({ pid: p.pid, name: p.name, exitCode: p.exitCode, output: p.output }));
const hostKernel = (): Image => kernelImage(isaWith(['vmx']), HOST_DEFINES);
const word = (r: BootResult, image: Image, name: string, index = 0): number => r.machine.memory.words[(findSymbol(image, name)!.value >>> 2) + index]! >>> 0;

// The workloads the slice promises, those that write the guest's disk, and the demos that try to
// reach memory that is not theirs (under a VMM: the VMM's).
const WORKLOADS = ['compute', 'syscall', 'io', 'pagefault', 'ctxswitch', 'fileio', 'forkwait', 'pipe', 'sleep', 'vmmread', 'vmmwrite', 'vmmmap', 'jumpvec', 'badmem'];

describe('hosted: every workload as natively', () => {
  it.each(WORKLOADS)('%s: the same processes, output and exit codes as native', (w) => {
    const h = hosted({ workloads: [w] });
    const n = native({ workloads: [w] });
    expect(h.halted).toBe(true);
    expect(h.exitCode).toBe(n.exitCode);
    expect(perProcess(h)).toEqual(perProcess(n));
    // The guest's console is the guest's alone (the host's own lines are in host.console): the
    // same text as native's, though two processes' bytes may interleave differently (their
    // time slices fall elsewhere): then the same bytes, and the same summary at the end.
    const sorted = (text: string): string => [...text].sort().join('');
    if (perProcess(n).length === 1) expect(h.console).toBe(n.console);
    else {
      expect(sorted(h.console)).toBe(sorted(n.console));
      expect(h.console.slice(h.console.lastIndexOf('kernel:'))).toBe(n.console.slice(n.console.lastIndexOf('kernel:')));
    }
    expect(h.host!.console).toMatch(/^kernel: booting 1 processes\n/);
    expect(h.host!.processes[0]).toMatchObject({ name: 'rlvmm', exitCode: n.exitCode });
    // The guest ran in non-root mode, its memory backed on EPT violations, and the host freed the
    // VM when rlvmm exited.
    expect(h.stats.hosted!.worlds.guestKernel.instructions).toBeGreaterThan(0);
    expect(h.stats.hosted!.eptPagesBacked).toBe(h.stats.hosted!.exits.kernel['EptViolation']);
    expect(word(h, hostKernel(), 'vm_owner')).toBe(0);
  });

  it('a host process beside the VM (--host-workload) runs too, and both give native output', () => {
    const h = hosted({ workloads: ['compute'], hostWorkloads: ['compute'] });
    const n = native({ workloads: ['compute'] });
    expect(perProcess(h)).toEqual(perProcess(n));
    expect(h.host!.processes.map((p) => [p.pid, p.name, p.exitCode, p.output])).toEqual([
      [2, 'rlvmm', 0, expect.stringContaining('compute: rounds=20')],
      [3, 'compute', 0, n.processes[0]!.output],
    ]);
  });
});

describe('hosted: random programs as natively (the equivalence tester, asked for hosted)', () => {
  // `ringlab fuzz --config hosted` (hosted is not in the tester's default list): two boot sets.
  it.each([4, 5])('boot set %i of seed 1', (index) => {
    const report = checkBootSet(deriveSeed(1, index), { configs: ['hosted'], presets: ['default'] });
    expect(report.divergences).toEqual([]);
    expect(report.boots).toBe(2);
  });
});

describe('the default kernel is untouched by -D HOST', () => {
  it('has none of the driver and the same number of system calls; the HOST build dispatches its calls', () => {
    const plain = kernelImage(isaWith([]));
    expect(findSymbol(plain, 'sys_vcpu_run')).toBeUndefined();
    expect(findSymbol(plain, 'NSYSCALLS')!.value).toBe(SYSCALLS.filter((s) => !s.build).length);
    const host = hostKernel();
    const hostCalls = SYSCALLS.filter((s) => s.build !== 'VULN'); // -D VULN's call comes after HOST's (test/bench/isolation-vuln.test.ts)
    expect(findSymbol(host, 'NSYSCALLS')!.value).toBe(hostCalls.length);
    const table = findSymbol(host, 'syscall_table')!.value;
    const seg = host.segments.find((s) => table >= s.address && table < s.address + s.data.length)!;
    const view = new DataView(seg.data.buffer, seg.data.byteOffset);
    for (const s of hostCalls) expect(view.getUint32(table - seg.address + 4 * s.number, true), s.name).toBe(findSymbol(host, `sys_${s.name}`)!.value >>> 0);
  });
});

describe('the driver: bad input gets an error, the host stays up', () => {
  // vmbad (programs/user/vmbad.s) calls the driver with bad and good arguments, then runs a tiny
  // guest that writes 'G', reads past its 64 KiB and takes a bus error ('0' + 10 = ':').
  const vmbad = () => native({ workloads: [], programs: [{ name: 'vmbad', image: userImage('vmbad', isaWith([])) }], kernelDefines: HOST_DEFINES });

  it('every call answers as docs/kernel.md says; the guest cannot reach memory beyond its region', () => {
    const r = vmbad();
    expect(r.halted).toBe(true);
    expect(r.processes[0]!.exitCode).toBe(0);
    expect(r.processes[0]!.output).toBe(
      [
        'run-without-vm -9', // EBADF
        'memory-without-vm -9',
        'create 0',
        'create-again -16', // EBUSY: one VM at a time
        'vcpu-without-memory -22', // EINVAL
        'memory-unaligned -22',
        'memory-empty -22',
        'memory-too-big -22',
        'memory-not-heap -22',
        'memory-kernel -22',
        'memory-past-heap -22',
        'memory-wraps -22',
        'memory 0',
        'memory-again -17', // EEXIST
        'regs-without-vcpu -9',
        'vcpu 0',
        'vcpu-again -17',
        'regs-bad-buffer -14', // EFAULT
        'get-regs-bad-buffer -14',
        'run-bad-buffer -14',
        'regs 0',
        'run 1 port 16 data 71', // VM_EXIT_IO: out CONSOLE_DATA, 'G'
        'run-again 1 port 16 data 58', // its load beyond its memory: BusError (cause 10) in its handler
        'run-to-halt 2', // VM_EXIT_HALT
        'get-regs 0',
        '',
      ].join('\n'),
    );
  });

  it('a VMM process that exits owning a VM frees it: no frame stays in use', () => {
    const framesInUse = (r: BootResult): number => {
      const k = hostKernel();
      const refs = word(r, k, 'frame_refs');
      const base = word(r, k, 'frame_base');
      const end = word(r, k, 'mem_end');
      let used = 0;
      for (let f = 0; f < (end - base) >>> 12; f++) {
        const at = refs + f;
        if ((r.machine.memory.words[at >>> 2]! >>> ((at & 3) * 8)) & 0xff) used++;
      }
      return used;
    };
    const idle = program('idle', '_start: li a0, 0\n        call exit');
    const withVm = vmbad();
    const without = native({ workloads: [], programs: [idle], kernelDefines: HOST_DEFINES });
    expect(word(withVm, hostKernel(), 'vm_owner')).toBe(0);
    expect(framesInUse(withVm)).toBe(framesInUse(without));
  });

  it('the VMM process killed while its guest runs: the host frees the VM and powers off cleanly', () => {
    // A host process kills rlvmm (host pid 2) after 200 ticks, while the guest computes.
    const killer = program('killer', '_start: li a0, 200\n        call sleep\n        li a0, 2\n        li a1, SIGKILL\n        call kill\n        call result\n        li a0, 0\n        call exit');
    const r = hosted({ workloads: ['compute'], iterations: 100000, hostPrograms: [killer] });
    expect(r.halted).toBe(true);
    expect(r.host!.processes.map((p) => [p.name, p.exitCode, p.output])).toEqual([
      ['rlvmm', 128 + 9, expect.stringContaining('kernel: booting 1 processes')],
      ['killer', 0, '0\n'],
    ]);
    expect(r.host!.console).toMatch(/kernel: 2 processes finished, exit codes: 2=137 3=0; power off code \d+\n$/);
    expect(r.processes[0]!.exitCode).toBeNull(); // the guest's compute never finished
    expect(word(r, hostKernel(), 'vm_owner')).toBe(0);
  });
});

describe('hosted: the guest\'s tick', () => {
  it('a guest process spinning at one pc gets every tick: none is coalesced, and its parent\'s sleep ends as natively', () => {
    // The child loops on one instruction, so every tick interrupts it at the pc the last one
    // did. The driver coalesces a tick only when the guest has just turned its interrupts on
    // (an interrupt-window exit) a whole interval after the last; a tick that interrupts a
    // running loop is delivered. (kvm_behind used to look at every injection, took the loop for
    // a guest stuck in its tick handler, and the parent's sleep never ended.)
    const spin = program('spin', `_start: call fork
        bnez a0, .parent
.loop:  j    .loop
.parent:
        mv   s0, a0
        li   a0, 50
        call sleep
        mv   a0, s0
        li   a1, SIGKILL
        call kill
        li   a0, 0
        call exit`);
    const n = native({ workloads: [], programs: [spin] });
    const h = hosted({ workloads: [], programs: [spin] });
    expect(n.processes[0]!.exitCode).toBe(0);
    expect(perProcess(h)).toEqual(perProcess(n));
    expect(h.stats.hosted!.coalescedTicks).toBe(0);
    expect(h.stats.hosted!.injectedInterrupts).toBeGreaterThanOrEqual(50);
  });
});

// The figures of docs/vmm-hosted.md, exact (every run is deterministic).
describe('hosted: figures', () => {
  const cycles = (config: string, w: string, iterations: number): number => findConfig(config)!.boot({ workloads: [w], iterations, maxCycles: 400_000_000 }).stats.cycles;
  const perIteration = (config: string, w: string, n: number): number => (cycles(config, w, 2 * n) - cycles(config, w, n)) / n;

  it('exits by where they were handled, compute at its 20 rounds', () => {
    const h = hosted({ workloads: ['compute'] });
    expect(h.stats.hosted!.exits).toEqual({
      kernel: { ExternalInterrupt: 10, InterruptWindow: 2, PortIo: 10, Wfi: 8, EptViolation: 84, PreemptionTimer: 6 },
      user: { PortIo: 181 },
    });
    // 9 VM_EXIT_INTR returns: the guest's disk requests (8, each done when the guest idles) and
    // the end of the host's console input, read once. 6 guest ticks, each when it fell due (a
    // PreemptionTimer exit), where natively the run takes 5.
    expect([h.stats.cycles, h.stats.hosted!.eptPagesBacked, h.stats.hosted!.injectedInterrupts, h.stats.hosted!.restarts, h.stats.hosted!.intrReturns]).toEqual([18152114, 84, 6, 10, 9]);
    expect(h.stats.disk!.requests).toBe(71);
    expect(h.stats.worlds.idle.cycles).toBe(14951852);
    expect([native({ workloads: ['compute'] }).stats.cycles, findConfig('vtx-ept')!.boot({ workloads: ['compute'], maxCycles: 400_000_000 }).stats.cycles]).toEqual([2437639, 2610173]);
  });

  it('with first-generation exits (vtx-2006) the way to user space weighs less against the exit itself', () => {
    const costs = costPreset('vtx-2006');
    const io = (config: string, n: number): number => findConfig(config)!.boot({ workloads: ['io'], iterations: n, costs, maxCycles: 10_000_000_000 }).stats.cycles;
    const perByte = (config: string): number => (io(config, 40) - io(config, 20)) / 640;
    expect(['native', 'vtx-ept', 'hosted'].map(perByte)).toEqual([35.38125, 3518.634375, 5631.4203125]);
  });

  it('per iteration: compute near native; a console byte through rlvmm costs a multiple of one through the vtx VMM', () => {
    const figures = Object.fromEntries(
      ['native', 'vtx-ept', 'hosted'].map((c) => [c, { compute: perIteration(c, 'compute', 20), io: perIteration(c, 'io', 20), nanoIn: perIteration(c, 'nano-in', 1000) }]),
    );
    expect(figures).toEqual(FIGURES);
  });
});

describe('hosted: the in-kernel console (vhostConsole, VR_F_VHOST)', () => {
  it('the driver writes the guest\'s console bytes itself: the same output, a third of the cycles per byte', () => {
    const perByte = (vhostConsole: boolean) => {
      const a = hosted({ workloads: ['io'], iterations: 20, vhostConsole });
      const b = hosted({ workloads: ['io'], iterations: 40, vhostConsole });
      const d = (f: (r: BootResult) => number): number => (f(b) - f(a)) / 640;
      return { cycles: d((r) => r.stats.cycles), hostKernel: d((r) => r.stats.hosted!.worlds.hostKernel.cycles), hostUser: d((r) => r.stats.hosted!.worlds.hostUser.cycles), transition: d((r) => r.stats.worlds.transition.cycles) };
    };
    // hostUser: no user-space work per byte.
    expect(perByte(true)).toEqual({ cycles: 759.10625, hostKernel: 209.928125, hostUser: 0, transition: 519.765625 });
    expect(perByte(false).cycles).toBe(2003.25);
    const h = hosted({ workloads: ['io'], vhostConsole: true });
    const n = native({ workloads: ['io'] });
    expect([h.console, perProcess(h)]).toEqual([n.console, perProcess(n)]);
    expect(h.stats.hosted!.vhostBytes).toBe(h.stats.hosted!.exits.kernel['PortIo']! - 10); // all but the guest's timer's 10
  });
});

describe('hosted: a host process beside the VM (the overhead suite\'s hosted-interference)', () => {
  it('compute in the VM and as a host process: about the sum of their times alone (docs/vmm-hosted.md)', () => {
    expect(measureInterference(costPreset('default'), 20)).toEqual({
      workload: 'compute',
      preset: 'default',
      together: 40840.9,
      guest: 19989.7,
      hostKernel: 932.45,
      hostUser: 19449.25,
      transitions: 469.5,
      restarts: 0.2,
    });
  });
});

describe('hosted: one console byte, and one exit the host kernel handles', () => {
  // Per unit of work, from runs at N and 2N iterations: io writes 32 bytes per iteration, each an
  // `out` that rlvmm handles; nano-in reads the null port, which the driver handles itself.
  const split = (w: string, n: number, units: number) => {
    const a = hosted({ workloads: [w], iterations: n });
    const b = hosted({ workloads: [w], iterations: 2 * n });
    const d = (f: (r: BootResult) => number): number => (f(b) - f(a)) / units;
    const worlds = b.stats.hosted!.worlds;
    return {
      cycles: d((r) => r.stats.cycles),
      ...Object.fromEntries((Object.keys(worlds) as (keyof typeof worlds)[]).map((k) => [k, d((r) => r.stats.hosted!.worlds[k].cycles)])),
      transition: d((r) => r.stats.worlds.transition.cycles),
      hostKernelInstructions: d((r) => r.stats.hosted!.worlds.hostKernel.instructions),
      syscalls: d((r) => r.stats.traps['Syscall'] ?? 0),
    };
  };

  it('a console byte: the exit, the way out to rlvmm, its write() and the way back', () => {
    expect(split('io', 20, 640)).toEqual({
      cycles: 2003.25,
      hostKernel: 1165.9203125,
      hostUser: 71.1109375,
      guestKernel: 46.8984375,
      guestUser: 0.4140625,
      transition: 718.90625,
      hostKernelInstructions: 884.9484375,
      syscalls: 2.053125, // trap entries for `syscall`, the guest's own included (one per 32 bytes)
    });
  });

  it('the same under vtx-ept, for comparison: per console byte and per `in`', () => {
    const vtx = (w: string, n: number, units: number): number[] => {
      const boot = (k: number): BootResult => findConfig('vtx-ept')!.boot({ workloads: [w], iterations: k, maxCycles: 400_000_000 });
      const a = boot(n);
      const b = boot(2 * n);
      return [(b.stats.cycles - a.stats.cycles) / units, (b.stats.worlds.vmm.cycles - a.stats.worlds.vmm.cycles) / units, (b.stats.worlds.transition.cycles - a.stats.worlds.transition.cycles) / units];
    };
    expect(vtx('io', 20, 640)).toEqual([645.3578125, 97.5859375, 518.359375]);
    expect(vtx('nano-in', 1000, 1000)).toEqual([603.46, 94.46, 506]);
  });

  it('a null-port `in`: handled in the host kernel, no way out to rlvmm', () => {
    expect(split('nano-in', 1000, 1000)).toEqual({
      cycles: 677.78,
      hostKernel: 168.69,
      hostUser: 0,
      guestKernel: 3.24,
      guestUser: 0,
      transition: 505.85,
      hostKernelInstructions: 128.638,
      syscalls: 0.008,
    });
  });
});

const FIGURES = {
  native: { compute: 19717.3, io: 974.2, nanoIn: 13 },
  'vtx-ept': { compute: 20126.4, io: 20651.45, nanoIn: 603.46 },
  hosted: { compute: 20560.1, io: 64104, nanoIn: 677.78 },
};

describe('hosted: kernel build options are the guest\'s', () => {
  it('a -D LEGACY guest (rdstatus and wrstatus, which non-root mode runs on the guest\'s STATUS) gives native\'s processes', () => {
    const options = { workloads: ['syscall', 'forkwait'], iterations: 3, kernelDefines: { LEGACY: 1 } };
    const h = hosted(options);
    expect(h.exitCode).toBe(0);
    expect(h.processes).toEqual(native(options).processes);
  });

  it('a guest built with HOST is refused, by name: a host in the VM would need nested VMX', () => {
    expect(() => hosted({ workloads: ['compute'], kernelDefines: { HOST: 1 } })).toThrow(/cannot be built with HOST.*nested VMX/);
  });
});

describe('hosted: console input and a disk of the boot\'s own', () => {
  const SCRIPT = 'echo hi\nls /bin | wc\ncat /none\n';

  it('--input (a script for the shell): the host\'s console, read by rlvmm, reaches the guest as natively', () => {
    const h = hosted({ workloads: [], shell: true, input: SCRIPT });
    const n = native({ workloads: [], shell: true, input: SCRIPT });
    expect(h.console).toBe(n.console);
    expect(perProcess(h)).toEqual(perProcess(n));
    // rlvmm read the host's console when the driver said it had input: one read per line, and
    // one that gave 0 (the end); each a VM_EXIT_INTR return.
    expect(h.stats.hosted!.intrReturns).toBeGreaterThanOrEqual(4);
  });

  it('--tty: the guest\'s kernel edits the line and echoes (the host\'s console is not a terminal)', () => {
    const typed = 'echo abX\x7fc\r';
    const h = hosted({ workloads: [], shell: true, tty: true, input: typed });
    const n = native({ workloads: [], shell: true, tty: true, input: typed });
    expect(h.console).toBe(n.console);
    expect(h.console).toContain('abc\n');
  });

  it('--disk: the guest\'s disk is a file on the host\'s; after the run it is what natively it is', () => {
    const start = native({ workloads: ['fileio'] }).machine.disk.contents();
    const h = hosted({ workloads: ['fileio'], disk: start });
    const n = native({ workloads: ['fileio'], disk: start });
    expect(perProcess(h)).toEqual(perProcess(n));
    const after = h.machine.disk.contents();
    expect(Buffer.compare(after, n.machine.disk.contents())).toBe(0);
    expect(h.machine.disk.wasWritten).toBe(true);
    expect(fsck(after).problems).toEqual([]);
    // A guest that writes nothing leaves the file (and so the host's disk) unwritten.
    expect([hosted({ workloads: ['compute'] }).machine.disk.wasWritten, native({ workloads: ['compute'] }).machine.disk.wasWritten]).toEqual([false, false]);
  });

  it('a container (boot --container, container run): crun in the guest, its disk the guest\'s', () => {
    const spec = { layers: [[{ path: 'bin', type: 'dir' as const }]], command: ['/bin/x'], cwd: '/nothere' };
    const run = runContainer(findConfig('hosted')!, spec, isaWith([]), {});
    expect({ exit: run.exitCode, out: run.job?.output }).toEqual({ exit: 125, out: 'crun: ctr: cwd: No such file or directory\n' });
  });

  it('the guest sees its disk busy: each request goes to rlvmm\'s I/O process and is done when its answer comes (a VM_EXIT_INTR), not at the command', () => {
    const h = hosted({ workloads: ['fileio'] });
    const n = native({ workloads: ['fileio'] });
    // The guest's disk requests (as many as natively), each completed by a return of vcpu_run of
    // its own, and one more: the end of the host's console input.
    expect(h.stats.hosted!.intrReturns).toBe(n.stats.disk!.requests + 1);
    expect(h.stats.hosted!.injectedInterrupts).toBeGreaterThan(0);
    // The I/O process is rlvmm's own child, not one of the host's jobs.
    expect(h.host!.processes.map((p) => p.name)).toEqual(['rlvmm']);
  });
});
