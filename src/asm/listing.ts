// The assembly listing: what each source statement became, and where.

export interface ListingLine {
  readonly file: string;
  readonly line: number;
  /** Source text (after macro substitution). */
  readonly text: string;
  /** Address of the statement (the location counter when it was reached). */
  readonly address: number;
  readonly bytes: Uint8Array;
  /** 'code' bytes print as 32-bit words, 'data' as bytes. */
  readonly kind: 'code' | 'data' | 'none';
}

const BYTES_PER_ROW = 8;
/** Long data (a big `.space`, a long string) shows this many rows, then `...`. */
const MAX_ROWS = 4;
const HEX_WIDTH = 26;

function hex(n: number, digits: number): string {
  return (n >>> 0).toString(16).padStart(digits, '0');
}

/** Little-endian words, two per row. */
function codeRows(bytes: Uint8Array): string[] {
  const words: string[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    words.push(hex(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24), 8));
  }
  const rows: string[] = [];
  for (let i = 0; i < words.length; i += 2) rows.push(words.slice(i, i + 2).join(' '));
  return rows;
}

function dataRows(bytes: Uint8Array): string[] {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += BYTES_PER_ROW) {
    rows.push([...bytes.subarray(i, i + BYTES_PER_ROW)].map((b) => hex(b, 2)).join(' '));
  }
  return rows;
}

const DEFINES_LABEL = /^\s*[A-Za-z_.$][\w.$]*\s*:/;

/** Columns: address, hex words (code) or bytes (data), file:line, source text. */
export function formatListing(listing: readonly ListingLine[]): string {
  const locations = listing.map((l) => `${l.file}:${l.line}`);
  const locationWidth = Math.max(0, ...locations.map((s) => s.length));
  const out: string[] = [];
  listing.forEach((l, i) => {
    const rows = l.kind === 'code' ? codeRows(l.bytes) : dataRows(l.bytes);
    const showAddress = l.bytes.length > 0 || DEFINES_LABEL.test(l.text);
    const address = showAddress ? hex(l.address, 8) : ' '.repeat(8);
    out.push(`${address}  ${(rows[0] ?? '').padEnd(HEX_WIDTH)}  ${locations[i]!.padEnd(locationWidth)}  ${l.text.trimEnd()}`.trimEnd());
    const rowBytes = l.kind === 'code' ? 8 : BYTES_PER_ROW;
    rows.slice(1, MAX_ROWS).forEach((row, k) => out.push(`${hex(l.address + (k + 1) * rowBytes, 8)}  ${row}`));
    if (rows.length > MAX_ROWS) out.push(`${' '.repeat(8)}  ...`);
  });
  return out.join('\n') + (out.length ? '\n' : '');
}
