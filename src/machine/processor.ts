// The processor: registers, rings, control registers, traps, loads and stores through the MMU,
// and the cycle accounting. The interpreter loop that drives it is generated from the ISA table
// in dispatch.ts; this file holds everything an instruction's semantics can call (the Cpu API).
//
// Accounting rule: an instruction's cost (table cost + memory access) is charged when it starts
// and refunded if it traps, because a trapping instruction does not retire. Page walks, trap
// entry/return and idle time are charged as they happen. Cycles are attributed to a "bucket"
// per (mode, ring); trap entry and return go to `transition`, wfi sleep to `idle`.

import { Cause, Csr, ExitControl, ExitReason, INJECT_VALID, INTERRUPT_BASE, Ptbr, Status, VMCS_SIZE, vmcsOffset, type Cpu, type Decoded, type Isa } from '../isa/index.js';
import { decodeFields } from '../isa/formats.js';
import type { PortBus } from './bus.js';
import type { CostModel } from './costs.js';
import type { PhysicalMemory } from './memory.js';
import { Access, EPT_VIOLATION, Mmu, type MmuHost, STARTS_AS_DOUBLE } from './mmu.js';
import type { TranslationCache } from './translate.js';

// VMCS field offsets (src/isa/vmx.ts), looked up once.
const V = {
  G_REGS: vmcsOffset('G_REGS'),
  G_PC: vmcsOffset('G_PC'),
  G_STATUS: vmcsOffset('G_STATUS'),
  G_EPC: vmcsOffset('G_EPC'),
  G_ESTATUS: vmcsOffset('G_ESTATUS'),
  G_CAUSE: vmcsOffset('G_CAUSE'),
  G_BADADDR: vmcsOffset('G_BADADDR'),
  G_EINSN: vmcsOffset('G_EINSN'),
  G_TVEC: vmcsOffset('G_TVEC'),
  G_PTBR: vmcsOffset('G_PTBR'),
  G_SCRATCH0: vmcsOffset('G_SCRATCH0'),
  G_SCRATCH1: vmcsOffset('G_SCRATCH1'),
  G_IMASK: vmcsOffset('G_IMASK'),
  G_IPEND: vmcsOffset('G_IPEND'),
  H_PC: vmcsOffset('H_PC'),
  H_SP: vmcsOffset('H_SP'),
  H_STATUS: vmcsOffset('H_STATUS'),
  H_PTBR: vmcsOffset('H_PTBR'),
  H_TVEC: vmcsOffset('H_TVEC'),
  H_IMASK: vmcsOffset('H_IMASK'),
  C_EXIT: vmcsOffset('C_EXIT'),
  C_EXCEPTIONS: vmcsOffset('C_EXCEPTIONS'),
  C_EPTP: vmcsOffset('C_EPTP'),
  C_EXTENSIONS: vmcsOffset('C_EXTENSIONS'),
  C_PREEMPT: vmcsOffset('C_PREEMPT'),
  E_INJECT: vmcsOffset('E_INJECT'),
  E_BADADDR: vmcsOffset('E_BADADDR'),
  E_EINSN: vmcsOffset('E_EINSN'),
  X_REASON: vmcsOffset('X_REASON'),
  X_QUAL: vmcsOffset('X_QUAL'),
  X_INSN: vmcsOffset('X_INSN'),
  X_GPA: vmcsOffset('X_GPA'),
  X_GVA: vmcsOffset('X_GVA'),
  LAUNCHED: vmcsOffset('LAUNCHED'),
} as const;

const SP = 2;

/** Thrown by `trap()` to unwind out of an instruction's semantics; caught by the interpreter
 *  loop. One preallocated object, so raising a trap allocates nothing. */
export const TRAP_SIGNAL: { readonly trap: true } = Object.freeze({ trap: true });

/** Number of accounting buckets: 2 modes (root, non-root) x 4 rings. */
export const BUCKETS = 8;

/** dataRights bits beside the TLB's allow mask (bits 0-11). */
export const DATA_IN_MEMORY = 1 << 12;
export const DATA_NO_CODE = 1 << 13;
/** A frame the MMU's walk cache depends on (Mmu.tableFrames): every store there goes through
 *  forgetDecoded, which tells the MMU. */
export const DATA_TABLE = 1 << 14;
/** The allow mask of a page with paging off: every ring may do everything. */
const ALL_RIGHTS = 0xfff;

/**
 * A decoded instruction, cached per physical word. Every field must stay a small integer (a V8
 * "Smi"): if one field ever held a larger number, V8 would change the shape of all these objects
 * mid-run and every inlined semantic function would start checking two shapes, halving the
 * interpreter's speed. So the 32-bit word is kept as two 16-bit halves and rebuilt on demand
 * (only traps and the debugger need it).
 *
 * The fields are `declare`d and assigned in the constructor, not declared as class fields: with
 * ES2022 class fields a declared field is first defined as `undefined`, which makes V8 give it
 * the general "tagged" representation, and then every read in the interpreter loop checks
 * whether it holds a Smi or a heap number. Assigned first with a Smi, the field stays Smi.
 */
export class DecodedInsn implements Decoded {
  declare readonly index: number;
  declare readonly rd: number;
  declare readonly rs1: number;
  declare readonly rs2: number;
  declare readonly imm: number;
  declare readonly cost: number;
  declare private readonly wordHigh: number;
  declare private readonly wordLow: number;

  constructor(index: number, rd: number, rs1: number, rs2: number, imm: number, word: number, cost: number) {
    this.index = index;
    this.rd = rd;
    this.rs1 = rs1;
    this.rs2 = rs2;
    this.imm = imm;
    this.cost = cost;
    this.wordHigh = word >>> 16;
    this.wordLow = word & 0xffff;
  }

  get word(): number {
    return ((this.wordHigh << 16) | this.wordLow) >>> 0;
  }
}

/** Decoded instructions of one physical page, by word (1024). */
export type DecodePage = (Decoded | undefined)[];

/** A decode page: made the same way every time, so V8 sees one elements kind at the loop's load. */
function newDecodePage(): DecodePage {
  return new Array<Decoded | undefined>(1024).fill(undefined);
}

/** The most words `decodedWordsFor`'s caches hold (about 6 MiB): a full cache is cleared. */
const DECODED_WORDS_MAX = 1 << 16;
const decodedWordsByIsa = new WeakMap<Isa, Map<number, Map<number, DecodedInsn>>>();

/** The process's decoded instructions by word, for an ISA and a memory-access cost (all that
 *  decoding depends on; DecodedInsn is immutable). A boot decodes thousands of words, most of
 *  them the kernel's that the boot before it decoded too: decoding them again was 45% of what a
 *  short boot allocated, and its garbage collections a fifth of its time. */
