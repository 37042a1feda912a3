// The isolation suite's storage measurements (issue 19; docs/isolation.md, "Storage"): what a
// container's layered root costs a file, measured from executed instructions in the native
// kernel with the probe programs/user/isostore.s, and the findings they check.
//
//   lookup     a stat of a file found in the bottom layer, and of a miss, against the number of
//              lower layers of the container's overlay (1, 2, 4, 8), and for a process (no overlay)
//   copy-up    the first write to a lower file (the overlay copies it up whole) against its size,
//              with the upper layer on a tmpfs and on the disk
//   writes     a write-heavy workload (random 4 KiB writes to an existing 64 KiB file) on the
//              overlay's upper layer, on a volume (crun's `volume=`: a bind mount of a directory
//              of the host's disk) and as a process
//
// Every figure is the difference of two laps' cycles: the probe marks each lap with a marker
// (isoprobe.s's getpid with a0 = ISO_MARK, a1 = STORE_LAP, a2 = the lap), which the trace hook
// sees as the trap it is. A lookup is ((lap 2 - lap 1) - (lap 1 - lap 0)) / N over N and 2N
// lookups: the markers and the loop's set-up cancel, as the overhead suite's runs at N and 2N.
// The random-read IOPS part of storage is iso-disk of the system-call table (isolation.ts); under
// pv every disk request of the guest kernel already goes through the pv block ring (disk.s), so
// the findings read pv's row for the ring (no second measurement).

import { BUNDLE_DIR, bundleConfig, launcher } from '../configs/container.js';
import { userImage, type BootOptions, type UserProgram } from '../configs/index.js';
import { rootDisk } from '../configs/rootfs.js';
import { systemPrograms } from '../configs/system.js';
import type { DiskFile } from '../configs/workloads.js';
import { toExecutable } from '../fs/exec.js';
import { isaWith } from '../isa/index.js';
import type { CostModel } from '../machine/costs.js';
import { checked, tracedBoot, type IsolationResults, type SyscallRow } from './isolation.js';
import { BenchError, MEASURE_MAX_CYCLES } from './measure.js';
import { grouped, ratio as times } from './render/format.js';
import type { Finding } from './results.js';
import { NEAR_NATIVE } from './thresholds.js';

/** isostore.s's lap marker: a1 of the ISO_MARK getpid (isoprobe.s's markers are 1 to 4). */
export const STORE_LAP = 16;
/** Lower layers of the lookup runs' overlays. */
export const LOOKUP_LAYERS = [1, 2, 4, 8] as const;
/** Lookups per lap (the runs are at N and 2N within one boot). */
export const LOOKUP_ITERATIONS = 20;
/** Sizes of the lower files whose first write is measured (bytes). */
export const COPYUP_SIZES = [0, 4 << 10, 16 << 10, 64 << 10, 256 << 10] as const;
/** The write-heavy workload: writes of 4 KiB per pass, to a 64 KiB file. */
export const WRITE_ITERATIONS = 16;
export const DB_BYTES = 64 << 10;
/** The host directory crun bind-mounts as the volume, and where it shows in the container. */
export const VOLUME_SOURCE = '/var/lib/vol';
export const VOLUME_TARGET = '/vol';
/** Every storage container's upper layer on a tmpfs is this large (the 256 KiB copy-up fits). */
export const STORAGE_UPPER_SIZE = 'upper.size=1m';
/** Where the storage bundles' layers are (crun's layer paths are the bundle's): shorter than
 *  LAYER_DIR, because the overlay's options string holds every layer's path (OVL_OPTS_MAX, 256
 *  bytes with the upper layer's) and 8 layers of /var/lib/crun/layers/N do not fit in it. */
export const STORAGE_LAYER_DIR = '/var/lib/crun/st';
/** Layers of the copy-up and write runs: the data layer and the probe's, as the suite's container. */
export const STORAGE_LAYERS = 2;

export type Upper = 'tmpfs' | 'disk';

