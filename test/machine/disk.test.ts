// The block device: DMA reads and writes from bare-metal guests, the completion interrupt, the
// CPU running while a request is in flight, latency exactly as the cost model prices it, error
// statuses (never a host exception), snapshots mid-request.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cause, Reg } from '../../src/isa/index.js';
import { COST_PRESETS, DEFAULT_COSTS, type CostModel } from '../../src/machine/costs.js';
import {
  DISK_ACK,
  DISK_ADDR,
  DISK_BLOCK,
  DISK_BLOCK_SIZE,
  DISK_BLOCKS,
  DISK_COMMAND,
  DISK_COUNT,
  DISK_MAX_COUNT,
  DISK_STATUS,
  DiskCommand,
  DiskDevice,
  DiskError,
  DiskStatus,
} from '../../src/machine/devices/disk.js';
import { Machine } from '../../src/machine/machine.js';
import { asm, boot, runAsm, SMALL_MEMORY } from './helpers.js';

const BS = DISK_BLOCK_SIZE;

/** A disk of `blocks` blocks; every byte of block b is b + 1 (so a block is recognisable). */
function diskImage(blocks: number): Uint8Array {
  const image = new Uint8Array(blocks * BS);
  for (let b = 0; b < blocks; b++) image.fill(b + 1, b * BS, (b + 1) * BS);
  return image;
}

/** Assembly: set up one request and start it. */
const request = (command: number, block: number, address: number, count: number): string => `
        li t0, ${block}
        out ${DISK_BLOCK}, t0
        li t0, ${address}
        out ${DISK_ADDR}, t0
        li t0, ${count}
        out ${DISK_COUNT}, t0
        li t0, ${command}
        out ${DISK_COMMAND}, t0`;

/** Assembly: spin until DONE, counting loop turns in s0; the status ends in s1. */
const POLL = `
        li s0, 0
.poll:  addi s0, s0, 1
        in s1, ${DISK_STATUS}
        andi t0, s1, ${DiskStatus.DONE}
        beqz t0, .poll`;

/** Cheap figures for tests that run many requests. */
const FAST: CostModel = { ...DEFAULT_COSTS, name: 'fast-disk', diskRequest: 100, diskPerByte: 0.01 };

