// A whole machine: physical memory, port bus with its devices, processor, and the generated
// interpreter. `run` is the outer loop: it services device events and interrupts, then lets the
// interpreter run flat out until the next event is due.

import { causeName, exitReasonName, isaWith, type Isa } from '../isa/index.js';
import { PortBus } from './bus.js';
import { DEFAULT_COSTS, type CostModel } from './costs.js';
import { ConsoleDevice } from './devices/console.js';
import type { Device } from './devices/device.js';
import { DiskDevice, type DiskStats } from './devices/disk.js';
import { NullPortDevice } from './devices/null-port.js';
import { PowerDevice } from './devices/power.js';
import { TimerDevice } from './devices/timer.js';
import { interpreterFor, type Interpreter } from './dispatch.js';
import { defaultEngine, ENGINES, type EngineName } from './engine.js';
import { PhysicalMemory } from './memory.js';
import { BUCKETS, Processor, TRAP_SIGNAL } from './processor.js';
import { TranslationCache, Translator } from './translate.js';
import { restoreSnapshot, takeSnapshot, type MachineSnapshot } from './snapshot.js';

export const DEFAULT_MEMORY_BYTES = 16 << 20;

/** Where the accounting puts each (mode, ring): the worlds of the overhead argument. */
export type WorldName = 'guestUser' | 'guestKernel' | 'vmm';
export type WorldMap = (mode: 'root' | 'nonRoot', ring: number) => WorldName;

/** Bare metal and native boots: ring 3 is user code, everything else the (guest) kernel. */
export const NATIVE_WORLDS: WorldMap = (_mode, ring) => (ring === 3 ? 'guestUser' : 'guestKernel');

export interface MachineOptions {
  memoryBytes?: number;
  /** Names of ISA extensions to switch on (see src/isa/index.ts EXTENSIONS). */
  extensions?: readonly string[];
  /** A whole instruction set to run instead (e.g. buildIsa([BASE, myExtension]) in coursework);
   *  `extensions` is ignored when this is given. */
  isa?: Isa;
  /** Devices to plug in next to the built-in ones (the permanent way is the list below). */
  devices?: readonly Device[];
  costs?: CostModel;
  tlbEntries?: number;
  consoleInput?: Uint8Array | string;
  /** The disk's contents (a multiple of DISK_BLOCK_SIZE bytes; copied). Without it the disk
   *  controller is still there, with 0 blocks: the ports, and so hw.inc and the VMMs' port
   *  tables, are the same for every machine, and a kernel probes DISK_BLOCKS for a disk. */
  disk?: Uint8Array;
  /** Receives each console output byte as it is written. */
  onConsoleOutput?: (byte: number) => void;
  worlds?: WorldMap;
  /** The execution engine (default: `defaultEngine()`): both give the same results, bit for bit. */
  engine?: EngineName;
}

export { defaultEngine, ENGINES, setDefaultEngine, type EngineName } from './engine.js';

/** What the loader needs of an assembled image (src/asm/image.ts has the full format). */
export interface LoadableImage {
  entry: number;
  segments: readonly { address: number; data: Uint8Array }[];
}

export type StopReason =
  | { kind: 'halt'; exitCode: number }
  | { kind: 'cycle-limit'; limit: number }
  | { kind: 'double-fault'; cause: string; pc: number; badAddr: number }
  | { kind: 'deadlock'; pc: number }
  | { kind: 'step' };

export interface WorldStats {
  cycles: number;
  instructions: number;
}

export interface MachineStats {
  cycles: number;
  instructions: number;
  /** Trap count by cause name (exceptions and interrupts). */
  traps: Record<string, number>;
  interrupts: number;
  worlds: Record<WorldName | 'transition' | 'idle', WorldStats>;
  rings: WorldStats[];
  tlb: { hits: number; misses: number; walkRefs: number; flushes: number; entries: number; ways: number };
  costPreset: string;
  /** With the virtualization extension: VM exits by reason name. */
  vmExits?: Record<string, number>;
  /** With the virtualization extension: cycles and instructions in root and non-root mode. */
  modes?: { root: WorldStats; nonRoot: WorldStats };
  /** With a disk (MachineOptions.disk): requests, bytes, busy and waiting time. */
  disk?: DiskStats;
}

export class LoadError extends Error {}

export class Machine {
  readonly isa: Isa;
  readonly memory: PhysicalMemory;
  readonly console: ConsoleDevice;
  readonly timer: TimerDevice;
  readonly disk: DiskDevice;
  readonly devices: readonly Device[];
  readonly bus: PortBus;
  readonly cpu: Processor;
  readonly costs: CostModel;
  private readonly interpreter: Interpreter;
  /** The translating engine, or undefined when the interpreter runs everything. */
  private readonly translator: Translator | undefined;
  readonly engine: EngineName;
  private readonly worlds: WorldMap;
  /** The bus's next device event, as the last event check found it (serviceEvents). */
  private nextDeviceEvent = Infinity;

