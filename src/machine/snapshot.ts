// Machine snapshots, for the debugger's reverse execution: everything that determines what the
// machine does next and what it reports, so that restoring a snapshot and running on repeats
// history exactly (the machine is deterministic).
//
// What a snapshot holds:
// - processor: every own field of the Processor, found by reflection so that a field added later
//   is saved without touching this file: numbers, booleans, strings and undefined are copied;
//   typed arrays (registers, accounting buckets, trap counts) are copied; Maps are copied; plain
//   objects (the double-fault record) are cloned; objects with save()/restore() (the MMU and its
//   TLB) save themselves. A new stateful object in the processor must implement save()/restore()
//   (test/debug/snapshot.test.ts fails on a field it cannot classify).
// - memory: one reference per 4 KiB page. A page equal to the same page of the previous snapshot
//   shares its copy, so a chain of snapshots costs only the pages that changed between them.
// - devices: each device's save() (timer state, console input position and output length).
//
// Not saved: caches derived from memory (the decoded-instruction cache and the translator's
// blocks are dropped for every page whose contents a restore changes) and references to the machine's parts. The processor's
// `onTrap` hook belongs to whoever installed it, so it is left alone.

import type { Machine } from './machine.js';

export const SNAPSHOT_PAGE = 4096;

/** Processor fields that are not state: parts of the machine, caches, hooks. (The data-page
 *  cache and `linesAtCheck` are dropped at a restore: Processor.cachesRestored. `tableFrames` is
 *  the MMU's, whose restore drops the walks that depend on it.) */
const NOT_STATE = new Set([
  'isa', 'memory', 'bus', 'costs', 'decodePages', 'fetchDecoded', 'words', 'halves', 'bytes', 'illegal', 'onTrap', 'onModeChange', 'memSize', 'translations', 'codeWrites',
  'dataPage', 'dataBase', 'dataAllow', 'dataFast', 'dataDecode', 'dataSet', 'dataPages', 'dataBases', 'dataRights', 'dataCached', 'linesAtCheck',
  'tableFrames', 'decodedWords',
]);

type Saved =
  | { kind: 'value'; value: unknown }
  | { kind: 'typed'; value: ArrayLike<number> & { slice(): unknown } }
  | { kind: 'map'; value: Map<unknown, unknown> }
  | { kind: 'object'; value: unknown }
  | { kind: 'saver'; value: unknown };

export interface MachineSnapshot {
  /** Processor field name to saved value. */
  readonly cpu: ReadonlyMap<string, Saved>;
  /** One entry per 4 KiB page of physical memory, possibly shared with other snapshots. */
  readonly pages: readonly Uint8Array[];
  readonly devices: readonly unknown[];
}

interface Saver {
  save(): unknown;
  restore(state: unknown): void;
}

function isSaver(v: unknown): v is Saver {
  return typeof v === 'object' && v !== null && typeof (v as Saver).save === 'function' && typeof (v as Saver).restore === 'function';
}

function isPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** How a processor field is saved, or undefined if it is not state; throws for a field nothing
 *  here knows how to save (so a new kind of state cannot be skipped silently). */
export function classifyField(machine: Machine, name: string, value: unknown): Saved['kind'] | undefined {
  if (NOT_STATE.has(name)) return undefined;
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return 'value';
  if (ArrayBuffer.isView(value)) {
    if (value.buffer === machine.memory.bytes.buffer) return undefined; // a view of memory
    return 'typed';
  }
  if (value instanceof Map) return 'map';
  if (isSaver(value)) return 'saver';
  if (isPlainObject(value)) return 'object';
  if (typeof value === 'function') return undefined;
  throw new Error(`snapshot: processor field '${name}' holds state that cannot be saved (give it save() and restore())`);
}

function saveCpu(machine: Machine): Map<string, Saved> {
  const out = new Map<string, Saved>();
  const cpu = machine.cpu as unknown as Record<string, unknown>;
  for (const name of Object.keys(cpu)) {
    const value = cpu[name];
    switch (classifyField(machine, name, value)) {
      case 'value': out.set(name, { kind: 'value', value }); break;
      case 'typed': out.set(name, { kind: 'typed', value: (value as Int32Array).slice() }); break;
      case 'map': out.set(name, { kind: 'map', value: new Map(value as Map<unknown, unknown>) }); break;
      case 'object': out.set(name, { kind: 'object', value: structuredClone(value) }); break;
      case 'saver': out.set(name, { kind: 'saver', value: (value as Saver).save() }); break;
      case undefined: break;
    }
  }
  return out;
}

