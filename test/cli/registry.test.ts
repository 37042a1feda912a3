// `ringlab registry serve` as a real process, `ringlab push` and `ringlab pull` against it, and
// their exit code (13) when the registry is down.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/image/config.js';
import { storeImage, storeLayer } from '../../src/image/image.js';
import { createLayer } from '../../src/image/layer.js';
import { ImageStore } from '../../src/image/store.js';
import { BIN, expectNoStackTrace, ringlab, ringlabAsync, ROOT, useCli } from './helpers.js';

const cli = useCli();

function seed(storeDir: string): string {
  const store = ImageStore.open(storeDir);
  const l = storeLayer(store, createLayer(new Map(), new Map([['hi', { type: 'file', mode: 0o644, data: Buffer.from('hi') }]])));
  const image = storeImage(store, { ...emptyConfig(), rootfs: { type: 'layers', diff_ids: [l.diffId] }, history: [{}] }, [l.descriptor]);
  store.setTag('hello:1', image.manifestDescriptor);
  return image.id;
}

describe('ringlab registry serve, push, pull', () => {
  it('serves until interrupted; push and pull report the blobs and bytes moved', async () => {
    const child = spawn(process.execPath, [BIN, 'registry', 'serve', '--port', '0', '--root', join(cli.dir(), 'reg')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /at (http:\/\/\S+)\/v2\//.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const a = join(cli.dir(), 'a');
      const id = seed(a);
      const pushed = await ringlabAsync(['push', 'hello:1', '--registry', url, '--store', a]);
      expect(pushed.status, pushed.stderr).toBe(0);
      expect(pushed.stdout).toMatch(new RegExp(`^pushed to ${url}: hello:1 \\(sha256:[0-9a-f]{64}\\): 3 blobs moved, \\d+ bytes; 0 already there\\n$`));
      expect((await ringlabAsync(['push', 'hello:1', '--registry', url, '--store', a])).stdout).toMatch(/: 0 blobs moved, 0 bytes; 3 already there\n$/);
      const b = join(cli.dir(), 'b');
      const pulled = await ringlabAsync(['pull', 'hello:1', '--registry', url, '--store', b, '--json']);
      expect(JSON.parse(pulled.stdout)).toMatchObject({ ref: 'hello:1', blobsMoved: 3, blobsSkipped: 0, registry: url });
      expect(JSON.parse(ringlab(['image', 'inspect', 'hello:1', '--store', b]).stdout)[0].Id).toBe(id);
      const unknown = await ringlabAsync(['pull', 'nope:1', '--registry', url, '--store', b]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toMatch(/no image nope:1 in the registry at .*MANIFEST_UNKNOWN/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
    expect(code).toBe(0);
  });

  it('exit 13 when the registry is down, 1 for a bad URL, never a stack trace', async () => {
    const a = join(cli.dir(), 'c');
    seed(a);
    // a port nothing listens on: one the system just gave a server that is closed again
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const down = await ringlabAsync(['push', 'hello:1', '--registry', `http://127.0.0.1:${port}`, '--store', a]);
    expect(down.status).toBe(13);
    expect(down.stderr).toBe(`ringlab: cannot reach the registry at http://127.0.0.1:${port} (GET /v2/): ECONNREFUSED\n`);
    const bad = await ringlabAsync(['pull', 'hello:1', '--registry', 'ftp://x', '--store', a]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('ringlab: --registry ftp://x: not an http or https URL\n');
    for (const r of [down, bad]) expectNoStackTrace(r);
  });
});
