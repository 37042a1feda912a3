// General registers: r0..r15, with ABI names. r0 always reads as zero.
//
// ABI (calling convention used by programs/):
//   r0  zero   hardwired zero
//   r1  ra     return address (set by `call`, used by `ret`)
//   r2  sp     stack pointer (grows down, word aligned)
//   r3  fp     frame pointer (callee-saved)
//   r4-r7   a0-a3  arguments and return values (caller-saved)
//   r8-r11  t0-t3  temporaries (caller-saved)
//   r12-r15 s0-s3  saved registers (callee-saved)

export const REGISTER_COUNT = 16;

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'fp',
  'a0', 'a1', 'a2', 'a3',
  't0', 't1', 't2', 't3',
  's0', 's1', 's2', 's3',
];

export const Reg = {
  zero: 0, ra: 1, sp: 2, fp: 3,
  a0: 4, a1: 5, a2: 6, a3: 7,
  t0: 8, t1: 9, t2: 10, t3: 11,
  s0: 12, s1: 13, s2: 14, s3: 15,
} as const;

/** Register number for `r7`, `R7` or an ABI name like `sp`; undefined if not a register. */
export function parseRegister(name: string): number | undefined {
  const lower = name.toLowerCase();
  const m = /^r(\d{1,2})$/.exec(lower);
  if (m) {
    const n = Number(m[1]);
    return n < REGISTER_COUNT ? n : undefined;
  }
  const i = ABI_NAMES.indexOf(lower);
  return i >= 0 ? i : undefined;
}

/** The name the disassembler prints: ABI name for readability. */
export function registerName(n: number): string {
  return ABI_NAMES[n] ?? `r${n}`;
}
