// Colour: none when output is not a terminal, none when NO_COLOR is set (https://no-color.org).

import { describe, expect, it } from 'vitest';
import { ANSI, HELLO, INFINITE, ringlab, ringlabInTty, THREE_ERRORS, TOUR, useCli } from './helpers.js';

const cli = useCli();

/** Commands whose output (stdout or stderr) would be coloured on a terminal. */
function colourfulCommands(): string[][] {
  return [
    ['isa'],
    ['run', cli.write('tour.s', TOUR), '--stats'],
    ['run', cli.write('forever.s', INFINITE), '--max-cycles', '1000'],
    ['run', cli.write('three.s', THREE_ERRORS)],
    ['run', cli.write('hello.s', HELLO), '--max-cycles', 'x'],
    ['no-such-command'],
  ];
}

describe('colour', () => {
  it('piped output has no ANSI escapes', () => {
    for (const args of colourfulCommands()) {
      const r = ringlab(args);
      expect(r.stdout, args.join(' ')).not.toMatch(ANSI);
      expect(r.stderr, args.join(' ')).not.toMatch(ANSI);
    }
  });

  it('NO_COLOR removes the ANSI escapes even on a terminal', (ctx) => {
    const coloured = ringlabInTty(['isa']);
    if (coloured === undefined) ctx.skip(); // no `script` to make a terminal with
    // The check below only means something if a terminal does get colour without NO_COLOR.
    expect(coloured!.stdout).toMatch(ANSI);
    for (const args of colourfulCommands()) {
      const r = ringlabInTty(args, { NO_COLOR: '1' })!;
      expect(r.stdout, args.join(' ')).not.toMatch(ANSI);
    }
  });
});