function decodedWordsFor(isa: Isa, memoryAccess: number): Map<number, DecodedInsn> {
  let byCost = decodedWordsByIsa.get(isa);
  if (byCost === undefined) decodedWordsByIsa.set(isa, (byCost = new Map()));
  let words = byCost.get(memoryAccess);
  if (words === undefined) byCost.set(memoryAccess, (words = new Map()));
  return words;
}

/** fetchDecoded before the first fetch (never written: fetchPage is -1 until fetchSlow sets both). */
const NO_DECODE_PAGE: DecodePage = newDecodePage();

export interface TrapEvent {
  cause: number;
  /** pc saved in EPC. */
  epc: number;
  badAddr: number;
  insnWord: number;
  /** Ring the trap was taken from. */
  fromRing: number;
  cycle: number;
}

export class Processor implements Cpu, MmuHost {
  // ---- Architectural state --------------------------------------------------------------------
  readonly x = new Int32Array(16);
  pc = 0;
  next = 0;
  ring = 0;
  interruptsEnabled = false;
  epc = 0;
  estatus = 0;
  cause = 0;
  badAddr = 0;
  einsn = 0;
  tvec = 0;
  ptbr = 0;
  paging = false;
  scratch0 = 0;
  scratch1 = 0;
  imask = 0;

  // ---- Virtualization extension (src/isa/vmx.ts) -------------------------------------------
  /** True in non-root mode: the registers above are the guest's. */
  nonRoot = false;
  /** Host-physical address of the current VMCS, or -1. */
  vmcs = -1;
  /** While non-root: the VMCS controls, cached at entry (the VMCS is not re-read until exit). */
  exitControls = 0;
  exceptionBitmap = 0;
  /** While non-root: the host IMASK (which device lines exit, with EXIT_EXTINT). */
  hostImask = 0;
  /** While non-root: G_IPEND, what the guest reads from IPEND. */
  virtualPending = 0;
  /** While non-root with EXIT_PREEMPT: the cycle of the PreemptionTimer exit (Infinity: none). The
   *  run loop stops there (Machine.run folds it into stopCycle), as at a device's event. */
  preemptAt = Infinity;
  /** VM exits by reason code. */
  readonly vmExitCounts = new Float64Array(Math.max(...Object.values(ExitReason)) + 1);

  // ---- Run state ------------------------------------------------------------------------------
  // Counts that grow without bound start as doubles (STARTS_AS_DOUBLE; the constructor zeroes them).
  cycles = STARTS_AS_DOUBLE;
  instret = STARTS_AS_DOUBLE;
  /** The interpreter loop runs while cycles < stopCycle; -1 makes it stop after this instruction. */
  stopCycle = Infinity;
  /** IPEND as the machine's last event check saw it (Machine.serviceEvents), or -1 (all lines)
   *  when it is not known (no check since the processor was made or restored, or a port read
   *  since). Otherwise it is IPEND: a device's line changes only when it is ticked or its port
   *  is accessed; a tick happens in the event check, a port write ends the run with one, a port
   *  read sets this to -1, and live console input is pushed between runs. It lets an
   *  instruction that turns interrupts on skip the event check when no line it enables is up
   *  (`interruptsMayBeDue`). */
  linesAtCheck = -1;
  halted = false;
  exitCode = 0;
  sleeping = false;
  /** Address of the `wfi` that put the processor to sleep. */
  sleepPc = 0;
  /** Set when a trap fetched from TVEC failed: the machine cannot make progress. */
  doubleFault: TrapEvent | undefined;
  /** Word index (physical address / 4) of the instruction executing (or last executed), or -1.
   *  The interpreter loop stores this small integer rather than the DecodedInsn itself: storing
   *  an object pointer into the processor costs a write barrier, and while the processor is in
   *  V8's old generation and the decoded instructions are young (just decoded, as after every
   *  program load) each such store took the barrier's slow path: about a third of the time of
   *  the whole loop. */
  curAt = -1;

  // ---- Caches (not architectural) -------------------------------------------------------------
  /** Decoded instructions, one array of 1024 per physical page, made when the page is first
   *  fetched from: a flat array per word of a 16 MiB machine took ~25 ms to allocate, most of a
   *  short boot. Entries are undefined until first executed, cleared by stores. */
  private readonly decodePages: (DecodePage | undefined)[];
  /** The decode page of the fetch page (fetchBase); the interpreter loop indexes it directly. */
  fetchDecoded: DecodePage = NO_DECODE_PAGE;
  /** Virtual page base of the page instructions are being fetched from, or -1 (see dispatch.ts). */
  fetchPage = -1;
  /** Physical base of that page. */
  fetchBase = 0;
  /** 1 when fetchPage was translated by the MMU (so each fast fetch counts as a TLB hit). */
  fetchPaged = 0;
  /** TLB hits answered by the fetch-page cache; added to the MMU's hits in statistics. */
  fetchHits = STARTS_AS_DOUBLE;
  /** The data-page cache, in two levels. Every page in it has its TLB entry in way 0 of its
   *  set, where a lookup is a hit that changes nothing but the hit count; the MMU calls back
   *  (tlbChanged, `dropDataCache`) whenever way 0 of a set may change, and a mode or page-table
   *  change drops it all. So a load or store to a cached page can skip the MMU and count the
   *  hit itself, exactly as the MMU would. With paging off it holds recent data pages too,
   *  which only the block translator's inline path uses.
   *
   *  Level 1 is the last page used (dataPage .. dataSet), with the current ring's rights: one
   *  compare for a loop over one buffer. Level 2 (dataPages .. dataRights) is a copy of way 0 of
   *  every TLB set (entry k for set k, Mmu.setNumber): a kernel goes back and forth between a
   *  process's control block, its kernel stack, its globals and the user's buffer, and level 1
   *  alone would miss at almost every switch.
   *
   *  dataPage: the virtual page (va & ~0xfff) of the last data translation, or -1. */
  dataPage = -1;
  /** Physical base of dataPage. */
  dataBase = 0;
  /** What the current ring may do there: bit `access` (0 read, 1 write, 2 execute). */
  dataAllow = 0;
  /** What the block translator's inline fast path may do on dataPage without calling the
   *  processor: bit 0 read, bit 1 write, bit 2 write a word that `dataDecode` has not decoded.
   *  Read if the ring may read and the page is in memory; write if the ring may write, the page
   *  is in memory and it has no decode page (so no decoded word or block there to forget);
   *  bit 2 instead of bit 1 if it has one: a store to a word never decoded has nothing to
   *  forget either (a word some block covers has been decoded, and stays decoded until a
   *  store drops the block). Making a decode page drops the cache (see decodePage), so the
   *  write bit never outlives that. Neither write bit on a page table the MMU's walk cache
   *  depends on (DATA_TABLE): its stores must reach forgetDecoded; marking one drops the cache
   *  (tablesMarked). */
  dataFast = 0;
  /** The decode page of dataPage's frame (an empty one if it has none). */
  dataDecode: DecodePage = NO_DECODE_PAGE;
  /** The TLB set of dataPage (whose change drops it). */
  private dataSet = -1;
  /** Level 2: each set's cached virtual page, or -1. */
  readonly dataPages: Int32Array;
  /** False while every entry of dataPages is -1. */
  private dataCached = false;
  /** Physical base of each cached page. */
  readonly dataBases: Int32Array;
  /** Each cached page's rights: bits 0-11 the TLB entry's allow mask (bit ring * 3 + access,
   *  so a ring change keeps level 2: the hit checks the current ring's bit, as the TLB does);
   *  DATA_IN_MEMORY if the whole page is in memory; DATA_NO_CODE if it has no decode page. */
  readonly dataRights: Int32Array;
  /** The block translator's cache (src/machine/translate.ts), when that engine runs. */
  translations: TranslationCache | undefined = undefined;
  /** Stores that hit a word of a translated block (a running block leaves when this moves). */
  codeWrites = 0;
  /** instret at the last trap entry: if a trap at TVEC comes before it moves, the handler
   *  cannot make progress (double fault). */
  private instretAtTrapEntry = STARTS_AS_DOUBLE;

