// The ISA reference, rendered from the tables: docs/ISA.md (`isaMarkdown`) and the terminal
// listing of `ringlab isa` (`isaText`). Pure functions of the tables, so adding a defineInsn
// value updates both, and the output is deterministic (the docs freshness test depends on it).

import { EXIT_CONTROLS, EXIT_REASONS, ExitControl, VMCS_FIELDS, VMX } from './vmx.js';
import { CAUSES, INTERRUPT_BASE } from './causes.js';
import { CSRS, Ptbr, Status } from './csrs.js';
import { Access, PAGE_SIZE, PDE_FIELDS, PTE_FIELDS, Pte, pteAllows, Tlb, VA_FIELDS, VirtualAddress, type AccessKind, type PagingField } from './paging.js';
import type { InsnDef, Isa, PrivilegeClass } from './define.js';
import { encodeFields, Formats, immRange, type Format, type ImmKind, type OperandKind } from './formats.js';
import { ABI_NAMES, REGISTER_COUNT } from './registers.js';

/** A pseudo-instruction as the reference shows it; the assembler expands it to real instructions. */
export interface PseudoRef {
  readonly mnemonic: string;
  /** Assembly syntax, e.g. `li rd, imm`. */
  readonly syntax: string;
  /** What the assembler emits, e.g. `lui rd, hi(imm); ori rd, rd, lo(imm)`. */
  readonly expansion: string;
  readonly doc: string;
}

export interface ReferenceOptions {
  /** Pseudo-instructions to list after the real ones (the assembler's table). */
  readonly pseudo?: readonly PseudoRef[];
}

/** Colouring hooks for `isaText`; the CLI passes chalk functions, tests pass nothing. */
export interface TextStyle {
  readonly heading: (s: string) => string;
  readonly mnemonic: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly privileged: (s: string) => string;
}

export interface TextOptions extends ReferenceOptions {
  readonly style?: Partial<TextStyle>;
}

const identity = (s: string): string => s;
const PLAIN: TextStyle = { heading: identity, mnemonic: identity, dim: identity, privileged: identity };

// ---- Syntax ---------------------------------------------------------------------------------

/** How one operand slot is written in assembly. */
export function operandText(kind: OperandKind): string {
  return kind === 'mem' ? 'imm(rs1)' : kind;
}

/** The operand part of the syntax, e.g. `rd, imm(rs1)` (empty for no operands). */
export function operandsOf(insn: Pick<InsnDef, 'syntax'>): string {
  return insn.syntax.map(operandText).join(', ');
}

/** Assembly syntax, e.g. `lw rd, imm(rs1)`, `beq rs1, rs2, target`, `csrw csr, rs1`. */
export function syntaxOf(insn: Pick<InsnDef, 'mnemonic' | 'syntax'>): string {
  const operands = operandsOf(insn);
  return operands ? `${insn.mnemonic} ${operands}` : insn.mnemonic;
}

// ---- Bit layouts ----------------------------------------------------------------------------

/** A run of bits `hi..lo` (inclusive) of a 32-bit word and what it holds. */
export interface BitField {
  readonly hi: number;
  readonly lo: number;
  readonly label: string;
}

/** Bits of each operand field in format `f`, found by encoding all-ones into that field alone. */
export function formatFieldMasks(f: Format): { rd: number; rs1: number; rs2: number; imm: number; reserved: number } {
  const only = (field: 'rd' | 'rs1' | 'rs2' | 'imm'): number =>
    encodeFields(f, 0, { rd: 0, rs1: 0, rs2: 0, imm: 0, [field]: -1 });
  return { rd: only('rd'), rs1: only('rs1'), rs2: only('rs2'), imm: only('imm'), reserved: f.reservedMask };
}

/** What the immediate bits of `f` mean, named by the operand that consumes them. */
function immLabel(f: Format): string {
  if (f.operands.includes('csr')) return 'csr';
  if (f.operands.includes('port')) return 'port';
  if (f.operands.includes('mem')) return 'offset';
  if (f.operands.includes('target')) return 'word offset';
  return f.imm === 'shamt' ? 'shamt' : 'imm';
}

