// The block translator: the second engine (`--engine translate`), exact to the interpreter.
//
// What a block is. A run of guest instructions inside one physical page, starting at any word
// the processor reaches, ending after the first control-flow instruction (branch, jump, call,
// sret, syscall), before an illegal word (the interpreter traps on it), at the end of the page,
// or after MAX_BLOCK_INSNS.
//
// What a region is. What gets compiled, once, to one JavaScript function with `new Function`:
// a hot block and its successors in the same physical page that have been reached (breadth
// first, up to MAX_REGION_BLOCKS and MAX_REGION_INSNS, and cut to MAX_REGION_SOURCE characters,
// beyond which V8 does not optimize a function), as a loop around a `switch` on the current
// block's word, so going from block to block (chaining) needs no return to the dispatcher
// (but for one every REGION_TURNS turns of the loop, so that V8's code for a call replaces the
// code it compiled on-stack). The function is cached per physical word of each of its blocks.
//
// Grown regions. The dispatcher sees every exit of a region to another word of its own page
// (the region goes on by itself to the blocks it holds), and counts them per entry, with the
// words they went to. After growAt such exits the region of its entry is compiled again with
// the larger limits of GROWN_REGION, from its entry and the words it left for (the targets of
// indirect jumps: a kernel's system call handlers, a VMM's handler of each trap cause); after
// growAt more, again from what it holds and its new targets, until it is full. A warm boot
// takes a grown region at once, at the reuse of its entry or its first such exit. Small first
// and large only where the dispatcher's round trips show it pays: a short boot does not pay
// V8's compile time for large functions it will not run long enough.
//
// One definition. Each instruction's semantics is its `exec` in the ISA table. The translator
// emits that function's own source (Function.prototype.toString) with the decoded operands
// substituted as constants (`c.x[d.rd]` becomes `x[3]`, `d.imm` becomes `-8`, `c.pc` the
// instruction's address, `c.next` a local), so V8 compiles straight-line register code with no
// dispatch and no operand loads. An `exec` whose source does not have that simple shape (a
// free identifier this file cannot provide, another use of `c` or `d`, a normal function) is
// called instead, the way dispatch.ts calls it. The instructions the interpreter's hot loop
// leaves to `step` (privileged, sensitive, trapping, VMX) come after the same guards
// (`guardSource`), with everything the processor could look at up to date, and are emitted the
// same way unless their source names `c.next` (a processor method such as trapReturn sets
// cpu.next itself); those the table declares registers-only for their operands
// (InsnDef.registersOnly: `csrr rd, EPC`, `csrw SCRATCH0, rs1`, most of a trap handler's entry
// and exit) run between sync points, with the sync on their guard's trap path. Nothing is ever
// guessed, and the table stays the only definition of what an instruction does.
//
// Exactness. Everything the interpreter counts is kept:
// - cycles, retired instructions and fetch TLB hits are summed at compile time, added to locals
//   of the region (LOCAL_COUNTS) and written to the processor at every "sync point": before any
//   instruction that calls into the processor (a division that may trap, a called `exec`; a
//   load or store off the inline path), and when the region returns. So when a
//   load walks the page tables or traps, cycles, instret, pc and the executing instruction
//   (`curAt`, which the trap's refund and EINSN read) are exactly what the interpreter has there;
// - `stopCycle` (device events, timer interrupts, the cycle limit): between sync points cycles
//   grow only by the table costs, so one compare before each segment checks that every
//   instruction of it starts below stopCycle; if not, the block leaves at that instruction and
//   the interpreter runs it one step at a time, exactly as it would have anyway;
// - TLB: after each load or store the block leaves if the fetch-page cache was dropped (a fill
//   evicted its TLB entry), so the next fetch goes through the MMU exactly as the interpreter's
//   does (a hit or a miss, in the same order, with the same LRU update);
// - self-modifying code: the processor marks every word a block covers (`CodePage.covered`); a
//   store to a covered word (from the CPU, DMA, the loader or a snapshot restore) drops every
//   block of that page and counts `codeWrites`; a block checks that counter after each store and
//   leaves at the next instruction, which is then fetched and decoded anew;
// - paging, rings and modes: a block holds no translation. Every entry goes through the same
//   fetch-page check as the interpreter (so the TLB, the ring's execute right and the current
//   mapping decide), blocks hold only instructions whose semantics do not depend on the ring
//   except through the MMU, and everything that changes a ring or mode is a cold instruction
//   that the interpreter runs;
// - between two blocks of a region, the region loop checks what the dispatcher would: the
//   fetch page, the next pc in it and aligned, codeWrites, no event check asked for; and the
//   next block's first segment check is `cycles < stopCycle`;
// - loads and stores of every width hit the processor's data-page cache inline (level 1 held
//   in the region's locals, then level 2; the segment counts the TLB hit the processor would
//   count); the processor's own path is out of line (`outOfLine`), a sync point;
// - the privilege and non-root guards, trap-only execs (syscall), the faults of out-of-line
//   loads and stores and the dispatcher's fetch faults take their trap without a throw
//   (Processor.trapReturning, dataAddress, fetchOrTrap): the block returns and the engine goes
//   on at the handler (the machine's event check that follows TRAP_SIGNAL could do nothing
//   there; a VM exit still asks for it).
//
// Code not compiled yet runs in the interpreter's hot loop (`runBlock`), which counts every
// block entry (a word reached after a branch, jump or call, or after `step`) as a reach of
// that word and goes on by itself while the next block is in the same page, not compiled, and
// not at a reach count where the dispatcher acts; an entry reached `hotThreshold` times gets
// its region compiled. (Returning to the dispatcher at every block cost code not compiled yet
// 12-20% against the interpreter's own loop.) Compiled functions depend only on their blocks'
// words in the page, the instruction words, their costs and the ISA, so they are shared by
// every machine in the process: an entry reached REUSE_AFTER times takes its region's function
// if the process has it (warm boots reuse the previous boot's functions, already optimized by
// V8).
//
// Bounded memory: a machine keeps at most MAX_BLOCKS blocks and MAX_CODE_PAGES code pages; the
// process keeps at most MAX_FUNCTIONS compiled functions. When a limit is reached, that whole
// cache is dropped and refills with what runs next (as QEMU flushes its translation buffer).

import * as isaModule from '../isa/index.js';
import { Cause, type InsnDef, type Isa } from '../isa/index.js';
import { guardSource, isHot, trapOnlyCause, type Interpreter } from './dispatch.js';
import { TLB_SET_HASH } from './mmu.js';
import { DATA_IN_MEMORY, DATA_NO_CODE, DecodedInsn, type Processor } from './processor.js';

/** A compiled block: runs from pc0 (the virtual address of its first instruction; at0 is its
 *  physical word index, what `curAt` holds while it executes); returns 0
 *  if it ran nothing (its first segment would cross stopCycle), YIELDED if it stopped after
 *  REGION_TURNS turns of its loop, else 1. Throws TRAP_SIGNAL like the interpreter. */
export type BlockFn = (cpu: Processor, pc0: number, at0: number) => number;

/** What a region returns when it has gone round its loop REGION_TURNS times since it was
 *  called: it leaves between two blocks, exactly as for a block in another page. */
export const YIELDED = 2;
/** Turns of a region's loop before it returns (YIELDED). A region called once that loops for
 *  the rest of the run (a guest's compute loop) otherwise runs the whole time in the code V8
 *  compiled for it on-stack (OSR) from the middle of its loop, which here ran the loops of
 *  `bench:interpreter` at a quarter of the speed of the code V8 compiles for a call: the next
 *  call (the dispatcher's, at the next pc) enters that. A return costs a writeback and a trip
 *  through the dispatcher, well under 1% at this count. */
export const REGION_TURNS = 16_384;

/** Times a word is reached by the interpreter before its region is compiled: 4,000. A
 *  compile costs V8 milliseconds of TurboFan time and the region runs in V8's slower tiers
 *  until then, which only code that runs thousands of times repays; below that the
 *  interpreter is faster. `bench overhead --engine translate` took 0.75-0.91x the time of a
 *  threshold of 64, and now about as long as under interp (0.89-0.98x). */
export const DEFAULT_THRESHOLD = 4000;
/** Reaches after which a word's region is looked for among the process's compiled functions
 *  (another machine's, or an earlier boot's: functions depend only on the words), and used at
 *  once if found, so a warm boot does not wait for the threshold again. */
export const REUSE_AFTER = 64;
/** How often a region must leave for a word of its own page before its entry's region grows
 *  (GROWN_REGION): an exit the dispatcher sees, since a region goes on by itself to the
 *  blocks it holds. Counted per machine; warm boots take grown regions at once
 *  (`newestMatching`). 65,535 until session 25, which a `ctxswitch` boot at x100 (about
 *  20,000 exits an entry) never reached: its scheduler's regions now grow in the first boot,
 *  and the trips of an iteration go from 16 to 10 (`native`). `bench overhead` took about the
 *  same time either way (six alternating pairs: 0.84-1.0x); in session 18 it took 1.05x. */
