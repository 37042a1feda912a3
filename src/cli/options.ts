// Parsing of numeric command-line values, with errors that name the option.

import { costPreset, type CostModel } from '../machine/costs.js';
import { CliError, ExitCode } from './errors.js';

export const DEFAULT_MAX_CYCLES = 1_000_000_000;
export const DEFAULT_DEBUG_WORKLOAD = 'syscall';

/** A non-negative integer: 1000, 1_000_000, 1e9, 0x4000. */
export function parseCount(option: string, text: string): number {
  const cleaned = text.trim().replace(/_/g, '');
  const value = /^0x[0-9a-f]+$/i.test(cleaned) ? parseInt(cleaned, 16) : Number(cleaned);
  if (cleaned === '' || !Number.isFinite(value) || !Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    throw new CliError(`${option} expects a whole number (e.g. 1000000, 1e9 or 0x4000), not '${text}'`, ExitCode.USAGE);
  }
  return value;
}

/** A byte size: 65536, 64K, 16M (binary units). */
export function parseSize(option: string, text: string): number {
  const m = /^\s*(\d+)\s*([kKmM]?)i?[bB]?\s*$/.exec(text);
  if (!m) throw new CliError(`${option} expects a size such as 65536, 64K or 16M, not '${text}'`, ExitCode.USAGE);
  const unit = m[2]!.toUpperCase() === 'K' ? 1024 : m[2]!.toUpperCase() === 'M' ? 1 << 20 : 1;
  return Number(m[1]) * unit;
}

/** --iterations: a count the guest receives in a 32-bit register. */
export function parseIterations(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = parseCount('--iterations', text);
  if (n > 0x7fffffff) throw new CliError('--iterations must be below 2^31', ExitCode.USAGE);
  return n;
}

/** --preset: a cost model by name (default: 'default'). */
export function parsePreset(name: string | undefined): CostModel {
  try {
    return costPreset(name ?? 'default');
  } catch (e) {
    throw new CliError((e as Error).message, ExitCode.USAGE);
  }
}

/** Comma-separated names: "a,b" -> ['a', 'b']. */
export function parseList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** -D NAME or -D NAME=VALUE (repeatable): assembler build options; VALUE defaults to 1. */
export function parseDefines(texts: readonly string[] | undefined): Record<string, number> {
  const defines: Record<string, number> = {};
  for (const text of texts ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(text.trim());
    if (!m) throw new CliError(`-D expects NAME or NAME=VALUE (e.g. -D PARAVIRT), not '${text}'`, ExitCode.USAGE);
    const value = m[2] === undefined ? 1 : parseCount(`-D ${m[1]}`, m[2]);
    if (value > 0xffffffff) throw new CliError(`-D ${m[1]} must fit in 32 bits`, ExitCode.USAGE);
    defines[m[1]!] = value;
  }
  return defines;
}