/** The fields of format `f` from bit 31 down: opcode, register fields, immediate, reserved zeros. */
export function formatLayout(f: Format): BitField[] {
  const masks = formatFieldMasks(f);
  const owners: [number, string][] = [
    [0xff00_0000 | 0, 'opcode'],
    [masks.rd, 'rd'],
    [masks.rs1, 'rs1'],
    [masks.rs2, 'rs2'],
    [masks.imm, immLabel(f)],
    [masks.reserved, '0'],
  ];
  return fieldsFromMasks(owners, '?');
}

/** Split a word into labelled runs of bits; bits no mask claims get `gapLabel`. */
function fieldsFromMasks(owners: readonly (readonly [number, string])[], gapLabel: string): BitField[] {
  const labelOf = (bit: number): string => owners.find(([mask]) => ((mask >>> bit) & 1) === 1)?.[1] ?? gapLabel;
  const fields: BitField[] = [];
  for (let bit = 31; bit >= 0; bit--) {
    const label = labelOf(bit);
    const last = fields[fields.length - 1];
    if (last && last.label === label && last.lo === bit + 1) fields[fields.length - 1] = { ...last, lo: bit };
    else fields.push({ hi: bit, lo: bit, label });
  }
  return fields;
}

/** `31:12` or `2`. */
export function bitRange(field: Pick<BitField, 'hi' | 'lo'>): string {
  return field.hi === field.lo ? `${field.hi}` : `${field.hi}:${field.lo}`;
}

/** Two text lines: bit numbers over a boxed row of fields, two columns per bit. */
export function bitDiagram(fields: readonly BitField[]): [string, string] {
  let numbers = '';
  let boxes = '|';
  for (const f of fields) {
    const width = 2 * (f.hi - f.lo + 1) - 1;
    numbers += ' ' + bitNumbers(f, width);
    boxes += center(f.label, width) + '|';
  }
  return [numbers.trimEnd(), boxes];
}

function bitNumbers(f: BitField, width: number): string {
  const hi = String(f.hi);
  const lo = String(f.lo);
  if (f.hi !== f.lo && hi.length + 1 + lo.length <= width) return hi + lo.padStart(width - hi.length);
  return hi.length <= width ? hi.padEnd(width) : ' '.repeat(width);
}

function center(text: string, width: number): string {
  const clipped = text.length > width ? text.slice(0, width) : text;
  const left = Math.floor((width - clipped.length) / 2);
  return ' '.repeat(left) + clipped + ' '.repeat(width - clipped.length - left);
}

// ---- Table helpers --------------------------------------------------------------------------

function hex(n: number, digits: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(digits, '0');
}

/** Markdown table cell: pipes would end the cell, even inside code spans. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function code(text: string): string {
  return '`' + text + '`';
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

/**
 * Rows padded to common column widths (plain text, before any styling). A cell longer than
 * `maxWidth` overflows its own line instead of pushing every other line's later columns out.
 */
function padColumns(rows: readonly (readonly string[])[], maxWidth = Infinity): string[][] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.min(c.length, maxWidth))));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))));
}

// ---- Descriptions the tables keep only in comments --------------------------------------------

/** Role of each ABI register name, by prefix (registers.ts documents the convention in prose). */
const REGISTER_ROLES: readonly [RegExp, string][] = [
  [/^zero$/, 'hardwired zero: reads as 0, writes are discarded'],
  [/^ra$/, 'return address (set by `call`, used by `ret`)'],
  [/^sp$/, 'stack pointer (grows down, word aligned)'],
  [/^fp$/, 'frame pointer (callee-saved)'],
  [/^a\d$/, 'argument / return value (caller-saved)'],
  [/^t\d$/, 'temporary (caller-saved)'],
  [/^s\d$/, 'saved register (callee-saved)'],
];

function registerRole(abiName: string): string {
  return REGISTER_ROLES.find(([pattern]) => pattern.test(abiName))?.[1] ?? '';
}

const PRIVILEGE_DOCS: Record<PrivilegeClass, string> = {
  user: 'runs in every ring',
  privileged: 'outside ring 0 it raises PrivilegedInstruction before it has any effect',
  sensitive: 'sensitive but unprivileged: runs in every ring, yet reads or changes machine state a VMM must control (Popek and Goldberg\'s troublemakers)',
};

