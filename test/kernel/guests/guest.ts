// Guest programs for the kernel tests, written inline: `program(name, body)` assembles a user
// program (user.inc first, lib.s last, linked at USER_BASE) with the helpers below, and `bootAll`
// runs a boot under every configuration, so a test can expect native's results from each.

import { join } from 'node:path';
import { assemble, type Image } from '../../../src/asm/index.js';
import { findSymbol } from '../../../src/asm/index.js';
import { CONFIGS, findConfig, type BootOptions, type BootResult } from '../../../src/configs/index.js';
import { kernelImage, USER_DIR } from '../../../src/configs/images.js';
import { isaWith } from '../../../src/isa/index.js';

export interface GuestProgram {
  name: string;
  image: Image;
  iterations?: number;
}

/** `list`: the caller's mount list (sys_mounts) on the console, or its error through `result`:
 *  a routine for a program's body (it calls `result` and `putbuf`, which every program gets). */
export const LIST_MOUNTS = `list:   push ra
        li   a0, HEAP_BASE + 0x3000
        li   a1, 0x1000
        call mounts
        blt  a0, zero, .err
        mv   a1, a0
        li   a0, HEAP_BASE + 0x3000
        call putbuf
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
`;

/** Helpers every program gets:
 *   result(a0)        the signed value in decimal and a newline
 *   putch(a0)         one byte
 *   putbuf(a0, a1)    a1 bytes at a0
 *   fd0, fd1          the words of `fds` (the pipe's ends after pipe(fds)) into a0
 *   blocked(a0 = pid) return once that process sleeps in the kernel (procs says PROC_WAITING)
 *   wst               wait for any child and print its status word (left in `status`)
 *   cwd               print getcwd's answer, or its error */
const HELPERS = `
result: push ra
        bge  a0, zero, .pos
        push a0
        la   a0, h_minus
        call print
        pop  a0
        neg  a0, a0
.pos:   call print_dec
        call newline
        pop  ra
        ret
putch:  push ra
        la   t0, h_byte
        sb   a0, 0(t0)
        li   a0, 1
        la   a1, h_byte
        li   a2, 1
        call write
        pop  ra
        ret
putbuf: push ra
        mv   a2, a1
        mv   a1, a0
        li   a0, 1
        call write
        pop  ra
        ret
fd0:    la   t0, fds
        lw   a0, 0(t0)
        ret
fd1:    la   t0, fds
        lw   a0, 4(t0)
        ret
blocked: push ra
        push s1
        mv   s1, a0
.poll:  call yield
        li   a0, HEAP_BASE + 0x3c000
        li   a1, 0x4000
        call procs
        li   t0, HEAP_BASE + 0x3c000
        add  t1, t0, a0
.entry: bgeu t0, t1, .poll
        lw   t2, PI_PID(t0)
        addi t0, t0, PI_SIZEOF
        bne  t2, s1, .entry
        lw   t2, PI_STATE - PI_SIZEOF(t0)
        li   t3, PROC_WAITING
        bne  t2, t3, .poll
        pop  s1
        pop  ra
        ret
# wst: wait for any child and print its status word (it is left in \`status\`).
wst:    push ra
        li   a0, -1
        la   a1, status
        li   a2, 0
        call wait
        la   a0, status
        lw   a0, 0(a0)
        call result
        pop  ra
        ret
# cwd: print getcwd's answer, or its error.
cwd:    push ra
        li   a0, HEAP_BASE + 0x2000
        li   a1, 256
        call getcwd
        blt  a0, zero, .err
        li   a0, HEAP_BASE + 0x2000
        call print
        call newline
        pop  ra
        ret
.err:   call result
        pop  ra
        ret
h_minus: .asciz "-"
        .align 4
h_byte: .word 0
fds:    .word -1, -1
status: .word 0
`;

