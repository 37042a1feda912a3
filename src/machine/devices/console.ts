// Console: byte output to the host, byte input from a script (string or file contents) or live
// from the host. Input given up front has ended once it is read, so a run is deterministic. Live
// input (`boot --shell` on a terminal) is appended while the machine runs (pushInput) and ends
// when the host says so (endInput); until then STATUS says neither "ready" nor "ended" when it
// is all read, and the guest waits. Interrupt line 1 is asserted while input is available and
// the guest has enabled the console interrupt.

import type { Device, PortDef } from './device.js';

export const CONSOLE_DATA = 0x10;
export const CONSOLE_STATUS = 0x11;
export const CONSOLE_IRQ_ENABLE = 0x12;
export const CONSOLE_IRQ_LINE = 1;

/** STATUS bits. */
export const ConsoleStatus = { INPUT_READY: 1, INPUT_ENDED: 2 } as const;

/** Console output a machine keeps for reports (`run --json`'s `console`, each process's `output`
 *  in `boot --json`, the debugger). A guest may print for a billion cycles; beyond this the
 *  bytes are only streamed (to stdout) and counted. */
export const CONSOLE_KEEP_BYTES = 1024 * 1024;

/** The first `limit` bytes of a byte stream, and how many bytes it had in all. */
export class BoundedBytes {
  private buffer = new Uint8Array(256);
  private kept = 0;
  private count = 0;

  constructor(readonly limit = CONSOLE_KEEP_BYTES) {}

  push(byte: number): void {
    this.count++;
    if (this.kept >= this.limit) return;
    if (this.kept === this.buffer.length) {
      const bigger = new Uint8Array(Math.min(this.buffer.length * 2, this.limit));
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.kept++] = byte;
  }

  /** Every byte pushed, kept or not. */
  get total(): number {
    return this.count;
  }

  /** Whether bytes were dropped (total > what text() holds). */
  get truncated(): boolean {
    return this.count > this.kept;
  }

  /** The kept bytes as UTF-8 (a character cut at the limit decodes as U+FFFD). */
  text(): string {
    return Buffer.from(this.buffer.buffer, 0, this.kept).toString('utf8');
  }

  /** A copy of the kept bytes from offset `start` on. */
  from(start: number): Uint8Array {
    return this.buffer.slice(Math.min(start, this.kept), this.kept);
  }

  /** Forget everything after the first `total` bytes (the debugger going back in time). */
  truncate(total: number): void {
    this.count = Math.min(this.count, total);
    this.kept = Math.min(this.kept, total);
  }
}

export class ConsoleDevice implements Device {
  readonly name = 'console';
  readonly doc = 'byte console: output to the host, input from a script';
  readonly irqLine = CONSOLE_IRQ_LINE;
  // The guest is the console's only user: its ports pass through, and under a VMM its line 1
  // reaches the guest in the guest's IPEND (virtual_ipend, programs/vmm/common/devices.s), taken
  // as the guest's interrupt when its virtual IMASK and IE allow (docs/disk.md, "Under a VMM").
  readonly vmm = 'passthrough' as const;
  readonly ports: readonly PortDef[] = [
    { port: CONSOLE_DATA, name: 'CONSOLE_DATA', access: 'rw', doc: 'write: output the low byte; read: next input byte, or -1 when none is left' },
    { port: CONSOLE_STATUS, name: 'CONSOLE_STATUS', access: 'r', doc: 'bit 0: an input byte is ready; bit 1: input has ended' },
    { port: CONSOLE_IRQ_ENABLE, name: 'CONSOLE_IRQ_ENABLE', access: 'rw', doc: 'bit 0: raise interrupt line 1 while input is ready' },
  ];

  /** Input bytes not yet dropped: input[k] is byte number `inputBase + k` of the stream. */
  private input: Uint8Array;
  private inputBase = 0;
  /** Bytes of input[] that hold input (live input grows by doubling). */
  private inputFill: number;
  /** Bytes read so far by the guest, counted from the start of the stream. */
  private inputPos = 0;
  /** False while the host may still append (live input): all read then means "wait". */
  private inputEnded = true;
  /** The end of live input raises line 1 (while enabled) until the guest next reads STATUS or
   *  DATA: a guest asleep waiting for input must learn of the end, and a kernel that keeps the
   *  interrupt on must not take it forever. (Input given up front raises nothing at its end.) */
  private endRaisesLine = false;
  private irqEnabled = false;
  private readonly outputBytes = new BoundedBytes();