/** STATUS and PTBR fields; the masks come from csrs.ts, only the meanings live here. */
const STATUS_FIELDS: readonly [number, string, string][] = [
  [Status.RING_MASK, 'RING', 'current ring, 0 (most privileged) to 3'],
  [Status.IE, 'IE', 'interrupts enabled'],
];
const PTBR_FIELDS: readonly [number, string, string][] = [
  [Ptbr.FRAME_MASK, 'FRAME', 'physical frame of the root page directory (address = PTBR & 0xfffff000)'],
  [Ptbr.ENABLE, 'EN', 'paging enabled'],
];

// ---- Markdown -------------------------------------------------------------------------------

/** Every format the reference describes: the base formats, then any an extension brings. */
function formatsOf(isa: Isa): Format[] {
  const all: Format[] = Object.values(Formats);
  for (const insn of isa.insns) if (!all.some((f) => f.name === insn.format.name)) all.push(insn.format);
  return all;
}

function immRangeText(kind: ImmKind): string {
  if (kind === 'none') return '—';
  const { min, max, align } = immRange(kind);
  return align === 1 ? `${min} to ${max}` : `${min} to ${max}, multiple of ${align}`;
}

function introMarkdown(isa: Isa): string[] {
  const registers = ABI_NAMES.slice(0, REGISTER_COUNT).map((abi, n) => [code(`r${n}`), code(abi), registerRole(abi)]);
  return [
    '# ringlab ISA reference',
    '',
    '<!-- Generated from the tables in src/isa by `npm run docs:isa`. Do not edit by hand. -->',
    '',
    '> This file is generated by `npm run docs:isa` from the instruction, format, control-register,',
    '> paging and trap-cause tables in `src/isa`. Do not edit it by hand: change the tables and regenerate.',
    '',
    '## Machine',
    '',
    '- Words are 32 bits. Memory is byte addressed and little endian.',
    '- Every instruction is one aligned 32-bit word; bits 31:24 are the opcode. Opcode 0 is never',
    '  assigned, so executing zeroed memory raises IllegalInstruction, as does any word with a reserved',
    '  bit set.',
    `- ${REGISTER_COUNT} general registers, \`r0\` to \`r${REGISTER_COUNT - 1}\`, 32 bits each; \`r0\` always reads as zero.`,
    '  The assembler accepts `rN` or the ABI name; the disassembler prints ABI names.',
    '- Four privilege rings, 0 (most privileged, the kernel) to 3. STATUS bits 1:0 hold the current',
    '  ring; every trap enters ring 0 at TVEC, and `sret` restores the saved STATUS.',
    `- This ISA has ${isa.insns.length} instructions from ${plural(isa.extensions.length, 'bundle')}: ${isa.extensions.map((e) => code(e.name)).join(', ')}.`,
    '',
    '### Registers',
    '',
    ...markdownTable(['Register', 'ABI name', 'Role'], registers),
    '',
    '### Privilege classes',
    '',
    ...markdownTable(
      ['Class', 'Meaning'],
      (Object.keys(PRIVILEGE_DOCS) as PrivilegeClass[]).map((p) => [code(p), PRIVILEGE_DOCS[p]]),
    ),
    '',
    '### Encoding formats',
    '',
    'Bit layout of each format (`0` marks reserved bits, which must be zero).',
    '',
    '```',
    ...formatsOf(isa).flatMap((f) => [`${f.name}: ${f.doc}`, ...bitDiagram(formatLayout(f)), '']).slice(0, -1),
    '```',
  ];
}

/** Consecutive instructions sharing an opcode block of 16: the tables lay out related instructions that way. */
function opcodeGroups(insns: readonly InsnDef[]): InsnDef[][] {
  const groups: InsnDef[][] = [];
  for (const insn of insns) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.opcode >> 4 === insn.opcode >> 4) last.push(insn);
    else groups.push([insn]);
  }
  return groups;
}

