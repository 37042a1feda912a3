// The Ringfile: a Dockerfile subset with Dockerfile's syntax
// (docs/images.md, "Ringfile reference"). One instruction per logical line; a line ending in a backslash continues on the
// next (the backslash and the newline are removed); a line whose first non-blank character is
// '#' is a comment, also inside a continuation; blank lines are skipped; keywords are case-
// insensitive. CMD, ENTRYPOINT, RUN and COPY take the JSON (exec) form ["a", "b"] or the shell
// form; ENV and LABEL take key=value pairs with "..." or '...' quoting and backslash escapes
// (ENV also the legacy `ENV key value`). Instructions: FROM, COPY, RUN, ENV, WORKDIR, CMD,
// ENTRYPOINT, LABEL and REQUIRES (ringlab's own: what the image needs beyond the base machine,
// `REQUIRES isa=legacy kernel=namespaces,cgroups`).
//
// Every error is a RingfileError at FILE:LINE:COLUMN, the position of the offending character
// in the file as written.

import { ImageError } from './errors.js';
import { isaExtensionNames, kernelFeatureNames } from './features.js';

export class RingfileError extends ImageError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`, 'format');
  }
}

interface Base {
  /** Where the instruction's keyword is. */
  readonly line: number;
  readonly column: number;
  /** The instruction as one line: its keyword in capitals, then its arguments as written (what
   *  the build cache compares and the history shows). */
  readonly text: string;
}

export type Instruction = Base &
  (
    | { readonly kind: 'FROM'; readonly image: string }
    | { readonly kind: 'COPY'; readonly sources: string[]; readonly dest: string }
    | { readonly kind: 'RUN'; readonly command: string[]; readonly form: 'exec' | 'shell' }
    | { readonly kind: 'CMD' | 'ENTRYPOINT'; readonly command: string[]; readonly form: 'exec' | 'shell' }
    | { readonly kind: 'ENV' | 'LABEL'; readonly pairs: [string, string][] }
    | { readonly kind: 'WORKDIR'; readonly path: string }
    | { readonly kind: 'REQUIRES'; readonly isa: string[]; readonly kernel: string[] }
  );

export const KEYWORDS = ['FROM', 'COPY', 'RUN', 'ENV', 'WORKDIR', 'CMD', 'ENTRYPOINT', 'LABEL', 'REQUIRES'] as const;
/** Dockerfile instructions a Ringfile does not have, named in the error. */
const NOT_SUPPORTED = ['ADD', 'ARG', 'EXPOSE', 'VOLUME', 'USER', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER'];

export const MAX_RINGFILE_BYTES = 1 << 20;
export const MAX_INSTRUCTIONS = 1000;

/** A logical line: its text and, for each character, where it is in the file. */
interface Logical {
  text: string;
  lines: number[];
  columns: number[];
}

function logicalLines(source: string): Logical[] {
  const out: Logical[] = [];
  const physical = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: Logical | undefined;
  physical.forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = raw.trimStart();
    if (trimmed.startsWith('#')) return; // a comment, also inside a continuation
    if (trimmed === '' && current === undefined) return;
    const continued = /\\[ \t]*$/.exec(raw);
    const body = continued ? raw.slice(0, continued.index) : raw;
    current ??= { text: '', lines: [], columns: [] };
    for (let c = 0; c < body.length; c++) {
      current.text += body[c];
      current.lines.push(lineNo);
      current.columns.push(c + 1);
    }
    if (!continued) {
      if (current.text.trim() !== '') out.push(current);
      current = undefined;
    } else if (i === physical.length - 1 && current.text.trim() !== '') {
      out.push(current); // a continuation at the end of the file ends the instruction
      current = undefined;
    }
  });
  return out;
}

export function parseRingfile(source: string, file = 'Ringfile'): Instruction[] {
  if (source.length > MAX_RINGFILE_BYTES) throw new RingfileError(file, 1, 1, `more than ${MAX_RINGFILE_BYTES} bytes`);
  const instructions: Instruction[] = [];
  for (const l of logicalLines(source)) {
    const at = (offset: number): [number, number] => {
      const i = Math.min(Math.max(offset, 0), l.text.length - 1);
      return [l.lines[i] ?? l.lines.at(-1) ?? 1, (l.columns[i] ?? 0) + (offset > i ? offset - i : 0) || 1];
    };
    const fail = (offset: number, reason: string): never => {
      const [line, column] = at(offset);
      throw new RingfileError(file, line, column, reason);
    };
    const start = l.text.length - l.text.trimStart().length;
    const m = /^([A-Za-z]+)(?:\s+|$)/.exec(l.text.slice(start));
    if (!m) fail(start, `expected an instruction (${KEYWORDS.join(', ')})`);
    const keyword = m![1]!.toUpperCase();
    const argsAt = start + m![0].length;
    const args = l.text.slice(argsAt).trimEnd();
    if (!(KEYWORDS as readonly string[]).includes(keyword)) {
      fail(start, NOT_SUPPORTED.includes(keyword) ? `${keyword} is not supported in a Ringfile (docs/images.md lists the instructions)` : `unknown instruction '${m![1]}' (a Ringfile has ${KEYWORDS.join(', ')})`);
    }
    if (args === '') fail(start, `${keyword} needs arguments`);
    if (instructions.length >= MAX_INSTRUCTIONS) fail(start, `more than ${MAX_INSTRUCTIONS} instructions`);
    if (instructions.length === 0 && keyword !== 'FROM') fail(start, `the first instruction must be FROM (FROM scratch for an empty image), not ${keyword}`);
    if (instructions.length > 0 && keyword === 'FROM') fail(start, 'a second FROM: multi-stage builds are not supported');
    const [line, column] = at(start);
    const base = { line, column, text: `${keyword} ${args}` };
    instructions.push(parseArgs(keyword as (typeof KEYWORDS)[number], args, argsAt, base, fail));
  }
  if (instructions.length === 0) throw new RingfileError(file, 1, 1, 'no instructions: a Ringfile starts with FROM');
  return instructions;
}

type Fail = (offset: number, reason: string) => never;

function parseArgs(keyword: (typeof KEYWORDS)[number], args: string, at: number, base: Base, fail: Fail): Instruction {
  switch (keyword) {
    case 'FROM': {
      const words = args.split(/\s+/);
      if (words[0]!.startsWith('--')) fail(at, `FROM ${words[0]}: options are not supported`);
      if (words.length > 1) fail(at + args.indexOf(words[1]!), words[1]!.toUpperCase() === 'AS' ? 'FROM ... AS: multi-stage builds are not supported' : `FROM takes one image, not ${words.length} words`);
      return { ...base, kind: 'FROM', image: words[0]! };
    }
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT': {
      const exec = jsonForm(args, at, fail);
      return { ...base, kind: keyword, ...(exec ? { command: exec, form: 'exec' as const } : { command: ['/bin/sh', '-c', args], form: 'shell' as const }) };
    }
    case 'COPY': {
      if (args.startsWith('--')) fail(at, `COPY ${args.split(/\s/)[0]}: options are not supported`);
      const words = jsonForm(args, at, fail) ?? args.split(/\s+/);
      if (words.length < 2) fail(at, 'COPY needs a source and a destination');
      for (const w of words) if (w === '') fail(at, 'COPY: an empty path');
      return { ...base, kind: 'COPY', sources: words.slice(0, -1), dest: words.at(-1)! };
    }
    case 'WORKDIR':
      return { ...base, kind: 'WORKDIR', path: args };
    case 'ENV':
    case 'LABEL': {
      const pairs = keyValues(args, at, fail, keyword === 'ENV');
      return { ...base, kind: keyword, pairs };
    }
    case 'REQUIRES': {
      const isa: string[] = [];
      const kernel: string[] = [];
      for (const [key, value] of keyValues(args, at, fail, false)) {
        const offset = at + Math.max(0, args.indexOf(`${key}=`));
        if (key !== 'isa' && key !== 'kernel') fail(offset, `REQUIRES ${key}: the requirements are isa=LIST and kernel=LIST`);
        const known = key === 'isa' ? isaExtensionNames() : kernelFeatureNames();
        for (const name of value.split(',')) {
          if (!known.includes(name)) fail(offset, `REQUIRES ${key}=${value}: unknown ${key === 'isa' ? 'ISA extension' : 'kernel feature'} '${name}' (known: ${known.join(', ')})`);
          (key === 'isa' ? isa : kernel).push(name);
        }
      }
      return { ...base, kind: 'REQUIRES', isa, kernel };
    }
  }
}

/** The JSON form: an array of strings; undefined when the arguments are not one (docker then
 *  takes the shell form). */
function jsonForm(args: string, at: number, fail: Fail): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (!v.every((s) => typeof s === 'string')) fail(at, 'the JSON form is an array of strings');
  if (v.length === 0) fail(at, 'the JSON form needs at least one string');
  return v as string[];
}

/** key=value pairs, each value a word with "..." and '...' quoting and backslash escapes; or, for
 *  ENV, the legacy `key value` (the value is the rest of the line). */
function keyValues(args: string, at: number, fail: Fail, legacy: boolean): [string, string][] {
  const first = /^[^\s=]+/.exec(args)?.[0] ?? '';
  if (legacy && args[first.length] !== '=') {
    if (first === '') fail(at, 'ENV needs a name');
    const value = args.slice(first.length).trim();
    if (value === '') fail(at, `ENV ${first}: the legacy form needs a value (ENV NAME VALUE, or ENV NAME=VALUE)`);
    return [[first, value]];
  }
  const pairs: [string, string][] = [];
  let i = 0;
  while (i < args.length) {
    while (i < args.length && /\s/.test(args[i]!)) i++;
    if (i >= args.length) break;
    const keyStart = i;
    let key = '';
    let value = '';
    let target: 'key' | 'value' = 'key';
    let quoted = false;
    while (i < args.length && !/\s/.test(args[i]!)) {
      const c = args[i]!;
      if (target === 'key' && c === '=') {
        target = 'value';
        i++;
        continue;
      }
      let piece = '';
      if (c === '"' || c === "'") {
        const open = i;
        i++;
        quoted = true;
        while (i < args.length && args[i] !== c) {
          if (c === '"' && args[i] === '\\' && i + 1 < args.length) i++;
          piece += args[i];
          i++;
        }
        if (i >= args.length) fail(at + open, `an unterminated ${c === '"' ? 'double' : 'single'} quote`);
        i++;
      } else if (c === '\\' && i + 1 < args.length) {
        piece = args[i + 1]!;
        i += 2;
      } else {
        piece = c;
        i++;
      }
      if (target === 'key') key += piece;
      else value += piece;
    }
    if (target === 'key') fail(at + keyStart, `'${key.slice(0, 40)}' is not NAME=VALUE`);
    if (key === '') fail(at + keyStart, 'a pair with no name before =');
    void quoted;
    pairs.push([key, value]);
  }
  if (pairs.length === 0) fail(at, 'no NAME=VALUE pairs');
  return pairs;
}
