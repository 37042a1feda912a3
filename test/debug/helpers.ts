// Shared helpers for the debugger tests: a Debugger over an assembled program (as
// `ringlab debug FILE` builds it) or over a prepared boot configuration.

import { assemble, formatAsmError, type Image } from '../../src/asm/index.js';
import { findConfig, type BootImage } from '../../src/configs/index.js';
import { Debugger, runToStop, type DebuggerOptions, type Run, type StopEvent } from '../../src/debug/debugger.js';
import { isaWith } from '../../src/isa/index.js';
import { Machine } from '../../src/machine/machine.js';

export const isa = isaWith();

export function asm(source: string, fileName = 'prog.s'): Image {
  const r = assemble(source, { fileName, isa });
  if (!r.ok) throw new Error(`test program does not assemble:\n${r.errors.map(formatAsmError).join('\n')}`);
  return r.image;
}

/** A debugger over one program on a small bare machine. */
export function debugProgram(source: string, options: DebuggerOptions = {}, memoryBytes = 256 * 1024): Debugger {
  const image = asm(source);
  const machine = new Machine({ memoryBytes });
  machine.load(image);
  const images: BootImage[] = [{ name: 'prog', kind: 'kernel', image }];
  return new Debugger(machine, images, options);
}

/** A debugger over a boot configuration with the given workloads. */
export function debugConfig(config: string, workloads: string[], options: DebuggerOptions = {}, iterations?: number): Debugger {
  const prepared = findConfig(config)!.prepare({ workloads, ...(iterations !== undefined && { iterations }) });
  return new Debugger(prepared.machine, prepared.images, options);
}

export function run(r: Run): StopEvent {
  return runToStop(r);
}

/** Paging on (identity map), a ring-0 trap handler, a ring-3 program that writes a counter,
 *  prints through syscalls and computes while the timer interrupts it. */
export const TOUR = `
        .equ CONSOLE, 0x10
        .equ TIMER_INTERVAL, 0x20
        .equ TIMER_ACK, 0x21
        .equ PAGEDIR, 0x10000
        .equ PAGETAB, 0x11000

_start: li   t0, PAGETAB
        li   t1, 0x1f
        li   t2, 32
        li   t3, 0x1000
.map:   sw   t1, 0(t0)
        addi t0, t0, 4
        add  t1, t1, t3
        addi t2, t2, -1
        bnez t2, .map
        li   t0, PAGETAB | 1
        li   t1, PAGEDIR
        sw   t0, 0(t1)
        li   t0, PAGEDIR | 1
        csrw PTBR, t0
        la   t0, trap
        csrw TVEC, t0
        li   t0, 1
        csrw IMASK, t0
        li   t0, 300
        out  TIMER_INTERVAL, t0
        la   t0, user
        csrw EPC, t0
        li   t0, 7
        csrw ESTATUS, t0
        li   sp, 0x8000
        sret

user:   la   s0, msg
.next:  lbu  a0, 0(s0)
        beqz a0, .work
        syscall
        addi s0, s0, 1
        j    .next
.work:  li   s1, 200
        li   s2, 0
.sum:   add  s2, s2, s1
        la   t0, counter
        sw   s2, 0(t0)
        call helper
        addi s1, s1, -1
        bnez s1, .sum
        li   a0, -1
        syscall

helper: push ra
        push s0
        lw   a0, 0(t0)
        addi a0, a0, 1
        pop  s0
        pop  ra
        ret

trap:   csrr t0, CAUSE
        li   t1, 1
        beq  t0, t1, .sys
        out  TIMER_ACK, zero
        sret
.sys:   blt  a0, zero, .exit
        out  CONSOLE, a0
        csrr t0, EPC
        addi t0, t0, 4
        csrw EPC, t0
        sret
.exit:  halt

msg:    .asciz "tour\\n"
        .align 4
counter: .word 0
`;
