// The Ringfile parser: Dockerfile's syntax (continuations, comments, JSON and shell forms,
// quoted key=value pairs), errors at FILE:LINE:COLUMN, and never any other error.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRingfile, RingfileError } from '../../src/image/ringfile.js';

const error = (text: string): string => {
  try {
    parseRingfile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(RingfileError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('the Ringfile parser', () => {
  it('reads every instruction, in both forms, with continuations and comments', () => {
    const text = [
      '# a comment',
      'from scratch',
      '',
      'COPY hello.s \\',
      '  # a comment inside a continuation',
      '     /bin/',
      'COPY ["a b", "c", "/opt/"]',
      'ENV PATH=/bin HOME="/home/me" GREETING=hello\\ world',
      'ENV LEGACY value with spaces',
      'WORKDIR /srv',
      'LABEL org.example.name="web server" version=1',
      'REQUIRES isa=legacy kernel=namespaces,cgroups',
      'CMD ["/bin/hello", "-n"]',
      'ENTRYPOINT echo hi',
      'RUN ["/bin/cc", "x.s"]',
      'run cc \\',
      '  x.s',
    ].join('\n');
    const ins = parseRingfile(text);
    expect(ins.map((i) => [i.kind, i.line, i.column])).toEqual([['FROM', 2, 1], ['COPY', 4, 1], ['COPY', 7, 1], ['ENV', 8, 1], ['ENV', 9, 1], ['WORKDIR', 10, 1], ['LABEL', 11, 1], ['REQUIRES', 12, 1], ['CMD', 13, 1], ['ENTRYPOINT', 14, 1], ['RUN', 15, 1], ['RUN', 16, 1]]);
    expect(ins[0]).toMatchObject({ image: 'scratch', text: 'FROM scratch' });
    expect(ins[1]).toMatchObject({ sources: ['hello.s'], dest: '/bin/', text: 'COPY hello.s      /bin/' });
    expect(ins[2]).toMatchObject({ sources: ['a b', 'c'], dest: '/opt/' });
    expect(ins[3]).toMatchObject({ pairs: [['PATH', '/bin'], ['HOME', '/home/me'], ['GREETING', 'hello world']] });
    expect(ins[4]).toMatchObject({ pairs: [['LEGACY', 'value with spaces']] });
    expect(ins[6]).toMatchObject({ pairs: [['org.example.name', 'web server'], ['version', '1']] });
    expect(ins[7]).toMatchObject({ isa: ['legacy'], kernel: ['namespaces', 'cgroups'] });
    expect(ins[8]).toMatchObject({ command: ['/bin/hello', '-n'], form: 'exec' });
    expect(ins[9]).toMatchObject({ command: ['/bin/sh', '-c', 'echo hi'], form: 'shell' });
    expect(ins[11]).toMatchObject({ command: ['/bin/sh', '-c', 'cc   x.s'], form: 'shell' });
  });

  it('says FILE:LINE:COLUMN and what is wrong', () => {
    expect(error('FROM scratch\n  FROBNICATE x')).toBe("Ringfile:2:3: unknown instruction 'FROBNICATE' (a Ringfile has FROM, COPY, RUN, ENV, WORKDIR, CMD, ENTRYPOINT, LABEL, REQUIRES)");
    expect(error('COPY a b')).toBe('Ringfile:1:1: the first instruction must be FROM (FROM scratch for an empty image), not COPY');
    expect(error('FROM scratch\nFROM base')).toBe('Ringfile:2:1: a second FROM: multi-stage builds are not supported');
    expect(error('FROM base AS build')).toBe('Ringfile:1:11: FROM ... AS: multi-stage builds are not supported');
    expect(error('FROM scratch\nENV A="unterminated')).toBe('Ringfile:2:7: an unterminated double quote');
    expect(error('FROM scratch\nLABEL novalue')).toBe("Ringfile:2:7: 'novalue' is not NAME=VALUE");
    expect(error('FROM scratch\nCOPY onlyone')).toBe('Ringfile:2:6: COPY needs a source and a destination');
    expect(error('FROM scratch\nADD x /')).toBe('Ringfile:2:1: ADD is not supported in a Ringfile (docs/images.md lists the instructions)');
    expect(error('FROM scratch\nREQUIRES isa=sse4')).toBe("Ringfile:2:10: REQUIRES isa=sse4: unknown ISA extension 'sse4' (known: legacy, vmx)");
    expect(error('FROM scratch\nREQUIRES gpu=yes')).toBe('Ringfile:2:10: REQUIRES gpu: the requirements are isa=LIST and kernel=LIST');
    expect(error('FROM scratch\nCMD [1, 2]')).toBe('Ringfile:2:5: the JSON form is an array of strings');
    expect(error('FROM scratch\nWORKDIR')).toBe('Ringfile:2:1: WORKDIR needs arguments');
    expect(error('# nothing\n\n')).toBe('Ringfile:1:1: no instructions: a Ringfile starts with FROM');
    // a position on a continued line is that line's
    expect(error('FROM scratch\nENV A=1 \\\n   B="x')).toBe('Ringfile:3:6: an unterminated double quote');
  });

  it('never throws anything but a RingfileError, whatever the text', () => {
    const words = fc.constantFrom('FROM', 'from', 'scratch', 'COPY', 'RUN', 'ENV', 'LABEL', 'CMD', 'WORKDIR', 'ENTRYPOINT', 'REQUIRES', 'isa=legacy', 'kernel=net', '[', ']', '"', "'", '\\', '\n', ' ', '=', 'a', '#', '["x"]', '[1]', 'AS', '--from=x');
    const texts = fc.oneof(fc.string({ maxLength: 200 }), fc.array(words, { maxLength: 40 }).map((w) => w.join('')), fc.array(words, { maxLength: 40 }).map((w) => `FROM scratch\n${w.join(' ')}`));
    fc.assert(
      fc.property(texts, (text) => {
        try {
          const ins = parseRingfile(text, 'R');
          expect(ins[0]!.kind).toBe('FROM');
        } catch (e) {
          expect(e).toBeInstanceOf(RingfileError);
          expect((e as Error).message).toMatch(/^R:\d+:\d+: /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