export const DEFAULT_GROW_AT = 16_384;
/** `CodePage.heat` of a word where no block can start (a cold instruction). */
const NEVER = 0xffff;
/** hotThreshold: DEFAULT_THRESHOLD, or RINGLAB_TRANSLATE_THRESHOLD (0 to 65,534; 0 compiles
 *  every block on first reach, which the tests use to put as much as possible through compiled
 *  code). `regionAll` puts every successor of a block in the page into its region, reached or
 *  not (tests). growAt: DEFAULT_GROW_AT, or RINGLAB_TRANSLATE_GROW (1 to 65,535; 0 never grows;
 *  with a threshold of 0, 2 puts as much as possible through grown regions). */
export const translatorSettings = {
  hotThreshold: fromEnv('RINGLAB_TRANSLATE_THRESHOLD', DEFAULT_THRESHOLD, NEVER - 1),
  maxBlocks: 8192,
  regionAll: false,
  growAt: fromEnv('RINGLAB_TRANSLATE_GROW', DEFAULT_GROW_AT, 0xffff),
  /** Turns of a region's loop before it returns (REGION_TURNS; tests make it small). */
  regionTurns: REGION_TURNS,
};

/** An integer setting from the environment, 0 to max, else `fallback`. */
function fromEnv(name: string, fallback: number, max: number): number {
  const v = Number(process.env[name] ?? fallback);
  return Number.isInteger(v) && v >= 0 && v <= max ? v : fallback;
}
/** Longest block, in instructions. */
export const MAX_BLOCK_INSNS = 128;
/** Most instructions and blocks in one region function, and its longest source in characters
 *  (loads and stores take the most: their inline paths). Small: V8 compiles a small function
 *  in a fraction of the time and optimizes it sooner (its tier-up waits longer the larger the
 *  function), and most code of a short boot does not run long enough to repay more. Against
 *  384 instructions, 48 blocks and 60,000 characters (V8's own limit: it does not optimize a
 *  function of over 60 KB of bytecode), `bench overhead --engine translate` took 0.8x the
 *  time, with warm boots within 8% either way; regions compiled small and again large once
 *  their entry had run 1,024 or 8,192 times were slower on both. The source limit was 10,000
 *  until session 23: a kernel's trap entry, which saves 15 registers, and its return to a
 *  process, which loads them, are blocks of 12,000-15,000 characters, and each was a region of
 *  its own, so a context switch went through the dispatcher between them and the blocks after
 *  them. At 20,000 (with `fitting` keeping blocks by their own sizes), a warm `native`
 *  `ctxswitch` boot ran about 12% faster and `vtx-ept` about 4%, and `bench overhead` took as
 *  long as before. */
export const MAX_REGION_INSNS = 64;
export const MAX_REGION_BLOCKS = 8;
export const MAX_REGION_SOURCE = 20_000;
/** What a region may hold: instructions, blocks and source characters. */
export interface RegionLimits {
  insns: number;
  blocks: number;
  source: number;
}
/** The limits of a region compiled at the threshold (or reused at REUSE_AFTER). */
export const FIRST_REGION: RegionLimits = { insns: MAX_REGION_INSNS, blocks: MAX_REGION_BLOCKS, source: MAX_REGION_SOURCE };
/** The limits of a grown region (growAt, DEFAULT_GROW_AT). Code that hot repays a large
 *  function, and every exit a larger region keeps inside is a trip through the dispatcher saved:
 *  in a warm `native` or `vtx-ept` `syscall` boot, 33 trips an iteration became 14, all of them
 *  now to another page or ring. Compiling every region this large instead made `bench
 *  overhead` take 1.3x the time: a short boot pays V8's compile time for code that does not run
 *  long enough to repay it. The `te` VMM's handlers are loads and stores, whose inline paths
 *  take the most source: against 128 instructions, 16 blocks and 30,000 characters, these
 *  limits took a warm `te` `ctxswitch` boot from 206 trips an iteration to 169, and ran it and
 *  `te` `syscall` 4-6% faster. */
export const GROWN_REGION: RegionLimits = { insns: 192, blocks: 32, source: 45_000 };
/** Blocks one machine keeps before it drops its whole cache (`translatorSettings.maxBlocks`). */
export const MAX_BLOCKS = translatorSettings.maxBlocks;
/** Physical pages one machine keeps translation state for before it drops its whole cache. */
export const MAX_CODE_PAGES = 2048;
/** Compiled functions the process keeps (shared by machines) before it drops them all. */
export const MAX_FUNCTIONS = 16384;

/** leftHere and the exit slots of a page with no function yet. */
const NOT_COUNTED = new Uint16Array(0);
/** leftHere of an entry whose grown region is full (GROWN_REGION's limits left a block out):
 *  its exits are no longer counted, and it grows no more. */
const GROWN = 0xffff;
/** Exit targets remembered per entry (CodePage.countExit). */
export const EXIT_SLOTS = 4;

/** Translation state of one physical page. */
export class CodePage {
  /** The block starting at each word, if compiled. */
  readonly blocks: (BlockFn | undefined)[] = new Array<BlockFn | undefined>(1024).fill(undefined);
  /** How often the interpreter reached each word (up to the threshold; NEVER where no block can start). */
  readonly heat = new Uint16Array(1024);
  /** 1 for every word some block of this page covers: a store there drops the page's blocks. */
  readonly covered = new Uint8Array(1024);
  /** For each word with a function: how often the region entered there left it for a word of
   *  this page (an exit a larger region might keep inside), up to growAt, or GROWN. Made with
   *  the page's first function (`countExits`): most pages of a boot never get one. */
  leftHere = NOT_COUNTED;
  /** For each word with a function, EXIT_SLOTS slots: the words of this page its region left
   *  for most often (word + 1; 0 is a free slot) and how often (exitCount). Made with leftHere. */
  exitTo = NOT_COUNTED;
  exitCount = NOT_COUNTED;
  count = 0;

  /** Make leftHere and the exit slots, before the page's first function is called. */
  countExits(): void {
    if (this.leftHere !== NOT_COUNTED) return;
    this.leftHere = new Uint16Array(1024);
    this.exitTo = new Uint16Array(1024 * EXIT_SLOTS);
    this.exitCount = new Uint16Array(1024 * EXIT_SLOTS);
  }

  /** Count an exit of the region entered at word `entry` to word `target` of this page, in the
   *  entry's slots. A target not held takes the least counted slot and its count plus one
   *  (the space-saving count of Metwally et al.): a target taken more than 1/EXIT_SLOTS of the
   *  time is held, in a fixed space. The counts of an entry add up to at most growAt, so they
   *  fit in 16 bits. */
  countExit(entry: number, target: number): void {
    const first = entry * EXIT_SLOTS;
    let least = first;
    for (let s = first; s < first + EXIT_SLOTS; s++) {
      if (this.exitTo[s] === target + 1) {
        this.exitCount[s] = this.exitCount[s]! + 1;
        return;
      }
      if (this.exitCount[s]! < this.exitCount[least]!) least = s;
    }
    this.exitTo[least] = target + 1;
    this.exitCount[least] = this.exitCount[least]! + 1;
  }

  /** Count the exits of the region entered at `entry` anew (its region has grown), or never
   *  again if `done`. From 1: at 0, the dispatcher would look for a grown region to adopt. */
  restartCount(entry: number, done: boolean): void {
    this.leftHere[entry] = done ? GROWN : 1;
    this.exitTo.fill(0, entry * EXIT_SLOTS, (entry + 1) * EXIT_SLOTS);
    this.exitCount.fill(0, entry * EXIT_SLOTS, (entry + 1) * EXIT_SLOTS);
  }

  /** The words the region entered at `entry` left for at least `least` times, most first. */
  exitTargets(entry: number, least: number): number[] {
    const slots: number[] = [];
    for (let s = entry * EXIT_SLOTS; s < (entry + 1) * EXIT_SLOTS; s++) if (this.exitTo[s] !== 0 && this.exitCount[s]! >= least) slots.push(s);
    return slots.sort((a, b) => this.exitCount[b]! - this.exitCount[a]! || a - b).map((s) => this.exitTo[s]! - 1);
  }

  /** Forget every block (a store to a covered word). */
  clear(): void {
    this.blocks.fill(undefined);
    this.covered.fill(0);
    this.heat.fill(0);
    this.leftHere.fill(0);
    this.exitTo.fill(0);
    this.exitCount.fill(0);
    this.count = 0;
  }
}

/** The per-machine translation cache, owned by the processor (src/machine/processor.ts calls
 *  `written` from its store path). */
export class TranslationCache {
  pages: (CodePage | undefined)[];
  blocks = 0;
  codePages = 0;
  /** Statistics for tests and benchmarks (not architectural, not part of MachineStats). */
  /** compiled: block entries given a function; regions: functions made or reused for them;
   *  reused: those of them another machine (or an earlier region) compiled; grown: those of
   *  them that replaced an entry's function with its grown region; yielded: returns after
   *  REGION_TURNS turns. */
  readonly counters = { compiled: 0, regions: 0, reused: 0, grown: 0, yielded: 0, dropsWritten: 0, flushes: 0 };

  constructor(readonly memPages: number) {
    this.pages = new Array<CodePage | undefined>(memPages).fill(undefined);
  }

  page(frame: number): CodePage {
    let page = this.pages[frame];
    if (page === undefined) {
      if (this.codePages >= MAX_CODE_PAGES) this.flush();
      page = this.pages[frame] = new CodePage();
      this.codePages++;
    }
    return page;
  }

