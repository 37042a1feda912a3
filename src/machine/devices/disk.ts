// Block device: fixed 4 KiB blocks, a command interface on ports, data moved by DMA into
// physical memory when a request completes, and a completion interrupt on line 2. A request
// takes `diskRequest + bytes * diskPerByte` cycles of the cost model, and the CPU keeps
// executing meanwhile (only the cycle counter moves the request on: principle 3).
// docs/disk.md describes the ports and a request's life.

import type { CostModel } from '../costs.js';
import type { PhysicalMemory } from '../memory.js';
import type { Device, PortDef } from './device.js';

/** 4 KiB, the machine's page size: one block is one page frame, so a buffer cache or page cache
 *  needs no sub-page bookkeeping, and a VMM translating the guest's DMA (guest-physical is not
 *  host-physical) can translate a request block by block, one page each. Modern drives use 4 KiB
 *  physical sectors too (Advanced Format). */
export const DISK_BLOCK_SIZE = 4096;
/** Largest disk image: it lives in host memory (and is copied by `--disk` at power-off). */
export const DISK_MAX_BYTES = 256 * 1024 * 1024;
/** Most blocks one request may move (1 MiB): bounds the host work of one completion. */
export const DISK_MAX_COUNT = 256;

// Ports 0x80-0x86: clear of the built-in devices, of docs/extending.md's example (0x50-0x51) and
// of the ports test devices use (0x60, 0x70).
export const DISK_BLOCK = 0x80;
export const DISK_ADDR = 0x81;
export const DISK_COUNT = 0x82;
export const DISK_COMMAND = 0x83;
export const DISK_STATUS = 0x84;
export const DISK_ACK = 0x85;
export const DISK_BLOCKS = 0x86;
export const DISK_IRQ_LINE = 2;

/** Values written to DISK_COMMAND. */
export const DiskCommand = { READ: 1, WRITE: 2, FLUSH: 3 } as const;
/** DISK_STATUS bits; the error code (DiskError) is in bits 15:8. */
export const DiskStatus = { BUSY: 1, DONE: 2, ERROR: 4, REFUSED: 8, ERROR_SHIFT: 8 } as const;
/** Error codes in DISK_STATUS bits 15:8 (with ERROR set). */
export const DiskError = {
  /** DISK_COMMAND was not READ, WRITE or FLUSH. */
  COMMAND: 1,
  /** DISK_COUNT was 0 or more than DISK_MAX_COUNT. */
  COUNT: 2,
  /** A block beyond the end of the disk (every request, without a disk). */
  RANGE: 3,
  /** DISK_ADDR not a multiple of the block size, or the transfer runs past the end of memory. */
  ADDRESS: 4,
} as const;

/** What the disk needs of the machine: memory for DMA, and the CPU's idle time for statistics. */
export interface DiskHost {
  readonly memory: PhysicalMemory;
  /** DMA wrote [address, address + length): drop anything cached from it (decoded instructions). */
  memoryWritten(address: number, length: number): void;
  /** Cycles the CPU has spent asleep in wfi so far. */
  idleCycles(): number;
}

/** `stats.disk` of `run --json` and `boot --json`. */
export interface DiskStats {
  /** Requests accepted (reads, writes and flushes). */
  requests: number;
  reads: number;
  writes: number;
  flushes: number;
  /** Commands that ended in an error status, and commands refused while busy. */
  errors: number;
  refused: number;
  /** Bytes moved by completed reads and writes. */
  bytes: number;
  /** Cycles with a request in flight. */
  busyCycles: number;
  /** Of those, cycles the CPU sat in wfi: time a kernel could have given to another process. */
  waitCycles: number;
}

interface InFlight {
  command: number;
  block: number;
  address: number;
  count: number;
  startedAt: number;
  doneAt: number;
  idleAtStart: number;
}

interface DiskState {
  block: number;
  address: number;
  count: number;
  status: number;
  irq: boolean;
  written: boolean;
  request: InFlight | null;
  stats: DiskStats;
  blocks: readonly Uint8Array[];
}

const emptyStats = (): DiskStats => ({ requests: 0, reads: 0, writes: 0, flushes: 0, errors: 0, refused: 0, bytes: 0, busyCycles: 0, waitCycles: 0 });