function insnRow(insn: InsnDef): string[] {
  return [
    code(insn.mnemonic),
    code(syntaxOf(insn)),
    `${code(hex(insn.opcode, 2))} ${insn.format.name}`,
    insn.privilege,
    String(insn.cost),
    insn.memory ? `${insn.memory.kind}, ${insn.memory.size} byte${insn.memory.size === 1 ? '' : 's'}` : '—',
    insn.doc,
  ];
}

function instructionsMarkdown(isa: Isa): string[] {
  const lines = [
    '## Instructions',
    '',
    'Cycles are the base cost when the instruction retires; a load or store adds the cost model\'s',
    'memory access. Branch and jump targets are encoded as a signed word offset from the instruction',
    'itself; the assembler takes a label.',
  ];
  for (const ext of isa.extensions) {
    const insns = isa.insns.filter((i) => i.extension === ext.name);
    lines.push('', `### ${ext.name}: ${ext.doc}`);
    for (const group of opcodeGroups(insns)) {
      const first = group[0]!.opcode & 0xf0;
      lines.push(
        '',
        `#### Opcodes ${hex(first, 2)}–${hex(first + 0xf, 2)}`,
        '',
        ...markdownTable(
          ['Mnemonic', 'Syntax', 'Encoding', 'Privilege', 'Cycles', 'Memory', 'Description'],
          group.map(insnRow),
        ),
      );
    }
  }
  return lines;
}

function pseudoMarkdown(pseudo: readonly PseudoRef[]): string[] {
  return [
    '### Pseudo-instructions',
    '',
    'The assembler expands these to the real instructions shown; the disassembler prints the real ones.',
    '',
    ...markdownTable(
      ['Mnemonic', 'Syntax', 'Expands to', 'Description'],
      pseudo.map((p) => [code(p.mnemonic), code(p.syntax), code(p.expansion), p.doc]),
    ),
  ];
}

function formatsMarkdown(isa: Isa): string[] {
  return [
    '## Formats',
    '',
    ...markdownTable(
      ['Format', 'Operands', 'Immediate', 'Immediate range', 'Reserved bits', 'Description'],
      formatsOf(isa).map((f) => [
        f.name,
        f.operands.length ? code(f.operands.map(operandText).join(', ')) : '—',
        f.imm === 'none' ? '—' : code(f.imm),
        immRangeText(f.imm),
        code(hex(f.reservedMask, 8)),
        f.doc,
      ]),
    ),
  ];
}

function registerLayoutMarkdown(name: string, fields: readonly [number, string, string][], gap: string): string[] {
  const layout = fieldsFromMasks(fields.map(([mask, field]) => [mask, field] as const), '0');
  const meaning = (label: string): string => fields.find(([, field]) => field === label)?.[2] ?? gap;
  return [
    `### ${name} bits`,
    '',
    ...markdownTable(['Bits', 'Field', 'Meaning'], layout.map((f) => [bitRange(f), f.label === '0' ? '—' : f.label, meaning(f.label)])),
  ];
}

function controlRegistersMarkdown(): string[] {
  return [
    '## Control registers',
    '',
    'Read with `csrr rd, csr` and written with `csrw csr, rs1`, both privileged. `csr` is a name or a',
    'number; writing a read-only (`ro`) register or naming an unknown one raises IllegalInstruction.',
    '*Plain*: reading (r) or writing (w) it touches nothing but the register (no clock, device, ring,',
    'interrupt, mapping or VM exit), so the block translator runs that `csrr` or `csrw` without',
    'bringing the clock up to date first (docs/architecture.md).',
    '',
    ...markdownTable(
      ['Number', 'Name', 'Access', 'Plain', 'Description'],
      [...CSRS]
        .sort((a, b) => a.number - b.number)
        .map((c) => [String(c.number), c.name, c.access, [c.plain.read ? 'r' : '', c.plain.write ? 'w' : ''].join('') || '-', c.doc]),
    ),
    '',
    ...registerLayoutMarkdown('STATUS', STATUS_FIELDS, 'reads as zero, writes ignored'),
    '',
    ...registerLayoutMarkdown('PTBR', PTBR_FIELDS, 'reserved'),
  ];
}