describe('disk: reads and writes by DMA', () => {
  it('reads blocks into physical memory and says DONE; the CPU runs meanwhile', () => {
    const { m, stop } = runAsm(`
        .org 0x1000
_start: ${request(DiskCommand.READ, 1, 0x8000, 2)}
        in s2, ${DISK_STATUS}     # BUSY right after the command
        ${POLL}
        out ${DISK_ACK}, zero
        in s3, ${DISK_STATUS}
        halt`, { disk: diskImage(4) });
    expect(stop).toEqual({ kind: 'halt', exitCode: 0 });
    expect(m.cpu.x[Reg.s2]).toBe(DiskStatus.BUSY);
    expect(m.cpu.x[Reg.s1]).toBe(DiskStatus.DONE);
    expect(m.cpu.x[Reg.s3]).toBe(0); // acknowledged
    // The CPU executed thousands of loop turns while the request was in flight.
    expect(m.cpu.x[Reg.s0]).toBeGreaterThan(1000);
    expect(m.memory.bytes.subarray(0x8000, 0x9000).every((b) => b === 2)).toBe(true);
    expect(m.memory.bytes.subarray(0x9000, 0xa000).every((b) => b === 3)).toBe(true);
    expect(m.memory.bytes[0xa000]).toBe(0);
    expect(m.stats().disk).toMatchObject({ requests: 1, reads: 1, writes: 0, bytes: 2 * BS, errors: 0 });
  });

  it('writes memory to blocks; DISK_BLOCKS reads the size; a second read gets the data back', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: in a3, ${DISK_BLOCKS}
        li t0, 0x8000
        li t1, 0x5a5a5a5a
        sw t1, 0(t0)
        sw t1, 4092(t0)
        ${request(DiskCommand.WRITE, 3, 0x8000, 1)}
        ${POLL}
        out ${DISK_ACK}, zero
        ${request(DiskCommand.READ, 3, 0xc000, 1)}
.wait:  in s1, ${DISK_STATUS}
        andi t0, s1, ${DiskStatus.DONE}
        beqz t0, .wait
        halt`, { disk: diskImage(4) });
    expect(m.cpu.x[Reg.a3]).toBe(4);
    const block3 = m.disk.contents().subarray(3 * BS, 4 * BS);
    expect(Array.from(block3.subarray(0, 4))).toEqual([0x5a, 0x5a, 0x5a, 0x5a]);
    expect(block3[4]).toBe(0);
    expect(Buffer.from(m.memory.bytes.subarray(0xc000, 0xd000)).equals(Buffer.from(block3))).toBe(true);
    expect(m.disk.wasWritten).toBe(true);
    expect(m.stats().disk).toMatchObject({ requests: 2, reads: 1, writes: 1, bytes: 2 * BS });
  });

  it('raises interrupt line 2 at completion (DiskInterrupt) until DISK_ACK; wfi waits are counted', () => {
    const { m, stop, stats } = runAsm(`
        .org 0x1000
_start: la t0, handler
        csrw TVEC, t0
        li t0, 4                  # IRQ_DISK
        csrw IMASK, t0
        ${request(DiskCommand.READ, 0, 0x8000, 1)}
        ei
        wfi
        halt
handler: csrr s2, CAUSE
        csrr s3, IPEND
        out ${DISK_ACK}, zero
        csrr a3, IPEND
        li t0, 0x1200
        csrw EPC, t0
        sret
        .org 0x1200
        halt`, { disk: diskImage(1) });
    expect(stop.kind).toBe('halt');
    expect(m.cpu.x[Reg.s2]).toBe(Cause.DiskInterrupt);
    expect(m.cpu.x[Reg.s3]).toBe(4);
    expect(m.cpu.x[Reg.a3]).toBe(0);
    expect(stats.traps).toEqual({ DiskInterrupt: 1 });
    const latency = DiskDevice.latency(DEFAULT_COSTS, BS);
    // Nearly the whole request was spent asleep, and the idle time is all of it.
    expect(stats.disk!.busyCycles).toBe(latency);
    expect(stats.disk!.waitCycles).toBe(stats.worlds.idle.cycles);
    expect(stats.disk!.waitCycles).toBeGreaterThan(latency - 100);
  });

  it('DMA over code is seen by the next fetch (decoded instructions are dropped)', () => {
    const code = asm(`
        .org 0x8000
        li a0, 42
        halt`).segments[0]!.data;
    const image = new Uint8Array(BS);
    image.set(code);
    const { m } = runAsm(`
        .org 0x1000
_start: call old                  # run (and so decode) the old code first
        mv a1, a0
        ${request(DiskCommand.READ, 0, 0x8000, 1)}
        ${POLL}
        j old
        .org 0x8000
old:    li a0, 1
        ret`, { disk: image });
    expect(m.cpu.x[Reg.a1]).toBe(1);
    expect(m.cpu.x[Reg.a0]).toBe(42);
  });
});

describe('disk: latency', () => {
  for (const costs of Object.values(COST_PRESETS)) {
    it(`is diskRequest + bytes * diskPerByte cycles exactly (${costs.name})`, () => {
      expect(DiskDevice.latency(costs, 3 * BS)).toBe(costs.diskRequest + Math.ceil(3 * BS * costs.diskPerByte));
      const { m, sym } = boot(`
        .org 0x1000
_start: ${request(DiskCommand.READ, 0, 0x8000, 3)}
started: csrr s2, CYCLE
.spin:  in s1, ${DISK_STATUS}
        andi t0, s1, ${DiskStatus.DONE}
        beqz t0, .spin
        halt`, { disk: diskImage(3), costs });
      // Step to just after the command, then find the cycle at which DONE first reads.
      while (m.cpu.pc !== sym('started')) m.step();
      const started = m.cpu.cycles;
      expect(m.disk.nextEvent()).toBe(started + DiskDevice.latency(costs, 3 * BS));
      m.run(started + DiskDevice.latency(costs, 3 * BS) + 1000);
      expect(m.cpu.halted).toBe(true);
      expect(m.stats().disk!.busyCycles).toBe(DiskDevice.latency(costs, 3 * BS));
    });
  }

  it('a flush takes the request cost alone', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: li t0, ${DiskCommand.FLUSH}
        out ${DISK_COMMAND}, t0
        ${POLL}
        halt`, { disk: diskImage(1) });
    expect(m.stats().disk).toMatchObject({ requests: 1, flushes: 1, bytes: 0, busyCycles: DEFAULT_COSTS.diskRequest });
  });
});

