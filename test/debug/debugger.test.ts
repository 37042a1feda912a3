// The debugger library: breakpoints (addresses, symbols of several images, ambiguity,
// conditions, temporary), watchpoints, catchpoints, stepping over calls and traps, finish,
// the trap history, and reverse execution restoring the machine exactly.

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { assemble, formatAsmError } from '../../src/asm/index.js';
import { BASE, buildIsa, Cause, defineExtension, defineInsn, Formats } from '../../src/isa/index.js';
import { Debugger } from '../../src/debug/debugger.js';
import { Machine } from '../../src/machine/machine.js';
import { DebugError } from '../../src/debug/errors.js';
import { diffSnapshots, type MachineSnapshot } from '../../src/machine/snapshot.js';
import { findSymbol } from '../../src/asm/index.js';
import { findConfig } from '../../src/configs/index.js';
import { historyLine } from '../../src/debug/format.js';
import { debugConfig, debugProgram, run, TOUR } from './helpers.js';

const LOOP = `
_start: li   sp, 0x8000
        li   a0, 0
.loop:  addi a0, a0, 1
        call double
        li   t0, 10
        blt  a0, t0, .loop
        la   t1, result
        sw   a1, 0(t1)
        lw   t2, 0(t1)
        halt
double: push ra
        add  a1, a0, a0
        call nothing
        pop  ra
        ret
nothing: ret
        .align 4
result: .word 0
`;

function sym(dbg: ReturnType<typeof debugProgram>, name: string): number {
  return findSymbol(dbg.symbols.images[0]!.image, name)!.value;
}