  // ---- Statistics -----------------------------------------------------------------------------
  readonly bucketCycles = new Float64Array(BUCKETS);
  readonly bucketInstret = new Float64Array(BUCKETS);
  transitionCycles = STARTS_AS_DOUBLE;
  idleCycles = STARTS_AS_DOUBLE;
  private bucket = 0;
  private bucketStartCycles = STARTS_AS_DOUBLE;
  private bucketStartInstret = STARTS_AS_DOUBLE;
  /** Traps taken, by cause code (0-255: exceptions, INTERRUPT_BASE + line, or the 8-bit cause
   *  of an injected event). An array, not a Map: it is updated on every trap, and a Map's
   *  hashing showed in profiles. */
  readonly trapCounts = new Float64Array(256);
  interruptsTaken = 0;
  /** Called on every trap entry (for the debugger's trap history). */
  onTrap: ((event: TrapEvent) => void) | undefined;
  /** Called after every change of ring or of root/non-root mode, with the cycle the new mode's
   *  first instruction starts at (a trace facility: the isolation benchmark finds "the first
   *  user instruction" with it; src/bench/isolation.ts). */
  onModeChange: ((ring: number, nonRoot: boolean, cycle: number) => void) | undefined;

  readonly mmu: Mmu;
  private readonly words: Int32Array;
  private readonly halves: Uint16Array;
  private readonly bytes: Uint8Array;
  private readonly memSize: number;
  private readonly illegal: DecodedInsn;
  /** The MMU's tableFrames (frames its walk cache depends on). */
  private readonly tableFrames: Uint8Array;
  /** Decoded instructions by word, shared with every processor of the same ISA and costs. */
  private readonly decodedWords: Map<number, DecodedInsn>;

  constructor(
    readonly isa: Isa,
    readonly memory: PhysicalMemory,
    readonly bus: PortBus,
    readonly costs: CostModel,
    tlbEntries = 64,
  ) {
    this.mmu = new Mmu(memory, costs.pageWalkPerLevel, this, tlbEntries);
    this.dataPages = new Int32Array(this.mmu.sets).fill(-1);
    this.dataBases = new Int32Array(this.mmu.sets);
    this.dataRights = new Int32Array(this.mmu.sets);
    this.tableFrames = this.mmu.tableFrames;
    this.words = memory.words;
    this.halves = memory.halves;
    this.bytes = memory.bytes;
    this.memSize = memory.size;
    this.decodePages = new Array<DecodePage | undefined>(memory.size >>> 12).fill(undefined);
    this.illegal = new DecodedInsn(isa.insns.length, 0, 0, 0, 0, 0, 0);
    this.decodedWords = decodedWordsFor(isa, costs.memoryAccess);
    this.cycles = this.instret = this.fetchHits = this.transitionCycles = this.idleCycles = 0;
    this.bucketStartCycles = this.bucketStartInstret = 0;
    this.instretAtTrapEntry = -1;
  }

  /** The instruction executing (or last executed). Its cache entry is still there when it
   *  traps: only stores clear entries, and no instruction stores and then traps. */
  get cur(): Decoded {
    return (this.curAt >= 0 ? this.decodePages[this.curAt >>> 10]?.[this.curAt & 1023] : undefined) ?? this.illegal;
  }

  /** The decode page of physical address pa, made on first use. */
  private decodePage(pa: number): DecodePage {
    let page = this.decodePages[pa >>> 12];
    if (page === undefined) {
      this.decodePages[pa >>> 12] = page = newDecodePage();
      // A cached data page may be this one, and its stores must now forget decoded words
      // (DATA_NO_CODE): drop the data-page cache. Exact: its TLB entries are still in way 0, so
      // the next access is a way-0 hit in the MMU, which changes nothing but the count the
      // cache would have made.
      this.dropDataCache();
    }
    return page;
  }

  /** After a snapshot restore set fetchPage and fetchBase: point fetchDecoded at that page. (The
   *  fetch-page cache is restored rather than dropped because a slow fetch would refresh the
   *  TLB's LRU order where the original run did not, and later figures would differ.) The
   *  data-page cache is dropped: its pages are in way 0 of the restored TLB, where a lookup
   *  changes nothing but the count the cache would have made. */
  cachesRestored(): void {
    this.fetchDecoded = this.fetchPage === -1 ? NO_DECODE_PAGE : this.decodePage(this.fetchBase);
    this.dropDataCache();
    this.linesAtCheck = -1;
  }

  /** After a store to physical address pa: forget its decoded word, and the translated blocks
   *  of its page if one covers it (also the translator's out-of-line stores). */
  forgetDecoded(pa: number): void {
    const page = this.decodePages[pa >>> 12];
    if (page !== undefined) page[(pa >>> 2) & 1023] = undefined;
    if (this.translations !== undefined && this.translations.written(pa)) this.codeWrites++;
    if (this.tableFrames[pa >>> 12] !== 0) this.mmu.tableWritten(pa >>> 12); // the MMU's walk cache
  }

  /** The decoded instruction at physical address pa (decoding it if it is not cached). */
  decodedAt(pa: number): Decoded {
    return this.decodePage(pa)[(pa >>> 2) & 1023] ?? this.decodeAt(pa);
  }

  /** Dispatch index of the built-in handler for words no instruction claims. */
  get illegalIndex(): number {
    return this.isa.insns.length;
  }

  // ---- Fetch and decode (slow paths of the interpreter loop) ----------------------------------

  /** Translate pc for execution and load the fetch-page cache; raises fetch faults. */
  fetchSlow(pc: number): number {
    const pa = this.fetchOrTrap(pc);
    if (pa < 0) throw TRAP_SIGNAL;
    return pa;
  }