describe('disk: errors are statuses, never host exceptions', () => {
  const errorOf = (status: number): number => (status >>> DiskStatus.ERROR_SHIFT) & 0xff;
  const cases: [string, number, number, number, number, number][] = [
    ['block beyond the disk', DiskCommand.READ, 4, 0x8000, 1, DiskError.RANGE],
    ['a request running past the end of the disk', DiskCommand.WRITE, 3, 0x8000, 2, DiskError.RANGE],
    ['DMA beyond memory', DiskCommand.READ, 0, SMALL_MEMORY - BS, 2, DiskError.ADDRESS],
    ['DMA at an address far beyond memory', DiskCommand.READ, 0, 0xfffff000, 1, DiskError.ADDRESS],
    ['an address not a multiple of the block size', DiskCommand.READ, 0, 0x8004, 1, DiskError.ADDRESS],
    ['count 0', DiskCommand.READ, 0, 0x8000, 0, DiskError.COUNT],
    ['count over DISK_MAX_COUNT', DiskCommand.READ, 0, 0x8000, DISK_MAX_COUNT + 1, DiskError.COUNT],
    ['an unknown command', 7, 0, 0x8000, 1, DiskError.COMMAND],
  ];
  for (const [what, command, block, address, count, error] of cases) {
    it(`${what}: DONE | ERROR with the code, at once, nothing moved`, () => {
      const { m, stop } = runAsm(`
        .org 0x1000
_start: ${request(command, block, address, count)}
        in s1, ${DISK_STATUS}
        halt`, { disk: diskImage(4) });
      expect(stop.kind).toBe('halt');
      const status = m.cpu.x[Reg.s1]!;
      expect(status & 0xff).toBe(DiskStatus.DONE | DiskStatus.ERROR);
      expect(errorOf(status)).toBe(error);
      expect(m.disk.irqAsserted()).toBe(true);
      expect(m.memory.bytes.subarray(0x8000).every((b) => b === 0)).toBe(true);
      expect(m.disk.contents()).toEqual(diskImage(4));
      expect(m.stats().disk).toMatchObject({ requests: 0, errors: 1 });
    });
  }

  it('without a disk every transfer is out of range, DISK_BLOCKS is 0 and stats have no disk', () => {
    const { m, stats } = runAsm(`
        .org 0x1000
_start: in s2, ${DISK_BLOCKS}
        ${request(DiskCommand.READ, 0, 0x8000, 1)}
        in s1, ${DISK_STATUS}
        halt`);
    expect(m.cpu.x[Reg.s2]).toBe(0);
    expect(errorOf(m.cpu.x[Reg.s1]!)).toBe(DiskError.RANGE);
    expect(stats.disk).toBeUndefined();
  });

  it('a command while busy is refused (REFUSED) and the request in flight carries on', () => {
    const { m } = runAsm(`
        .org 0x1000
_start: ${request(DiskCommand.READ, 0, 0x8000, 1)}
        ${request(DiskCommand.READ, 1, 0xa000, 1)}
        in s2, ${DISK_STATUS}
        ${POLL}
        halt`, { disk: diskImage(2) });
    expect(m.cpu.x[Reg.s2]).toBe(DiskStatus.BUSY | DiskStatus.REFUSED);
    expect(m.cpu.x[Reg.s1]).toBe(DiskStatus.DONE | DiskStatus.REFUSED);
    expect(m.memory.bytes[0x8000]).toBe(1);
    expect(m.memory.bytes[0xa000]).toBe(0);
    expect(m.stats().disk).toMatchObject({ requests: 1, reads: 1, refused: 1 });
  });

  it('a disk image that is not whole blocks is refused when the machine is built', () => {
    expect(() => new Machine({ memoryBytes: SMALL_MEMORY, disk: new Uint8Array(100) })).toThrow(/multiple of 4096/);
  });

  it('random command sequences from a guest never throw, and DMA writes only the requested frames', () => {
    const ports = [DISK_BLOCK, DISK_ADDR, DISK_COUNT, DISK_COMMAND, DISK_ACK];
    const value = (port: number): fc.Arbitrary<number> => {
      switch (port) {
        case DISK_BLOCK: return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 0x7fffffff }) });
        case DISK_ADDR: return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 8, max: 16 }).map((f) => f * BS) }, { weight: 1, arbitrary: fc.constantFrom(0x8004, 0xfffff000, -4096) }, { weight: 1, arbitrary: fc.integer() });
        case DISK_COUNT: return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(DISK_MAX_COUNT, DISK_MAX_COUNT + 1, -1) });
        case DISK_COMMAND: return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(1, 2, 3) }, { weight: 1, arbitrary: fc.integer() });
        default: return fc.integer();
      }
    };
    const single = fc.constantFrom(...ports).chain((port) => value(port).map((v) => [{ port, value: v, spin: 0 }]));
    // A whole request (four registers, then the command) now and then, so that some succeed.
    const whole = fc.tuple(...[DISK_BLOCK, DISK_ADDR, DISK_COUNT, DISK_COMMAND].map((port) => value(port).map((v) => ({ port, value: v, spin: 0 }))));
    const spin = fc.integer({ min: 1, max: 300 }).map((n) => [{ port: -1, value: 0, spin: n }]);
    const op = fc.oneof(single, whole, spin);
    let moved = 0; // runs in which some DMA did happen (the property is not vacuous)
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (groups) => {
        const ops = groups.flat();
        const lines = ops.map((o, i) =>
          o.port < 0
            ? `li t1, ${o.spin}\n.s${i}: addi t1, t1, -1\n in t2, ${DISK_STATUS}\n bnez t1, .s${i}`
            : `li t0, ${o.value}\n out ${o.port}, t0`,
        );
        const m = new Machine({ memoryBytes: SMALL_MEMORY, disk: diskImage(4), costs: FAST });
        // The last request has time to finish before the halt.
        m.load(asm(`.org 0x1000\n_start: ${lines.join('\n')}\n li t1, 500\n.end: addi t1, t1, -1\n bnez t1, .end\n halt`));
        // Frames a valid read could fill, from the registers at each read command.
        const regs = { block: 0, address: 0, count: 0 };
        const allowed = new Uint8Array(SMALL_MEMORY);
        for (const o of ops) {
          if (o.port === DISK_BLOCK) regs.block = o.value >>> 0;
          if (o.port === DISK_ADDR) regs.address = o.value >>> 0;
          if (o.port === DISK_COUNT) regs.count = o.value >>> 0;
          if (o.port === DISK_COMMAND && o.value >>> 0 === DiskCommand.READ && regs.address + regs.count * BS <= SMALL_MEMORY) {
            allowed.fill(1, regs.address, regs.address + regs.count * BS);
          }
        }
        const before = m.memory.bytes.slice();
        const stop = m.run(2_000_000);
        expect(['halt', 'cycle-limit']).toContain(stop.kind);
        for (let a = 0; a < SMALL_MEMORY; a++) {
          if (m.memory.bytes[a] !== before[a] && !allowed[a]) throw new Error(`DMA wrote 0x${a.toString(16)}, outside every requested frame`);
        }
        if ((m.stats().disk?.bytes ?? 0) > 0) moved++;
      }),
      // A fixed seed: the coverage check below (enough runs moved data) must not depend on luck.
      { numRuns: 150, seed: 20261203 },
    );
    expect(moved).toBeGreaterThan(10);
  });
});

