// Expressions: a small C-like grammar over 32-bit integers, parsed to a tree once (pass 1) and
// evaluated in each pass against whatever the symbol table knows by then.

import type { Token } from './lexer.js';

export type UnaryOp = '-' | '+' | '~' | '!';
export type BinaryOp =
  | '*' | '/' | '%' | '+' | '-' | '<<' | '>>' | '>>>'
  | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&' | '^' | '|' | '&&' | '||';

export type Expr =
  | { readonly kind: 'number'; readonly value: number; readonly column: number }
  /** `name` is qualified: a local `.x` under global label `g` is stored as `g.x`. */
  | { readonly kind: 'symbol'; readonly name: string; readonly column: number }
  | { readonly kind: 'here'; readonly column: number }
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly arg: Expr; readonly column: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly column: number }
  | { readonly kind: 'half'; readonly which: 'hi' | 'lo'; readonly arg: Expr; readonly column: number };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; column: number; message: string };

// Binary operators from loosest to tightest binding.
const PRECEDENCE: readonly (readonly BinaryOp[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>', '>>>'], ['+', '-'], ['*', '/', '%'],
];

/** Parentheses and unary operators may nest this deep; deeper input is an error, not a stack overflow. */
const MAX_DEPTH = 200;

/** Bounds the depth of left-nested operator chains, which evaluation walks recursively. */
const MAX_TOKENS = 2000;

class ParseFailure {
  constructor(readonly column: number, readonly message: string) {}
}

/** Full name of a symbol reference: local labels (`.x`) live under the current global label. */
export function qualifySymbol(name: string, scope: string): string {
  return name.startsWith('.') ? `${scope}${name}` : name;
}

class ExprParser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[], private readonly scope: string, private readonly endColumn: number) {}

  parseAll(): Expr {
    if (this.tokens.length === 0) throw new ParseFailure(this.endColumn, 'expected an expression');
    if (this.tokens.length > MAX_TOKENS) throw new ParseFailure(this.tokens[0]!.column, `expression longer than ${MAX_TOKENS} tokens`);
    const e = this.binary(0);
    const extra = this.tokens[this.pos];
    if (extra) throw new ParseFailure(extra.column, `unexpected '${extra.text}' in expression`);
    return e;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private column(): number {
    return this.peek()?.column ?? this.endColumn;
  }

  private binary(level: number): Expr {
    const ops = PRECEDENCE[level];
    if (!ops) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct' || !(ops as readonly string[]).includes(t.text)) return left;
      this.pos++;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op: t.text as BinaryOp, left, right, column: t.column };
    }
  }

  private nested<T>(column: number, f: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ParseFailure(column, `expression nested more than ${MAX_DEPTH} levels deep`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t && t.kind === 'punct' && (t.text === '-' || t.text === '+' || t.text === '~' || t.text === '!')) {
      this.pos++;
      return this.nested(t.column, () => ({ kind: 'unary', op: t.text as UnaryOp, arg: this.unary(), column: t.column }));
    }
    return this.primary();
  }

  private expect(text: string): Token {
    const t = this.peek();
    if (!t || t.text !== text || t.kind !== 'punct') {
      throw new ParseFailure(this.column(), t ? `expected '${text}', got '${t.text}'` : `expected '${text}'`);
    }
    this.pos++;
    return t;
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) throw new ParseFailure(this.endColumn, 'expected a value');
    this.pos++;
    switch (t.kind) {
      case 'number':
      case 'char':
        return { kind: 'number', value: t.value | 0, column: t.column };
      case 'ident':
        return { kind: 'symbol', name: qualifySymbol(t.text, this.scope), column: t.column };
      case 'string':
        throw new ParseFailure(t.column, 'a string is not a value here (use a character literal like \'a\')');
      case 'punct':
        if (t.text === '.') return { kind: 'here', column: t.column };
        if (t.text === '(') {
          const inner = this.nested(t.column, () => this.binary(0));
          this.expect(')');
          return inner;
        }
        if (t.text === '%') return this.half(t);
        throw new ParseFailure(t.column, `expected a value, got '${t.text}'`);
    }
  }

  /** `%hi(e)` / `%lo(e)`: the halves `lui` and `ori` need. */
  private half(percent: Token): Expr {
    const name = this.peek();
    if (!name || name.kind !== 'ident' || (name.text !== 'hi' && name.text !== 'lo') || name.column !== percent.end) {
      throw new ParseFailure(percent.column, "expected %hi(...) or %lo(...)");
    }
    this.pos++;
    const open = this.expect('(');
    const arg = this.nested(open.column, () => this.binary(0));
    this.expect(')');
    return { kind: 'half', which: name.text, arg, column: percent.column };
  }
}