export class DiskDevice implements Device {
  readonly name = 'disk';
  readonly doc = 'block device: 4 KiB blocks by DMA, completion interrupt on line 2';
  readonly irqLine = DISK_IRQ_LINE;
  // Virtualized under a VMM: a guest's DISK_ADDR is guest-physical, so passed through, the disk
  // would DMA into host-physical memory (the VMM's own). The VMMs keep the guest's registers,
  // check and translate each request and give it to the real disk, whose line is theirs
  // (programs/vmm/common/disk.s; docs/disk.md, "Under a VMM"). Only the size passes through.
  readonly vmm = 'virtualized' as const;
  readonly ports: readonly PortDef[] = [
    { port: DISK_BLOCK, name: 'DISK_BLOCK', access: 'rw', doc: 'first block number of the next request' },
    { port: DISK_ADDR, name: 'DISK_ADDR', access: 'rw', doc: 'physical address of the next request (a multiple of DISK_BLOCK_SIZE)' },
    { port: DISK_COUNT, name: 'DISK_COUNT', access: 'rw', doc: 'blocks in the next request (1..DISK_MAX_COUNT)' },
    { port: DISK_COMMAND, name: 'DISK_COMMAND', access: 'w', doc: 'write 1 read, 2 write, 3 flush: start a request (refused with REFUSED while BUSY)' },
    { port: DISK_STATUS, name: 'DISK_STATUS', access: 'r', doc: 'bit 0 BUSY, 1 DONE, 2 ERROR, 3 REFUSED; bits 15:8 the error code' },
    { port: DISK_ACK, name: 'DISK_ACK', access: 'w', doc: 'write anything: clear DONE, ERROR, REFUSED and lower the interrupt' },
    { port: DISK_BLOCKS, name: 'DISK_BLOCKS', access: 'r', doc: 'size of the disk in blocks (0: no disk)', vmm: 'passthrough' },
  ];

  /** The disk's contents, one array per block. A block is never changed in place once a snapshot
   *  may share it (owned[i] is 0): a write replaces it with a copy, so a snapshot is an array of
   *  references, and none at all when nothing was written since the last one. */
  private blocks: Uint8Array[];
  private owned: Uint8Array;
  private lastSaved: readonly Uint8Array[] | null = null;

  private block = 0;
  private address = 0;
  private count = 0;
  private status = 0;
  private irq = false;
  private written = false;
  private request: InFlight | null = null;
  private counters = emptyStats();

  constructor(
    private readonly host: DiskHost,
    private readonly costs: CostModel,
    image: Uint8Array = new Uint8Array(0),
  ) {
    checkDiskImage(image.length);
    // The image is shared, never written: a block is copied the first time it is written
    // (ownBlock), so booting with a large image costs nothing until the guest writes.
    const n = image.length / DISK_BLOCK_SIZE;
    this.blocks = Array.from({ length: n }, (_, i) => image.subarray(i * DISK_BLOCK_SIZE, (i + 1) * DISK_BLOCK_SIZE));
    this.owned = new Uint8Array(n);
  }

  /** Blocks on the disk. */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** Whether a write request has completed since power-on (`--disk` writes the file back only then). */
  get wasWritten(): boolean {
    return this.written;
  }

  /** The disk's contents now (a copy). */
  contents(): Uint8Array {
    const out = new Uint8Array(this.blocks.length * DISK_BLOCK_SIZE);
    this.blocks.forEach((b, i) => out.set(b, i * DISK_BLOCK_SIZE));
    return out;
  }

  /** Cycles one request moving `bytes` takes under `costs`. */
  static latency(costs: CostModel, bytes: number): number {
    return costs.diskRequest + Math.ceil(bytes * costs.diskPerByte);
  }

  read(port: number): number {
    switch (port) {
      case DISK_BLOCK: return this.block;
      case DISK_ADDR: return this.address;
      case DISK_COUNT: return this.count;
      case DISK_STATUS: return this.status;
      case DISK_BLOCKS: return this.blocks.length;
      default: return -1;
    }
  }

  write(port: number, value: number, now: number): void {
    switch (port) {
      case DISK_BLOCK: this.block = value >>> 0; break;
      case DISK_ADDR: this.address = value >>> 0; break;
      case DISK_COUNT: this.count = value >>> 0; break;
      case DISK_COMMAND: this.command(value >>> 0, now); break;
      case DISK_ACK:
        this.status &= DiskStatus.BUSY;
        this.irq = false;
        break;
    }
  }

  private command(command: number, now: number): void {
    if (this.request) {
      // One request at a time: the one in flight carries on, this one is dropped.
      this.status |= DiskStatus.REFUSED;
      this.counters.refused++;
      return;
    }
    const error = this.check(command);
    if (error !== 0) {
      // A request that cannot start fails at once, without latency or data moved.
      this.counters.errors++;
      this.finish(DiskStatus.DONE | DiskStatus.ERROR | (error << DiskStatus.ERROR_SHIFT));
      return;
    }
    const bytes = command === DiskCommand.FLUSH ? 0 : this.count * DISK_BLOCK_SIZE;
    this.request = {
      command,
      block: this.block,
      address: this.address,
      count: command === DiskCommand.FLUSH ? 0 : this.count,
      startedAt: now,
      doneAt: now + DiskDevice.latency(this.costs, bytes),
      idleAtStart: this.host.idleCycles(),
    };
    this.status = DiskStatus.BUSY;
    this.irq = false;
    this.counters.requests++;
  }