  /** fetchSlow without the throw: -1 once a fetch fault's trap has been taken (as
   *  trapReturning; the block translator's dispatcher goes on at the handler). */
  fetchOrTrap(pc: number): number {
    if ((pc & 3) !== 0) return this.fetchFault(Cause.Misaligned, pc);
    let pa = pc >>> 0;
    if (this.paging) {
      pa = this.mmu.translate(pc, Access.EXECUTE, this.ring, this.ptbr);
      if (pa < 0) return this.fetchFault(this.mmu.fault.cause, this.mmu.fault.badAddr);
    }
    if (pa >= this.memSize) return this.fetchFault(Cause.BusError, pa);
    this.fetchPage = pc & ~0xfff;
    this.fetchBase = pa & ~0xfff;
    this.fetchPaged = this.paging ? 1 : 0;
    this.fetchDecoded = this.decodePage(pa);
    // The page's TLB entry is now way 0 of its set: level 2 of the data-page cache may copy it
    // (after decodePage, which may drop the cache). A kernel reads tables and constants from
    // its code pages (a jump table), and a fetch that promoted the page in its set had dropped
    // that set's entry: without this, such a load went to the MMU for a way-0 hit.
    // Only if level 2 does not hold the page already: it copies way 0, and is dropped whenever
    // way 0 changes, so a fetch that hit in way 0 usually finds it there (a page change
    // without a promotion, the usual trip of the block translator's dispatcher).
    const k = this.mmu.setNumber(pc >>> 12);
    if (this.dataPages[k] !== (pc & -4096)) this.cacheDataPage(k, pc, pa, this.paging ? this.mmu.way0Allow(k) : ALL_RIGHTS);
    return pa;
  }

  private fetchFault(cause: number, badAddr: number): number {
    this.enterTrap(cause, badAddr, this.pc, 0);
    return -1;
  }

  /** Decode the word at physical address pa and cache it. */
  decodeAt(pa: number): Decoded {
    const word = this.words[pa >>> 2]!;
    let d = this.decodedWords.get(word);
    if (d === undefined) {
      d = this.decodeWord(word);
      if (this.decodedWords.size >= DECODED_WORDS_MAX) this.decodedWords.clear();
      this.decodedWords.set(word, d);
    }
    this.decodePage(pa)[(pa >>> 2) & 1023] = d;
    return d;
  }

  private decodeWord(word: number): DecodedInsn {
    const index = this.isa.decodeIndex(word);
    if (index < 0) return new DecodedInsn(this.illegalIndex, 0, 0, 0, 0, word, 0);
    const insn = this.isa.insns[index]!;
    const f = decodeFields(insn.format, word);
    const cost = insn.cost + (insn.memory ? this.costs.memoryAccess : 0);
    return new DecodedInsn(index, f.rd, f.rs1, f.rs2, f.imm, word, cost);
  }

  // ---- Traps ----------------------------------------------------------------------------------

  trap(cause: number, badAddr = 0): never {
    // The executing instruction does not retire: take back what the loop charged for it.
    this.cycles -= this.cur.cost;
    this.instret--;
    this.enterTrap(cause, badAddr, this.pc, this.cur.word);
    throw TRAP_SIGNAL;
  }

  /** trap() without the throw, for the privilege guard of both engines (a privileged
   *  instruction outside ring 0: under te, most of a kernel's traps; dispatch.ts guardSource)
   *  and the translator's trap-only instructions (syscall): the same trap entry, and the
   *  interpreter's step or the block returns. Why: a throw costs V8 several microseconds (it
   *  records where it was thrown).
   *
   *  Exact without an event check: after TRAP_SIGNAL the machine's loop checks for a stop,
   *  services devices and takes interrupts, but here none of that can do anything. A trap
   *  delivered in the current mode turns interrupts off, so no line can be taken (nor an
   *  interrupt window open); device events and the preemption timer are in stopCycle, which the
   *  engine still compares; pending lines change only at device ticks and port accesses, each
   *  followed by an event check, so a non-root guest under EXTINT has no host line pending
   *  (the last check would have exited). The cases that do need the check ask for it
   *  themselves: a VM exit (vmExit) and a double fault (deliverTrap). */
  trapReturning(cause: number, badAddr = 0): void {
    const cur = this.cur;
    this.cycles -= cur.cost;
    this.instret--;
    this.enterTrap(cause, badAddr, this.pc, cur.word);
  }

  /** Hardware trap entry: save state, enter ring 0 with interrupts off, jump to TVEC. */
  enterTrap(cause: number, badAddr: number, epc: number, insnWord: number): void {
    if (this.nonRoot) {
      // In non-root mode an EPT violation, or an exception the VMCS intercepts, leaves the guest.
      if (cause === EPT_VIOLATION) {
        this.vmExit(ExitReason.EptViolation, this.mmu.fault.access, insnWord, this.mmu.fault.gpa, badAddr);
        return;
      }
      if (cause < INTERRUPT_BASE && (this.exceptionBitmap & (1 << cause)) !== 0) {
        this.vmExit(ExitReason.Exception, cause, insnWord, 0, badAddr);
        return;
      }
      if (epc === this.tvec && this.instret === this.instretAtTrapEntry) {
        this.vmExit(ExitReason.TripleFault, cause, insnWord, 0, badAddr);
        return;
      }
    }
    this.deliverTrap(cause, badAddr, epc, insnWord);
  }

  /** The trap entry itself, into the current mode's ring 0 (a guest's own trap in non-root). */
  private deliverTrap(cause: number, badAddr: number, epc: number, insnWord: number): void {
    const fromRing = this.ring;
    if (epc === this.tvec && this.instret === this.instretAtTrapEntry) {
      // The handler's first instruction trapped (or could not even be fetched) before anything
      // retired since the last trap entry: every further trap would do the same. Like a triple
      // fault on x86, the machine stops instead of spinning through trap entries forever.
      this.doubleFault = { cause, epc: epc | 0, badAddr: badAddr | 0, insnWord: insnWord | 0, fromRing, cycle: this.cycles };
      this.halted = true;
      this.stopCycle = -1;
      return;
    }
    this.instretAtTrapEntry = this.instret;
    this.estatus = this.readStatus();
    this.epc = epc | 0;
    this.cause = cause;
    this.badAddr = badAddr | 0;
    this.einsn = insnWord | 0;
    this.chargeTransition(this.costs.trapEntry);
    this.setRing(0);
    this.interruptsEnabled = false;
    this.pc = this.tvec;
    this.trapCounts[cause]!++;
    this.onTrap?.({ cause, epc: this.epc, badAddr: this.badAddr, insnWord: this.einsn, fromRing, cycle: this.cycles });
  }