function restoreCpu(machine: Machine, saved: ReadonlyMap<string, Saved>): void {
  const cpu = machine.cpu as unknown as Record<string, unknown>;
  // Savers first: restoring the MMU drops the fetch-page cache, which the plain fields then put
  // back exactly as it was (it was consistent with the TLB and memory being restored).
  for (const [name, s] of saved) if (s.kind === 'saver') (cpu[name] as Saver).restore(s.value);
  for (const [name, s] of saved) {
    switch (s.kind) {
      case 'value': cpu[name] = s.value; break;
      case 'typed': (cpu[name] as Int32Array).set(s.value as Int32Array); break;
      case 'map': {
        const map = cpu[name] as Map<unknown, unknown>;
        map.clear();
        for (const [k, v] of s.value) map.set(k, v);
        break;
      }
      case 'object': cpu[name] = structuredClone(s.value); break;
      case 'saver': break;
    }
  }
}

const ZERO_PAGE = new Uint8Array(SNAPSHOT_PAGE);

function pageView(bytes: Uint8Array, page: number): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset + page * SNAPSHOT_PAGE, SNAPSHOT_PAGE);
}

function isZero(page: Buffer): boolean {
  return page.equals(ZERO_PAGE);
}

/** Save the whole machine. Pages equal to the same page of `previous` are shared with it. */
export function takeSnapshot(machine: Machine, previous?: MachineSnapshot): MachineSnapshot {
  const bytes = machine.memory.bytes;
  const count = bytes.length / SNAPSHOT_PAGE;
  const pages: Uint8Array[] = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    const view = pageView(bytes, i);
    const prev = previous?.pages[i];
    if (prev && view.equals(prev)) pages[i] = prev;
    else pages[i] = isZero(view) ? ZERO_PAGE : new Uint8Array(view);
  }
  return { cpu: saveCpu(machine), pages, devices: machine.devices.map((d) => d.save()) };
}

/** Put the machine back exactly as it was when `snapshot` was taken. */
export function restoreSnapshot(machine: Machine, snapshot: MachineSnapshot): void {
  const bytes = machine.memory.bytes;
  if (snapshot.pages.length * SNAPSHOT_PAGE !== bytes.length) throw new Error('snapshot: taken on a machine with a different memory size');
  for (let i = 0; i < snapshot.pages.length; i++) {
    const page = snapshot.pages[i]!;
    if (pageView(bytes, i).equals(page)) continue;
    bytes.set(page, i * SNAPSHOT_PAGE);
    machine.cpu.invalidateDecoded(i * SNAPSHOT_PAGE, SNAPSHOT_PAGE);
  }
  restoreCpu(machine, snapshot.cpu);
  machine.cpu.cachesRestored();
  machine.devices.forEach((d, i) => d.restore(snapshot.devices[i]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Where two snapshots differ (empty when the machine states are identical): processor fields
 *  by name, memory by page, devices by index. */
export function diffSnapshots(a: MachineSnapshot, b: MachineSnapshot): string[] {
  const out: string[] = [];
  const names = new Set([...a.cpu.keys(), ...b.cpu.keys()]);
  for (const name of names) {
    const x = a.cpu.get(name);
    const y = b.cpu.get(name);
    if (!x || !y || x.kind !== y.kind || !sameValue(x.value, y.value)) out.push(`cpu.${name}`);
  }
  if (a.pages.length !== b.pages.length) out.push('memory size');
  else {
    for (let i = 0; i < a.pages.length; i++) {
      const p = a.pages[i]!;
      const q = b.pages[i]!;
      if (p !== q && !Buffer.from(p.buffer, p.byteOffset, p.byteLength).equals(q)) out.push(`memory page 0x${(i * SNAPSHOT_PAGE).toString(16)}`);
    }
  }
  a.devices.forEach((d, i) => {
    if (!sameValue(d, b.devices[i])) out.push(`device ${i}`);
  });
  return out;
}
