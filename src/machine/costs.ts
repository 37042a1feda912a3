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
  },
  'p4-2006': {
    name: 'p4-2006',
    description: 'a Pentium 4 class core (2005-2006), the hardware of Adams and Agesen (ASPLOS 2006)',
    memoryAccess: 1,
    // Pentium 4 (Prescott) L2 latency is ~20-27 cycles, so each walk reference costs about that.
    pageWalkPerLevel: 20,
    // The P4's ~31-stage pipeline made `int`/exception delivery cost several hundred cycles; the
    // native syscall nanobenchmark of Adams and Agesen is in the low hundreds of cycles.
    trapEntry: 150,
    trapReturn: 100,
  },
};

export const DEFAULT_COSTS: CostModel = COST_PRESETS['default']!;

export function costPreset(name: string): CostModel {
  const preset = COST_PRESETS[name];
  if (!preset) throw new Error(`unknown cost preset '${name}' (known: ${Object.keys(COST_PRESETS).join(', ')})`);
  return preset;
}