  /** Take the lowest pending, enabled interrupt line, if interrupts are on. Returns true if taken. */
  takeInterrupt(pendingLines: number): boolean {
    if (this.nonRoot) {
      const exiting = pendingLines & this.hostImask;
      if ((this.exitControls & ExitControl.EXTINT) !== 0) {
        if (exiting !== 0) {
          this.vmExit(ExitReason.ExternalInterrupt, exiting, 0, 0, 0);
          return true;
        }
        pendingLines = 0; // device lines belong to the VMM
      }
      if (this.cycles >= this.preemptAt) {
        this.vmExit(ExitReason.PreemptionTimer, 0, 0, 0, 0);
        return true;
      }
      if ((this.exitControls & ExitControl.INTWINDOW) !== 0 && this.interruptsEnabled) {
        this.vmExit(ExitReason.InterruptWindow, 0, 0, 0, 0);
        return true;
      }
    }
    const lines = pendingLines & this.imask;
    if (lines === 0 || !this.interruptsEnabled) return false;
    const line = 31 - Math.clz32(lines & -lines);
    this.interruptsTaken++;
    this.enterTrap(INTERRUPT_BASE + line, 0, this.pc, 0);
    return true;
  }

  trapReturn(): void {
    this.chargeTransition(this.costs.trapReturn);
    this.writeStatus(this.estatus);
    this.next = this.epc;
    this.interruptsMayBeDue();
  }

  // ---- Rings and accounting -------------------------------------------------------------------

  readStatus(): number {
    return this.ring | (this.interruptsEnabled ? Status.IE : 0);
  }

  private writeStatus(value: number): void {
    this.setRing(value & Status.RING_MASK);
    this.interruptsEnabled = (value & Status.IE) !== 0;
  }

  private setRing(ring: number): void {
    if (ring === this.ring) return;
    this.closeBucket();
    this.ring = ring;
    this.bucket = ring + (this.nonRoot ? 4 : 0); // buckets 4..7: non-root mode
    this.fetchPage = -1; // execute permission depends on the ring
    this.dataPage = -1; // level 1 of the data-page cache holds the ring's rights
    this.onModeChange?.(ring, this.nonRoot, this.cycles);
  }

  /** Add the cycles and instructions since the last switch to the current bucket. */
  closeBucket(): void {
    this.bucketCycles[this.bucket]! += this.cycles - this.bucketStartCycles;
    this.bucketInstret[this.bucket]! += this.instret - this.bucketStartInstret;
    this.bucketStartCycles = this.cycles;
    this.bucketStartInstret = this.instret;
  }

  private chargeTransition(cycles: number): void {
    this.closeBucket();
    this.cycles += cycles;
    this.transitionCycles += cycles;
    this.bucketStartCycles = this.cycles;
  }

  /** wfi sleep: jump the clock forward to `until`, attributing the time to `idle`. */
  idleUntil(until: number): void {
    this.closeBucket();
    this.idleCycles += until - this.cycles;
    this.cycles = until;
    this.bucketStartCycles = this.cycles;
  }

  /** Make the interpreter loop return after the current instruction so the machine re-checks
   *  interrupts, devices and halting. */
  requestEventCheck(): void {
    this.stopCycle = -1;
  }

  /** After an instruction changed only IE, IMASK or the ring (sret, ei, di, a STATUS or IMASK
   *  write): ask for an event check if it could now take something the last one did not. With
   *  IE off nothing can be taken (a VM exit for a host line does not depend on IE, and the
   *  host's IMASK has not changed since the last check); with IE on, an interrupt-window exit,
   *  or a line that was up at the last check (`linesAtCheck`, -1 if unknown) and is enabled now.
   *  Device events and the preemption timer are in stopCycle already. Asking when nothing is
   *  due costs one trip through Machine.run and changes nothing (every engine and the
   *  debugger take the same interrupts at the same instruction either way). */
  private interruptsMayBeDue(): void {
    if (!this.interruptsEnabled) return;
    if (this.nonRoot && (this.exitControls & ExitControl.INTWINDOW) !== 0) this.requestEventCheck();
    else if ((this.linesAtCheck & (this.imask | (this.nonRoot ? this.hostImask : 0))) !== 0) this.requestEventCheck();
  }

  // ---- Memory ---------------------------------------------------------------------------------

  // These are inlined into the interpreter's hot loop. Their fault paths end in an explicit
  // `throw` of what `raise` returns (`trap` itself already throws, so that throw never runs):
  // V8 cannot see that `trap` never returns, so a bare `this.trap(...)` looks like a call that
  // comes back into the loop, and a call on any path back to the loop head makes V8 reload the
  // loop's fields after it and spill its values around it. A path ending in `throw` leaves.

  /** Take a trap for the executing instruction. `trap()` throws, so this never returns. */
  private raise(cause: number, badAddr: number): typeof TRAP_SIGNAL {
    return this.trap(cause, badAddr);
  }

  private translate(va: number, access: 0 | 1 | 2): number {
    const pa = this.dataAddress(va, access);
    if (pa < 0) throw TRAP_SIGNAL;
    return pa;
  }

  /** The physical address of a data access at va (the data-page cache, else the MMU; then the
   *  end of memory), or -1 once its trap has been taken without a throw (as trapReturning). The
   *  load and store methods throw then; the block translator's out-of-line accesses
   *  (translate.ts) leave the block instead: under te most of a guest kernel's page faults come
   *  through them, and a throw costs V8 microseconds. The caller checks alignment. */
  dataAddress(va: number, access: 0 | 1 | 2): number {
    let pa = va >>> 0;
    if (this.paging) {
      if ((va & -4096) === this.dataPage && ((this.dataAllow >> access) & 1) !== 0) {
        this.mmu.stats.hits++;
        pa = (this.dataBase | (va & 4095)) >>> 0;
      } else {
        pa = this.translateData(va, access);
        if (pa < 0) return -1;
      }
    } else if ((va & -4096) !== this.dataPage) {
      // Paging off: the processor itself never looks at the cache (above), but the translator's
      // inline path does, counting no TLB hit (fetchPaged is 0). Turning paging on goes
      // through writePtbrRaw, which drops it.
      const k = this.mmu.setNumber(va >>> 12);
      this.fillDataPage(k, va, pa, ALL_RIGHTS);
    }
    if (pa >= this.memSize) {
      this.trapReturning(Cause.BusError, pa);
      return -1;
    }
    return pa;
  }

  /** A data translation that level 1 of the cache did not answer: level 2, else the MMU; -1
   *  once a fault's trap has been taken (dataAddress). */
  private translateData(va: number, access: 0 | 1 | 2): number {
    let pa: number;
    const k = this.mmu.setNumber(va >>> 12);
    if ((va & -4096) === this.dataPages[k] && ((this.dataRights[k]! >> (this.ring * 3 + access)) & 1) !== 0) {
      this.mmu.stats.hits++;
      pa = (this.dataBases[k]! | (va & 4095)) >>> 0;
    } else {
      pa = this.mmu.translate(va, access, this.ring, this.ptbr);
      if (pa < 0) {
        this.trapReturning(this.mmu.fault.cause, this.mmu.fault.badAddr);
        return -1;
      }
      this.fillDataPage(k, va, pa, this.mmu.way0Allow(k));
      return pa;
    }
    this.useDataPage(k);
    return pa;
  }

