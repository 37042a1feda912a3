// The binary translator in the debugger (`--config bt`, docs/vmm-bt.md). Under bt the guest
// kernel never runs at its own addresses: it runs as translations in the VMM's translation cache
// (TC), so its pc is a cache address. For every TC word the VMM records the guest pc it came
// from and what the word is (PCMAP, programs/vmm/bt/translate.s); reading it, a breakpoint on a
// guest kernel address stops at the first word of its translation, and `where` names both.

import { findSymbol, type Image } from '../asm/index.js';
import type { Machine } from '../machine/machine.js';

/** PCMAP's two low bits (BT_START, BT_MID, BT_EXIT, BT_CALLOUT in translate.s). */
const KINDS = ['start', 'mid', 'exit', 'callout'] as const;
export type TranslatedKind = (typeof KINDS)[number];

export interface TranslationOrigin {
  /** The guest kernel address the TC word was translated from (for an exit: its target). */
  guestPc: number;
  /** start: the first word of one guest instruction's translation; mid: inside it; exit: a
   *  block's exit; callout: a privileged instruction left for the VMM (its first word). */
  kind: TranslatedKind;
}

export class TranslationMap {
  private constructor(
    private readonly machine: Machine,
    private readonly tc: number,
    private readonly tcEnd: number,
    /** Host-physical address of the PCMAP word of TC address `tc`. */
    private readonly pcmapPhysical: number,
  ) {}

  /** The map of a bt VMM's image, or undefined for any other image. */
  static of(machine: Machine, vmm: Image | undefined): TranslationMap | undefined {
    const value = (name: string): number | undefined => (vmm ? findSymbol(vmm, name)?.value : undefined);
    const [tc, size, pcmap, base] = [value('BT_TC'), value('BT_TC_SIZE'), value('BT_PCMAP'), value('VMM_BASE')];
    if (tc === undefined || size === undefined || pcmap === undefined || base === undefined) return undefined;
    return new TranslationMap(machine, tc >>> 0, (tc + size) >>> 0, (pcmap - base) >>> 0);
  }

  /** Where the TC word at `pc` came from; undefined outside the TC or for a word never filled. */
  origin(pc: number): TranslationOrigin | undefined {
    const at = pc >>> 0;
    if (at < this.tc || at >= this.tcEnd || (at & 3) !== 0) return undefined;
    const word = this.machine.memory.words[(this.pcmapPhysical + (at - this.tc)) >>> 2];
    if (word === undefined || word === 0) return undefined;
    return { guestPc: (word & ~3) >>> 0, kind: KINDS[word & 3]! };
  }

  /** The guest pc a breakpoint there means: the processor is about to run the guest instruction
   *  at it (the first word of its translation), or undefined. */
  guestInstructionAt(pc: number): number | undefined {
    const o = this.origin(pc);
    return o && (o.kind === 'start' || o.kind === 'callout') ? o.guestPc : undefined;
  }
}
