// The hosted VMM beside a host process (`--host-workload`, docs/vmm-hosted.md): what each costs
// the other. The overhead suite's rows already have the guest's compute under hosted alone and a
// compute process alone on a bare kernel (native); this adds the two boots with both at once,
// the guest's compute in the VM and the same workload as a host process beside rlvmm, at N and
// 2N iterations each, so the figures are per iteration of both, boot excluded.

import { findConfig, userImage } from '../configs/index.js';
import { isaWith } from '../isa/index.js';
import type { CostModel } from '../machine/costs.js';
import { BenchError, MEASURE_MAX_CYCLES } from './measure.js';

/** Iterations the host process runs beyond the guest's (see measureInterference). */
const HOST_PAD = 4000;

/** The workload both sides run. */
export const INTERFERENCE_WORKLOAD = 'compute';

/** Per iteration of the guest's workload and of the host process's (each iteration of one paired
 *  with one of the other): cycles of the machine with both running, and what each of them used. */
export interface HostedInterference {
  workload: string;
  preset: string;
  /** Cycles per iteration pair with both running. */
  together: number;
  /** Of those: the guest (its kernel and processes), the host kernel (the driver and everything
   *  else of the host kernel, the host process's system calls included), the host's processes
   *  (rlvmm and the process beside it), transitions, idle. */
  guest: number;
  hostKernel: number;
  hostUser: number;
  transitions: number;
  /** Times per iteration pair that vcpu_run was restarted (a host interrupt left the guest). */
  restarts: number;
}

export function measureInterference(costs: CostModel, iterations: number): HostedInterference {
  const boot = (n: number) => {
    // The host process gets HOST_PAD more iterations than the guest in both runs: the host's
    // boot waits for its disk for millions of cycles (it reads rlvmm and the guest image), which
    // a host process fills with work before the guest even starts; the pad fills that wait in
    // both runs alike, so the N more iterations of each side run while both share the processor.
    const host = { name: INTERFERENCE_WORKLOAD, image: userImage(INTERFERENCE_WORKLOAD, isaWith([])), iterations: n + HOST_PAD };
    const r = findConfig('hosted')!.boot({ workloads: [INTERFERENCE_WORKLOAD], hostPrograms: [host], iterations: n, costs, maxCycles: MEASURE_MAX_CYCLES });
    const where = `${INTERFERENCE_WORKLOAD} under hosted beside a host ${INTERFERENCE_WORKLOAD} (${costs.name}, ${n} iterations)`;
    if (!r.halted || r.exitCode !== 0) throw new BenchError(`${where} did not power off with code 0: ${r.stop.kind}, ${r.exitCode}`);
    if (r.processes.some((p) => p.exitCode !== 0) || r.host!.processes.some((p) => p.exitCode !== 0)) throw new BenchError(`${where}: a process did not finish with 0`);
    return r;
  };
  const a = boot(iterations);
  const b = boot(2 * iterations);
  const d = (f: (r: typeof a) => number): number => (f(b) - f(a)) / iterations;
  const h = (r: typeof a) => r.stats.hosted!;
  return {
    workload: INTERFERENCE_WORKLOAD,
    preset: costs.name,
    together: d((r) => r.stats.cycles),
    guest: d((r) => h(r).worlds.guestKernel.cycles + h(r).worlds.guestUser.cycles),
    hostKernel: d((r) => h(r).worlds.hostKernel.cycles),
    hostUser: d((r) => h(r).worlds.hostUser.cycles),
    transitions: d((r) => r.stats.worlds.transition.cycles),
    restarts: d((r) => h(r).restarts),
  };
}