  load8(addr: number): number {
    return (this.bytes[this.translate(addr, Access.READ)]! << 24) >> 24;
  }

  load8u(addr: number): number {
    return this.bytes[this.translate(addr, Access.READ)]!;
  }

  load16(addr: number): number {
    if ((addr & 1) !== 0) throw this.raise(Cause.Misaligned, addr);
    return (this.halves[this.translate(addr, Access.READ) >>> 1]! << 16) >> 16;
  }

  load16u(addr: number): number {
    if ((addr & 1) !== 0) throw this.raise(Cause.Misaligned, addr);
    return this.halves[this.translate(addr, Access.READ) >>> 1]!;
  }

  load32(addr: number): number {
    if ((addr & 3) !== 0) throw this.raise(Cause.Misaligned, addr);
    return this.words[this.translate(addr, Access.READ) >>> 2]!;
  }

  store8(addr: number, value: number): void {
    const pa = this.translate(addr, Access.WRITE);
    this.bytes[pa] = value;
    this.forgetDecoded(pa); // self-modifying code: re-decode this word
  }

  store16(addr: number, value: number): void {
    if ((addr & 1) !== 0) throw this.raise(Cause.Misaligned, addr);
    const pa = this.translate(addr, Access.WRITE);
    this.halves[pa >>> 1] = value;
    this.forgetDecoded(pa);
  }

  store32(addr: number, value: number): void {
    if ((addr & 3) !== 0) throw this.raise(Cause.Misaligned, addr);
    const pa = this.translate(addr, Access.WRITE);
    this.words[pa >>> 2] = value;
    this.forgetDecoded(pa);
  }

  /** Put a page in level 2 (set k). */
  private cacheDataPage(k: number, va: number, pa: number, allow: number): void {
    const base = pa & -4096;
    this.dataCached = true;
    this.dataPages[k] = va & -4096;
    this.dataBases[k] = base;
    this.dataRights[k] = this.dataPageRights(base, allow);
  }

  /** Make level 2's page of set k level 1's, with the current ring's rights. */
  private useDataPage(k: number): void {
    this.setLevel1(k, this.dataPages[k]!, this.dataBases[k]!, this.dataRights[k]!);
  }

  /** cacheDataPage and useDataPage in one, without reading back what it wrote: a TLB miss or
   *  promotion, a few dozen an iteration of a context-switching workload. */
  private fillDataPage(k: number, va: number, pa: number, allow: number): void {
    const page = va & -4096;
    const base = pa & -4096;
    const rights = this.dataPageRights(base, allow);
    this.dataCached = true;
    this.dataPages[k] = page;
    this.dataBases[k] = base;
    this.dataRights[k] = rights;
    this.setLevel1(k, page, base, rights);
  }

  /** Level 2's rights of a page at physical `base` that the TLB entry allows `allow`. */
  private dataPageRights(base: number, allow: number): number {
    const inMemory = (base >>> 0) + 4096 <= this.memSize;
    const table = inMemory && this.tableFrames[base >>> 12] !== 0;
    return allow | (inMemory ? DATA_IN_MEMORY : 0) | (inMemory && !table && this.decodePages[base >>> 12] === undefined ? DATA_NO_CODE : 0) | (table ? DATA_TABLE : 0);
  }

  /** Level 1: page (virtual), base (physical) and level 2's rights of set k. */
  private setLevel1(k: number, page: number, base: number, rights: number): void {
    this.dataPage = page;
    this.dataBase = base;
    this.dataAllow = (rights >> (this.ring * 3)) & 7;
    const write = (rights & DATA_NO_CODE) !== 0 ? this.dataAllow & 2 : (rights & DATA_TABLE) !== 0 ? 0 : (this.dataAllow & 2) << 1;
    this.dataFast = (rights & DATA_IN_MEMORY) === 0 ? 0 : (this.dataAllow & 1) | write;
    this.dataDecode = (rights & DATA_NO_CODE) !== 0 ? NO_DECODE_PAGE : (this.decodePages[base >>> 12] ?? NO_DECODE_PAGE);
    this.dataSet = k;
  }

  /** MmuHost: a TLB entry was dropped; it may have been the fetch page's. */
  tlbDropped(): void {
    this.fetchPage = -1;
  }

  /** MmuHost: way 0 of a TLB set (or of all, -1) may have changed. */
  tlbChanged(set: number): void {
    this.dropDataCache(set);
  }

  /** MmuHost: a frame became a table the walk cache depends on: the data-page cache may let
   *  stores to it skip forgetDecoded, which tells the MMU of them. */
  tablesMarked(): void {
    this.dropDataCache();
  }

  /** Forget the cached data page of TLB set `set`, or with -1 every one. */
  dropDataCache(set = -1): void {
    if (set >= 0) this.dataPages[set] = -1;
    else if (this.dataCached) {
      // Dropped twice in a row often (a PTBR write drops it, then the MMU's flush of all).
      this.dataPages.fill(-1);
      this.dataCached = false;
    }
    if (set < 0 || set === this.dataSet) this.dataPage = -1;
  }

  /** Drop cached decodes for physical bytes [pa, pa + length) after a write from outside the CPU. */
  invalidateDecoded(pa: number, length: number): void {
    for (let w = pa >>> 2; w < (pa + length + 3) >>> 2 && w < this.memSize >>> 2; w++) this.forgetDecoded(w << 2);
  }

  // ---- Control registers ----------------------------------------------------------------------

  readCsr(csr: number): number {
    switch (csr) {
      case Csr.STATUS: return this.readStatus();
      case Csr.EPC: return this.epc;
      case Csr.ESTATUS: return this.estatus;
      case Csr.CAUSE: return this.cause;
      case Csr.BADADDR: return this.badAddr;
      case Csr.EINSN: return this.einsn;
      case Csr.TVEC: return this.tvec;
      case Csr.PTBR: if (this.nonRoot && (this.exitControls & ExitControl.PTBR) !== 0) this.vmExitFromInsn(ExitReason.PtbrAccess, 0); return this.ptbr;
      case Csr.SCRATCH0: return this.scratch0;
      case Csr.SCRATCH1: return this.scratch1;
      case Csr.IMASK: return this.imask;
      case Csr.IPEND: return this.nonRoot ? this.guestPendingLines() : this.bus.pendingLines();
      case Csr.CYCLE: return this.cycles | 0;
      case Csr.CYCLEH: return Math.floor(this.cycles / 2 ** 32) | 0;
      case Csr.INSTRET: return this.instret | 0;
      // CPUID's job: which extensions this CPU has. A guest in non-root mode reads what its VMM
      // put in the VMCS instead (so a VMM can hide vmx, as VMMs hide VMX from CPUID).
      case Csr.EXTENSIONS: return this.nonRoot ? this.vmcsWord(V.C_EXTENSIONS) : this.isa.extensionMask | 0;
      default: return this.trap(Cause.IllegalInstruction);
    }
  }