  /** `onOutput` receives each byte as it is written (e.g. to stream to stdout). */
  constructor(input: Uint8Array = new Uint8Array(0), private readonly onOutput?: (byte: number) => void) {
    this.input = input;
    this.inputFill = input.length;
  }

  /** Keep the input open: the host will append bytes (pushInput) and end it later (endInput).
   *  Call before the machine runs; input given up front stays in front of what is pushed. */
  openInput(): void {
    this.inputEnded = false;
  }

  /** Append bytes to live input (they raise line 1, as up-front input does, once the guest
   *  enables the interrupt). Ignored once the input has ended. */
  pushInput(bytes: Uint8Array): void {
    if (this.inputEnded || bytes.length === 0) return;
    if (this.inputFill + bytes.length > this.input.length) {
      // A new buffer without what the guest has read (so memory follows what is pending, not
      // all ever typed; and the array given up front is never written).
      const unread = this.input.subarray(this.inputPos - this.inputBase, this.inputFill);
      const next = new Uint8Array(Math.max(256, 2 * (unread.length + bytes.length)));
      next.set(unread);
      this.input = next;
      this.inputBase = this.inputPos;
      this.inputFill = unread.length;
    }
    this.input.set(bytes, this.inputFill);
    this.inputFill += bytes.length;
  }

  /** Live input ends: once the guest has read what is left, STATUS says "ended" and reads give
   *  -1; line 1 is raised (while enabled) until the guest reads STATUS or DATA, so that a guest
   *  waiting for input wakes to see the end. */
  endInput(): void {
    if (!this.inputEnded) this.endRaisesLine = true;
    this.inputEnded = true;
  }

  /** Input bytes given or pushed that the guest has not read yet. */
  get pendingInput(): number {
    return this.inputBase + this.inputFill - this.inputPos;
  }

  /** Whether the input has ended (always, for input given up front). */
  get inputClosed(): boolean {
    return this.inputEnded;
  }

  /** What was written so far, decoded as UTF-8: the first CONSOLE_KEEP_BYTES bytes of it. */
  output(): string {
    return this.outputBytes.text();
  }

  /** Bytes written so far, including those output() no longer holds. */
  get outputLength(): number {
    return this.outputBytes.total;
  }

  /** Whether output() lacks bytes (more than CONSOLE_KEEP_BYTES were written). */
  get outputTruncated(): boolean {
    return this.outputBytes.truncated;
  }

  /** The kept bytes from offset `start` on, as written (no decoding). */
  outputFrom(start: number): Uint8Array {
    return this.outputBytes.from(start);
  }

  read(port: number): number {
    switch (port) {
      case CONSOLE_DATA:
        this.endRaisesLine = false;
        return this.pendingInput > 0 ? this.input[this.inputPos++ - this.inputBase]! : -1;
      case CONSOLE_STATUS:
        this.endRaisesLine = false;
        return this.pendingInput > 0 ? ConsoleStatus.INPUT_READY : this.inputEnded ? ConsoleStatus.INPUT_ENDED : 0;
      case CONSOLE_IRQ_ENABLE:
        return this.irqEnabled ? 1 : 0;
      default:
        return -1;
    }
  }

  write(port: number, value: number): void {
    if (port === CONSOLE_DATA) {
      const byte = value & 0xff;
      this.outputBytes.push(byte);
      this.onOutput?.(byte);
    } else if (port === CONSOLE_IRQ_ENABLE) {
      this.irqEnabled = (value & 1) !== 0;
    }
  }

  nextEvent(): number {
    return Infinity;
  }

  tick(): void {}

  irqAsserted(): boolean {
    return this.irqEnabled && (this.pendingInput > 0 || this.endRaisesLine);
  }

  save(): unknown {
    return { inputPos: this.inputPos, irqEnabled: this.irqEnabled, outputLength: this.outputBytes.total };
  }

  restore(state: unknown): void {
    const s = state as { inputPos: number; irqEnabled: boolean; outputLength: number };
    // Live input the guest has read may be gone: going back can reach only what is kept.
    this.inputPos = Math.min(Math.max(s.inputPos, this.inputBase), this.inputBase + this.inputFill);
    this.irqEnabled = s.irqEnabled;
    this.outputBytes.truncate(s.outputLength);
  }
}
