// Expressions for `print`, `x`, `break ... if`, `set` and addresses: 32-bit integers with C's
// operators and precedence.
//
//   primary   number (42, 0x2a, 0b101010, 'c'), $register ($pc, $sp, $a0, $r4, $epc, $ring, ...),
//             symbol (main, fib.base, kernel:sys_write), ( expr )
//   unary     - ~ ! + and *ADDR (the 32-bit word at virtual address ADDR)
//   binary    * / %   + -   << >> >>>   < <= > >=   == !=   &   ^   |   &&   ||
//
// Values are 32-bit and wrap. As in C, a value is unsigned if it is an address (pc, sp, fp,
// ra, control registers, labels) or a literal above 0x7fffffff, and an operation with an
// unsigned operand is unsigned: comparisons, division and `>>` then treat both sides as
// unsigned. `>>>` always shifts in zeros. Every problem is a DebugError with one line.

import { DebugError } from './errors.js';

export interface Value {
  /** The 32 bits, as a signed integer. */
  readonly value: number;
  readonly unsigned: boolean;
}

export interface EvalContext {
  /** `$name` without the `$`, lower case; undefined if there is no such register. */
  register(name: string): Value | undefined;
  /** A symbol (`name` or `image:name`); undefined if unknown, DebugError if ambiguous. */
  symbol(name: string): Value | undefined;
  /** The word at a virtual address; DebugError if it cannot be read. */
  readWord(address: number): number;
}

export const MAX_EXPRESSION_LENGTH = 1000;
const MAX_DEPTH = 100;

type Token =
  | { t: 'num'; v: number; unsigned: boolean; at: number }
  | { t: 'reg'; name: string; at: number }
  | { t: 'sym'; name: string; at: number }
  | { t: 'op'; op: string; at: number }
  | { t: 'end'; at: number };

const OPERATORS = ['>>>', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')'];
const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34 };

function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*)(?![A-Za-z0-9_.$])/.exec(rest))) {
      const s = m[1]!.replace(/_/g, '');
      const v = /^0[bB]/.test(s) ? parseInt(s.slice(2), 2) : Number(s);
      if (!Number.isFinite(v) || Number.isNaN(v) || v > 0xffff_ffff) throw new DebugError(`number '${m[1]}' does not fit in 32 bits`);
      out.push({ t: 'num', v: v | 0, unsigned: v > 0x7fff_ffff, at: i });
      i += m[0].length;
    } else if ((m = /^'(\\.|[^'\\])'/.exec(rest))) {
      const body = m[1]!;
      let v: number;
      if (body.length === 2) {
        const e = ESCAPES[body[1]!];
        if (e === undefined) throw new DebugError(`unknown escape '${body}' in a character constant`);
        v = e;
      } else {
        v = body.charCodeAt(0);
        if (v > 0xff) throw new DebugError(`character '${body}' is not a byte`);
      }
      out.push({ t: 'num', v, unsigned: false, at: i });
      i += m[0].length;
    } else if ((m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(rest))) {
      out.push({ t: 'reg', name: m[1]!.toLowerCase(), at: i });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_.][A-Za-z0-9_.$]*(?::[A-Za-z_.][A-Za-z0-9_.$]*)?/.exec(rest))) {
      out.push({ t: 'sym', name: m[0], at: i });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) throw new DebugError(`unexpected '${c}' at column ${i + 1} of the expression`);
      out.push({ t: 'op', op, at: i });
      i += op.length;
    }
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>', '>>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

const val = (value: number, unsigned: boolean): Value => ({ value: value | 0, unsigned });
const bool = (b: boolean): Value => val(b ? 1 : 0, false);