/** A word's layout as a bit diagram and a table; bits no field names are `ignored`. */
function pagingLayoutMarkdown(fields: readonly PagingField[]): string[] {
  const layout = fieldsFromMasks(fields.map((f) => [f.mask, f.name] as const), 'ignored');
  const field = (label: string): PagingField | undefined => fields.find((f) => f.name === label);
  return [
    '```',
    ...bitDiagram(layout.map((f) => ({ ...f, label: field(f.label)?.short ?? f.label }))),
    '```',
    '',
    ...markdownTable(
      ['Bits', 'Field', 'Meaning'],
      layout.map((f) => [bitRange(f), field(f.label)?.name ?? '—', field(f.label)?.doc ?? 'ignored by the MMU']),
    ),
  ];
}

const ACCESS_NAMES: readonly [AccessKind, string, string][] = [
  [Access.READ, 'read', 'r'],
  [Access.WRITE, 'write', 'w'],
  [Access.EXECUTE, 'execute', 'x'],
];

/** Names of the PTE flag bits set in `pte`, e.g. `P W`. */
function flagNames(pte: number): string {
  const flags = PTE_FIELDS.filter((f) => f.name !== 'FRAME' && f.name !== 'RING' && (pte & f.mask) !== 0).map((f) => f.name);
  return (pte & Pte.PRESENT) !== 0 ? flags.reverse().join(' ') : `${flags.reverse().join(' ')} (P clear)`;
}

/** Paging: the address split, the walk, PDE and PTE layouts, rights per ring and the TLB, all
 *  from src/isa/paging.ts; the rights tables are worked out by calling `pteAllows`. */