/** Parse `tokens` as exactly one expression. `endColumn` is where "missing" errors point. */
export function parseExpression(tokens: readonly Token[], scope: string, endColumn: number): ParseResult<Expr> {
  try {
    return { ok: true, value: new ExprParser(tokens, scope, endColumn).parseAll() };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, column: e.column, message: e.message };
    throw e;
  }
}

// ---- Evaluation ------------------------------------------------------------------------------

export interface EvalEnv {
  /** Value of a qualified symbol name, or undefined if it is not known (yet). */
  lookup(name: string): number | undefined;
  /** Address of the statement being assembled (`.`). */
  readonly here: number;
}

export type EvalResult =
  | { ok: true; value: number }
  /** A symbol has no value yet: fine in pass 1, an error in pass 2. */
  | { ok: false; kind: 'unknown'; name: string; column: number }
  | { ok: false; kind: 'error'; message: string; column: number };

class Unknown {
  constructor(readonly name: string, readonly column: number) {}
}

class EvalFailure {
  constructor(readonly message: string, readonly column: number) {}
}

function applyBinary(op: BinaryOp, a: number, b: number, column: number): number {
  switch (op) {
    case '*': return Math.imul(a, b);
    case '/':
      if (b === 0) throw new EvalFailure('division by zero in expression', column);
      return (a / b) | 0;
    case '%':
      if (b === 0) throw new EvalFailure('division by zero in expression', column);
      return (a % b) | 0;
    case '+': return (a + b) | 0;
    case '-': return (a - b) | 0;
    case '<<': return a << b;
    case '>>': return a >> b;
    case '>>>': return (a >>> b) | 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '&': return a & b;
    case '^': return a ^ b;
    case '|': return a | b;
    case '&&': return a !== 0 && b !== 0 ? 1 : 0;
    case '||': return a !== 0 || b !== 0 ? 1 : 0;
  }
}

function applyUnary(op: UnaryOp, a: number): number {
  switch (op) {
    case '-': return -a | 0;
    case '+': return a;
    case '~': return ~a;
    case '!': return a === 0 ? 1 : 0;
  }
}

function evalNode(e: Expr, env: EvalEnv): number {
  switch (e.kind) {
    case 'number': return e.value;
    case 'here': return env.here | 0;
    case 'symbol': {
      const v = env.lookup(e.name);
      if (v === undefined) throw new Unknown(e.name, e.column);
      return v | 0;
    }
    case 'unary': return applyUnary(e.op, evalNode(e.arg, env));
    case 'binary': return applyBinary(e.op, evalNode(e.left, env), evalNode(e.right, env), e.column);
    case 'half': {
      const v = evalNode(e.arg, env);
      return e.which === 'hi' ? (v >>> 16) & 0xffff : v & 0xffff;
    }
  }
}

/** Value of `e` as a signed 32-bit integer (all arithmetic wraps to 32 bits). */
export function evaluate(e: Expr, env: EvalEnv): EvalResult {
  try {
    return { ok: true, value: evalNode(e, env) };
  } catch (x) {
    if (x instanceof Unknown) return { ok: false, kind: 'unknown', name: x.name, column: x.column };
    if (x instanceof EvalFailure) return { ok: false, kind: 'error', message: x.message, column: x.column };
    throw x;
  }
}