  constructor(options: MachineOptions = {}) {
    this.isa = options.isa ?? isaWith(options.extensions ?? []);
    this.costs = options.costs ?? DEFAULT_COSTS;
    this.worlds = options.worlds ?? NATIVE_WORLDS;
    this.memory = new PhysicalMemory(options.memoryBytes ?? DEFAULT_MEMORY_BYTES);
    const input = typeof options.consoleInput === 'string' ? new TextEncoder().encode(options.consoleInput) : options.consoleInput;
    this.console = new ConsoleDevice(input, options.onConsoleOutput);
    this.timer = new TimerDevice();
    const dma = { memory: this.memory, memoryWritten: (a: number, n: number) => this.cpu.invalidateDecoded(a, n), idleCycles: () => this.cpu.idleCycles };
    this.disk = new DiskDevice(dma, this.costs, options.disk);
    // The device list: adding a device is one file in devices/ and one entry here.
    const devices: Device[] = [this.console, this.timer, new PowerDevice({ powerOff: (code) => this.cpu.powerOff(code) }), new NullPortDevice(), this.disk];
    devices.push(...(options.devices ?? []));
    this.devices = devices;
    this.bus = new PortBus(devices);
    this.cpu = new Processor(this.isa, this.memory, this.bus, this.costs, options.tlbEntries);
    this.interpreter = interpreterFor(this.isa.insns);
    this.engine = options.engine ?? defaultEngine();
    if (this.engine !== 'interp' && this.engine !== 'translate') throw new Error(`unknown engine '${String(this.engine)}' (known: ${ENGINES.join(', ')})`);
    if (this.engine === 'translate') {
      this.cpu.translations = new TranslationCache(this.memory.size >>> 12);
      this.translator = new Translator(this.isa, this.interpreter);
    }
  }

  /** Copy an image's segments into physical memory and reset the CPU to its entry point. */
  load(image: LoadableImage): void {
    for (const seg of image.segments) this.writePhysical(seg.address, seg.data);
    this.cpu.reset(image.entry);
  }

  /** Write bytes to physical memory from outside the CPU (loader, debugger). */
  writePhysical(address: number, data: Uint8Array): void {
    if (!this.memory.contains(address, data.length)) {
      throw new LoadError(
        `cannot place ${data.length} bytes at 0x${(address >>> 0).toString(16)}: physical memory is 0x${this.memory.size.toString(16)} bytes`,
      );
    }
    this.memory.bytes.set(data, address);
    this.cpu.invalidateDecoded(address, data.length);
  }

  /** Run until halt, a fault the machine cannot survive, deadlock, or `maxCycles`. */
  run(maxCycles = Infinity): StopReason {
    const cpu = this.cpu;
    for (;;) {
      const stop = this.checkStop(maxCycles) ?? this.serviceEvents(maxCycles);
      if (stop) return stop;
      if (cpu.sleeping) continue;
      cpu.stopCycle = Math.min(maxCycles, this.nextDeviceEvent, cpu.preemptAt);
      if (this.translator) this.executeTranslated(this.translator, cpu);
      else this.execute(this.interpreter.run, cpu);
    }
  }

  private executeTranslated(translator: Translator, cpu: Processor): void {
    try {
      translator.run(cpu);
    } catch (e) {
      if (e !== TRAP_SIGNAL) throw e;
      cpu.x[0] = 0;
    }
  }

  /** Execute one instruction (taking any due interrupt first). */
  step(): StopReason {
    const cpu = this.cpu;
    for (;;) {
      const stop = this.checkStop(Infinity) ?? this.serviceEvents(Infinity);
      if (stop) return stop;
      if (!cpu.sleeping) break;
    }
    cpu.stopCycle = Infinity;
    this.execute(this.interpreter.step, cpu);
    return this.checkStop(Infinity) ?? { kind: 'step' };
  }

  /** Run interpreter code; a trap unwinds out of it as TRAP_SIGNAL after it has been taken. */
  private execute(code: (cpu: Processor) => void, cpu: Processor): void {
    try {
      code.call(this.interpreter, cpu);
    } catch (e) {
      if (e !== TRAP_SIGNAL) throw e;
      cpu.x[0] = 0;
    }
  }

  private checkStop(maxCycles: number): StopReason | undefined {
    const cpu = this.cpu;
    if (cpu.doubleFault) {
      const f = cpu.doubleFault;
      return { kind: 'double-fault', cause: causeName(f.cause), pc: f.epc >>> 0, badAddr: f.badAddr >>> 0 };
    }
    if (cpu.halted) return { kind: 'halt', exitCode: cpu.exitCode };
    if (cpu.cycles >= maxCycles) return { kind: 'cycle-limit', limit: maxCycles };
    return undefined;
  }