function pagingMarkdown(isa: Isa): string[] {
  const entries = VirtualAddress.INDEX_MASK + 1;
  const mask = hex(Pte.FRAME_MASK, 8);
  const cause = (access: AccessKind): string => ['PageFaultRead', 'PageFaultWrite', 'PageFaultExecute'][access]!;
  for (const name of [cause(0), cause(1), cause(2), 'BusError']) if (!CAUSES.some((c) => c.name === name)) throw new Error(`no trap cause ${name}`);
  const rwx = Pte.PRESENT | Pte.WRITABLE | Pte.EXECUTABLE;
  const rings = [0, 1, 2, 3];
  const byRing = rings.map((pageRing) => [
    String(pageRing),
    code(`PTE_RING${pageRing}`),
    ...rings.map((ring) => ACCESS_NAMES.filter(([a]) => pteAllows(rwx | (pageRing << Pte.RING_SHIFT), ring, a)).map(([, , c]) => c).join('') || 'fault'),
  ]);
  const flagSets = [Pte.PRESENT, Pte.PRESENT | Pte.WRITABLE, Pte.PRESENT | Pte.EXECUTABLE, rwx, Pte.WRITABLE | Pte.EXECUTABLE];
  const byFlags = flagSets.map((flags) => [
    flagNames(flags),
    ...ACCESS_NAMES.map(([a]) => (pteAllows(flags | Pte.RING_MASK, 3, a) ? 'yes' : 'fault')),
  ]);
  const tlbItems = [
    ...isa.insns.filter((i) => /\bTLB\b/.test(i.doc)).map((i) => [code(syntaxOf(i)), i.doc]),
    // A control register's doc says what it holds; keep only the clause about the TLB.
    ...CSRS.filter((c) => /\bTLB\b/.test(c.doc)).map((c) => [code(`csrw ${c.name}, rs1`), c.doc.split(/[;,] /).find((part) => /\bTLB\b/.test(part))!]),
  ];
  const vmx = isa.extensions.some((e) => e.name === VMX.name);
  return [
    '## Paging',
    '',
    'Generated from src/isa/paging.ts, whose constants and `pteAllows` rule the MMU',
    '(src/machine/mmu.ts) uses. Assembly programs get them as `PAGE_SIZE` and `PTE_*` from',
    'programs/lib/hw.inc.',
    '',
    `Paging is on while PTBR bit 0 (EN) is set: from the next instruction on, every address the`,
    `processor uses, instruction fetches included, is virtual. Pages are ${PAGE_SIZE / 1024} KiB. Translation`,
    `goes through two levels of tables in physical memory, each one page of ${entries} 32-bit entries:`,
    `a page directory, whose entries point to page tables, whose entries map pages.`,
    '',
    '### Virtual address',
    '',
    ...pagingLayoutMarkdown(VA_FIELDS),
    '',
    '### The two-level walk',
    '',
    `1. The page-directory entry (PDE) is the word at physical address (PTBR & ${mask}) + DIR × 4.`,
    `2. If its P bit is clear, the access page-faults. Otherwise the page-table entry (PTE) is the`,
    `   word at (PDE & ${mask}) + TABLE × 4.`,
    `3. If the PTE's P bit is clear, or the PTE does not allow this access from the current ring`,
    `   (below), the access page-faults. Otherwise the physical address is (PTE & ${mask}) | OFFSET.`,
    '',
    `A page fault is ${cause(Access.READ)}, ${cause(Access.WRITE)} or ${cause(Access.EXECUTE)}, by the kind of access, with`,
    'the virtual address in BADADDR. A table entry beyond the end of physical memory raises BusError',
    "with the entry's physical address. Each entry the walk reads costs the cost model's",
    '`pageWalkPerLevel` cycles. Only the PTE grants rights: a PDE has no W, X or RING bits (on x86',
    'both levels must allow the access).',
    '',
    '### Page-directory entry (PDE)',
    '',
    ...pagingLayoutMarkdown(PDE_FIELDS),
    '',
    '### Page-table entry (PTE)',
    '',
    ...pagingLayoutMarkdown(PTE_FIELDS),
    '',
    '### Rights per ring',
    '',
    'A read needs P and a current ring no higher than the PTE\'s RING; a write also needs W; an',
    'instruction fetch also needs X. Which rings may use a page with P, W and X set (r read, w write,',
    'x execute):',
    '',
    ...markdownTable(['PTE RING', 'hw.inc', 'ring 0', 'ring 1', 'ring 2', 'ring 3'], byRing),
    '',
    'What the flags allow, from a ring the page admits:',
    '',
    ...markdownTable(['PTE flags', ...ACCESS_NAMES.map(([, name]) => name)], byFlags),
    '',
    '### The TLB',
    '',
    `The MMU caches translations, with their rights, in a TLB of ${Tlb.DEFAULT_ENTRIES} entries (by default),`,
    `${Tlb.WAYS}-way set-associative with least-recently-used replacement. A hit costs nothing beyond the`,
    'access; a miss walks the tables and fills an entry. A translation whose PDE or PTE is not present',
    'is never cached, so mapping a page after a page fault needs no flush. Changing or removing a',
    'present mapping does: until its entry is dropped, the TLB keeps using the old translation and',
    'rights, as on x86. These drop entries:',
    '',
    ...markdownTable(['Instruction', 'Effect'], tlbItems),
    '',
    '`ringlab run --stats` reports TLB hits, misses, walk references and flushes.',
    ...(vmx
      ? [
          '',
          'Under the vmx extension, root and non-root mode keep separate TLB entries (like VPID tags),',
          'and with EPT a second walk in the same format, RING bits ignored, translates every',
          'guest-physical address (see the virtualization extension below).',
        ]
      : []),
  ];
}

function causesMarkdown(): string[] {
  return [
    '## Trap causes',
    '',
    'The code the CPU writes to CAUSE on trap entry. Exceptions are synchronous (EPC is the trapping',
    `instruction); interrupts are asynchronous (EPC is the instruction that would have run next), with`,
    `code ${INTERRUPT_BASE} + the interrupt line.`,
    '',
    ...markdownTable(
      ['Code', 'Name', 'Kind', 'BADADDR', 'Description'],
      [...CAUSES].sort((a, b) => a.code - b.code).map((c) => [String(c.code), c.name, c.kind, c.badAddr, c.doc]),
    ),
  ];
}

