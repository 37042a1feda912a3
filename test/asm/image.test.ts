import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/assembler.js';
import { findSymbol, ImageFormatError, labelsAt, lineAt, parseImage, serializeImage, symbolAt, symbolNameAt, type Image } from '../../src/asm/image.js';
import { isaWith } from '../../src/isa/index.js';

const isa = isaWith();

function sample(): Image {
  const r = assemble(
    ['.equ NEG, -5', '.org 0x1000', '_start: li a0, 1', '.loop: addi a0, a0, -1', '  bnez a0, .loop', 'halt', '.org 0x2000', 'msg: .asciz "hello"'].join('\n'),
    { fileName: 'prog.s', isa },
  );
  if (!r.ok) throw new Error('sample does not assemble');
  return r.image;
}

function parseError(text: string): unknown {
  try {
    parseImage(text, 'x.rli');
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('image format', () => {
  it('serialize then parse gives the same image', () => {
    const image = sample();
    const text = serializeImage(image);
    expect(JSON.parse(text)).toMatchObject({ format: 'ringlab-image', version: 1, entry: 0x1000 });
    const back = parseImage(text, 'prog.rli');
    expect(back).toEqual({ ...image, segments: image.segments.map((s) => ({ address: s.address, data: new Uint8Array(s.data) })) });
    expect(findSymbol(back, 'NEG')).toMatchObject({ value: -5, kind: 'equ' });
  });

  it.each([
    ['not JSON', '{', /invalid JSON/],
    ['wrong format tag', '{"format":"elf","version":1}', /format: expected "ringlab-image"/],
    ['future version', '{"format":"ringlab-image","version":2}', /unsupported version 2/],
    ['missing entry', '{"format":"ringlab-image","version":1,"segments":[],"symbols":[],"lines":[]}', /entry: expected an integer/],
    ['bad base64', '{"format":"ringlab-image","version":1,"entry":0,"segments":[{"address":0,"data":"!!"}],"symbols":[],"lines":[]}', /segments\[0\]\.data: expected base64/],
    ['segment past 4 GiB', '{"format":"ringlab-image","version":1,"entry":0,"segments":[{"address":4294967295,"data":"AAA="}],"symbols":[],"lines":[]}', /past the end/],
    ['overlapping segments', '{"format":"ringlab-image","version":1,"entry":0,"segments":[{"address":0,"data":"AAAA"},{"address":2,"data":"AAAA"}],"symbols":[],"lines":[]}', /segments\[1\]: overlaps segments\[0\]/],
    ['bad symbol kind', '{"format":"ringlab-image","version":1,"entry":0,"segments":[],"symbols":[{"name":"a","value":0,"kind":"x","file":"f","line":1}],"lines":[]}', /symbols\[0\]\.kind/],
    ['bad line number', '{"format":"ringlab-image","version":1,"entry":0,"segments":[],"symbols":[],"lines":[{"address":0,"file":"f","line":0}]}', /lines\[0\]\.line/],
  ])('rejects %s with ImageFormatError', (_name, text, message) => {
    const e = parseError(text);
    expect(e).toBeInstanceOf(ImageFormatError);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message).toMatch(/^x\.rli: /);
  });

  it('property: parseImage throws nothing but ImageFormatError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const e = parseError(JSON.stringify(v) ?? 'null');
        return e === undefined || e instanceof ImageFormatError;
      }),
      { numRuns: 500 },
    );
  });

  it('property: parseImage throws nothing but ImageFormatError on mutated valid images', () => {
    const base = JSON.parse(serializeImage(sample())) as Record<string, unknown>;
    const paths = ['entry', 'segments', 'symbols', 'lines', 'format', 'version'];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.nat(3), fc.constantFrom('address', 'data', 'name', 'value', 'kind', 'file', 'line'), (key, junk, index, field) => {
        const copy = structuredClone(base);
        const list = copy[key];
        if (Array.isArray(list) && list[index % Math.max(1, list.length)] && index % 2) {
          (list[index % list.length] as Record<string, unknown>)[field] = junk;
        } else {
          copy[key] = junk;
        }
        const e = parseError(JSON.stringify(copy));
        return e === undefined || e instanceof ImageFormatError;
      }),
      { numRuns: 500 },
    );
  });

  it('property: parseImage throws nothing but ImageFormatError on arbitrary text', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const e = parseError(s);
      return e === undefined || e instanceof ImageFormatError;
    }), { numRuns: 300 });
  });
});

describe('symbol and line lookups', () => {
  const image = sample();

  it('symbolAt finds the nearest label at or below an address', () => {
    expect(symbolAt(image, 0x1000)).toMatchObject({ symbol: { name: '_start' }, offset: 0 });
    expect(symbolAt(image, 0x1004)).toMatchObject({ symbol: { name: '_start.loop' }, offset: 0 });
    expect(symbolAt(image, 0x1008)).toMatchObject({ symbol: { name: '_start.loop' }, offset: 4 });
    expect(symbolNameAt(image, 0x2003)).toBe('msg+3');
    expect(symbolAt(image, 0xfff)).toBeUndefined();
    expect(labelsAt(image, 0x2000).map((s) => s.name)).toEqual(['msg']);
  });

  it('lineAt maps an address to its source line', () => {
    expect(lineAt(image, 0x1004)).toEqual({ address: 0x1004, file: 'prog.s', line: 4 });
    expect(lineAt(image, 0x100c)).toEqual({ address: 0x100c, file: 'prog.s', line: 6 });
    expect(lineAt(image, 0x2003)).toEqual({ address: 0x2000, file: 'prog.s', line: 8 });
    expect(lineAt(image, 0x10)).toBeUndefined();
  });
});