describe('breakpoints', () => {
  it('stop before the instruction at an address, a label or *EXPR', () => {
    const dbg = debugProgram(LOOP);
    const bp = dbg.addBreakpoint('double');
    const ev = run(dbg.continue());
    expect(ev).toMatchObject({ kind: 'breakpoint', point: { id: bp.id } });
    expect(dbg.cpu.pc).toBe(sym(dbg, 'double'));
    expect(dbg.cpu.x[4]).toBe(1); // a0: the first iteration
    expect(bp.hits).toBe(1);
    // Continue from a breakpoint does not stop at it again before executing it.
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint' });
    expect(dbg.cpu.x[4]).toBe(2);
    dbg.deleteAll();
    dbg.addBreakpoint(`*${sym(dbg, 'nothing')}`);
    run(dbg.continue());
    expect(dbg.cpu.pc).toBe(sym(dbg, 'nothing'));
    dbg.deleteAll();
    dbg.addBreakpoint('_start.loop + 32'); // an expression: the halt
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint' });
    expect(dbg.symbols.nameOf(dbg.cpu.pc)).toBe('_start.loop+32');
    expect(run(dbg.continue())).toMatchObject({ kind: 'machine', stop: { kind: 'halt' } });
  });

  it('conditional: stop only when the condition holds; a typo is refused when set', () => {
    const dbg = debugProgram(LOOP);
    dbg.addBreakpoint('double', { condition: '$a0 == 7' });
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint' });
    expect(dbg.cpu.x[4]).toBe(7);
    expect(() => dbg.addBreakpoint('double', { condition: '$a0 ==' })).toThrow(DebugError);
    expect(() => dbg.addBreakpoint('double', { condition: '$nosuch == 1' })).toThrow(/unknown register/);
  });

  it('temporary: deleted when it first stops', () => {
    const dbg = debugProgram(LOOP);
    const t = dbg.addBreakpoint('double', { temporary: true });
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint', point: { id: t.id } });
    expect(dbg.stopPoints()).toHaveLength(0);
    expect(run(dbg.continue())).toMatchObject({ kind: 'machine', stop: { kind: 'halt' } });
  });

  it('delete and disable', () => {
    const dbg = debugProgram(LOOP);
    const a = dbg.addBreakpoint('double');
    const b = dbg.addBreakpoint('nothing');
    dbg.enablePoint(a.id, false);
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint', point: { id: b.id } });
    dbg.deletePoint(b.id);
    dbg.enablePoint(a.id, true);
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint', point: { id: a.id } });
    expect(() => dbg.deletePoint(99)).toThrow(/no breakpoint/);
  });

  it('bad locations are one-line DebugErrors', () => {
    const dbg = debugProgram(LOOP);
    expect(() => dbg.addBreakpoint('')).toThrow(DebugError);
    expect(() => dbg.addBreakpoint('nosuchlabel')).toThrow(/no label 'nosuchlabel'/);
    expect(() => dbg.addBreakpoint('0x1002')).toThrow(/not a multiple of 4/);
    expect(() => dbg.addBreakpoint('other:double')).toThrow(/no image named 'other'/);
  });

  it('symbols of several images: qualified, unqualified when unambiguous, an error naming the candidates otherwise', () => {
    const dbg = debugConfig('native', ['compute', 'syscall']);
    expect(() => dbg.addBreakpoint('_start')).toThrow(/'_start' is ambiguous: kernel:_start \(0x[0-9a-f]+\), init:_start \(0x40000000\), compute:_start \(0x40000000\), syscall:_start/);
    expect(() => dbg.addBreakpoint('print_dec')).toThrow(/ambiguous.*kernel:print_dec.*compute:print_dec/);
    const u = dbg.addBreakpoint('syscall:_start');
    expect(u).toMatchObject({ location: 'syscall:_start', world: 'guestUser', pids: [3] });
    // _start is at the same virtual address in every program: init (pid 1) and compute (pid 2)
    // reach it first, but the breakpoint stops in pid 3 only.
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint', point: { id: u.id } });
    expect(dbg.currentPid()).toBe(3);
    expect(dbg.world()).toBe('guestUser');
    expect(dbg.cpu.pc).toBe(0x40000000);
    // They ran first; pid 3 only made its exec (init's code in the child init forked).
    expect(new Set(dbg.trapHistory().filter((t) => t.fromWorld === 'guestUser').map((t) => t.pid))).toEqual(new Set([1, 2, 3]));
    const k = dbg.addBreakpoint('syscall_dispatch');
    expect(k).toMatchObject({ location: 'kernel:syscall_dispatch', world: 'guestKernel' });
    expect(run(dbg.continue())).toMatchObject({ kind: 'breakpoint', point: { id: k.id } });
    expect(dbg.world()).toBe('guestKernel');
  });
});