  writeCsr(csr: number, value: number): void {
    switch (csr) {
      case Csr.STATUS: this.writeStatus(value); this.interruptsMayBeDue(); return;
      case Csr.EPC: this.epc = value | 0; return;
      case Csr.ESTATUS: this.estatus = value & Status.WRITABLE; return;
      case Csr.CAUSE: this.cause = value | 0; return;
      case Csr.BADADDR: this.badAddr = value | 0; return;
      case Csr.EINSN: this.einsn = value | 0; return;
      case Csr.TVEC: this.tvec = value | 0; return;
      case Csr.PTBR:
        if (this.nonRoot && (this.exitControls & ExitControl.PTBR) !== 0) this.vmExitFromInsn(ExitReason.PtbrAccess, 1);
        this.writePtbr(value);
        return;
      case Csr.SCRATCH0: this.scratch0 = value | 0; return;
      case Csr.SCRATCH1: this.scratch1 = value | 0; return;
      case Csr.IMASK: this.imask = value | 0; this.interruptsMayBeDue(); return;
      default: this.trap(Cause.IllegalInstruction); // unknown or read-only
    }
  }

  private writePtbr(value: number): void {
    this.writePtbrRaw(value);
    this.mmu.flushAll(); // like a CR3 write on x86
  }

  // ---- Ports and CPU control ------------------------------------------------------------------

  portIn(port: number): number {
    if (this.nonRoot && (this.exitControls & ExitControl.IO) !== 0) this.vmExitFromInsn(ExitReason.PortIo, port);
    // A read may change the device's line (reading the console's data lowers it) without an
    // event check: until the next one, the lines are unknown.
    this.linesAtCheck = -1;
    return this.bus.read(port, this.cycles);
  }

  portOut(port: number, value: number): void {
    if (this.nonRoot && (this.exitControls & ExitControl.IO) !== 0) this.vmExitFromInsn(ExitReason.PortIo, port | 0x10000);
    this.bus.write(port, value, this.cycles);
    this.requestEventCheck(); // the device may have changed an interrupt line, a timer or power
  }

  halt(): void {
    if (this.nonRoot && (this.exitControls & ExitControl.HALT) !== 0) this.vmExitFromInsn(ExitReason.Halt, 0);
    this.halted = true;
    this.requestEventCheck();
  }

  powerOff(exitCode: number): void {
    this.exitCode = exitCode;
    this.halted = true; // not halt(): powering off never exits to a VMM
    this.requestEventCheck();
  }

  waitForInterrupt(): void {
    if (this.nonRoot && (this.exitControls & ExitControl.WFI) !== 0) this.vmExitFromInsn(ExitReason.Wfi, 0);
    this.sleeping = true;
    this.sleepPc = this.pc;
    this.requestEventCheck();
  }

  setInterruptsEnabled(enabled: boolean): void {
    this.interruptsEnabled = enabled;
    this.interruptsMayBeDue();
  }

  flushTlbAll(): void {
    if (this.nonRoot && (this.exitControls & ExitControl.TLBFLUSH) !== 0) this.vmExitFromInsn(ExitReason.TlbFlush, 0);
    this.mmu.flushAll();
  }

  flushTlbPage(virtualAddr: number): void {
    if (this.nonRoot && (this.exitControls & ExitControl.TLBFLUSH) !== 0) this.vmExitFromInsn(ExitReason.TlbFlush, virtualAddr);
    this.mmu.flushPage(virtualAddr);
  }

  /** Lines a sleeping CPU wakes on: its IMASK; in non-root mode with EXIT_EXTINT only the
   *  exiting host lines. There the device lines belong to the VMM and the guest sees none of
   *  them (no interrupt, not in IPEND), so one that does not exit must not end its wfi either:
   *  the guest would wake for nothing, and could time the VMM's devices through wfi. */
  wakeLines(): number {
    if (this.nonRoot && (this.exitControls & ExitControl.EXTINT) !== 0) return this.hostImask;
    return this.imask;
  }

  // ---- Virtualization extension ---------------------------------------------------------------
  //
  // Root mode is the machine as before. vmlaunch/vmresume load the guest's state from the VMCS
  // into the real registers and switch to the non-root TLB; from then on the guest runs like any
  // code, except that the events the VMCS asks for cause a VM exit: the guest's state goes back
  // to the VMCS, the host's pc, sp, STATUS, PTBR, TVEC and IMASK are loaded, and the exit
  // information says why. Each transition is priced by the cost model (vmExit, vmEntry).

  private guestPendingLines(): number {
    const device = (this.exitControls & ExitControl.EXTINT) !== 0 ? 0 : this.bus.pendingLines();
    return this.virtualPending | device;
  }

  private vmcsWord(offset: number): number {
    return this.words[(this.vmcs + offset) >>> 2]!;
  }

  private setVmcsWord(offset: number, value: number): void {
    const at = (this.vmcs + offset) >>> 2;
    this.words[at] = value;
    this.forgetDecoded(at << 2);
  }

  // The VMX instructions below run in root mode only: in non-root mode the dispatch's guard
  // (InsnDef.nonRootExit) has already exited to the VMM.

  vmPointerLoad(physicalAddr: number): void {
    const pa = physicalAddr >>> 0;
    if ((pa & 0xff) !== 0 || pa + VMCS_SIZE > this.memSize) this.trap(Cause.IllegalInstruction);
    this.vmcs = pa;
  }

  vmEnter(launch: boolean): void {
    if (this.vmcs < 0) this.trap(Cause.IllegalInstruction);
    const launched = this.vmcsWord(V.LAUNCHED) !== 0;
    if (launch === launched) this.trap(Cause.IllegalInstruction); // vmlaunch twice, or vmresume first
    this.setVmcsWord(V.LAUNCHED, 1);
    this.exitControls = this.vmcsWord(V.C_EXIT);
    this.exceptionBitmap = this.vmcsWord(V.C_EXCEPTIONS);
    this.hostImask = this.vmcsWord(V.H_IMASK);
    this.virtualPending = this.vmcsWord(V.G_IPEND);
    this.chargeTransition(this.costs.vmEntry);
    // The preemption timer counts the guest's cycles from the end of the entry.
    this.preemptAt = (this.exitControls & ExitControl.PREEMPT) !== 0 ? this.cycles + (this.vmcsWord(V.C_PREEMPT) >>> 0) : Infinity;
    this.nonRoot = true;
    this.mmu.setContext(true, this.vmcsWord(V.C_EPTP));
    if (this.costs.vmTransitionFlushesTlb) this.mmu.flushAll();
    for (let r = 1; r < 16; r++) this.x[r] = this.vmcsWord(V.G_REGS + 4 * r);
    this.epc = this.vmcsWord(V.G_EPC);
    this.estatus = this.vmcsWord(V.G_ESTATUS) & Status.WRITABLE;
    this.cause = this.vmcsWord(V.G_CAUSE);
    this.badAddr = this.vmcsWord(V.G_BADADDR);
    this.einsn = this.vmcsWord(V.G_EINSN);
    this.tvec = this.vmcsWord(V.G_TVEC);
    this.scratch0 = this.vmcsWord(V.G_SCRATCH0);
    this.scratch1 = this.vmcsWord(V.G_SCRATCH1);
    this.imask = this.vmcsWord(V.G_IMASK);
    this.writePtbrRaw(this.vmcsWord(V.G_PTBR));
    this.switchMode(this.vmcsWord(V.G_STATUS));
    this.pc = this.vmcsWord(V.G_PC);
    this.instretAtTrapEntry = -1;
    const inject = this.vmcsWord(V.E_INJECT);
    if ((inject & INJECT_VALID) !== 0) {
      this.setVmcsWord(V.E_INJECT, inject & ~INJECT_VALID);
      this.deliverTrap(inject & 0xff, this.vmcsWord(V.E_BADADDR), this.pc, this.vmcsWord(V.E_EINSN));
    }
    this.next = this.pc;
    this.requestEventCheck(); // a pending exit (interrupt, interrupt window) is taken at once
  }