export function program(name: string, body: string, iterations?: number): GuestProgram {
  const source = `        .include "user.inc"\n${body}\n${HELPERS}\n        .include "lib.s"\n`;
  const r = assemble(source, { fileName: join(USER_DIR, `${name}.s`), isa: isaWith([]) });
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors[0])}`);
  return { name, image: r.image, ...(iterations !== undefined && { iterations }) };
}

export const CONFIG_NAMES = CONFIGS.map((c) => c.name);

export type GuestBoot = Omit<BootOptions, 'workloads' | 'programs'> & { programs: readonly GuestProgram[] };

export function boot(config: string, options: GuestBoot): BootResult {
  return findConfig(config)!.boot({ workloads: [], maxCycles: 500_000_000, ...options });
}

/** Frames with a non-zero reference count at power-off (a native boot), from the kernel's own
 *  table (mm.s: frame_refs, one byte per frame from frame_base). */
export function framesInUse(r: BootResult): number {
  const kernel = kernelImage(isaWith([]));
  const word = (address: number): number => r.machine.memory.words[address >>> 2]! >>> 0;
  const refs = word(findSymbol(kernel, 'frame_refs')!.value);
  const base = word(findSymbol(kernel, 'frame_base')!.value);
  const end = word(findSymbol(kernel, 'mem_end')!.value);
  let used = 0;
  for (let f = 0; f < (end - base) >>> 12; f++) {
    const at = refs + f;
    if ((word(at & ~3) >>> ((at & 3) * 8)) & 0xff) used++;
  }
  return used;
}

/** A kernel symbol's value (a label's address or an .equ's value). */
function kernelSymbol(name: string): number {
  const s = findSymbol(kernelImage(isaWith([])), name);
  if (s === undefined) throw new Error(`kernel symbol ${name} not found`);
  return s.value;
}

function guestWord(r: BootResult, address: number): number {
  return r.machine.memory.words[address >>> 2]! >>> 0;
}

/** In-memory inodes with a reference (fs.s: itable, I_REF) at power-off: open files, current
 *  and root directories that some process still holds. */
export function inodesInUse(r: BootResult): number {
  const base = kernelSymbol('itable');
  const size = kernelSymbol('I_SIZE');
  const ref = kernelSymbol('I_REF');
  let used = 0;
  for (let i = 0; i < kernelSymbol('NINODE'); i++) if (guestWord(r, base + i * size + ref) !== 0) used++;
  return used;
}

/** The UTS namespaces at power-off (ns.s: uts_table): each entry's reference count and
 *  hostname. */
export function utsNamespaces(r: BootResult): { refs: number; name: string }[] {
  const base = kernelSymbol('uts_table');
  const size = kernelSymbol('U_SIZE');
  const nameAt = kernelSymbol('U_NAME');
  const out: { refs: number; name: string }[] = [];
  for (let i = 0; i < kernelSymbol('NUTS'); i++) {
    const entry = base + i * size;
    let name = '';
    for (let b = 0; b < kernelSymbol('HOST_NAME_MAX'); b++) {
      const at = entry + nameAt + b;
      const byte = (guestWord(r, at & ~3) >>> ((at & 3) * 8)) & 0xff;
      if (byte === 0) break;
      name += String.fromCharCode(byte);
    }
    out.push({ refs: guestWord(r, entry), name });
  }
  return out;
}

/** Each pid namespace's reference count at power-off (ns.s: pidns_table, PN_REF). */
export function pidNamespaceRefs(r: BootResult): number[] {
  const base = kernelSymbol('pidns_table');
  const size = kernelSymbol('PN_SIZE');
  return Array.from({ length: kernelSymbol('NPIDNS') }, (_, i) => guestWord(r, base + i * size + kernelSymbol('PN_REF')));
}

/** Control groups in use at power-off (cgroup.s: cgroup_table, CG_USED), the root included. */
export function cgroupsInUse(r: BootResult): number {
  const base = kernelSymbol('cgroup_table');
  let used = 0;
  for (let i = 0; i < kernelSymbol('NCGROUP'); i++) if (guestWord(r, base + i * kernelSymbol('CG_SIZE') + kernelSymbol('CG_USED')) !== 0) used++;
  return used;
}