describe('watchpoints and catchpoints', () => {
  it('memory write: stops after the store with the old and new value', () => {
    const dbg = debugProgram(LOOP);
    const w = dbg.addWatchpoint('result');
    const ev = run(dbg.continue());
    expect(ev).toMatchObject({ kind: 'watchpoint', point: { id: w.id }, access: 'write', old: 0, value: 20, address: sym(dbg, 'result') });
    expect(dbg.memory.readWord(sym(dbg, 'result'))).toBe(20);
  });

  it('memory read (rwatch) and access (awatch) on *ADDR', () => {
    const dbg = debugProgram(LOOP);
    dbg.addWatchpoint(`*${sym(dbg, 'result')}`, 'read');
    const ev = run(dbg.continue());
    expect(ev).toMatchObject({ kind: 'watchpoint', access: 'read', value: 20 });
    expect(dbg.cpu.x[10]).toBe(20); // t2 loaded it
    const dbg2 = debugProgram(LOOP);
    dbg2.addWatchpoint(`*result`, 'access');
    expect(run(dbg2.continue())).toMatchObject({ kind: 'watchpoint', access: 'write' });
    expect(run(dbg2.continue())).toMatchObject({ kind: 'watchpoint', access: 'read' });
    expect(() => dbg2.addWatchpoint('$a0', 'read')).toThrow(/rwatch needs memory/);
  });

  it("memory watchpoints take an access's kind, size and address from the instruction table (an extension's indexed loads)", () => {
    const INDEXED = defineExtension('indexed', 'test: indexed loads', [
      defineInsn({ mnemonic: 'lwx', opcode: 0xe0, format: Formats.R, cost: 1, doc: 'rd = mem32[rs1 + rs2]',
        memory: { kind: 'load', size: 4, address: (x, d) => (x[d.rs1]! + x[d.rs2]!) >>> 0 },
        exec: (c, d) => { c.x[d.rd] = c.load32((c.x[d.rs1]! + c.x[d.rs2]!) | 0); } }),
      defineInsn({ mnemonic: 'ld.half', opcode: 0xe1, format: Formats.R, cost: 1, doc: 'rd = zext(mem16[rs1 + rs2])',
        memory: { kind: 'load', size: 2, address: (x, d) => (x[d.rs1]! + x[d.rs2]!) >>> 0 },
        exec: (c, d) => { c.x[d.rd] = c.load16u((c.x[d.rs1]! + c.x[d.rs2]!) | 0); } }),
    ]);
    const isa = buildIsa([BASE, INDEXED]);
    const source = `
_start: la   t0, table
        li   t1, 0
        ld.half a0, t0, t1      # table+0, 2 bytes
        li   t1, 8
        lwx  a1, t0, t1         # table+8, 4 bytes
        halt
        .align 4
table:  .word 0x11111111, 0x22222222, 0x33333333
`;
    const session = (): Debugger => {
      const r = assemble(source, { fileName: 'indexed.s', isa });
      if (!r.ok) throw new Error(r.errors.map(formatAsmError).join('\n'));
      const machine = new Machine({ isa, memoryBytes: 64 * 1024 });
      machine.load(r.image);
      return new Debugger(machine, [{ name: 'indexed', kind: 'kernel', image: r.image }]);
    };
    const near = session();
    near.addWatchpoint('*(table + 2)', 'read'); // the half-word load ends just below it
    expect(run(near.continue())).toMatchObject({ kind: 'machine', stop: { kind: 'halt' } });
    const at = session();
    at.addWatchpoint('*(table + 8)', 'read');
    expect(run(at.continue())).toMatchObject({ kind: 'watchpoint', access: 'read', address: sym(at, 'table') + 8, value: 0x33333333 });
  });

  it('register and expression: stop when the value changes', () => {
    const dbg = debugProgram(LOOP);
    dbg.addWatchpoint('$a1');
    expect(run(dbg.continue())).toMatchObject({ kind: 'watchpoint', access: 'change', old: 0, value: 2 });
    const w = dbg.addWatchpoint('$a0 > 3');
    expect(run(dbg.continue())).toMatchObject({ kind: 'watchpoint' }); // a1 changes to 4 first
    dbg.deleteAll();
    dbg.addWatchpoint('$a0 > 3');
    expect(run(dbg.continue())).toMatchObject({ kind: 'watchpoint', access: 'change', old: 0, value: 1 });
    expect(dbg.cpu.x[4]).toBe(4);
    expect(w.expression).toBe('$a0 > 3');
  });

  it('catch trap CAUSE stops at the trap entry; catch world at every change of world', () => {
    const dbg = debugProgram(TOUR);
    dbg.addCatchpoint('trap', ['Syscall']);
    const ev = run(dbg.continue());
    expect(ev).toMatchObject({ kind: 'catch-trap', trap: { cause: Cause.Syscall, fromRing: 3, fromWorld: 'guestUser', toWorld: 'guestKernel' } });
    expect(dbg.cpu.ring).toBe(0);
    expect(dbg.cpu.pc).toBe(dbg.cpu.tvec);
    // Nothing called the trap handler: finish refuses rather than running to a stale ra.
    expect(() => dbg.finish()).toThrow(/finish: cannot find the caller/);
    dbg.deleteAll();
    dbg.addCatchpoint('world');
    expect(run(dbg.continue())).toMatchObject({ kind: 'catch-world', from: 'guestKernel', to: 'guestUser' });
    expect(dbg.cpu.ring).toBe(3);
    expect(() => dbg.addCatchpoint('trap', ['Nonsense'])).toThrow(/unknown trap cause 'Nonsense'/);
  });

  it('the trap history records every trap and chains to an existing onTrap hook', () => {
    const dbg0 = debugProgram(TOUR);
    const seen: number[] = [];
    const m = dbg0.machine;
    // A debugger created on a machine that already has a hook keeps calling it.
    m.cpu.onTrap = (e) => seen.push(e.cause);
    const dbg = new (dbg0.constructor as typeof import('../../src/debug/debugger.js').Debugger)(m, dbg0.symbols.images);
    run(dbg.continue());
    const causes = dbg.trapHistory().map((t) => t.cause);
    expect(causes.length).toBeGreaterThan(5);
    expect(seen).toEqual(causes);
    expect(causes).toContain(Cause.TimerInterrupt);
    expect(dbg.trapHistory().filter((t) => t.cause === Cause.Syscall).length).toBe(6); // "tour\n" + exit
  });

  for (const config of ['native', 'te', 'vtx']) {
    it(`${config}: the history names a user address with the symbols of the process it came from`, () => {
      const dbg = debugConfig(config, ['compute', 'syscall'], {}, 2);
      run(dbg.continue());
      const c = new Chalk({ level: 0 });
      const fromUser = dbg.history().filter((r) => r.fromWorld === 'guestUser' && r.kind === 'trap' && r.cause === Cause.Syscall);
      for (const pid of [1, 2, 3]) {
        // Each record's child runs init's code until its exec succeeds, then its own program.
        const program = ['init', 'compute', 'syscall'][pid - 1]!;
        const records = fromUser.filter((r) => r.pid === pid);
        const own = records.filter((r) => r.program === program).map((r) => historyLine(dbg, r, c));
        expect(own.length, `system calls of pid ${pid} in ${program}`).toBeGreaterThan(0);
        for (const line of own) expect(line).toMatch(new RegExp(`at 0x[0-9a-f]{8} <${program}:`));
        if (pid > 1) expect(records.filter((r) => r.program !== program).map((r) => historyLine(dbg, r, c))).toEqual([expect.stringMatching(/ <init:exec\+4> /)]);
      }
    });
  }
});

