// The interactive session of `boot --shell` on a terminal: the terminal in raw mode, each typed
// byte forwarded to the guest's console as it arrives (the guest kernel echoes and edits lines),
// guest output written to stdout as it comes, the machine run in slices so input can arrive in
// between. Scripted sessions do not come here: boot.ts gives them their input up front.
//
// The terminal is restored on every way out: the guest powering off, Ctrl-\, SIGTERM, SIGHUP,
// SIGINT, stdin closing, the cycle limit, an exception (finally), and process.exit from anywhere
// (an 'exit' handler; main.ts exits that way when stdout is closed).

import type { PreparedBoot } from '../configs/index.js';
import type { StopReason } from '../machine/machine.js';

/** Cycles a slice runs before the host looks at its input again (a few ms of host time). */
export const SLICE_CYCLES = 500_000;
/** A slice that ends in wfi having executed fewer instructions than this was idle: the guest
 *  waits for input or a timer (its timer ticks still run a few hundred instructions). */
const IDLE_INSTRUCTIONS = SLICE_CYCLES / 50;
/** How long the host sleeps after an idle slice unless input comes first. Simulated time goes on
 *  slice by slice meanwhile, so a guest's `sleep` still ends. */
const IDLE_WAIT_MS = 20;
/** Typed (or pasted) bytes the guest has not read yet, beyond which stdin is paused. */
const MAX_PENDING_INPUT = 1 << 20;
/** Bytes stdout may hold unwritten before the machine waits for the terminal to take them. */
const MAX_PENDING_OUTPUT = 1 << 20;
/** Once stdin has closed, the guest has this many cycles to finish (a shell exits at end of
 *  input; a guest that ignores it must not keep a host process with no terminal alive). */
export const CYCLES_AFTER_INPUT_ENDS = 1_000_000_000;
/** Ctrl-\ ends the session from the host side (in raw mode it is a byte, not SIGQUIT). */
export const CTRL_BACKSLASH = 0x1c;

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type SignalName = keyof typeof SIGNALS;

/** Why a session ended. */
export type SessionEnd =
  | { kind: 'stop'; stop: StopReason }
  | { kind: 'quit' }
  | { kind: 'signal'; signal: SignalName; number: number }
  | { kind: 'input-ended'; cycles: number };

export interface SessionResult {
  end: SessionEnd;
  /** The machine's last stop (the report of the boot needs one). */
  stop: StopReason;
  /** False if the output ended mid-line (a message then starts on a new line). */
  atLineStart: boolean;
  /** The terminal went away (stdin ended or failed, or SIGHUP): see hangUp. */
  terminalGone: boolean;
}

/** End the process as one whose terminal hung up: killed by SIGHUP. Exiting normally would
 *  make Node restore the terminal's mode at exit, and Node 20 aborts when that fails (it does
 *  once the terminal is gone; nodejs/node#51519). Call after everything is saved. */
