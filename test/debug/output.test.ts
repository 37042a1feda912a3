// The guest's console output comes out of the debugger byte for byte: never split by the chunks
// the debugger runs in, whatever the configuration; a stop message after output that did not
// end a line starts on a line of its own, without changing the guest's bytes.

import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { findConfig } from '../../src/configs/index.js';
import { Session } from '../../src/debug/commands.js';
import { Debugger } from '../../src/debug/debugger.js';
import { debugProgram } from './helpers.js';

/** A session whose debugger text and guest bytes are kept apart (and also interleaved, as a
 *  terminal shows them). */
function capture(dbg: Debugger): { session: Session; transcript: () => string; guest: () => Buffer } {
  let text = '';
  const guest: Buffer[] = [];
  const session = new Session(dbg, {
    write: (t) => {
      text += t;
    },
    writeGuest: (bytes) => {
      guest.push(Buffer.from(bytes));
      text += Buffer.from(bytes).toString('latin1');
    },
    colour: new Chalk({ level: 0 }),
  });
  return { session, transcript: () => text, guest: () => Buffer.concat(guest) };
}

/** 20,000 x's without a newline (many stepping chunks), a breakpoint, then a newline. */
const LONG_LINE = `
_start: li   t0, 'x'
        li   t1, 20000
.loop:  out  0x10, t0
        addi t1, t1, -1
        bnez t1, .loop
mid:    li   t0, '\\n'
        out  0x10, t0
        halt
`;

describe('guest console output', () => {
  it('is not split at chunk boundaries; a stop after an open line gets its own line', async () => {
    const dbg = debugProgram(LONG_LINE);
    const { session, transcript, guest } = capture(dbg);
    await session.execute('break mid');
    const before = transcript().length;
    await session.execute('continue');
    expect(transcript().slice(before)).toMatch(new RegExp(`^x{20000}\\nBreakpoint 1, mid\\n`));
    await session.execute('continue');
    expect(transcript()).toMatch(/x{20000}\nBreakpoint[\s\S]*\n\nThe machine halted with exit code 0\.\n$/);
    expect(guest().toString('latin1')).toBe(`${'x'.repeat(20000)}\n`);
  });

  it('is undecoded bytes when the front end takes bytes, and UTF-8 text when it takes text', async () => {
    const dbg = debugProgram(`
_start: li   t0, 0xc3
        out  0x10, t0
        li   t0, 0xa9
        out  0x10, t0
        li   t0, 0xff
        out  0x10, t0
        halt
`);
    const { session, guest } = capture(dbg);
    await session.execute('stepi 2');
    await session.execute('continue');
    expect([...guest()]).toEqual([0xc3, 0xa9, 0xff]);
    const textOnly = debugProgram('_start: li t0, 0xc3\n out 0x10, t0\n li t0, 0xa9\n out 0x10, t0\n halt\n');
    let text = '';
    const s = new Session(textOnly, { write: (t) => (text += t), colour: new Chalk({ level: 0 }) });
    await s.execute('stepi 2'); // the first byte of 'é' alone
    await s.execute('continue');
    expect(text).toContain('é\nThe machine halted');
    expect(text).not.toContain('\ufffd');
  });

  for (const config of ['native', 'vtx']) {
    it(`${config}: with a breakpoint hit along the way, the guest's bytes are boot's console`, async () => {
      const options = { workloads: ['io', 'syscall'], iterations: 6 };
      const booted = findConfig(config)!.boot(options);
      const prepared = findConfig(config)!.prepare(options);
      const dbg = new Debugger(prepared.machine, prepared.images);
      const { session, transcript, guest } = capture(dbg);
      await session.execute('break kernel:sys_write');
      for (let i = 0; i < 3; i++) await session.execute('continue');
      await session.execute('delete');
      await session.execute('continue');
      expect(transcript()).toContain('The machine halted with exit code 0.');
      expect(guest().equals(Buffer.from(booted.console))).toBe(true);
      expect(transcript()).toContain(booted.console.split('\n').find((l) => l.startsWith('kernel: 2 processes finished')));
    });
  }
});