export interface LookupPoint {
  /** Lower layers of the container's overlay (0: a process, no overlay). */
  layers: number;
  /** Cycles per stat of /data/f (in the bottom layer), and of /data/none (no layer has it). */
  hit: number;
  miss: number;
}

export interface CopyupPoint {
  bytes: number;
  /** Cycles of open for writing, a one-byte write and close: the first time (the copy-up), the second. */
  first: number;
  again: number;
  /** first - again: the copy-up. */
  copyup: number;
  /** Of the first, cycles the processor idled waiting for the disk. */
  idle: number;
}

export type WriteWhere = 'process' | 'volume' | 'overlay, upper on disk' | 'overlay, upper on tmpfs';

export interface WriteRow {
  where: WriteWhere;
  /** Cycles of the first pass (open, the writes, close: a copy-up first on the overlay) and the second. */
  first: number;
  again: number;
  /** Of each, cycles idle waiting for the disk. */
  idle: [number, number];
}

export interface StorageResults {
  /** The kernel the storage figures are measured in (the container's costs are the kernel's). */
  config: 'native';
  lookup: { iterations: number; points: LookupPoint[] };
  copyup: { upper: Upper; points: CopyupPoint[] }[];
  writes: { iterations: number; bytes: number; rows: WriteRow[] };
}

// ---------------------------------------------------------------------------------------------
// The probe's disk and bundles

const isa = isaWith([]);
const NAMES = ['store-look', 'store-copyup', 'store-write'] as const;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bytes of a file of n bytes: every word holds its offset (so no two blocks are alike). */
function filled(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  const view = new DataView(bytes.buffer);
  for (let at = 0; at + 4 <= n; at += 4) view.setUint32(at, at, true);
  return bytes;
}

/** The data the probe works on, under `dir` (/data for a process, a layer's data/ otherwise). */
function dataFiles(dir: string): DiskFile[] {
  return [
    { path: `${dir}/f`, bytes: enc('the file store-look finds in the bottom layer\n') },
    ...COPYUP_SIZES.map((n, i) => ({ path: `${dir}/c${i}`, bytes: filled(n) })),
    { path: `${dir}/db`, bytes: filled(DB_BYTES) },
  ];
}

/** A container's layers: 0 (the bottom) holds the data; every layer above holds a /data of its
 *  own (so each one's /data is searched), the top one the probe and the volume's mountpoint. */
function layerFiles(layers: number): DiskFile[] {
  const exe = toExecutable(userImage('isostore', isa), 'isostore');
  const top = `${STORAGE_LAYER_DIR}/${layers - 1}`;
  const files: DiskFile[] = [...dataFiles(`${STORAGE_LAYER_DIR}/0/data`)];
  for (let i = 1; i < layers; i++) files.push({ path: `${STORAGE_LAYER_DIR}/${i}/data/l${i}`, bytes: enc(`layer ${i}\n`) });
  files.push(...NAMES.map((n) => ({ path: `${top}/bin/${n}`, bytes: exe })), { path: `${top}${VOLUME_TARGET}/.mountpoint`, bytes: enc('the volume is mounted here\n') });
  return files;
}

/** The boot of `command` as a process (the root disk's /data) or in a container of `layers` lower
 *  layers whose upper layer is `upper`, with the volume when `volume`. */