/** The full text of docs/ISA.md. */
export function isaMarkdown(isa: Isa, opts: ReferenceOptions = {}): string {
  const pseudo = opts.pseudo ?? [];
  const sections = [
    introMarkdown(isa),
    instructionsMarkdown(isa),
    ...(pseudo.length ? [pseudoMarkdown(pseudo)] : []),
    formatsMarkdown(isa),
    controlRegistersMarkdown(),
    pagingMarkdown(isa),
    causesMarkdown(),
    ...(isa.extensions.some((e) => e.name === VMX.name) ? [vmxMarkdown()] : []),
  ];
  return sections.map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

/** The virtualization extension's tables: VMCS layout, exit controls, exit reasons. */
function vmxMarkdown(): string[] {
  const lines = [
    '## The virtualization extension (vmx)',
    '',
    'Generated from src/isa/vmx.ts. A VMCS is 256 bytes of physical memory, made current with',
    '`vmptrld`. Assembly programs get every offset as `VMCS_<field>` from programs/lib/hw.inc.',
    '',
    '### VMCS layout',
    '',
    '| offset | field | words | area | meaning |',
    '|---|---|---|---|---|',
  ];
  for (const f of VMCS_FIELDS) lines.push(`| ${f.offset} | \`${f.name}\` | ${f.words} | ${f.area} | ${f.doc} |`);
  lines.push('', '### Execution controls (`C_EXIT` bits, `VMX_EXIT_<name>`)', '', '| bit | name | effect |', '|---|---|---|');
  for (const c of EXIT_CONTROLS) lines.push(`| ${Math.log2(ExitControl[c.name])} | \`${c.name}\` | ${c.doc} |`);
  lines.push('', '### Exit reasons (`X_REASON`, `VMX_REASON_<name>`)', '', '| code | reason | qualification (`X_QUAL`) | when |', '|---|---|---|---|');
  for (const r of EXIT_REASONS) lines.push(`| ${r.code} | ${r.name} | ${r.qualification} | ${r.doc} |`);
  return lines;
}

// ---- Terminal listing -----------------------------------------------------------------------

/** Most expansions are one or two short instructions; a long one (li) overflows its own line only. */
const PSEUDO_COLUMN_MAX = 40;

const PRIVILEGE_MARKERS: Record<PrivilegeClass, string> = { user: ' ', privileged: 'P', sensitive: 'S' };

/** Compact listing for `ringlab isa`: one line per instruction, grouped by bundle. */
export function isaText(isa: Isa, opts: TextOptions = {}): string {
  const style: TextStyle = { ...PLAIN, ...opts.style };
  const cost = (i: InsnDef): string => (i.memory ? `${i.cost}+mem` : String(i.cost));
  // Pad every row of every bundle together so the columns line up across the whole listing.
  const rows = padColumns(
    isa.insns.map((i) => [i.mnemonic, operandsOf(i), hex(i.opcode, 2), i.format.name, PRIVILEGE_MARKERS[i.privilege], cost(i), i.doc]),
  );
  const lines: string[] = [];
  isa.extensions.forEach((ext, e) => {
    if (e > 0) lines.push('');
    lines.push(style.heading(`${ext.name}: ${ext.doc}`));
    isa.insns.forEach((insn, index) => {
      if (insn.extension !== ext.name) return;
      const [mnemonic, operands, opcode, format, marker, cycles, doc] = rows[index]!;
      const styledMarker = insn.privilege === 'user' ? marker! : style.privileged(marker!);
      lines.push(
        `  ${style.mnemonic(mnemonic!)} ${operands} ${style.dim(`${opcode} ${format}`)} ${styledMarker} ${style.dim(cycles!)} ${doc}`,
      );
    });
  });
  const pseudo = opts.pseudo ?? [];
  if (pseudo.length) {
    lines.push('', style.heading('pseudo-instructions (expanded by the assembler)'));
    for (const [syntax, expansion, doc] of padColumns(pseudo.map((p) => [p.syntax, `= ${p.expansion}`, p.doc]), PSEUDO_COLUMN_MAX)) {
      lines.push(`  ${style.mnemonic(syntax!)} ${style.dim(expansion!)} ${doc}`);
    }
  }
  lines.push(
    '',
    style.dim('P = privileged (traps outside ring 0), S = sensitive but unprivileged; cost in cycles, +mem = plus a memory access'),
  );
  return lines.join('\n') + '\n';
}