  /** A physical word was written: drop its page's blocks if a block covers it. Returns true if
   *  it did (the processor then counts a code write). */
  written(pa: number): boolean {
    const page = this.pages[pa >>> 12];
    if (page === undefined || page.covered[(pa >>> 2) & 1023] === 0) return false;
    this.blocks -= page.count;
    page.clear();
    this.counters.dropsWritten++;
    return true;
  }

  /** Drop everything (the cache is full). */
  flush(): void {
    this.pages = new Array<CodePage | undefined>(this.memPages).fill(undefined);
    this.blocks = 0;
    this.codePages = 0;
    this.counters.flushes++;
  }
}

// ---- Emitting an instruction's semantics as source ------------------------------------------

interface Inline {
  /** Body with `c` and `d` still as written; substituted per instruction. */
  body: string;
  cParam: string;
  dParam: string | undefined;
  /** Free identifiers the body needs from the ISA module (e.g. Cause). */
  globals: string[];
}

const KEYWORDS = new Set(['const', 'let', 'var', 'if', 'else', 'return', 'true', 'false', 'null', 'undefined', 'typeof', 'void', 'Math', 'NaN', 'Infinity']);

/** The exec's source in a form the translator can specialize, or undefined (then it is called). */
function inlineSource(exec: InsnDef['exec']): Inline | undefined {
  let text = exec.toString();
  const m = /^\s*\(?\s*([A-Za-z_$][\w$]*)\s*(?:,\s*([A-Za-z_$][\w$]*)\s*)?\)?\s*=>\s*([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  const [, cParam, dParam] = m;
  text = m[3]!.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '').trim();
  if (/['"`]/.test(text)) return undefined;
  const body = text.startsWith('{') ? text : `{ ${text}; }`;
  // Every identifier must be: a property name (after a dot), the parameters used as `c.` and
  // `d.rd|rs1|rs2|imm`, a keyword or global, a local the body declares, or an export of the ISA.
  const locals = new Set<string>();
  for (const decl of body.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)/g)) locals.add(decl[1]!);
  const globals = new Set<string>();
  for (const id of body.matchAll(/(\.\s*)?([A-Za-z_$][\w$]*)/g)) {
    if (id[1] !== undefined) continue;
    const name = id[2]!;
    const at = id.index! + id[0].length;
    if (name === cParam || name === dParam) {
      if (body[at] !== '.') return undefined;
      if (name === dParam && !/^\.(rd|rs1|rs2|imm)\b/.test(body.slice(at))) return undefined;
      continue;
    }
    if (KEYWORDS.has(name) || locals.has(name)) continue;
    if (/^\d/.test(name)) continue;
    if (Object.prototype.hasOwnProperty.call(isaModule, name)) {
      globals.add(name);
      continue;
    }
    return undefined;
  }
  return { body, cParam: cParam!, dParam, globals: [...globals] };
}

const inlineCache = new WeakMap<InsnDef['exec'], Inline | null>();

function inlineFor(insn: InsnDef): Inline | undefined {
  let v = inlineCache.get(insn.exec);
  if (v === undefined) {
    v = inlineSource(insn.exec) ?? null;
    inlineCache.set(insn.exec, v);
  }
  return v ?? undefined;
}

const escapeRe = (s: string): string => s.replace(/[$]/g, '\\$');

/** The body specialized to one decoded instruction at pc expression `pcExpr`. */
function specialize(inline: Inline, d: { rd: number; rs1: number; rs2: number; imm: number }, pcExpr: string): string {
  const c = escapeRe(inline.cParam);
  let s = inline.body;
  if (inline.dParam !== undefined) {
    const dp = escapeRe(inline.dParam);
    s = s.replace(new RegExp(`(?<![\\w$.])${dp}\\.(rd|rs1|rs2|imm)\\b`, 'g'), (_m, f: 'rd' | 'rs1' | 'rs2' | 'imm') => `(${d[f]})`);
  }
  s = s.replace(new RegExp(`(?<![\\w$.])${c}\\.x\\b`, 'g'), 'x');
  s = s.replace(new RegExp(`(?<![\\w$.])${c}\\.pc\\b`, 'g'), pcExpr);
  s = s.replace(new RegExp(`(?<![\\w$.])${c}\\.next\\b`, 'g'), 'nx');
  s = s.replace(new RegExp(`(?<![\\w$.])${c}\\.`, 'g'), 'cpu.');
  // x[(3)] -> x[3]: plain indices for V8.
  return s.replace(/x\[\((\d+)\)\]/g, 'x[$1]');
}

// ---- Compiling a block -------------------------------------------------------------------------

interface BlockInsn {
  def: InsnDef;
  index: number;
  d: DecodedInsn;
}

interface Shared {
  /** Compiled regions by key (keyOf), and regions cut to fit by their cut key (cutKeyOf) with
   *  the blocks the function holds (indices; undefined: all). */
  fns: Map<string, { fn: BlockFn; held: readonly number[] | undefined }>;
  /** Compiled regions by their entry (`entryOf`), oldest first, at most REGIONS_PER_ENTRY of
   *  them, so that a warm boot takes the region at the reuse of its entry whichever successors
   *  it has reached by then (`newestMatching`). A word whose entry is not here has no region to
   *  reuse, which is most of them. */
  compiled: Map<number, Remembered[]>;
  /** Grown regions by their entry, the same way, so that a warm boot takes the grown region at
   *  once, and a region grows again from the blocks it holds
   *  (`Translator.translate`). */
  grown: Map<number, Grown[]>;
  handlers: InsnDef['exec'][];
}

const REGIONS_PER_ENTRY = 4;

/** A region the process compiled: its function, key (keyOf) and blocks' words (the entry
 *  first). */
interface Remembered {
  fn: BlockFn;
  key: string;
  words: readonly number[];
}

/** A grown region; `full` if it left out a block it found (the limits of GROWN_REGION), and
 *  then grows no more. */
interface Grown extends Remembered {
  full: boolean;
}

/** A region entry as a number: the word's index in its page and its instruction word, which
 *  begin every key of a region entered there (keyOf). */
function entryOf(word: number, insnWord: number): number {
  return word * 2 ** 32 + (insnWord >>> 0);
}

const sharedByIsa = new WeakMap<Isa, Shared>();

function sharedFor(isa: Isa): Shared {
  let s = sharedByIsa.get(isa);
  if (!s) {
    s = { fns: new Map(), compiled: new Map(), grown: new Map(), handlers: isa.insns.map((i) => i.exec) };
    sharedByIsa.set(isa, s);
  }
  return s;
}

/** One block of a region: its first word's index in the page and its instructions. */
export interface RegionBlock {
  word: number;
  insns: BlockInsn[];
}

/** Source of a region function (exported for tests and for reading): one `case` per block,
 *  selected by the word index `w` of the block's first instruction in the page, inside a loop
 *  that goes from block to block without returning to the dispatcher (see `regionSource`'s
 *  comments for what is checked between two blocks). */
export function regionSource(blocks: readonly RegionBlock[]): { source: string; globals: string[]; called: BlockInsn[] } {
  const globals = new Set<string>();
  const called: BlockInsn[] = [];
  const lines: string[] = [];
  const emit = (s: string): void => void lines.push(s);
  // vb: the virtual page the region was entered in; ab: the physical page's first word index.
  // A block's instruction at word k of the page is at virtual address vb | 4k and physical
  // word ab | k; the page is the same for every block of the region, since leaving the page
  // leaves the function.
  emit('const x = cpu.x; const fpg = cpu.fetchPage; const stop = cpu.stopCycle; const inv = cpu.codeWrites;');
  emit(`const vb = pc0 & -4096; const ab = at0 & -1024; ${Object.entries(VIEWS).map(([v, array]) => `const ${v} = cpu.memory.${array};`).join(' ')}`);
  emit(`const DP = cpu.dataPages; const DB = cpu.dataBases; const DR = cpu.dataRights; const SS = cpu.mmu.setShift; const R3 = cpu.ring * 3; const RM = (1 << R3) | ${DATA_IN_MEMORY}; const WM = (2 << R3) | ${DATA_IN_MEMORY | DATA_NO_CODE};`);
  // The processor's counts are kept in locals between calls into it (see LOCAL_COUNTS).
  emit(`let nx = 0; let ran = 0; let w = (pc0 & 4095) >>> 2; let turns = TS.regionTurns; let cyc = cpu.cycles, ins = 0, hit = 0, ca = 0; ${RELOAD_DATA_PAGE.replace(/^/, 'let ').replace(/;(?=.)/g, ',')}`);
  const prologue = lines.length;
  emit('for (;;) {');
  emit('switch (w) {');
  // The cases in the order of their words, as the guest laid its code out: where a block's next
  // pc is the next case's (its fall-through, or a branch to the block after it), the block falls
  // into that case with no trip round the loop. A loop of three blocks, such as the
  // scheduler's walk over the process table, then goes round the region loop once a pass
  // instead of three times. (With fewer than six cases, or cases spread over more than three
  // times their number of words, as most regions' are, V8 compiles a switch to a chain of
  // compares in the order of its cases, not a jump table.)
  const inOrder = [...blocks].sort((a, b) => a.word - b.word);
  // Registers as locals only in a region with a loop (LOCAL_REGISTERS).
  const words = new Set(blocks.map((b) => b.word));
  const loop = blocks.some((b) => staticSuccessors(b).some((w) => words.has(w) && w <= b.word));
  inOrder.forEach((b, k) => {
    emit(`case ${b.word}: {`);
    blockCase(b, emit, globals, called, loop);
    const next = inOrder[k + 1];
    if (next !== undefined && staticSuccessors(b).includes(next.word)) emit(`ran = 1; if (nx !== (vb | ${4 * next.word})) break; }`);
    else emit('break; }');
  });
  emit(`default: if (ran !== 0) { ${LEAVE_AT_NX} } return ran;`);
  emit('}');
  // Between two blocks, what the dispatcher would check before it calls the next block: nx is
  // in the fetch page and word aligned ((nx & -4093) === fpg is one compare for both, as in
  // dispatch.ts). The rest (the fetch-page cache still holds the page, no code was written, no
  // event check was asked for) can only change in a call into the processor: a block that
  // ends with one checks them itself (blockCase), and one that makes one in the middle (an
  // access out of line, a sync point) leaves there if any changed. `cycles < stopCycle` is
  // the next block's first segment check.
  emit(`if ((nx & -4093) !== fpg) { ${LEAVE_AT_NX} return 1; }`);
  // Every turn of a guest loop comes here (its backward branch breaks out of the switch).
  emit(`if (--turns === 0) { ${LEAVE_AT_NX} return ${YIELDED}; }`);
  emit('w = (nx & 4095) >>> 2; ran = 1;');
  emit('}');
  // The guest registers the blocks name as locals, read at the entry and after every call into
  // the processor, and those they assign written back before every call and return
  // (LOCAL_REGISTERS).
  const body = loop ? lines.slice(prologue).join('\n') : '';
  const numbers = (pattern: RegExp): number[] => [...new Set([...body.matchAll(pattern)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  const used = numbers(/\bg(\d+)\b/g);
  const assigned = numbers(/\bg(\d+)\s*(?:[-+*/%&|^]|<<|>>>?)?=(?!=)/g).filter((r) => r !== 0);
  const reads = used.filter((r) => r !== 0).map((r) => `g${r} = x[${r}];`).join(' ');
  const writes = assigned.map((r) => `x[${r}] = g${r};`).join(' ');
  if (used.length > 0) lines.splice(prologue, 0, `let ${used.map((r) => `g${r} = ${r === 0 ? 0 : `x[${r}]`}`).join(', ')};`);
  const source = lines.join('\n').replaceAll(WRITE_REGISTERS, writes).replaceAll(READ_REGISTERS, reads);
  return { source, globals: [...globals], called };
}

// LOCAL_REGISTERS. Between two calls into the processor, a region with a loop (a block that may
// go to a block of the region at or before its own word) keeps the guest registers its
// instructions name in locals (`g8` for x[8]), which V8 holds in machine registers round the
// loop; x[] is a typed array, and each access to it is a load or a store. Which instructions:
// those emitted inline between sync points (ALU, branches, loads and stores on the inline path,
// registers-only instructions). Instructions that call into the processor (and anything called)
// use x[] itself: before every such call, and before an out-of-line access (a VM exit saves the
// guest's registers from x[]), the region writes the locals it assigns back to x[]
// (WRITE_REGISTERS), and after it reads every local back (READ_REGISTERS, with the clock), as
// the call may have written any register; every return writes them back first, except right
// after a call, when x[] is already the truth. An out-of-line load reads back the register it
// loaded. g0 is x0: 0, reset after any write, never written back. `native` `compute` ran 12%
// faster; but straight-line code, such as a context switch's saves and restores, uses each
// register a few times and pays the write-backs and reads at every call (`native` `ctxswitch`
// ran 3% slower with every region so compiled), so a region without a loop keeps x[].

/** Placeholders for the write-back and the read-back of the region's register locals, filled
 *  in once the region's code is known (regionSource). */
const WRITE_REGISTERS = '/*write registers*/';
const READ_REGISTERS = '/*read registers*/';

/** `code` with its registers x[n] as the region's locals gn, or undefined if it has another
 *  use of x or already names such a local (it is then emitted on x[], as a sync point). */
function localRegisters(code: string): string | undefined {
  if (/\bg\d+\b/.test(code)) return undefined;
  const local = code.replace(/\bx\[(\d+)\]/g, 'g$1');
  return /\bx\b/.test(local) ? undefined : local;
}

/** The words of the page a block may go to next that its code names: its fall-through, and
 *  the target of a branch or a call (pc-relative, src/isa/base.ts). */
function staticSuccessors(b: RegionBlock): number[] {
  const flow = b.insns[b.insns.length - 1]!.def.flow;
  const target = targetWord(b.word, b.insns);
  const words: number[] = [];
  if (flow === 'none' || flow === 'branch') words.push(b.word + b.insns.length);
  if (target !== undefined) words.push(target);
  return words;
}

/** The word of the page that the branch or call ending the block at `word` goes to, if it is
 *  in the page and aligned. The ISA's branches and calls are pc-relative to the instruction
 *  itself (src/isa/base.ts). */
function targetWord(word: number, insns: readonly BlockInsn[]): number | undefined {
  const last = insns[insns.length - 1]!;
  if (last.def.flow !== 'branch' && last.def.flow !== 'call') return undefined;
  const target = ((word + insns.length - 1) << 2) + last.d.imm;
  return target >= 0 && target < 4096 && (target & 3) === 0 ? target >>> 2 : undefined;
}

/** The typed views of memory a region names M, H and B (as processor.ts uses them). */
const VIEWS = { M: 'words', H: 'halves', B: 'bytes' } as const;

/** How each of the processor's memory methods reads or writes a page inline: the typed view
 *  of memory it uses (M words, H halves, B bytes, as in processor.ts), the shift from byte
 *  address to index, the mask that checks page and alignment in one compare, and, for load8 and
 *  load16, the shift of its sign extension. */
const ACCESSES: Readonly<Record<string, { store: boolean; view: keyof typeof VIEWS; shift: number; mask: number; signed?: number }>> = {
  load8: { store: false, view: 'B', shift: 0, mask: -4096, signed: 24 },
  load8u: { store: false, view: 'B', shift: 0, mask: -4096 },
  load16: { store: false, view: 'H', shift: 1, mask: -4095, signed: 16 },
  load16u: { store: false, view: 'H', shift: 1, mask: -4095 },
  load32: { store: false, view: 'M', shift: 2, mask: -4093 },
  store8: { store: true, view: 'B', shift: 0, mask: -4096 },
  store16: { store: true, view: 'H', shift: 1, mask: -4095 },
  store32: { store: true, view: 'M', shift: 2, mask: -4093 },
};

/** A load or store whose exec, specialized, is exactly `x[rd] = cpu.loadN(ADDR)` or
 *  `cpu.storeN(ADDR, x[rs2])` (the base ISA's loads and stores): the translator gives it the
 *  inline fast path of `fastSource`. Anything else goes through the processor. */
interface FastAccess {
  method: string;
  /** The register written (load) or stored (store), as `x[n]`. */
  reg: string;
  addr: string;
}

function fastAccess(code: string): FastAccess | undefined {
  const load = /^\{\s*(x\[\d+\])\s*=\s*cpu\.(load\w+)\(([^;]*)\);\s*\}$/.exec(code);
  if (load && ACCESSES[load[2]!]?.store === false && !/\bcpu\b/.test(load[3]!)) {
    const [, reg, method, addr] = load as unknown as [string, string, string, string];
    return { method, reg, addr };
  }
  const store = /^\{\s*cpu\.(store\w+)\(([^;]*),\s*(x\[\d+\])\);\s*\}$/.exec(code);
  if (store && ACCESSES[store[1]!]?.store === true && !/\bcpu\b/.test(store[2]!)) {
    const [, method, addr, reg] = store as unknown as [string, string, string, string];
    return { method, reg, addr };
  }
  return undefined;
}

/** The processor's data-page cache (processor.ts, `translate` and `dataPage`), inline: an
 *  aligned access to the region's copy of level 1 (dp, df, db, dd: the last page the processor
 *  used) that the ring may read, or write (a page with no decoded code, or a word of it never
 *  decoded), is a TLB hit the processor would have counted the same way (the segment counts
 *  it; none with paging off: the fetch page's paging, by which the count is multiplied, is the
 *  data side's too, since a PTBR write leaves the block), and the access itself. Else level 2 (the page of the address's TLB
 *  set, k: Mmu.setNumber written out with its multiplier; were it wrong, the page compare would
 *  only miss), with the rights RM and WM a read and a write need in the region's ring (set at
 *  its entry: a ring change leaves the region); its page becomes the region's level 1 (a
 *  kernel goes back and forth between a few pages), which stays exact: every page of level 2
 *  has its TLB entry in way 0, and after any call into the processor the region reads level 1
 *  back from it. Everything else goes out of line (`outOfLine`), after which the block may
 *  leave. `(a & mask) === page` checks page and alignment in one compare, as the fetch-page
 *  cache does. A load into x0 is done and then undone (x[0] = 0), as everywhere. */
function fastSource(f: FastAccess, args: string, counted: string): string {
  const acc = ACCESSES[f.method]!;
  const hit = level1Access(acc, f.reg);
  const index = /\d+/.exec(f.reg)![0];
  const call = `${WRITE_REGISTERS} OUT_${f.method}(cpu, a, ${acc.store ? f.reg : index}, ${args});`;
  const loaded = acc.store || index === '0' || f.reg.startsWith('x') ? '' : `${f.reg} = x[${index}];`;
  const level1 = level1Allows(acc);
  // On level 2 a load may read (RM), a store write (WM); df says whether the other may too
  // (a write only on a page with no decoded code: dd is not looked at).
  const [need, other, both, one] = acc.store ? ['WM', 'RM', 3, 2] : ['RM', 'WM', 3, 1];
  const level2 =
    `const k = (Math.imul(a >>> 12, ${TLB_SET_HASH}) >>> 1) >>> SS; const r = DR[k]; ` +
    `if ((a & ${acc.mask}) === DP[k] && (r & ${need}) === ${need}) { dp = DP[k]; db = DB[k]; df = (r & ${other}) === ${other} ? ${both} : ${one}; ${hit} }`;
  return `{ const a = ${f.addr}; if ((a & ${acc.mask}) === dp && ${level1}) { ${hit} } else { ${level2} else { ${call} if (LEAVE.now !== 0) { LEAVE.now = 0; return 1; } ${loaded} ${counted} ${RELOAD_DATA_PAGE} } } }`;
}

/** The access at `a` on level 1's page (db its physical base), to or from register `reg`. A
 *  load into x0 is done and then undone (x[0] = 0), as everywhere. */
function level1Access(acc: (typeof ACCESSES)[string], reg: string): string {
  const at = `${acc.view}[(db | (a & 4095))${acc.shift === 0 ? '' : ` >>> ${acc.shift}`}]`;
  if (acc.store) return `${at} = ${reg};`;
  return `${reg} = ${acc.signed ? `((${at} << ${acc.signed}) >> ${acc.signed})` : at};${reg === 'x[0]' || reg === 'g0' ? ` ${reg} = 0;` : ''}`;
}

/** Whether level 1's rights (df, and dd its decode page) allow the access inline: a load if the
 *  page may be read, a store if it has no decoded code or the word was never decoded. */
function level1Allows(acc: (typeof ACCESSES)[string]): string {
  return acc.store ? '((df & 2) !== 0 || ((df & 4) !== 0 && dd[(a >>> 2) & 1023] === undefined))' : '(df & 1) !== 0';
}

/** The sync before a call into the processor (an access's slow path in `outOfLine`, a
 *  region's sync points, `writeBack`): the clock (`cycles`) and the `count` instructions not
 *  counted yet up to and including the instruction, the `hits` of the inline accesses not
 *  counted yet before it, pc and the executing instruction. */
function syncForAccess(cpu: Processor, cycles: number, count: number, hits: number, pc: number, at: number): void {
  const fp = cpu.fetchPaged;
  cpu.cycles = cycles;
  cpu.instret += count;
  cpu.fetchHits += fp * count;
  cpu.mmu.stats.hits += fp * hits;
  cpu.pc = pc;
  cpu.curAt = at;
}

/** After an access's slow path: 1 if the block must leave at `next`, because the fetch page
 *  went, code was written, or the walk's cycles took the rest of the segment (`slack` cycles)
 *  past stopCycle; else 0. `fpg`, `inv` and `stop` are the region's. */
function afterAccess(cpu: Processor, slack: number, next: number, fpg: number, inv: number, stop: number): number {
  if (cpu.fetchPage !== fpg || cpu.codeWrites !== inv || cpu.cycles + slack >= stop) {
    cpu.pc = next;
    cpu.next = next;
    return 1;
  }
  return 0;
}

/** Set by an out-of-line access when the block must leave after it (the region reads and
 *  clears it right after the call). */
const LEAVE = { now: 0 };

/** Each access method's slow path, out of line and shared by every region: a sync up to and
 *  including this instruction, then the processor's own path (`Processor.dataAddress`: level 1 and 2
 *  of its data-page cache, else the MMU, which may walk or fault; then the end of memory), the
 *  access (a store forgets the decoded word and the blocks that cover it, as store32 does),
 *  and `afterAccess`, whose answer goes to LEAVE. A fault's trap (misaligned, page fault, bus
 *  error) is taken without a throw, as trapReturning does, and the block leaves for the
 *  handler. A load writes its register here (`rd`, its index), and not when it faulted.
 *  After the address and the register come the sync's clock, instructions and hits, the
 *  cycles the segment still has to run (slack), pc and curAt of the access, and the region's
 *  fpg, inv and stop. Out of line because TurboFan's compile time grows with a function's
 *  size (tens of milliseconds for a large region, while a short boot runs it unoptimized), and
 *  this path was most of a region's source. */
const outOfLine: Readonly<Record<string, (...args: number[]) => void>> = Object.fromEntries(
  Object.entries(ACCESSES).map(([method, acc]) => {
    const at = `cpu.memory.${VIEWS[acc.view]}[pa${acc.shift === 0 ? '' : ` >>> ${acc.shift}`}]`;
    const access = acc.store ? `${at} = v; cpu.forgetDecoded(pa);` : `cpu.x[rd] = ${acc.signed ? `(${at} << ${acc.signed}) >> ${acc.signed}` : at}; cpu.x[0] = 0;`;
    const width = 1 << acc.shift;
    const source =
      `return function ${method}OutOfLine(cpu, a, ${acc.store ? 'v' : 'rd'}, cycles, count, hits, slack, pc, at, fpg, inv, stop) {\n` +
      `  SYNC(cpu, cycles, count, hits, pc, at);\n` +
      (width > 1 ? `  if ((a & ${width - 1}) !== 0) { cpu.trapReturning(${Cause.Misaligned}, a); LEAVE.now = 1; return; }\n` : '') +
      `  const pa = cpu.dataAddress(a, ${acc.store ? 1 : 0});\n` +
      `  if (pa < 0) { LEAVE.now = 1; return; }\n` +
      `  ${access}\n` +
      `  LEAVE.now = AFTER(cpu, slack, (pc + 4) | 0, fpg, inv, stop);\n};`;
    return [method, new Function('SYNC', 'AFTER', 'LEAVE', source)(syncForAccess, afterAccess, LEAVE) as (...args: number[]) => void];
  }),
);

/** Level 1 of the processor's data-page cache, held in the region's locals (dp, df, db, dd):
 *  only the processor changes it, so they are read again after anything that calls into it. */
const RELOAD_DATA_PAGE = 'dp = cpu.dataPage; df = cpu.dataFast; db = cpu.dataBase; dd = cpu.dataDecode;';

/** What a region reads back after any call into the processor: its clock (which a walk or a
 *  trap moves) and level 1 of the data-page cache. */
const RELOAD = `cyc = cpu.cycles; ${READ_REGISTERS} ${RELOAD_DATA_PAGE}`;

// LOCAL_COUNTS. Between two calls into the processor, a region keeps the processor's counts in
// locals, which V8 holds in registers: `cyc` the clock (cpu.cycles, absolute), `ins` the
// instructions retired and `hit` the inline data accesses' TLB hits since the counts were last
// written back, and `ca` the physical word of the last instruction of the last block (curAt).
// Nothing reads cpu.cycles, instret, fetchHits, the TLB's hits, curAt, pc or next but the
// processor, when the region calls it or returns: so every such call is preceded by a sync
// (syncForAccess, with pc and curAt) and followed by RELOAD, and every return writes them back
// first (writeBack) unless it comes right after a call (which the sync before it made exact).
// In a warm `native` `ctxswitch` boot the scheduler's loop runs three blocks of 2-4
// instructions an iteration; five stores to the processor a block were most of their time.
// Both are calls, on paths taken once a region: inline, they made a region's source 15%
// longer, and regions are cut to fit.

/** Leave a region at `pc`: pc and next, curAt (`at`), and the local counts written back
 *  (LOCAL_COUNTS: the clock, and the instructions and inline hits not counted yet). */
function writeBack(cpu: Processor, pc: number, at: number, cycles: number, count: number, hits: number): void {
  syncForAccess(cpu, cycles, count, hits, pc, at);
  cpu.next = pc;
}

/** Leave a region between two blocks (or before the first instruction of one, after the region
 *  loop came to it): the next pc is nx, the last instruction executed ended the block before. */
const LEAVE_AT_NX = `${WRITE_REGISTERS} WB(cpu, nx, ca, cyc, ins, hit);`;

/** The code of one block (a `case` of its region): ends with `nx` = the next pc and `ca` its
 *  last instruction's word (LOCAL_COUNTS). */
function blockCase(b: RegionBlock, emit: (s: string) => void, globals: Set<string>, called: BlockInsn[], localized: boolean): void {
  const insns = b.insns;
  const n = insns.length;
  const pcOf = (i: number): string => `(vb | ${4 * (b.word + i)})`;
  const atOf = (i: number): string => `(ab | ${b.word + i})`;
  // Per instruction: its code, whether it is a sync point (calls into the processor).
  const parts = insns.map((bi, i) => {
    const pcExpr = pcOf(i);
    const nextPc = `((${pcExpr} + 4) | 0)`;
    // A registers-only instruction (`csrr rd, EPC`, `csrw SCRATCH0, rs1`: InsnDef.registersOnly)
    // with inline source is emitted as a hot one after its guard: its body touches nothing the
    // processor's clock, pc or caches say, so it is no sync point; the sync goes onto the
    // guard's trap path (`guarded`).
    const guarded = !isHot(bi.def) && bi.def.registersOnly(bi.d) && inlineFor(bi.def) !== undefined;
    const cold = !isHot(bi.def) && !guarded;
    const inline = cold ? undefined : inlineFor(bi.def);
    let code: string;
    let sync: boolean;
    let setsNext: boolean;
    let fast: FastAccess | undefined;
    if (cold) {
      // Privileged, sensitive, trapping and VMX instructions: called, after the same guards as
      // the interpreter's, with everything the processor could look at up to date. Afterwards the
      // block leaves if the instruction moved pc (sret, a VM entry or exit), asked for an event
      // check (stopCycle -1: interrupts, devices, halt, wfi), or dropped the fetch page (a ring,
      // mode or page-table change) or wrote code (a device's DMA).
      const k = called.length;
      setsNext = bi.def.flow !== 'none';
      // An exec that is only `trap(cause)` (syscall, break) takes its trap without the throw,
      // as the guards do (Processor.trapReturning).
      const trapOnly = trapOnlyCause(bi.def);
      if (trapOnly !== undefined) {
        code = `cpu.next = ${nextPc}; ${guardSource(bi.def, 'return 1;')}cpu.trapReturning(${trapOnly}); return 1;`;
      } else {
        // Otherwise the exec's own source when it has the simple shape (csrr is
        // `x[8] = cpu.readCsr(5)`: a call V8 can inline, where the handler, a closure variable,
        // is a call it cannot), unless it names c.next: a processor method may set cpu.next
        // (sret does), which the local nx would not see.
        const inline = inlineFor(bi.def);
        const body = inline === undefined ? undefined : specialize(inline, bi.d, pcExpr);
        let exec: string;
        if (inline !== undefined && body !== undefined && !/\bnx\b/.test(body)) {
          inline.globals.forEach((g) => globals.add(g));
          exec = body;
        } else {
          called.push(bi);
          exec = `H${bi.index}(cpu, D[${k}]);`;
        }
        code = `cpu.next = ${nextPc}; ${guardSource(bi.def, 'return 1;')}${exec} x[0] = 0;`;
        code += setsNext
          ? ' nx = cpu.next;'
          : ` if (cpu.next !== ${nextPc} || cpu.stopCycle !== stop || cpu.fetchPage !== fpg || cpu.codeWrites !== inv) { cpu.pc = cpu.next; return 1; }`;
      }
      sync = true;
    } else if (inline) {
      code = specialize(inline, bi.d, pcExpr);
      inline.globals.forEach((g) => globals.add(g));
      fast = fastAccess(code);
      sync = !guarded && fast === undefined && /\bcpu\./.test(code);
      setsNext = /\bnx\b/.test(code);
      if (/\bx\[0\]\s*=[^=]/.test(code)) code += ' x[0] = 0;';
      // Between sync points, the guest's registers are the region's locals (LOCAL_REGISTERS).
      const local = sync || !localized ? undefined : localRegisters(code);
      if (localized && local === undefined) {
        sync = true;
        fast = undefined;
      } else if (local !== undefined) {
        code = local;
        if (fast !== undefined) fast = { ...fast, reg: localRegisters(fast.reg)!, addr: localRegisters(fast.addr)! };
      }
    } else {
      const k = called.length;
      called.push(bi);
      code = `cpu.next = ${nextPc}; H${bi.index}(cpu, D[${k}]); x[0] = 0; nx = cpu.next;`;
      sync = true;
      setsNext = bi.def.flow !== 'none';
    }
    return { code, sync, cold, guarded, setsNext, fast, cost: bi.d.cost, pcExpr, at: atOf(i), def: bi.def };
  });
  // Segments: [start, syncIndex] ... each guarded by one compare.
  let start = 0;
  while (start < n) {
    let end = start;
    while (end < n - 1 && !parts[end]!.sync) end++;
    // Every instruction of [start, end] starts below stop iff the last one does. At the
    // block's first instruction cpu.pc is already that instruction (the dispatcher's, or the
    // region loop's), so leaving there "ran" only what the blocks before it ran.
    let before = 0;
    for (let j = start; j < end; j++) before += parts[j]!.cost;
    const exitHere = start === 0 ? `{ if (ran !== 0) { ${LEAVE_AT_NX} } return ran; }` : `{ ${WRITE_REGISTERS} WB(cpu, ${parts[start]!.pcExpr}, cpu.curAt, cyc, ins, hit); return 1; }`;
    emit(`if (cyc + ${before} >= stop) ${exitHere}`);
    let pending = 0;
    let count = 0;
    // Inline accesses since the last sync: their TLB hits are counted with the cycles.
    let hits = 0;
    // The segment so far, added to the local counts.
    const addCounts = (): string => `cyc += ${pending}; ins += ${count};${hits === 0 ? '' : ` hit += ${hits};`}`;
    // The sync at instruction p: the segment so far, written back with the rest of the local
    // counts, pc and the executing instruction.
    const syncAt = (p: (typeof parts)[number]): string =>
      `cyc += ${pending}; ${WRITE_REGISTERS} SYNC(cpu, cyc, ins + ${count}, ${hits === 0 ? 'hit' : `hit + ${hits}`}, ${p.pcExpr}, ${p.at}); ins = 0; hit = 0;`;
    for (let j = start; j <= end; j++) {
      const p = parts[j]!;
      pending += p.cost;
      count++;
      if (p.sync) {
        emit(syncAt(p));
        pending = 0;
        count = 0;
        hits = 0;
      }
      if (p.fast !== undefined) {
        // A load or store: inline on the data-page cache, else out of line (the processor,
        // after a sync of everything the locals and the segment have counted up to and
        // including the access), after which the block may leave (see `outOfLine`). If it does
        // not, the locals take back what the segment will count again at its end: its cycles
        // and instructions so far, and its hits with this access's (the processor counted its
        // own lookup).
        emit(
          fastSource(
            p.fast,
            `cyc + ${pending}, ins + ${count}, ${hits === 0 ? 'hit' : `hit + ${hits}`}, ${before - pending}, ${p.pcExpr}, ${p.at}, fpg, inv, stop`,
            `cyc = cpu.cycles - ${pending}; ins = -${count}; hit = -${hits + 1};`,
          ),
        );
        hits++;
        continue;
      }
      if (p.guarded) {
        // The guard's trap (or exit) path: the sync a sync point would have had here.
        emit(guardSource(p.def, 'return 1;', `${syncAt(p)} cpu.next = (${p.pcExpr} + 4) | 0; `));
      }
      emit(p.setsNext ? `nx = (${p.pcExpr} + 4) | 0; ${p.code}` : p.code);
      if (p.sync && !p.cold && j < n - 1) {
        const next = parts[j + 1]!.pcExpr;
        emit(`if (cpu.fetchPage !== fpg || cpu.codeWrites !== inv) { cpu.pc = ${next}; cpu.next = cpu.pc; return 1; }`);
      }
      if (p.sync) emit(RELOAD);
    }
    if (count > 0) emit(addCounts());
    start = end + 1;
  }
  emit(`ca = ${parts[n - 1]!.at};`);
  // A block that ends without a control-flow instruction (at the end of the page, before an
  // illegal word, or at MAX_BLOCK_INSNS) falls through.
  if (!parts[n - 1]!.setsNext) emit(`nx = (${pcOf(n - 1)} + 4) | 0;`);
  // A block whose last instruction called into the processor checks what the region loop
  // does not: the fetch page, code writes, an event check asked for.
  if (parts[n - 1]!.sync) emit(`if (cpu.fetchPage !== fpg || cpu.codeWrites !== inv || cpu.stopCycle !== stop) { ${LEAVE_AT_NX} return 1; }`);
}

/** The interpreter's words from `pa` on that a block may hold (decoding them into the cache). */
function collect(cpu: Processor, isa: Isa, pa: number): BlockInsn[] {
  const out: BlockInsn[] = [];
  const end = (pa | 4095) + 1;
  for (let a = pa; a < end && out.length < MAX_BLOCK_INSNS; a += 4) {
    const d = cpu.decodedAt(a);
    const def = isa.insns[d.index];
    if (def === undefined) break; // an illegal word: the interpreter traps
    out.push({ def, index: d.index, d: d as DecodedInsn });
    if (def.flow !== 'none') break;
  }
  return out;
}

/** The blocks of the region entered at word `entry` of the physical page at `base`: that block,
 *  then the blocks at `others` (a grown region's exit targets), then breadth first their
 *  successors in the page (the fall-through, and the target of a pc-relative branch or call)
 *  that `take` accepts, up to the limits' instructions and blocks. Which blocks a region holds
 *  only decides how fast it runs: the region loop goes to whichever next pc is a block of the
 *  region, and leaves otherwise. `found.full` says whether the limits left out a block. */
function collectRegion(
  cpu: Processor,
  isa: Isa,
  base: number,
  entry: number,
  take: (word: number) => boolean,
  limits: RegionLimits = FIRST_REGION,
  others: readonly number[] = [],
  found = { full: false },
): RegionBlock[] {
  const maxBlocks = Math.min(limits.blocks, translatorSettings.maxBlocks);
  const blocks: RegionBlock[] = [];
  const seen = new Uint8Array(1024);
  const queue = [entry, ...others];
  let total = 0;
  for (let q = 0; q < queue.length && blocks.length < maxBlocks; q++) {
    const word = queue[q]!;
    if (seen[word] !== 0) continue;
    seen[word] = 1;
    if (word !== entry && !take(word)) continue;
    const insns = collect(cpu, isa, base | (word << 2));
    if (insns.length === 0) continue;
    if (word !== entry && total + insns.length > limits.insns) {
      found.full = true;
      continue;
    }
    blocks.push({ word, insns });
    total += insns.length;
    const last = insns[insns.length - 1]!;
    const end = word + insns.length;
    if (end < 1024 && last.def.flow !== 'jump' && last.def.flow !== 'trap-return') queue.push(end);
    const target = targetWord(word, insns);
    if (target !== undefined) queue.push(target);
  }
  if (blocks.length === maxBlocks) found.full = true;
  return blocks;
}

/** The source of the function of the one block that would start at physical address pa (for
 *  tests and readers). */
export function blockSourceOf(cpu: Processor, isa: Isa, pa: number): string {
  return regionSource([{ word: (pa & 4095) >>> 2, insns: collect(cpu, isa, pa) }]).source;
}

/** The source of the region function that would be entered at physical address pa, with every
 *  successor in the page (for tests and readers). */
export function regionSourceOf(cpu: Processor, isa: Isa, pa: number): string {
  return regionSource(collectRegion(cpu, isa, pa & -4096, (pa & 4095) >>> 2, () => true)).source;
}

/** Key of a region in the process's cache: all its function depends on (the ISA is the map it
 *  is in): each block's word in the page, its instruction words and their costs. */
function keyOf(region: readonly RegionBlock[]): string {
  return region.map((b) => `${b.word}:${b.insns.map((i) => `${i.d.word.toString(16)}/${i.d.cost}`).join(',')}`).join(';');
}

/** Key under which a region collected as `key` that did not fit in `maxSource` characters is
 *  found with the blocks it was cut to, so that a warm boot does not cut it again. */
function cutKeyOf(key: string, maxSource: number): string {
  return `${key}<${maxSource}`;
}

/** The region's function if the process has compiled it before (or what it was cut to, under
 *  `maxSource`), and the blocks it holds. */
function compiledBefore(isa: Isa, blocks: readonly RegionBlock[], maxSource: number, key = keyOf(blocks)): { fn: BlockFn; reused: true; blocks: readonly RegionBlock[] } | undefined {
  const fns = sharedFor(isa).fns;
  const known = fns.get(key) ?? fns.get(cutKeyOf(key, maxSource));
  return known && { fn: known.fn, reused: true, blocks: known.held === undefined ? blocks : known.held.map((k) => blocks[k]!) };
}

/** Which of a region's blocks (by index) to keep so that its source fits in `maxSource`
 *  characters, by each block's own source, in the order found, at least the entry. A first
 *  region (`run`) keeps the longest run of the first found and stops at the first that does not
 *  fit, and that is what a short boot wants: filling first regions up to the limit with later
 *  blocks compiled 7.5% more source in `bench overhead`, which took 1.03x the time; regions
 *  that leave for their own page often grow instead. A grown region keeps each block that
 *  still fits (the entry, its exit targets, then their successors breadth first). Which blocks
 *  a region holds only decides how fast it runs. */
function fitting(blocks: readonly RegionBlock[], maxSource: number, run: boolean): number[] {
  const frame = regionSource([]).source.length;
  let total = frame;
  const kept: number[] = [];
  for (let k = 0; k < blocks.length; k++) {
    const size = regionSource([blocks[k]!]).source.length - frame;
    if (k !== 0 && total + size > maxSource) {
      if (run) break;
      continue;
    }
    kept.push(k);
    total += size;
  }
  return kept;
}

/** The region's function: the process's, if some machine compiled the same region before
 *  (`reused` says which), else compiled now; and the blocks it holds: all of `blocks`, or if
 *  their source is longer than `maxSource`, those `fitting` keeps (a run of the first found,
 *  or if `grown`, each that fits). */
function compile(isa: Isa, blocks: readonly RegionBlock[], maxSource: number, grown: boolean): { fn: BlockFn; reused: boolean; blocks: readonly RegionBlock[] } {
  const shared = sharedFor(isa);
  const whole = keyOf(blocks);
  const known = compiledBefore(isa, blocks, maxSource, whole);
  if (known) return known;
  let region = blocks;
  let key = whole;
  let held: number[] | undefined;
  let { source, globals, called } = regionSource(region);
  if (source.length > maxSource && blocks.length > 1) {
    held = fitting(blocks, maxSource, !grown);
    for (;;) {
      region = held.map((k) => blocks[k]!);
      key = keyOf(region);
      const found = shared.fns.get(key);
      if (found) {
        shared.fns.set(cutKeyOf(whole, maxSource), { fn: found.fn, held });
        return { fn: found.fn, reused: true, blocks: region };
      }
      ({ source, globals, called } = regionSource(region));
      // Blocks together can take more than the sum of each alone (`fitting`): as a loop, they
      // keep the registers in locals, written back at every call (LOCAL_REGISTERS). The last
      // found go first.
      if (source.length <= maxSource || held.length === 1) break;
      held.pop();
    }
  }
  if (shared.fns.size >= MAX_FUNCTIONS) {
    shared.fns.clear();
    shared.compiled.clear();
    shared.grown.clear();
  }
  const handlerNames = [...new Set(called.map((b) => b.index))];
  const prelude = [
    ...globals.map((g) => `const ${g} = ISA.${g};`),
    ...handlerNames.map((i) => `const H${i} = HANDLERS[${i}];`),
    ...Object.keys(outOfLine).map((m) => `const OUT_${m} = OUT.${m};`),
  ].join('\n');
  const factory = new Function('ISA', 'HANDLERS', 'D', 'OUT', 'LEAVE', 'SYNC', 'WB', 'TS', `"use strict";\n${prelude}\nreturn function block(cpu, pc0, at0) {\n${source}\n};`) as (
    i: unknown,
    h: unknown,
    d: unknown,
    out: typeof outOfLine,
    leave: typeof LEAVE,
    sync: typeof syncForAccess,
    back: typeof writeBack,
    settings: typeof translatorSettings,
  ) => BlockFn;
  const decoded = called.map((b) => new DecodedInsn(b.index, b.d.rd, b.d.rs1, b.d.rs2, b.d.imm, b.d.word, b.d.cost));
  const fn = factory(isaModule, shared.handlers, decoded, outOfLine, LEAVE, syncForAccess, writeBack, translatorSettings);
  shared.fns.set(key, { fn, held: undefined });
  if (held !== undefined) shared.fns.set(cutKeyOf(whole, maxSource), { fn, held });
  remember(shared.compiled, entryOf(region[0]!.word, region[0]!.insns[0]!.d.word), { fn, key, words: region.map((b) => b.word) });
  return { fn, reused: false, blocks: region };
}

/** The newest of `known` (the regions remembered under one entry) whose blocks' words are
 *  still those of the page at `base` (keyOf, as any reuse), with its blocks, as a reuse. */
function newestMatching<T extends Remembered>(cpu: Processor, isa: Isa, base: number, known: readonly T[] | undefined): (T & { reused: true; blocks: RegionBlock[] }) | undefined {
  for (let k = (known?.length ?? 0) - 1; k >= 0; k--) {
    const region = known![k]!;
    const blocks = region.words.map((word) => ({ word, insns: collect(cpu, isa, base | (word << 2)) }));
    if (keyOf(blocks) === region.key) return { ...region, reused: true, blocks };
  }
  return undefined;
}

/** Remember a region under its entry (Shared.compiled, Shared.grown): at most
 *  REGIONS_PER_ENTRY, the oldest forgotten first. */
function remember<T extends Remembered>(byEntry: Map<number, T[]>, entry: number, region: T): void {
  const known = byEntry.get(entry) ?? [];
  if (known.some((r) => r.fn === region.fn)) return;
  if (known.length >= REGIONS_PER_ENTRY) known.shift();
  known.push(region);
  byEntry.set(entry, known);
}

/** The process's grown region entered at `entry` whose function is `fn`, if it is one. */
function grownOf(isa: Isa, entry: number, fn: BlockFn | undefined): Grown | undefined {
  return sharedFor(isa).grown.get(entry)?.find((g) => g.fn === fn);
}

/** Remember a grown region under its entry. */
function rememberGrown(isa: Isa, entry: number, fn: BlockFn, blocks: readonly RegionBlock[], full: boolean): void {
  remember(sharedFor(isa).grown, entry, { fn, key: keyOf(blocks), words: blocks.map((b) => b.word), full });
}

/** The other words of a page that the grown region entered at word i also collects blocks
 *  from: those its region left for at least a 32nd of the growAt times it takes to grow, most
 *  first (CodePage.exitTargets). They are what a region cannot find from its entry: the targets
 *  of indirect jumps and calls (a kernel's system call handlers, a VMM's handler of each trap
 *  cause; the instruction after an indirect call, where its callee returns). */
function growthTargets(page: CodePage, i: number): number[] {
  return page.exitTargets(i, Math.max(1, translatorSettings.growAt >>> 5)).filter((w) => w !== i);
}

/** The translating engine: runs compiled regions, and the interpreter for the rest. */
export class Translator {
  constructor(
    private readonly isa: Isa,
    private readonly interp: Interpreter,
  ) {}

  run(cpu: Processor): void {
    const cache = cpu.translations!;
    const interp = this.interp;
    const threshold = translatorSettings.hotThreshold;
    const growAt = translatorSettings.growAt;
    // The page and entry of the region called last, while nothing else has run since and the
    // fetch page has not changed: the next entry is then an exit of that region to its own page.
    let lastPage: CodePage | undefined;
    let lastEntry = 0;
    while (cpu.cycles < cpu.stopCycle) {
      const pc = cpu.pc;
      if ((pc & -4093) !== cpu.fetchPage) {
        lastPage = undefined;
        // The interpreter's slow fetch (as in `step`), here so that the instruction after a
        // ring or page change (every trap entry and return) runs in its block too: through the
        // MMU, a TLB hit or miss, or a fetch fault, whose trap is taken without a throw (as
        // trapReturning: the loop goes on at the handler). Whatever runs the instruction now
        // counts its fetch as a fetch-page hit, which the MMU has already counted: take that
        // back. From here on the instruction runs whatever stopCycle says (a walk may have
        // passed it), as step's would: a block that declines runs nothing and runBlock runs at
        // least one instruction.
        if (cpu.fetchOrTrap(pc) < 0) continue;
        cpu.fetchHits -= cpu.fetchPaged;
      }
      // The usual case, warm: word i has a function, and the last region did not leave for its
      // own page (or its entry counts no more exits). Everything else is `enter`'s.
      const page = cache.pages[cpu.fetchBase >>> 12];
      const i = (pc & 4095) >>> 2;
      let fn = page?.blocks[i];
      if (fn === undefined || (lastPage !== undefined && page === lastPage && lastPage.leftHere[lastEntry]! < growAt)) {
        if (page === undefined) cache.page(cpu.fetchBase >>> 12);
        else fn = this.enter(cpu, cache, page, i, page === lastPage ? lastEntry : -1);
        if (fn === undefined) {
          lastPage = undefined;
          interp.runBlock(cpu, threshold, REUSE_AFTER);
          continue;
        }
      }
      lastPage = page;
      lastEntry = i;
      const ran = fn(cpu, pc, (cpu.fetchBase >>> 2) | i);
      if (ran === 0) {
        lastPage = undefined;
        interp.runBlock(cpu, threshold, REUSE_AFTER);
      } else if (ran === YIELDED) {
        lastPage = undefined; // not an exit the region's growth should count
        cache.counters.yielded++;
      }
    }
  }

  /** The dispatcher's other cases at word i of `page` (the fetch page): the function to call
   *  there, or undefined (the interpreter runs the block). `left`: the entry of the region
   *  called last, if word i is its exit to its own page (else -1). */
  private enter(cpu: Processor, cache: TranslationCache, page: CodePage, i: number, left: number): BlockFn | undefined {
    const threshold = translatorSettings.hotThreshold;
    const growAt = translatorSettings.growAt;
    let fn = page.blocks[i];
    if (fn === undefined) {
      // Where none of what follows applies (a block of a known page, not compiled, with a
      // count below the threshold and not at REUSE_AFTER), runBlock counts the reach itself and
      // does not come back here: the two must agree on when the dispatcher acts.
      const heat = page.heat[i]!;
      if (heat < threshold) {
        page.heat[i] = heat + 1;
        if (heat === REUSE_AFTER && this.translate(cpu, cache, page, i, 'reuse')) fn = page.blocks[i];
      } else if (heat !== NEVER && this.translate(cpu, cache, page, i, 'first')) fn = page.blocks[i];
      return fn;
    }
    if (left < 0) return fn;
    const count = page.leftHere[left]!;
    if (count >= growAt) return fn;
    page.leftHere[left] = count + 1;
    page.countExit(left, i);
    // The region grows at growAt such exits; at the first, it takes the process's grown region
    // for its entry if there is one (a warm boot). A flush (the cache full) takes word i's
    // function too: a flushed page no longer marks the words its blocks cover, so it would miss
    // a store to them.
    if (count + 1 === growAt || count === 0) {
      this.translate(cpu, cache, page, left, count + 1 === growAt ? 'grow' : 'adopt');
      fn = cache.pages[cpu.fetchBase >>> 12] === page ? page.blocks[i] : undefined;
    }
    return fn;
  }

  /** Compile the region entered at word i of the fetch page: 'first' at the threshold; 'reuse'
   *  only finds it among the process's compiled functions, a grown region first; 'grow'
   *  compiles it again with the limits of GROWN_REGION (word i has a function, whose region has
   *  left for its own page growAt times); 'adopt' only takes the process's grown region for it
   *  (a warm boot). False if no block can start there, it was not found, or (grow) word i's
   *  function holds every block the grown region would. The region's function becomes the
   *  entry of each of its blocks that has none yet, and of word i. */
  private translate(cpu: Processor, cache: TranslationCache, page: CodePage, i: number, how: 'first' | 'reuse' | 'grow' | 'adopt'): boolean {
    const base = cpu.fetchBase;
    const onlyKnown = how === 'reuse' || how === 'adopt';
    const entry = entryOf(i, cpu.memory.words[(base >>> 2) | i]!);
    if (onlyKnown && !sharedFor(this.isa).compiled.has(entry)) return false;
    // A warm boot takes the entry's grown region at once, if the process has one.
    const grown = onlyKnown ? newestMatching(cpu, this.isa, base, sharedFor(this.isa).grown.get(entry)) : undefined;
    if (how === 'adopt' && (grown === undefined || grown.fn === page.blocks[i])) return false;
    // Else, at its reuse, the newest region compiled for the entry, whichever of its successors
    // this machine has reached so far: a region collected from those (below) and found by its
    // key missed one compiled at the threshold in a loop a boot runs once (the kernel's page
    // tables at boot), which then ran in the interpreter up to the threshold in every boot.
    const earlier = how === 'reuse' && grown === undefined ? newestMatching(cpu, this.isa, base, sharedFor(this.isa).compiled.get(entry)) : undefined;
    // Successors join the region once the interpreter has reached them (so V8 sees code that
    // runs, with type feedback, and code that changes often, as under bt, is not compiled in
    // bulk) or when they have a block already; `regionAll` (tests) takes every successor.
    const all = translatorSettings.regionAll;
    const take = (w: number): boolean => all || (page.heat[w]! > 0 && page.heat[w] !== NEVER) || page.blocks[w] !== undefined;
    const limits = how === 'grow' ? GROWN_REGION : FIRST_REGION;
    const found = { full: false };
    let blocks = grown?.blocks ?? earlier?.blocks;
    // A region that grows again (its function is a grown region) starts from the blocks it holds.
    const before = how === 'grow' ? grownOf(this.isa, entry, page.blocks[i]) : undefined;
    if (blocks === undefined && how === 'grow') {
      // A grown region also starts from its exit targets, and takes only successors reached at
      // least a sixteenth as often as its entry (before they were compiled): an error path
      // reached a few times would take the room of the hot path.
      const kept = before?.words.slice(1) ?? [];
      const roots = [...kept, ...growthTargets(page, i).filter((w) => !kept.includes(w))];
      const hot = (w: number): boolean => take(w) && (page.heat[w]! * 16 >= page.heat[i]! || roots.includes(w));
      blocks = collectRegion(cpu, this.isa, base, i, hot, limits, roots, found);
    }
    blocks ??= collectRegion(cpu, this.isa, base, i, take, limits);
    if (blocks.length === 0) {
      page.heat[i] = NEVER; // a cold instruction: the interpreter runs it, until the page is written
      return false;
    }
    if (how === 'grow' && blocks.every((b) => (before === undefined ? page.blocks[b.word] === page.blocks[i] : before.words.includes(b.word)))) return false;
    const known = grown ?? earlier ?? (onlyKnown ? compiledBefore(this.isa, blocks, limits.source) : undefined);
    if (onlyKnown && known === undefined) return false;
    if (cache.blocks + blocks.length > translatorSettings.maxBlocks) {
      cache.flush();
      return false;
    }
    if (cache.pages[base >>> 12] !== page) return false;
    const { fn, reused, blocks: held } = known ?? compile(this.isa, blocks, limits.source, how === 'grow');
    page.countExits();
    for (const b of held) {
      for (let k = 0; k < b.insns.length; k++) page.covered[b.word + k] = 1;
      if (page.blocks[b.word] === undefined) {
        page.blocks[b.word] = fn;
        page.count++;
        cache.blocks++;
        cache.counters.compiled++;
      }
    }
    if (how === 'grow' || how === 'adopt') {
      page.blocks[i] = fn;
      cache.counters.grown++;
    }
    // A grown region grows again after growAt more exits, from the blocks it holds and its new
    // exit targets, until it is full. It keeps what it held: its new exits no longer show the
    // targets it keeps inside, and a region grown from them alone dropped those (in session 18
    // the `te` VMM's trap entry lost its privileged instruction handler that way).
    const full = grown?.full ?? (found.full || held.length < blocks.length);
    if (how === 'grow') rememberGrown(this.isa, entry, fn, held, full);
    if (how === 'grow' || grown !== undefined) page.restartCount(i, full);
    cache.counters.regions++;
    if (reused) cache.counters.reused++;
    return true;
  }
}