export function storageBoot(costs: CostModel, command: string[], container?: { layers: number; upper: Upper; volume?: boolean }): BootOptions {
  const volume = [{ path: `${VOLUME_SOURCE}/db`, bytes: filled(DB_BYTES) }];
  if (!container) {
    const program: UserProgram = { name: command[0]!, image: userImage('isostore', isa), iterations: Number(command[1]) };
    return { workloads: [], programs: [program], disk: rootDisk([], undefined, [...dataFiles('/data'), ...volume], systemPrograms(isa)), costs, maxCycles: MEASURE_MAX_CYCLES };
  }
  const extra = [...(container.upper === 'tmpfs' ? [STORAGE_UPPER_SIZE] : []), ...(container.volume ? [`volume=${VOLUME_SOURCE}:${VOLUME_TARGET}`] : [])];
  const config = bundleConfig({ command, layerCount: container.layers, upper: container.upper }, STORAGE_LAYER_DIR) + extra.map((l) => `${l}\n`).join('');
  const files = [...layerFiles(container.layers), ...volume, { path: `${BUNDLE_DIR}/config`, bytes: enc(config) }];
  return { workloads: [], programs: [launcher(isa)], disk: rootDisk([], undefined, files, systemPrograms(isa)), costs, maxCycles: MEASURE_MAX_CYCLES };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Lap {
  cycle: number;
  idle: number;
}

/** Boot and keep the probe's laps (cycle and idle cycles at each); `laps` of them or an error. */
export function lapsOf(options: BootOptions, laps: number, what: string): Lap[] {
  const out: Lap[] = [];
  const t = tracedBoot('native', options, (m, at) => {
    if (m.what !== STORE_LAP) return;
    if (m.count !== out.length) throw new BenchError(`${what}: lap ${m.count} came as lap ${out.length}`);
    out.push({ cycle: m.cycle, idle: at.machine.cpu.idleCycles });
  });
  checked(t.result, `${what} under native`);
  if (out.length !== laps) throw new BenchError(`${what}: ${out.length} laps, not ${laps}`);
  return out;
}

/** ((lap b+2 - lap b+1) - (lap b+1 - lap b)) / n: n operations, nothing else. */
const perOp = (l: Lap[], b: number, n: number): number => (l[b + 2]!.cycle - 2 * l[b + 1]!.cycle + l[b]!.cycle) / n;

function lookupPoint(costs: CostModel, layers: number): LookupPoint {
  const n = LOOKUP_ITERATIONS;
  const command = ['store-look', String(n)];
  const l = lapsOf(storageBoot(costs, command, layers ? { layers, upper: 'tmpfs' } : undefined), 6, `store-look with ${layers} layers`);
  return { layers, hit: perOp(l, 0, n), miss: perOp(l, 3, n) };
}

function copyupPoints(costs: CostModel, upper: Upper): CopyupPoint[] {
  const n = COPYUP_SIZES.length;
  const l = lapsOf(storageBoot(costs, ['store-copyup', String(n)], { layers: STORAGE_LAYERS, upper }), 3 * n, `store-copyup (upper on ${upper})`);
  return COPYUP_SIZES.map((bytes, i) => {
    const [a, b, c] = [l[3 * i]!, l[3 * i + 1]!, l[3 * i + 2]!];
    return { bytes, first: b.cycle - a.cycle, again: c.cycle - b.cycle, copyup: b.cycle - a.cycle - (c.cycle - b.cycle), idle: b.idle - a.idle };
  });
}

function writeRow(costs: CostModel, where: WriteWhere): WriteRow {
  const n = String(WRITE_ITERATIONS);
  const options =
    where === 'process' ? storageBoot(costs, ['store-write', n])
    : where === 'volume' ? storageBoot(costs, ['store-write', n, VOLUME_TARGET], { layers: STORAGE_LAYERS, upper: 'tmpfs', volume: true })
    : storageBoot(costs, ['store-write', n, '/data'], { layers: STORAGE_LAYERS, upper: where === 'overlay, upper on disk' ? 'disk' : 'tmpfs' });
  const l = lapsOf(options, 3, `store-write (${where})`);
  return { where, first: l[1]!.cycle - l[0]!.cycle, again: l[2]!.cycle - l[1]!.cycle, idle: [l[1]!.idle - l[0]!.idle, l[2]!.idle - l[1]!.idle] };
}

/** Every storage figure (each measured twice: `same` is told both). */
export function runStorage(costs: CostModel, same: (a: unknown, b: unknown) => void, step: (what: string) => void = () => {}): StorageResults {
  const twice = <T>(f: () => T): T => {
    const a = f();
    same(f(), a);
    return a;
  };
  step('storage: lookups against the overlay\'s layers');
  const points = [0, ...LOOKUP_LAYERS].map((layers) => twice(() => lookupPoint(costs, layers)));
  step('storage: copy-up against file size');
  const copyup = (['tmpfs', 'disk'] as const).map((upper) => ({ upper, points: twice(() => copyupPoints(costs, upper)) }));
  step('storage: a write-heavy workload, overlay against a volume');
  const rows = (['process', 'volume', 'overlay, upper on disk', 'overlay, upper on tmpfs'] as const).map((w) => twice(() => writeRow(costs, w)));
  return { config: 'native', lookup: { iterations: LOOKUP_ITERATIONS, points }, copyup, writes: { iterations: WRITE_ITERATIONS, bytes: DB_BYTES, rows } };
}

/** The number of steps runStorage reports. */
export const STORAGE_STEPS = 3;

// ---------------------------------------------------------------------------------------------
// Findings

const kib = (bytes: number): string => (bytes === 0 ? '0 KiB' : `${grouped(bytes >> 10)} KiB`);
const increasing = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

function disk(r: IsolationResults, config: string): SyscallRow | undefined {
  return r.syscalls.find((s) => s.op === 'disk' && s.config === config && s.where === 'process');
}

export function storageFindings(r: IsolationResults): Finding[] {
  const out: Finding[] = [];
  const iops = (x: SyscallRow, base: SyscallRow): number => base.perIteration / x.perIteration;
  const dp = disk(r, 'native');

  // Felter et al.: KVM reached about half of native random-read IOPS.
  const vms = r.configs.filter((c) => c !== 'native' && c !== 'pv').map((c) => disk(r, c)).filter((x): x is SyscallRow => x !== undefined);
  if (dp && vms.length) {
    const holds = vms.every((x) => iops(x, dp) <= 1 / NEAR_NATIVE);
    out.push({
      id: 'iso-vm-iops',
      claim: `a VM's random-read IOPS falls well below native, under ${Math.round(100 / NEAR_NATIVE)}% (Felter et al. 2015: KVM about 50% of native, Docker about 100%)`,
      holds,
      text: `random 4 KiB reads against a native process: ${vms.map((x) => `${x.config} ${Math.round(100 * iops(x, dp))}%`).join(', ')}` +
        (holds ? '' : `. A read costs ${grouped(dp.perIteration)} cycles natively, ${grouped(dp.attribution.idle)} of them the device's latency, which a VMM does not add to; ` +
          `what it adds per request (${vms.map((x) => `${x.config} ${grouped(x.perIteration - dp.perIteration)}`).join(', ')} cycles: the exits of the driver's port accesses and the interrupt` +
          `${vms.some((x) => x.config === 'hosted') ? '; under hosted also the way through rlvmm, its I/O process and the host\'s file layer' : ''}) is small beside it. ` +
          'Felter et al. measured a fast SSD, whose latency is small, behind QEMU\'s emulated I/O path, whose cost per request is large: the ratio of the two decides, and here the device is slow'),
    });
  }

  // pv: its disk driver always uses the block ring (disk.s, PARAVIRT), so pv's row is the ring's.
  const pv = disk(r, 'pv');
  if (dp && pv) {
    const share = iops(pv, dp);
    out.push({
      id: 'iso-pv-ring-iops',
      claim: 'pv\'s block ring (Xen\'s blkfront and blkback) reaches about 0.9x native random-read IOPS or better',
      holds: share >= 0.9,
      text: `pv reads at ${Math.round(100 * share)}% of a native process's IOPS (${grouped(pv.perIteration)} cycles a read against ${grouped(dp.perIteration)}): every disk request of the PARAVIRT kernel goes through the ring, ` +
        'one request and one kick per read here (the probe has one read in flight, as an IOPS test at queue depth 1); what the ring batches is bflush\'s writes',
    });
  }

  const s = r.storage;
  if (!s) return out;

  // The overlay's lookup walks its layers (Felter et al.: AUFS's overhead on file operations).
  const pts = s.lookup.points.filter((p) => p.layers > 0);
  const proc = s.lookup.points.find((p) => p.layers === 0);
  if (pts.length >= 2) {
    const a = pts[0]!;
    const b = pts[pts.length - 1]!;
    const holds = increasing(pts.map((p) => p.miss)) && b.hit > a.hit;
    out.push({
      id: 'iso-layer-lookup',
      claim: 'a lookup in a container\'s layered root costs more the more lower layers it searches (a union filesystem looks a name up layer by layer, top first; Felter et al. 2015: AUFS adds to file operations)',
      holds,
      text: `a stat per lower layers, a file in the bottom layer / a miss: ${pts.map((p) => `${p.layers} ${grouped(p.hit)} / ${grouped(p.miss)}`).join(', ')} cycles` +
        (proc ? ` (a process, no overlay: ${grouped(proc.hit)} / ${grouped(proc.miss)})` : '') +
        `; from ${a.layers} to ${b.layers} layers a miss costs ${grouped((b.miss - a.miss) / (b.layers - a.layers))} cycles more per layer, a hit ${grouped((b.hit - a.hit) / (b.layers - a.layers))}`,
    });
  }

  // Copy-up cost grows with the file's size.
  for (const c of s.copyup) {
    const p = c.points;
    if (p.length < 2) continue;
    const big = p[p.length - 1]!;
    const prev = p[p.length - 2]!;
    out.push({
      id: `iso-copyup-${c.upper}`,
      claim: `the first write to a lower file costs more the larger the file: the overlay copies it up whole (overlayfs; Docker's storage-driver documentation), here with the upper layer on ${c.upper === 'tmpfs' ? 'a tmpfs' : 'the disk'}`,
      holds: increasing(p.map((x) => x.copyup)),
      text: `copy-up (first write minus second) per file size: ${p.map((x) => `${kib(x.bytes)} ${grouped(x.copyup)}`).join(', ')} cycles; ` +
        `from ${kib(prev.bytes)} to ${kib(big.bytes)} ${grouped((big.copyup - prev.copyup) / ((big.bytes - prev.bytes) >> 10))} cycles per KiB more; ` +
        `the ${kib(big.bytes)} file's first write waits for the disk ${Math.round((100 * big.idle) / big.first)}% of its ${grouped(big.first)} cycles (its blocks read from the lower layer${c.upper === 'disk' ? ', the copy written' : ''})`,
    });
  }

  // Docker's advice: write-heavy data on a volume, not in the container's writable layer.
  const row = (w: WriteWhere): WriteRow | undefined => s.writes.rows.find((x) => x.where === w);
  const vol = row('volume');
  const ovl = row('overlay, upper on disk');
  if (vol && ovl) {
    const n = s.writes.iterations;
    const tmp = row('overlay, upper on tmpfs');
    const p = row('process');
    out.push({
      id: 'iso-volume-writes',
      claim: 'a write-heavy workload costs less on a volume than on the container\'s upper layer on the same disk: a volume bypasses the union filesystem (Docker\'s advice for write-heavy data; Felter et al. 2015)',
      holds: vol.first < ovl.first,
      text: `${n} random 4 KiB writes to an existing ${kib(s.writes.bytes)} file, open to close: on the volume ${grouped(vol.first)} cycles (${grouped(vol.first / n)} a write), ` +
        `on the overlay's upper layer on the disk ${grouped(ovl.first)} (${grouped(ovl.first / n)} a write, ${times(ovl.first / vol.first)} the volume)` +
        (p ? `, as a process ${grouped(p.first)}` : '') +
        `; the second pass, the file in the upper layer by then: ${grouped(ovl.again)} against ${grouped(vol.again)} on the volume (${times(ovl.again / vol.again)}): the overlay's price is the copy-up of the first write` +
        (tmp ? `. With the upper layer on a tmpfs the first pass costs ${grouped(tmp.first)}: memory, not the disk (the suite's default container, whose writes are lost with it)` : ''),
    });
  }
  return out;
}
