// Number formatting shared by every renderer, so a figure reads the same in the terminal, the
// CSV-free reports and the charts. Pure and host-independent: no toLocaleString (its output
// depends on the ICU data Node was built with), no Date.

import { FAR_SLOWER, NEAR_NATIVE } from '../thresholds.js';

/** Shown wherever a figure cannot be computed (no native row, division by zero, bad input). */
export const MISSING = '—';

function groupDigits(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** 1234567 -> "1,234,567" (rounded to an integer); non-finite -> "—". */
export function grouped(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  const r = Math.round(n);
  const abs = Math.abs(r);
  // Beyond 2^53 the digits are not exact anyway, and beyond 1e21 String() switches to exponents.
  if (abs >= 1e21) return r.toExponential(3);
  const sign = r < 0 ? '-' : '';
  return sign + groupDigits(abs.toFixed(0));
}

/** Cycles, which can be fractional per iteration: "1,234,567" or "1,234.5" (one decimal at most). */
export function cycles(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  const tenths = Math.round(n * 10);
  if (tenths % 10 === 0 || Math.abs(n) >= 1e15) return grouped(n);
  const sign = tenths < 0 ? '-' : '';
  const abs = Math.abs(tenths);
  return `${sign}${grouped(Math.floor(abs / 10))}.${abs % 10}`;
}

/**
 * Three significant figures without exponents: 11.5, 1.16, 0.982, 123; 1,234 from 1000 up.
 * Zero is "0"; non-finite is "—".
 */
export function sig3(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 999.5) return grouped(n);
  if (abs < 0.001) return n.toExponential(2);
  const s = n.toPrecision(3);
  return s.includes('e') ? n.toExponential(2) : s;
}

/** A slowdown or any ratio to native: "11.5x", "1.00x", "—". */
export function ratio(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  if (n === 0) return '0x';
  return `${sig3(n)}x`;
}

/** A rate such as traps per 1000 guest instructions: three significant figures, "0" for zero. */
export function rate(n: number): string {
  return sig3(n);
}

/** part/whole as "12.3%"; "—" when the whole is zero or either is not finite. */
export function percent(part: number, whole: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole === 0) return MISSING;
  const p = (part / whole) * 100;
  return Number.isFinite(p) ? `${p.toFixed(1)}%` : MISSING;
}

/** A setting (a cost-model price, a flag): integers grouped, other numbers as written, yes/no. */
export function plain(v: number | boolean | string): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return MISSING;
  return Number.isInteger(v) ? grouped(v) : String(v);
}

/** Memory sizes: 16777216 -> "16 MiB", 65536 -> "64 KiB", otherwise grouped bytes. */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return MISSING;
  const MiB = 1024 * 1024;
  if (n > 0 && n % MiB === 0) return `${grouped(n / MiB)} MiB`;
  if (n > 0 && n % 1024 === 0) return `${grouped(n / 1024)} KiB`;
  return `${grouped(n)} bytes`;
}

/** Severity of a slowdown, for colour and CSS classes (never the only carrier of information). */
export type Severity = 'good' | 'moderate' | 'bad' | 'none';

/** The colour bands use the findings' thresholds, so a green row is one the findings call near
 *  native: near native up to NEAR_NATIVE, bad beyond BAD (the findings' "far slower"). */
export { NEAR_NATIVE };
export const BAD = FAR_SLOWER;

export function severity(slowdown: number): Severity {
  if (!Number.isFinite(slowdown)) return 'none';
  if (slowdown <= NEAR_NATIVE) return 'good';
  if (slowdown <= BAD) return 'moderate';
  return 'bad';
}

/** A file-name-safe slug: "vtx-2006" stays, "VM exit (cycles)" -> "vm-exit-cycles". */
export function slug(s: string): string {
  const out = s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return out === '' ? 'x' : out;
}

/**
 * Escape text for XML and HTML content and attribute values (both quote styles); control
 * characters that XML forbids become U+FFFD.
 */
export function escapeXml(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD').replace(/[&<>"']/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '"' ? '&quot;' : '&#39;'));
}
