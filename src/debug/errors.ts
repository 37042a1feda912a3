// The one error type of the debugger: anything a user can get wrong (an unknown command, a bad
// address, a malformed expression, an ambiguous symbol) raises a DebugError with a one-line
// message, which the REPL prints before prompting again. Nothing the guest does raises one: a
// guest's faults are machine events, reported as stops.

export class DebugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DebugError';
  }
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

export function shortHex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