export function hangUp(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/** Guest console output on its way to stdout: bytes gathered during a slice and written at its
 *  end (or every 64 KiB). "\n" is written as it is: Node's raw mode (libuv's) keeps the
 *  terminal's output processing (OPOST, ONLCR), so the terminal still turns it into "\r\n". */
export class SessionOutput {
  private chunk = new Uint8Array(64 * 1024);
  private used = 0;
  private last = 10;

  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  byte(b: number): void {
    if (this.used === this.chunk.length) this.flush();
    this.chunk[this.used++] = b;
    this.last = b;
  }

  flush(): void {
    if (this.used === 0) return;
    this.write(this.chunk.slice(0, this.used));
    this.used = 0;
  }

  get atLineStart(): boolean {
    return this.last === 10;
  }
}

/** Run a prepared boot on this process's terminal until the guest stops or the session is ended.
 *  `maxCycles` is the machine's cycle limit (Infinity: none). */
export async function interactiveSession(prepared: PreparedBoot, output: SessionOutput, maxCycles: number): Promise<SessionResult> {
  const { machine } = prepared;
  const { cpu, console } = machine;
  const stdin = process.stdin;
  const stdout = process.stdout;
  console.openInput();

  let end: SessionEnd | undefined;
  let inputEnded = false;
  let terminalGone = false;
  let deadline = maxCycles;
  let wakeUp: (() => void) | undefined;
  const wake = (): void => wakeUp?.();

  let raw = false;
  const restore = (): void => {
    if (!raw) return;
    raw = false;
    try {
      stdin.setRawMode(false);
    } catch {
      // The terminal is gone: nothing left to restore.
    }
  };

  const onData = (chunk: Buffer): void => {
    const quit = chunk.indexOf(CTRL_BACKSLASH);
    if (quit >= 0) {
      end ??= { kind: 'quit' };
    } else {
      console.pushInput(chunk);
      if (console.pendingInput > MAX_PENDING_INPUT) stdin.pause(); // resumed once the guest reads
    }
    wake();
  };
  // A terminal's input does not end while it is there (Ctrl-D is a byte in raw mode): an end
  // or an error (EIO) means it went away.
  const onEnd = (): void => {
    if (inputEnded) return;
    inputEnded = terminalGone = true;
    console.endInput();
    deadline = Math.min(maxCycles, cpu.cycles + CYCLES_AFTER_INPUT_ENDS);
    wake();
  };
  const onSignal = (signal: SignalName): void => {
    if (signal === 'SIGHUP') terminalGone = true;
    end ??= { kind: 'signal', signal, number: SIGNALS[signal] };
    wake();
  };
  const signalHandlers = (Object.keys(SIGNALS) as SignalName[]).map((name) => [name, () => onSignal(name)] as const);

  // Between slices: at once, or (idle) after `ms` unless input or a signal comes first.
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (wakeUp === done) wakeUp = undefined;
        resolve();
      };
      wakeUp = done;
      if (ms === 0) setImmediate(done);
      else if (ms !== Infinity) timer = setTimeout(done, ms);
    });
  const drained = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        stdout.off('drain', done);
        stdout.off('close', done);
        resolve();
      };
      stdout.on('drain', done);
      stdout.on('close', done);
    });

  process.on('exit', restore);
  for (const [name, handler] of signalHandlers) process.on(name, handler);
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.on('close', onEnd);
  stdin.on('error', onEnd); // EIO: the terminal went away
  stdin.setRawMode(true);
  raw = true;
  stdin.resume();

  let stop: StopReason = { kind: 'cycle-limit', limit: 0 };
  try {
    while (!end) {
      const instret = cpu.instret;
      stop = machine.run(Math.min(deadline, cpu.cycles + SLICE_CYCLES));
      output.flush();
      if (stop.kind === 'halt' || stop.kind === 'double-fault' || stop.kind === 'step') {
        end = { kind: 'stop', stop };
        break;
      }
      if (stop.kind === 'cycle-limit' && cpu.cycles >= deadline) {
        end = deadline === maxCycles ? { kind: 'stop', stop: { kind: 'cycle-limit', limit: maxCycles } } : { kind: 'input-ended', cycles: CYCLES_AFTER_INPUT_ENDS };
        break;
      }
      let wait = 0;
      if (stop.kind === 'deadlock') {
        // In wfi with nothing that could wake it but the console: input is all it waits for.
        if (console.inputClosed) {
          end = { kind: 'stop', stop };
          break;
        }
        wait = Infinity;
      } else if (!inputEnded && cpu.sleeping && cpu.instret - instret < IDLE_INSTRUCTIONS && machine.disk.nextEvent() === Infinity) {
        // (Once the input has ended nothing more can come: idle slices then run back to back.)
        wait = IDLE_WAIT_MS;
      }
      if (stdin.isPaused() && !inputEnded && console.pendingInput < MAX_PENDING_INPUT / 2) stdin.resume();
      if (stdout.writableLength > MAX_PENDING_OUTPUT) await drained();
      if (!end) await pause(wait);
    }
  } finally {
    restore();
    process.off('exit', restore);
    for (const [name, handler] of signalHandlers) process.off(name, handler);
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('close', onEnd);
    stdin.pause();
    // An 'error' after the session must still not throw: keep a listener that ignores it.
    stdin.off('error', onEnd);
    stdin.on('error', () => {});
  }
  return { end: end ?? { kind: 'stop', stop }, stop, atLineStart: output.atLineStart, terminalGone };
}
