// The compose file format (src/container/compose.ts, docs/images.md, "Compose: several containers in one boot"): what it takes,
// and that every bad file is a ComposeError naming FILE:LINE:COL, never a crash.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleConfig } from '../../src/configs/container.js';
import { ComposeError, composeLauncher, parseCompose } from '../../src/container/compose.js';
import { isaWith } from '../../src/isa/index.js';

const bad = (text: string): string => {
  try {
    parseCompose(text, 'c.json');
  } catch (e) {
    if (e instanceof ComposeError) return e.message;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
};

describe('compose files', () => {
  it('reads services in order, with their fields and where each is', () => {
    const c = parseCompose(
      `{
  "services": {
    "web": { "image": "web:1", "hostname": "w", "address": "10.0.1.2", "memory": "256K", "pids": 4 },
    "client": { "image": "client:1", "command": ["/bin/client", "80"], "cpus": 0.5 }
  },
  "exit": "client"
}`,
      'c.json',
    );
    expect(c.exit).toBe('client');
    expect(c.services.map((s) => s.name)).toEqual(['web', 'client']);
    expect(c.services[0]).toMatchObject({ image: 'web:1', hostname: 'w', address: '10.0.1.2', memory: '256K', pids: '4' });
    expect(c.services[1]).toMatchObject({ command: ['/bin/client', '80'], cpus: '0.5' });
    expect(c.services[0]!.at['address']).toEqual({ line: 3, col: 60 });
    expect(parseCompose('{"services":{"a":{"image":"x"}},"exit":"all"}', 'c').exit).toBeUndefined();
  });

  it('names the line and column of what is wrong', () => {
    expect(bad('{\n  "services": {\n    "a": { "image": "x" },\n  }\n}')).toBe(`c.json:4:3: expected a key in quotes, found '}'`);
    expect(bad('')).toBe('c.json:1:1: expected a value, found the end of the file');
    expect(bad('[]')).toMatch(/^c\.json:1:1: a compose file is a JSON object/);
    expect(bad('{}')).toMatch(/^c\.json:1:1: no "services"/);
    expect(bad('{"services":{}}')).toMatch(/^c\.json:1:13: "services" is empty/);
    expect(bad('{"services":{"a":{"image":"x"}}, "volumes": 1}')).toMatch(/^c\.json:1:34: unknown key "volumes"/);
    expect(bad('{"services":{"a":{}}}')).toBe('c.json:1:14: service "a" has no "image"');
    expect(bad('{"services":{"a":{"image":"x","ports":[80]}}}')).toMatch(/^c\.json:1:31: service "a": unknown key "ports"/);
    expect(bad('{"services":{"A b":{"image":"x"}}}')).toMatch(/^c\.json:1:14: service name "A b": 1 to 15 of a-z/);
    expect(bad('{"services":{"a":{"image":"x","address":"10.0.0.300"}}}')).toMatch(/^c\.json:1:41: service "a": "address" "10.0.0.300" is not an IPv4 address/);
    expect(bad('{"services":{"a":{"image":"x","address":"127.0.0.2"}}}')).toMatch(/c\.json:1:41: service "a": "address" 127\.0\.0\.2: an address is not 0\.x or 127\.x/);
    expect(bad('{"services":{"a":{"image":"x","address":"10.0.0.2"},\n"b":{"image":"x","address":"10.0.0.3"}}}')).toMatch(/^c\.json:2:28: service "b": the host's end of "b"'s link, 10\.0\.0\.2, is already the address of "a"/);
    expect(bad('{"services":{"a":{"image":"x","command":[]}}}')).toMatch(/^c\.json:1:41: service "a": "command" is a non-empty array of strings/);
    expect(bad('{"services":{"a":{"image":"x","cpus":true}}}')).toMatch(/^c\.json:1:38: service "a": "cpus" is a number or a string/);
    expect(bad('{"services":{"a":{"image":"x"}},"exit":"b"}')).toBe('c.json:1:40: "exit": no service "b" (services: a)');
    expect(bad('{"services":{"a":{"image":"x"},"a":{"image":"y"}}}')).toMatch(/^c\.json:1:32: service "a" is given twice/);
    expect(bad('{"services":{"a":{"image":"x"}}} x')).toBe(`c.json:1:34: more after the end of the JSON value: 'x'`);
    expect(bad('{"services":{"a":{"image":"x\ny"}}}')).toMatch(/^c\.json:1:29: a control character/);
    expect(bad('['.repeat(100))).toMatch(/nested more than 64 deep/);
  });

  it('never crashes on arbitrary JSON or text: a result or a ComposeError with a place', () => {
    const check = (text: string): void => {
      try {
        parseCompose(text, 'f');
      } catch (e) {
        expect(e).toBeInstanceOf(ComposeError);
        expect((e as Error).message).toMatch(/^f:\d+:\d+: /);
      }
    };
    const service = fc.record({ image: fc.oneof(fc.string(), fc.jsonValue()), address: fc.oneof(fc.ipV4(), fc.jsonValue()), command: fc.oneof(fc.array(fc.string()), fc.jsonValue()), cpus: fc.jsonValue() }, { requiredKeys: [] });
    const composeLike = fc.record({ services: fc.oneof(fc.dictionary(fc.string(), service), fc.jsonValue()), exit: fc.oneof(fc.string(), fc.jsonValue()) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.json(), check), { numRuns: 400 });
    fc.assert(fc.property(composeLike, (v) => check(JSON.stringify(v, null, 2))), { numRuns: 400 });
    fc.assert(fc.property(fc.string(), check), { numRuns: 400 });
  });

  it('accepts what JSON.parse accepts, and refuses what it refuses', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        let ok = true;
        try {
          JSON.parse(text);
        } catch {
          ok = false;
        }
        const msg = (() => {
          try {
            parseCompose(text, 'f');
            return '';
          } catch (e) {
            return (e as Error).message;
          }
        })();
        // A syntax error is only for text JSON.parse refuses (nesting past 64 aside).
        const syntax = /expected|does not end|control character|bad escape|more after/.test(msg);
        if (ok) expect(syntax, msg).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it("gives each service's bundle its address and limits, and its launcher the services to stop", () => {
    const config = bundleConfig({ command: ['/bin/server', '80'], hostname: 'web', address: '10.0.1.2', limits: { 'memory.max': '262144', 'pids.max': '4' }, layerCount: 2 }, '/var/lib/crun/compose/web/layers');
    expect(config).toBe('layers=/var/lib/crun/compose/web/layers/0:/var/lib/crun/compose/web/layers/1\ncmd=/bin/server 80\nhostname=web\nmemory.max=262144\npids.max=4\nnet=10.0.1.2\n');
    const launcher = composeLauncher(isaWith([]), 2, 'client', '/var/lib/crun/compose/client/bundle', ['web', 'api']);
    expect(launcher.name).toBe('compose2');
    const text = launcher.image.segments.map((seg) => new TextDecoder('latin1').decode(seg.data)).join('');
    for (const word of ['/bin/crun', 'client', 'stop', 'web', 'api']) expect(text).toContain(word);
  });
});
