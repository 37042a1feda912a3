// `ringlab compose FILE` through the CLI (docs/images.md, "Compose: several containers in one
// boot"): examples/compose's three images (two servers on port 80, each in a network namespace
// of its own, and a client that talks to both) in one boot, equal in every configuration; the
// exit code is the `exit` service's; bad files are usage errors naming FILE:LINE:COL.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, ringlab, ringlabChild, ROOT, useCli } from './helpers.js';

const cli = useCli();
let store: string;
const s = () => ['--store', store];
const EXAMPLE = join(ROOT, 'examples', 'compose');

/** The example's output (docs/images.md quotes it). */
const EXPECTED = `web    | listening on port 80
web    | request: hello
api    | listening on port 80
api    | request: hello
client | 10.0.1.2: hello from web
client | 10.0.2.2: api v1
`;

beforeAll(() => {
  store = join(cli.dir(), 'store');
  for (const name of ['web', 'api', 'client']) {
    const r = ringlab(['image', 'build', '-q', '-t', `compose-${name}:1`, '-f', join(EXAMPLE, `${name}.Ringfile`), ...s(), EXAMPLE]);
    expect(r.status, r.stderr).toBe(0);
  }
}, 60_000);

describe('ringlab compose', () => {
  it('runs two servers on port 80 and a client in one boot, with equal output natively and in a VM (vtx-ept)', async () => {
    const file = join(EXAMPLE, 'compose.json');
    const runs = await Promise.all(['native', 'vtx-ept'].map((config) => ringlabChild(['compose', '--config', config, ...s(), file])));
    for (const r of runs) expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: EXPECTED, stderr: '' });
    // docs/images.md quotes the file and this output.
    const doc = readFileSync(join(ROOT, 'docs', 'images.md'), 'utf8');
    expect(doc).toContain(`\`\`\`json\n${readFileSync(file, 'utf8')}\`\`\``);
    expect(doc).toContain(`$ npx ringlab compose examples/compose/compose.json\n${EXPECTED}\`\`\``);
  }, 60_000);

  it("exits with the exit service's code, and a service's command replaces its image's CMD", () => {
    const file = cli.write('alone.json', '{ "services": { "probe": { "image": "compose-client:1", "command": ["/bin/client", "80", "10.0.9.2", "127.0.0.1"] } } }');
    const r = ringlab(['compose', ...s(), file]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 2, stdout: 'probe | 10.0.9.2: no answer\nprobe | 127.0.0.1: no answer\n', stderr: '' });
  }, 30_000);

  it('a machine that stops first: the reason, exit code 3', () => {
    const r = ringlab(['compose', '--max-cycles', '100000', ...s(), join(EXAMPLE, 'compose.json')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/ringlab: .*cycle/);
    expectNoStackTrace(r);
  }, 30_000);

  it('bad files and services: usage errors with FILE:LINE:COL', () => {
    const cases: [string, RegExp][] = [
      ['{ "services": { "a": { "image": "compose-web:1" }, }', /bad1\.json:1:52: expected a key in quotes, found '}'/],
      ['{ "services": {\n  "a": { "image": "nosuch:1" } } }', /bad2\.json:2:19: service "a": .*nosuch/],
      ['{ "services": {\n  "a": { "image": "compose-web:1", "cpus": "lots" } } }', /bad3\.json:2:44: service "a": "cpus" expects a number of CPUs/],
      ['{ "services": {\n  "a": { "image": "compose-web:1", "memory": 0 } } }', /bad4\.json:2:46: service "a": "memory" 0 leaves the container nothing/],
      ['{ "services": { "a": { "image": "compose-web:1", "address": "10.0.0.1" } } }', /bad5\.json:1:61: service "a": "address" 10\.0\.0\.1: an address is not 0\.x or 127\.x and ends in \.2 to \.255/],
    ];
    cases.forEach(([text, message], i) => {
      const file = cli.write(`bad${i + 1}.json`, text);
      const r = ringlab(['compose', ...s(), file]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expectNoStackTrace(r);
    });
    const missing = ringlab(['compose', ...s(), join(cli.dir(), 'none.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/none\.json: cannot read the compose file: ENOENT/);
  });
});