describe('stepping', () => {
  it('stepi steps into a call; nexti steps over it; finish returns to the caller', () => {
    const dbg = debugProgram(LOOP);
    dbg.addBreakpoint('_start.loop');
    run(dbg.continue());
    run(dbg.stepi()); // addi
    const callPc = dbg.cpu.pc;
    run(dbg.stepi());
    expect(dbg.cpu.pc).toBe(sym(dbg, 'double'));
    expect(run(dbg.finish())).toMatchObject({ kind: 'finish' });
    expect(dbg.cpu.pc).toBe(callPc + 4);
    expect(dbg.cpu.x[5]).toBe(2); // a1 = 2 * a0
    // nexti over the next call.
    dbg.deleteAll();
    run(dbg.stepi(3)); // li, blt, addi
    expect(dbg.cpu.pc).toBe(callPc);
    expect(run(dbg.nexti())).toMatchObject({ kind: 'step' });
    expect(dbg.cpu.pc).toBe(callPc + 4);
    expect(dbg.cpu.x[5]).toBe(4);
  });

  it('finish from a nested call and from a leaf returns to the right frame', () => {
    const dbg = debugProgram(LOOP);
    dbg.addBreakpoint('nothing');
    run(dbg.continue());
    dbg.deleteAll();
    expect(run(dbg.finish())).toMatchObject({ kind: 'finish' });
    expect(dbg.symbols.nameOf(dbg.cpu.pc)).toBe('double+16');
    expect(run(dbg.finish())).toMatchObject({ kind: 'finish' });
    expect(dbg.symbols.nameOf(dbg.cpu.pc)).toMatch(/^_start\.loop\+8$/);
    expect(() => dbg.finish()).toThrow(/finish: cannot find the caller/);
  });

  it('backtrace unwinds through prologues and says where it stopped', () => {
    const dbg = debugProgram(LOOP);
    dbg.addBreakpoint('nothing');
    run(dbg.continue());
    const bt = dbg.backtrace();
    expect(bt.frames.map((f) => f.function)).toEqual(['nothing', 'double', '_start']);
    expect(bt.end).toMatch(/_start sets sp directly/);
  });

  it('nexti over a system call comes back in the same world at the next instruction', () => {
    const dbg = debugConfig('native', ['syscall'], {}, 3);
    const getpid = findSymbol(dbg.symbols.images.find((i) => i.name === 'syscall')!.image, 'getpid')!.value;
    dbg.addBreakpoint('syscall:getpid');
    run(dbg.continue());
    dbg.deleteAll();
    run(dbg.stepi()); // li t0, SYS_GETPID
    expect(dbg.cpu.pc).toBe(getpid + 4);
    expect(run(dbg.nexti())).toMatchObject({ kind: 'step' });
    expect(dbg.cpu.pc).toBe(getpid + 8);
    expect(dbg.world()).toBe('guestUser');
    expect(dbg.cpu.x[4]).toBe(2); // a0 = pid (init is 1)
  });

  it('stepping past a halt reports the halt; the cycle budget stops an endless loop', () => {
    const dbg = debugProgram('_start: halt');
    expect(run(dbg.stepi())).toMatchObject({ kind: 'machine', stop: { kind: 'halt', exitCode: 0 } });
    const spin = debugProgram('_start: j _start', { maxCycles: 10_000 });
    expect(run(spin.continue())).toMatchObject({ kind: 'limit' });
    spin.addBreakpoint('0x100000'); // far away: forces stepping
    expect(run(spin.continue())).toMatchObject({ kind: 'limit' });
  });

  it('abortRequested stops a continue at the next chunk', () => {
    const dbg = debugProgram('_start: j _start');
    const r = dbg.continue();
    r.next();
    dbg.abortRequested = true;
    let res = r.next();
    while (!res.done) res = r.next();
    expect(res.value).toEqual({ kind: 'interrupted' });
  });

  it('running with stops and running flat out reach the same state', () => {
    const flat = debugProgram(TOUR);
    const stepped = debugProgram(TOUR);
    stepped.addBreakpoint('0x3fffc'); // never reached: makes continue step one instruction at a time
    expect(run(flat.continue())).toMatchObject({ kind: 'machine', stop: { kind: 'halt' } });
    expect(run(stepped.continue())).toMatchObject({ kind: 'machine', stop: { kind: 'halt' } });
    expect(diffSnapshots(flat.machine.snapshot(), stepped.machine.snapshot()).filter((d) => d !== 'cpu.stopCycle')).toEqual([]);
  });
});

