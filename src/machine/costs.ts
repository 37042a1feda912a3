// The cost model: how many cycles each hardware event costs. Instruction base costs live in the
// instruction table (src/isa/base.ts); this module prices everything else. Every figure the
// emulator reports is instructions executed (table cost) plus events priced here, nothing else.
//
// ringlab does not model caches or pipelines, so these are per-event averages chosen to keep the
// ratios between events realistic for the era each preset describes. The reasoning for each
// number is next to it; change a number only with a reason you can write down.

export interface CostModel {
  readonly name: string;
  readonly description: string;
  /** Added to a load or store: one data-cache access (hits assumed; caches are not modelled). */
  readonly memoryAccess: number;
  /** One page-table reference during a TLB miss walk (charged per level read). */
  readonly pageWalkPerLevel: number;
  /** Trap or interrupt delivery: pipeline drain, state save, vector fetch. */
  readonly trapEntry: number;
  /** `sret`: state restore and pipeline refill. */
  readonly trapReturn: number;
  /** VM exit (virtualization extension): save guest state to the VMCS, load host state. */
  readonly vmExit: number;
  /** VM entry (vmlaunch/vmresume): check and load guest state, deliver an injected event. */
  readonly vmEntry: number;
  /** True when every VM exit and entry flushes the TLB (no VPID tags: VT-x before Nehalem). */
  readonly vmTransitionFlushesTlb: boolean;
  /** Block device (devices/disk.ts): cycles one request takes before any data moves (command
   *  processing, seek and rotation, or flash access). The CPU keeps executing meanwhile. */
  readonly diskRequest: number;
  /** Block device: cycles per byte transferred (the medium's sustained rate at the core's clock). */
  readonly diskPerByte: number;
}

export const COST_PRESETS: Readonly<Record<string, CostModel>> = {
  default: {
    name: 'default',
    description: 'a generic modern in-order core, for teaching; ratios shaped on 2010s x86',
    // One cycle on top of the instruction: an L1 hit is ~4 cycles but pipelined.
    memoryAccess: 1,
    // A page-table entry usually hits L2 (~10-12 cycles on Nehalem..Skylake); walks are serial.
    pageWalkPerLevel: 10,
    // syscall+sysret round trip is ~70-100 cycles on Sandy Bridge..Skylake (measured widely, e.g.
    // lmbench null-call on those parts); exception delivery through an IDT gate costs a bit more.
    trapEntry: 60,
    trapReturn: 30,
    // VM transitions of the Sandy Bridge generation (2011-2012). Agesen, Mattson, Rugina and
    // Sheldon ("Software techniques for avoiding hardware virtualization exits", USENIX ATC 2012,
    // Figure 1) chart the hardware exit+entry round trip falling from a few thousand cycles on
    // Prescott (2005) to about 500 on Sandy Bridge; split here a little more on the exit side,
    // which saves more state than the entry loads.
    vmExit: 280,
    vmEntry: 220,
    // VPID (Nehalem, 2008 onwards) tags TLB entries with the VM, so transitions keep the TLB.
    vmTransitionFlushesTlb: false,
    // An NVMe flash drive of the late 2010s (Samsung 970 EVO class), at an assumed 3 GHz clock.
    // Approximate: a 4 KiB random read at queue depth 1 takes on the order of 60-90 us end to
    // end (vendor figures of ~15,000 IOPS at QD1); 70 us = 210,000 cycles. Sequential transfer
    // ~3 GB/s (data sheet: 3,400 MB/s read) is about 1 cycle per byte at 3 GHz.
    diskRequest: 210_000,
    diskPerByte: 1,
  },
  'vtx-2006': {
    name: 'vtx-2006',
    description: 'a Pentium 4 class core with first-generation VT-x (2005-2006): the hardware of Adams and Agesen (ASPLOS 2006)',
    memoryAccess: 1,
    // Pentium 4 (Prescott) L2 latency is ~20-27 cycles, so each walk reference costs about that.
    pageWalkPerLevel: 20,
    // The P4's ~31-stage pipeline made `int`/exception delivery cost several hundred cycles; the
    // native syscall nanobenchmark of Adams and Agesen is in the low hundreds of cycles.
    trapEntry: 150,
    trapReturn: 100,
    // First-generation VT-x (Prescott): Adams and Agesen (ASPLOS 2006, section 6) found a VM
    // exit and re-entry cost thousands of cycles, enough to make their hardware-assisted VMM
    // slower than their software VMM on exit-heavy work; Agesen et al. (ATC 2012, Figure 1) put
    // the Prescott round trip at roughly 2,400 cycles. Split 1,300 + 1,100.
    vmExit: 1300,
    vmEntry: 1100,
    // No VPID before Nehalem: every VM exit and entry flushed the TLB.
    vmTransitionFlushesTlb: true,
    // A 7,200 rpm SATA disk of 2006 (Seagate Barracuda 7200.10 class) next to a 3 GHz Pentium 4.
    // Approximate: average seek ~8.5-11 ms plus half a turn (4.17 ms at 7,200 rpm) gives ~12 ms
    // for a random request, = 36,000,000 cycles; sustained ~70 MB/s (data sheet: up to 78 MB/s)
    // is about 43 cycles per byte. Seek distance is not modelled: every request pays the average.
    diskRequest: 36_000_000,
    diskPerByte: 43,
  },
};

export const DEFAULT_COSTS: CostModel = COST_PRESETS['default']!;

export function costPreset(name: string): CostModel {
  const preset = COST_PRESETS[name];
  if (!preset) throw new Error(`unknown cost preset '${name}' (known: ${Object.keys(COST_PRESETS).join(', ')})`);
  return preset;
}