  /** Tick due devices, wake from wfi, take a pending interrupt. */
  private serviceEvents(maxCycles: number): StopReason | undefined {
    const cpu = this.cpu;
    let next = this.bus.nextEvent();
    if (next <= cpu.cycles) {
      this.bus.tick(cpu.cycles);
      next = this.bus.nextEvent();
    }
    // Until the CPU runs again nothing changes a device (taking an interrupt does not).
    this.nextDeviceEvent = next;
    const pending = this.bus.pendingLines();
    cpu.linesAtCheck = pending;
    if (cpu.sleeping) {
      const lines = cpu.wakeLines();
      if ((pending & lines) !== 0) {
        cpu.sleeping = false;
      } else {
        // Only a device on a line enabled in IMASK can wake a sleeping CPU (IMASK cannot change
        // while it sleeps); if none has an event coming, nothing ever will.
        // A guest sleeping in wfi (a VMM that lets it) is also woken by its preemption timer,
        // whose exit is taken below.
        if (cpu.cycles >= cpu.preemptAt) {
          cpu.sleeping = false;
        } else {
          const wake = Math.min(this.bus.nextEventOnLines(lines), cpu.preemptAt);
          if (wake === Infinity) return { kind: 'deadlock', pc: cpu.sleepPc >>> 0 };
          // Sleep no further than the next event of any device, so that each is ticked on time
          // (a disk completing on a masked line counts its waiting time exactly).
          cpu.idleUntil(Math.min(wake, next, maxCycles));
          return undefined;
        }
      }
    }
    cpu.takeInterrupt(pending);
    return undefined;
  }

  /** The world a (mode, ring) is accounted to in this machine (the debugger labels stops with it). */
  worldOf(mode: 'root' | 'nonRoot', ring: number): WorldName {
    return this.worlds(mode, ring);
  }

  /** The world the processor is in now. */
  currentWorld(): WorldName {
    return this.worlds(this.cpu.nonRoot ? 'nonRoot' : 'root', this.cpu.ring);
  }

  /** Save the whole machine state (see snapshot.ts); pages unchanged since `previous` are shared. */
  snapshot(previous?: MachineSnapshot): MachineSnapshot {
    return takeSnapshot(this, previous);
  }

  /** Put the machine back exactly as it was when the snapshot was taken. */
  restore(snapshot: MachineSnapshot): void {
    restoreSnapshot(this, snapshot);
  }

  stats(): MachineStats {
    const cpu = this.cpu;
    cpu.closeBucket();
    const worlds: MachineStats['worlds'] = {
      guestUser: { cycles: 0, instructions: 0 },
      guestKernel: { cycles: 0, instructions: 0 },
      vmm: { cycles: 0, instructions: 0 },
      transition: { cycles: cpu.transitionCycles, instructions: 0 },
      idle: { cycles: cpu.idleCycles, instructions: 0 },
    };
    const rings: WorldStats[] = [0, 1, 2, 3].map(() => ({ cycles: 0, instructions: 0 }));
    for (let b = 0; b < BUCKETS; b++) {
      const ring = b & 3;
      const world = worlds[this.worlds(b < 4 ? 'root' : 'nonRoot', ring)];
      world.cycles += cpu.bucketCycles[b]!;
      world.instructions += cpu.bucketInstret[b]!;
      rings[ring]!.cycles += cpu.bucketCycles[b]!;
      rings[ring]!.instructions += cpu.bucketInstret[b]!;
    }
    const traps: Record<string, number> = {};
    cpu.trapCounts.forEach((count, code) => {
      if (count !== 0) traps[causeName(code)] = count;
    });
    const t = cpu.mmu.stats;
    const hits = t.hits + cpu.fetchHits;
    const vmx = this.isa.extensions.some((e) => e.name === 'vmx');
    const vmExits: Record<string, number> = {};
    cpu.vmExitCounts.forEach((count, code) => {
      if (count !== 0) vmExits[exitReasonName(code)] = count;
    });
    const mode = (from: number): WorldStats => {
      let cycles = 0;
      let instructions = 0;
      for (let b = from; b < from + 4; b++) {
        cycles += cpu.bucketCycles[b]!;
        instructions += cpu.bucketInstret[b]!;
      }
      return { cycles, instructions };
    };
    return {
      ...(vmx && { vmExits, modes: { root: mode(0), nonRoot: mode(4) } }),
      ...(this.disk.blockCount > 0 && { disk: this.disk.stats(cpu.cycles) }),
      cycles: cpu.cycles,
      instructions: cpu.instret,
      traps,
      interrupts: cpu.interruptsTaken,
      worlds,
      rings,
      tlb: { hits, misses: t.misses, walkRefs: t.walkRefs, flushes: t.flushes, entries: cpu.mmu.entries, ways: cpu.mmu.ways },
      costPreset: this.costs.name,
    };
  }
}