function binary(op: string, a: Value, b: Value): Value {
  const u = a.unsigned || b.unsigned;
  const x = u ? a.value >>> 0 : a.value;
  const y = u ? b.value >>> 0 : b.value;
  switch (op) {
    case '+': return val(a.value + b.value, u);
    case '-': return val(a.value - b.value, u);
    case '*': return val(Math.imul(a.value, b.value), u);
    case '/':
    case '%':
      if (y === 0) throw new DebugError('division by zero in the expression');
      return val(op === '/' ? Math.trunc(x / y) : x % y, u);
    case '<<': return val(a.value << (b.value & 31), a.unsigned);
    case '>>': return val(a.unsigned ? a.value >>> (b.value & 31) : a.value >> (b.value & 31), a.unsigned);
    case '>>>': return val(a.value >>> (b.value & 31), a.unsigned);
    case '<': return bool(x < y);
    case '<=': return bool(x <= y);
    case '>': return bool(x > y);
    case '>=': return bool(x >= y);
    case '==': return bool(a.value === b.value);
    case '!=': return bool(a.value !== b.value);
    case '&': return val(a.value & b.value, u);
    case '^': return val(a.value ^ b.value, u);
    case '|': return val(a.value | b.value, u);
    case '&&': return bool(a.value !== 0 && b.value !== 0);
    case '||': return bool(a.value !== 0 || b.value !== 0);
  }
  throw new DebugError(`unknown operator '${op}'`);
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly ctx: EvalContext,
    private readonly text: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private describe(t: Token): string {
    switch (t.t) {
      case 'end': return 'the end of the expression';
      case 'num': return `'${this.text.slice(t.at).split(/\s/)[0]}'`;
      case 'reg': return `'$${t.name}'`;
      case 'sym': return `'${t.name}'`;
      case 'op': return `'${t.op}'`;
    }
  }

  parse(): Value {
    if (this.peek().t === 'end') throw new DebugError('empty expression');
    const v = this.level(0);
    const t = this.peek();
    if (t.t !== 'end') throw new DebugError(`unexpected ${this.describe(t)} at column ${t.at + 1} of the expression`);
    return v;
  }

  private level(n: number): Value {
    if (n === BINARY_LEVELS.length) return this.unary();
    const ops = BINARY_LEVELS[n]!;
    let left = this.level(n + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !ops.includes(t.op)) return left;
      this.pos++;
      left = binary(t.op, left, this.level(n + 1));
    }
  }

  private nest<T>(f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new DebugError('expression nested too deeply');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private unary(): Value {
    const t = this.peek();
    if (t.t === 'op' && ['-', '~', '!', '+', '*'].includes(t.op)) {
      this.pos++;
      const v = this.nest(() => this.unary());
      switch (t.op) {
        case '-': return val(-v.value, v.unsigned);
        case '~': return val(~v.value, v.unsigned);
        case '!': return bool(v.value === 0);
        case '+': return v;
        default: return val(this.ctx.readWord(v.value >>> 0), false);
      }
    }
    return this.primary();
  }

  private primary(): Value {
    const t = this.peek();
    this.pos++;
    switch (t.t) {
      case 'num':
        return val(t.v, t.unsigned);
      case 'reg': {
        const v = this.ctx.register(t.name);
        if (!v) throw new DebugError(`unknown register '$${t.name}' (try 'info registers')`);
        return v;
      }
      case 'sym': {
        const v = this.ctx.symbol(t.name) ?? (t.name.includes(':') ? undefined : this.ctx.register(t.name.toLowerCase()));
        if (!v) throw new DebugError(`no symbol '${t.name}'`);
        return v;
      }
      case 'op':
        if (t.op === '(') {
          const v = this.nest(() => this.level(0));
          const close = this.peek();
          if (close.t !== 'op' || close.op !== ')') throw new DebugError(`expected ')' at column ${close.at + 1} of the expression, found ${this.describe(close)}`);
          this.pos++;
          return v;
        }
        throw new DebugError(`unexpected ${this.describe(t)} at column ${t.at + 1} of the expression`);
      case 'end':
        throw new DebugError('the expression ends too early');
    }
  }
}

/** Evaluate an expression; throws DebugError (and nothing else) on any problem. */
export function evaluate(text: string, ctx: EvalContext): Value {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new DebugError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  try {
    return new Parser(lex(text), ctx, text).parse();
  } catch (e) {
    if (e instanceof DebugError) throw e;
    // A bug here must still not end the session: report it as a one-line error.
    throw new DebugError(`cannot evaluate '${text}': ${e instanceof Error ? e.message : String(e)}`);
  }
}