describe('disk: snapshots', () => {
  const PROGRAM = `
        .org 0x1000
_start: li t0, 0x8000
        li t1, 0x11223344
        sw t1, 0(t0)
        ${request(DiskCommand.WRITE, 1, 0x8000, 1)}
        ${POLL}
        out ${DISK_ACK}, zero
        ${request(DiskCommand.READ, 2, 0x9000, 1)}
.p2:    in s1, ${DISK_STATUS}
        andi t0, s1, ${DiskStatus.DONE}
        beqz t0, .p2
        halt`;

  it('restoring mid-request repeats the rest exactly: memory, disk contents, stats', () => {
    const { m } = boot(PROGRAM, { disk: diskImage(4), costs: FAST });
    m.run(60);
    expect(m.disk.nextEvent()).not.toBe(Infinity); // the write is in flight
    const snap = m.snapshot();
    m.run(1_000_000);
    const first = { memory: m.memory.bytes.slice(), disk: m.disk.contents(), stats: m.stats() };
    expect(first.disk[BS]).toBe(0x44);
    m.restore(snap);
    expect(m.disk.contents()).toEqual(diskImage(4)); // the write had not landed at the snapshot
    expect(m.disk.wasWritten).toBe(false);
    m.run(1_000_000);
    expect(m.memory.bytes).toEqual(first.memory);
    expect(m.disk.contents()).toEqual(first.disk);
    expect(m.stats()).toEqual(first.stats);
  });

  it('a snapshot shares the disk blocks: none are copied while nothing is written', () => {
    const { m } = boot(PROGRAM, { disk: diskImage(64), costs: FAST });
    const a = m.disk.save() as { blocks: readonly Uint8Array[] };
    const b = m.disk.save() as { blocks: readonly Uint8Array[] };
    expect(b.blocks).toBe(a.blocks);
    m.run(1_000_000);
    const c = m.disk.save() as { blocks: readonly Uint8Array[] };
    expect(c.blocks).not.toBe(a.blocks);
    // Only the written block is a new array; the others are the very same.
    const changed = c.blocks.filter((block, i) => block !== a.blocks[i]).length;
    expect(changed).toBe(1);
    expect(a.blocks[1]![0]).toBe(2); // the older snapshot still holds the old block
  });
});