  /** The error code of a command with the current registers, 0 if it can start. */
  private check(command: number): number {
    if (command === DiskCommand.FLUSH) return 0;
    if (command !== DiskCommand.READ && command !== DiskCommand.WRITE) return DiskError.COMMAND;
    if (this.count === 0 || this.count > DISK_MAX_COUNT) return DiskError.COUNT;
    if (this.block + this.count > this.blocks.length) return DiskError.RANGE;
    const bytes = this.count * DISK_BLOCK_SIZE;
    if (this.address % DISK_BLOCK_SIZE !== 0 || !this.host.memory.contains(this.address, bytes)) return DiskError.ADDRESS;
    return 0;
  }

  private finish(status: number): void {
    this.status = status | (this.status & DiskStatus.REFUSED);
    this.irq = true;
  }

  nextEvent(): number {
    return this.request ? this.request.doneAt : Infinity;
  }

  /** Completion: move the data, account, raise the line. The data moves now (the registers were
   *  checked when the request started), so the guest must leave the buffer alone until then. */
  tick(now: number): void {
    const r = this.request;
    if (!r || now < r.doneAt) return;
    const bytes = r.count * DISK_BLOCK_SIZE;
    const memory = this.host.memory.bytes;
    if (r.command === DiskCommand.READ) {
      for (let i = 0; i < r.count; i++) memory.set(this.blocks[r.block + i]!, r.address + i * DISK_BLOCK_SIZE);
      this.host.memoryWritten(r.address, bytes);
      this.counters.reads++;
    } else if (r.command === DiskCommand.WRITE) {
      for (let i = 0; i < r.count; i++) {
        const from = r.address + i * DISK_BLOCK_SIZE;
        this.ownBlock(r.block + i).set(memory.subarray(from, from + DISK_BLOCK_SIZE));
      }
      this.written = true;
      this.counters.writes++;
    } else {
      this.counters.flushes++; // nothing is cached in the device, so a flush only takes time
    }
    this.counters.bytes += bytes;
    this.counters.busyCycles += r.doneAt - r.startedAt;
    this.counters.waitCycles += this.host.idleCycles() - r.idleAtStart;
    this.request = null;
    this.finish(DiskStatus.DONE);
  }

  /** Block `i`, copied first if a snapshot may share it. */
  private ownBlock(i: number): Uint8Array {
    if (this.owned[i] === 0) {
      this.blocks[i] = this.blocks[i]!.slice();
      this.owned[i] = 1;
      this.lastSaved = null;
    }
    return this.blocks[i]!;
  }

  irqAsserted(): boolean {
    return this.irq;
  }

  /** Statistics up to cycle `now` (a request in flight counts the cycles it has had so far). */
  stats(now: number): DiskStats {
    const s = { ...this.counters };
    if (this.request) {
      s.busyCycles += now - this.request.startedAt;
      s.waitCycles += this.host.idleCycles() - this.request.idleAtStart;
    }
    return s;
  }

  save(): unknown {
    if (!this.lastSaved) {
      this.lastSaved = this.blocks.slice();
      this.owned.fill(0);
    }
    const state: DiskState = {
      block: this.block,
      address: this.address,
      count: this.count,
      status: this.status,
      irq: this.irq,
      written: this.written,
      request: this.request && { ...this.request },
      stats: { ...this.counters },
      blocks: this.lastSaved,
    };
    return state;
  }

  restore(state: unknown): void {
    const s = state as DiskState;
    this.block = s.block;
    this.address = s.address;
    this.count = s.count;
    this.status = s.status;
    this.irq = s.irq;
    this.written = s.written;
    this.request = s.request && { ...s.request };
    this.counters = { ...s.stats };
    this.blocks = s.blocks.slice();
    this.owned.fill(0);
    this.lastSaved = s.blocks;
  }
}

/** Throws unless `bytes` is a valid disk image size: a multiple of the block size, at most DISK_MAX_BYTES. */
export function checkDiskImage(bytes: number): void {
  if (bytes % DISK_BLOCK_SIZE !== 0) throw new Error(`a disk image must be a multiple of ${DISK_BLOCK_SIZE} bytes (the block size), not ${bytes}`);
  if (bytes > DISK_MAX_BYTES) throw new Error(`a disk image may be at most ${DISK_MAX_BYTES / (1 << 20)} MiB, not ${bytes} bytes`);
}