describe('reverse execution', () => {
  /** Step forward n times, keeping a full snapshot and the console output of every state. */
  function record(dbg: ReturnType<typeof debugProgram>, n: number): { snap: MachineSnapshot; console: string; ticks: number }[] {
    const states = [{ snap: dbg.machine.snapshot(), console: dbg.machine.console.output(), ticks: dbg.ticks() }];
    for (let i = 0; i < n; i++) {
      run(dbg.stepi());
      states.push({ snap: dbg.machine.snapshot(), console: dbg.machine.console.output(), ticks: dbg.ticks() });
    }
    return states;
  }

  it('reverse-stepi restores registers, memory, TLB, devices and statistics exactly, across snapshots', () => {
    // A small snapshot interval makes going back cross several snapshots.
    const dbg = debugProgram(TOUR, { snapshotInterval: 50 });
    run(dbg.stepi(400)); // paging on, into ring 3, some syscalls and timer interrupts
    const states = record(dbg, 300);
    for (let i = states.length - 2; i >= 0; i--) {
      expect(run(dbg.reverseStepi())).toEqual({ kind: 'step', reverse: true });
      const want = states[i]!;
      expect(diffSnapshots(want.snap, dbg.machine.snapshot()), `state ${i}`).toEqual([]);
      expect(dbg.machine.console.output()).toBe(want.console);
      expect(dbg.ticks()).toBe(want.ticks);
    }
    // Forward again: the same states.
    run(dbg.stepi(300));
    expect(diffSnapshots(states[states.length - 1]!.snap, dbg.machine.snapshot())).toEqual([]);
    // N at once.
    run(dbg.reverseStepi(123));
    expect(diffSnapshots(states[300 - 123]!.snap, dbg.machine.snapshot())).toEqual([]);
  });

  it('reverse-stepi after a flat-out continue, and to the start of history', () => {
    const dbg = debugProgram(TOUR);
    run(dbg.continue()); // halts
    const end = dbg.ticks();
    expect(run(dbg.reverseStepi())).toMatchObject({ kind: 'step' });
    expect(dbg.ticks()).toBe(end - 1);
    expect(run(dbg.stepi())).toMatchObject({ kind: 'machine', stop: { kind: 'halt' } });
    expect(dbg.ticks()).toBe(end);
    expect(run(dbg.reverseStepi(1_000_000))).toEqual({ kind: 'history-start' });
    expect(dbg.ticks()).toBe(0);
    expect(dbg.machine.console.output()).toBe('');
    expect(dbg.trapHistory()).toHaveLength(0);
  });

  it('in a native boot, reverse-stepi goes from the kernel back to the user syscall instruction', () => {
    const dbg = debugConfig('native', ['syscall'], {}, 2);
    dbg.addBreakpoint('kernel:syscall_dispatch');
    run(dbg.continue());
    const trap = dbg.trapHistory().at(-1)!;
    expect(trap).toMatchObject({ causeName: 'Syscall', fromWorld: 'guestUser', toWorld: 'guestKernel' });
    let n = 0;
    while (dbg.world() !== 'guestUser') {
      run(dbg.reverseStepi());
      n++;
    }
    expect(n).toBeGreaterThan(10);
    expect(dbg.cpu.pc >>> 0).toBe(trap.epc);
    expect(dbg.cpu.ring).toBe(3);
    expect(dbg.trapHistory().at(-1)?.seq ?? 0).toBe(trap.seq - 1);
    expect(dbg.machine.memory.words.length).toBeGreaterThan(0);
  });

  it('reverse-continue with nothing set goes to the start of the history without re-executing any of it', () => {
    const dbg = debugConfig('te', ['compute'], {}, 50);
    const start = dbg.machine.snapshot();
    run(dbg.continue()); // flat out, most of a million instructions
    const bp = dbg.addBreakpoint('kernel:syscall_dispatch');
    dbg.enablePoint(bp.id, false); // a disabled breakpoint cannot stop it either
    let steps = 0;
    const machine = dbg.machine;
    const step = machine.step.bind(machine);
    machine.step = () => {
      steps++;
      return step();
    };
    expect(run(dbg.reverseContinue())).toEqual({ kind: 'history-start' });
    expect(steps).toBe(0);
    expect(diffSnapshots(start, dbg.machine.snapshot())).toEqual([]);
    expect(dbg.history()).toEqual([]);
  });

  it('reverse-continue goes back to the previous breakpoint hit, watchpoint or trap', () => {
    const dbg = debugProgram(LOOP, { snapshotInterval: 20 });
    const bp = dbg.addBreakpoint('double');
    run(dbg.continue());
    run(dbg.continue());
    run(dbg.continue());
    expect(dbg.cpu.x[4]).toBe(3);
    const ev = run(dbg.reverseContinue());
    expect(ev).toMatchObject({ kind: 'breakpoint', point: { id: bp.id }, reverse: true });
    expect(dbg.cpu.x[4]).toBe(2);
    expect(run(dbg.reverseContinue())).toMatchObject({ kind: 'breakpoint' });
    expect(dbg.cpu.x[4]).toBe(1);
    expect(run(dbg.reverseContinue())).toEqual({ kind: 'history-start' });
    expect(dbg.ticks()).toBe(0);
    // Watchpoint in reverse: the store that wrote the value last.
    dbg.deleteAll();
    run(dbg.continue()); // to the halt
    dbg.addWatchpoint('result');
    expect(run(dbg.reverseContinue())).toMatchObject({ kind: 'watchpoint', access: 'write', value: 20 });
    expect(dbg.symbols.nameOf((dbg.cpu.pc - 4) >>> 0)).toBe('_start.loop+24'); // the sw
  });

  it('reverse-continue finds the trap that brought the kernel in', () => {
    const dbg = debugProgram(TOUR);
    run(dbg.stepi(3000));
    dbg.addCatchpoint('trap', ['Syscall']);
    const last = dbg.trapHistory().filter((t) => t.cause === Cause.Syscall).at(-1)!;
    expect(run(dbg.reverseContinue())).toMatchObject({ kind: 'catch-trap', trap: { seq: last.seq } });
  });

  it.skipIf(!findConfig('vtx'))('vtx: VM exits are recorded, caught, and undone exactly by reverse-stepi', () => {
    const dbg = debugConfig('vtx', ['syscall'], { snapshotInterval: 5000 }, 1);
    dbg.addCatchpoint('vmexit', ['PortIo']);
    const ev = run(dbg.continue());
    expect(ev).toMatchObject({ kind: 'catch-vmexit', exit: { reasonName: 'PortIo', fromWorld: 'guestKernel', toWorld: 'vmm' } });
    expect(dbg.cpu.nonRoot).toBe(false);
    expect(dbg.world()).toBe('vmm');
    // Step back over the exit: into non-root mode, at the guest's `out`, exactly as it was.
    const after = dbg.machine.snapshot();
    const ticks = dbg.ticks();
    const exits = dbg.history().filter((r) => r.kind === 'vmexit').length;
    run(dbg.reverseStepi());
    expect(dbg.cpu.nonRoot).toBe(true);
    expect(dbg.world()).toBe('guestKernel');
    expect(dbg.history().filter((r) => r.kind === 'vmexit')).toHaveLength(exits - 1);
    const before = dbg.machine.snapshot();
    run(dbg.stepi());
    expect(dbg.ticks()).toBe(ticks);
    expect(diffSnapshots(after, dbg.machine.snapshot()).filter((d) => d !== 'cpu.stopCycle')).toEqual([]);
    run(dbg.reverseStepi());
    expect(diffSnapshots(before, dbg.machine.snapshot())).toEqual([]);
    expect(() => debugProgram(LOOP).addCatchpoint('vmexit')).toThrow(/no VM exits in this configuration/);
  });

  it('set changes the machine and starts a new timeline from there', () => {
    const dbg = debugProgram(LOOP);
    dbg.addBreakpoint('double');
    run(dbg.continue());
    dbg.setRegister('a0', 8);
    dbg.deleteAll();
    run(dbg.continue());
    expect(dbg.memory.readWord(sym(dbg, 'result'))).toBe(20); // 8 -> 9 -> 10 iterations
    run(dbg.reverseStepi(3));
    run(dbg.stepi(3));
    expect(dbg.memory.readWord(sym(dbg, 'result'))).toBe(20);
    dbg.writeMemory(sym(dbg, 'result'), 77);
    expect(dbg.memory.readWord(sym(dbg, 'result'))).toBe(77);
    expect(() => dbg.setRegister('zero', 1)).toThrow(/hardwired/);
    expect(() => dbg.setRegister('cycle', 1)).toThrow(/read-only/);
  });
});