  /** In root mode vmcall has nothing to call: undefined, as Intel's VMCALL outside a guest. */
  vmCall(): void {
    this.trap(Cause.IllegalInstruction);
  }

  flushGuestTlb(virtualAddr: number, all: boolean): void {
    if (all) this.mmu.flushGuest();
    else this.mmu.flushGuestPage(virtualAddr);
  }

  /** A VM exit caused by the executing instruction: it does not retire (like a trap), and the
   *  guest resumes at it unless the VMM moves G_PC on. Never returns. */
  vmExitFromInsn(reason: number, qualification: number): never {
    this.cycles -= this.cur.cost;
    this.instret--;
    this.vmExit(reason, qualification, this.cur.word, 0, 0);
    throw TRAP_SIGNAL;
  }

  /** vmExitFromInsn without the throw, for the non-root guard of both engines (see
   *  trapReturning): the event check it asks for ends the engine's run. */
  vmExitReturning(reason: number, qualification: number): void {
    this.cycles -= this.cur.cost;
    this.instret--;
    this.vmExit(reason, qualification, this.cur.word, 0, 0);
    this.stopCycle = -1;
  }

  /** Save the guest into the VMCS, record why, and continue in the host. */
  private vmExit(reason: number, qualification: number, insnWord: number, gpa: number, gva: number): void {
    for (let r = 0; r < 16; r++) this.setVmcsWord(V.G_REGS + 4 * r, this.x[r]!);
    this.setVmcsWord(V.G_PC, this.pc);
    this.setVmcsWord(V.G_STATUS, this.readStatus());
    this.setVmcsWord(V.G_EPC, this.epc);
    this.setVmcsWord(V.G_ESTATUS, this.estatus);
    this.setVmcsWord(V.G_CAUSE, this.cause);
    this.setVmcsWord(V.G_BADADDR, this.badAddr);
    this.setVmcsWord(V.G_EINSN, this.einsn);
    this.setVmcsWord(V.G_TVEC, this.tvec);
    this.setVmcsWord(V.G_PTBR, this.ptbr);
    this.setVmcsWord(V.G_SCRATCH0, this.scratch0);
    this.setVmcsWord(V.G_SCRATCH1, this.scratch1);
    this.setVmcsWord(V.G_IMASK, this.imask);
    this.setVmcsWord(V.X_REASON, reason);
    this.setVmcsWord(V.X_QUAL, qualification);
    this.setVmcsWord(V.X_INSN, insnWord);
    this.setVmcsWord(V.X_GPA, gpa);
    this.setVmcsWord(V.X_GVA, gva);
    this.vmExitCounts[reason]!++;
    this.chargeTransition(this.costs.vmExit);
    this.nonRoot = false;
    this.preemptAt = Infinity;
    this.sleeping = false;
    this.mmu.setContext(false, 0);
    if (this.costs.vmTransitionFlushesTlb) this.mmu.flushAll();
    this.pc = this.vmcsWord(V.H_PC);
    this.next = this.pc;
    this.x[SP] = this.vmcsWord(V.H_SP);
    this.tvec = this.vmcsWord(V.H_TVEC);
    this.imask = this.vmcsWord(V.H_IMASK);
    this.writePtbrRaw(this.vmcsWord(V.H_PTBR));
    this.switchMode(this.vmcsWord(V.H_STATUS));
    this.instretAtTrapEntry = -1;
    this.requestEventCheck();
  }

  /** Enter the mode `nonRoot` now says with this STATUS: a new accounting bucket even when the
   *  ring number stays the same. */
  private switchMode(status: number): void {
    this.closeBucket();
    this.ring = status & Status.RING_MASK;
    this.interruptsEnabled = (status & Status.IE) !== 0;
    this.bucket = this.ring + (this.nonRoot ? 4 : 0);
    this.fetchPage = -1;
    this.dropDataCache();
    this.onModeChange?.(this.ring, this.nonRoot, this.cycles);
  }

  /** PTBR load without the TLB flush of a `csrw` (mode switches choose their own flushing). */
  private writePtbrRaw(value: number): void {
    this.ptbr = value & (Ptbr.FRAME_MASK | Ptbr.ENABLE);
    // Under nested paging every guest access goes through the MMU, paging on or off.
    this.paging = (value & Ptbr.ENABLE) !== 0 || this.mmu.nested;
    this.fetchPage = -1;
    this.dropDataCache();
  }

  // ---- Reset ----------------------------------------------------------------------------------

  /** Reset to ring 0, paging off, interrupts off, pc = entry. Statistics are kept. */
  reset(entry: number): void {
    this.x.fill(0);
    this.pc = entry | 0;
    this.next = this.pc;
    // Reset is root mode with no current VMCS: a guest that halted the machine in non-root mode
    // must not leave the next program running as a guest (with the guest's exit controls, TLB
    // context and accounting bucket). switchMode, not writeStatus: the bucket must change even
    // when the ring number does not.
    this.nonRoot = false;
    this.vmcs = -1;
    this.exitControls = this.exceptionBitmap = this.hostImask = this.virtualPending = 0;
    this.preemptAt = Infinity;
    this.mmu.setContext(false, 0);
    this.mmu.flushGuest(); // and no guest translations survive it (the root ones: writePtbr)
    this.switchMode(0);
    this.writePtbr(0);
    this.mmu.stats.flushes = 0;
    this.epc = this.estatus = this.cause = this.badAddr = this.einsn = this.tvec = 0;
    this.scratch0 = this.scratch1 = this.imask = 0;
    this.halted = this.sleeping = false;
    this.doubleFault = undefined;
    this.instretAtTrapEntry = -1;
  }
}
