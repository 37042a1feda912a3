// `ringlab isa [--markdown]`: the instruction set, derived from the table.
// `ringlab isa --check [--json]`: the Popek-Goldberg classification of every instruction, found
// by running it (src/machine/classify.ts), and whether the condition holds.

import type { ChalkInstance } from 'chalk';
import type { Isa } from '../../isa/index.js';
import { pseudoReference } from '../../isa/pseudo.js';
import { isaMarkdown, isaText } from '../../isa/reference.js';
import { classifyIsa, CONTEXTS, type InsnClassification, type IsaClassification } from '../../machine/classify.js';
import { out } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { isaWithOrUsage } from './asm.js';

export interface IsaCliOptions {
  markdown?: boolean;
  extensions?: string;
  check?: boolean;
  json?: boolean;
}

export function isaCommand(opts: IsaCliOptions): number {
  if (opts.json && !opts.check) throw new CliError('--json goes with --check (the listing is text or --markdown)', ExitCode.USAGE);
  if (opts.check && opts.markdown) throw new CliError('--check and --markdown do not go together', ExitCode.USAGE);
  const isa = isaWithOrUsage(opts.extensions);
  if (opts.check) return checkCommand(isa, opts.json === true);
  const pseudo = pseudoReference();
  if (opts.markdown) {
    io.stdout.write(isaMarkdown(isa, { pseudo }));
  } else {
    const style = { heading: out.bold, mnemonic: out.cyan, dim: out.dim, privileged: out.yellow };
    io.stdout.write(isaText(isa, { pseudo, style }));
  }
  return ExitCode.OK;
}

function checkCommand(isa: Isa, json: boolean): number {
  const result = classifyIsa(isa);
  io.stdout.write(json ? `${JSON.stringify(checkJson(result), null, 2)}\n` : checkText(result, out));
  return result.holds ? ExitCode.OK : ExitCode.NOT_VIRTUALIZABLE;
}

/** The object `isa --check --json` prints. */
export interface IsaCheckJson {
  isa: string[];
  /** Machine states each encoding ran in. */
  states: number;
  holds: boolean;
  offenders: string[];
  instructions: {
    mnemonic: string;
    bundle: string;
    opcode: number;
    /** The privilege class of the instruction table. */
    table: string;
    privileged: boolean;
    controlSensitive: boolean;
    behaviourSensitive: boolean;
    verdict: 'privileged' | 'innocuous' | 'offender';
    /** Whether the table's class is the one the classifier found (user, privileged or sensitive). */
    tableAgrees: boolean;
    encodings: number;
    evidence: { privilege: string; control: string | null; behaviour: string[] };
  }[];
}

export function checkJson(r: IsaClassification): IsaCheckJson {
  return {
    isa: [...r.bundles],
    states: r.states,
    holds: r.holds,
    offenders: r.offenders.map((o) => o.mnemonic),
    instructions: r.insns.map((i) => ({
      mnemonic: i.mnemonic,
      bundle: i.extension,
      opcode: i.opcode,
      table: i.table,
      privileged: i.privileged,
      controlSensitive: i.controlSensitive,
      behaviourSensitive: i.behaviourSensitive,
      verdict: i.verdict,
      tableAgrees: i.table === i.expected,
      encodings: i.encodings,
      evidence: { privilege: i.evidence.privilege, control: i.evidence.control ?? null, behaviour: [...i.evidence.behaviour] },
    })),
  };
}

/** The verdict line: the one sentence a script or a student looks for. */
export function verdictLine(r: IsaClassification): string {
  if (r.holds) return 'Popek-Goldberg condition holds: every sensitive instruction is privileged';
  const n = r.offenders.length;
  return `Popek-Goldberg condition does not hold: ${n} sensitive instruction${n === 1 ? ' is' : 's are'} unprivileged: ${r.offenders.map((o) => o.mnemonic).join(', ')}`;
}

function pad(rows: string[][]): string[][] {
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => r.map((cell, k) => (k === r.length - 1 ? cell : cell.padEnd(widths[k]!))));
}

/** The readable report of `isa --check`. */
export function checkText(r: IsaClassification, c: ChalkInstance): string {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const header = ['instruction', 'bundle', 'table', 'privileged', 'control-sensitive', 'behaviour-sensitive', 'verdict'];
  const verdict = (i: InsnClassification): string => (i.verdict === 'offender' ? 'SENSITIVE, NOT PRIVILEGED' : i.verdict) + (i.table === i.expected ? '' : ` (table says ${i.table})`);
  const rows = pad([header, ...r.insns.map((i) => [i.mnemonic, i.extension, i.table, yes(i.privileged), yes(i.controlSensitive), yes(i.behaviourSensitive), verdict(i)])]);
  const style = (i: InsnClassification | undefined, line: string): string =>
    i === undefined ? c.bold(line) : i.verdict === 'offender' ? c.red(line) : i.verdict === 'privileged' ? c.yellow(line) : line;
  const states = CONTEXTS.length;
  const lines = [
    c.bold(`Popek-Goldberg check of ${r.bundles.join(' + ')}: ${r.insns.length} instructions, each encoding run in ${states} machine states`),
    c.dim('(rings 0-3 x IE off/on x paging off/identity map/relocated map x two settings of the other control registers and devices)'),
    '',
    ...rows.map((row, k) => style(k === 0 ? undefined : r.insns[k - 1], `  ${row.join('  ').trimEnd()}`)),
  ];
  if (r.offenders.length) {
    lines.push('', c.bold('Sensitive but not privileged, and the evidence:'));
    for (const o of r.offenders) {
      lines.push(`  ${c.red(o.mnemonic)}: not privileged: ${o.evidence.privilege}`);
      if (o.evidence.control) lines.push(`    control-sensitive: ${o.evidence.control}`);
      for (const b of o.evidence.behaviour) lines.push(`    behaviour-sensitive: ${b}`);
    }
  }
  const disagreements = r.insns.filter((i) => i.table !== i.expected);
  if (disagreements.length) {
    lines.push('', c.bold('The instruction table disagrees with what the instructions do:'));
    for (const i of disagreements) lines.push(`  ${i.mnemonic}: the table says ${i.table}, the classifier finds ${i.expected}`);
  }
  lines.push('', c.dim('(--json gives the evidence for every instruction; docs/popek-goldberg.md explains the method)'), (r.holds ? c.green : c.red).bold(verdictLine(r)));
  return `${lines.join('\n')}\n`;
}
