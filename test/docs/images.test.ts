// docs/images.md stays true: the traced image is rebuilt from examples/images/trace and every
// byte, digest, size and listing the page shows is checked against it.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleConfig } from '../../src/configs/container.js';
import { chainIds } from '../../src/image/ids.js';
import { loadImage } from '../../src/image/image.js';
import { ImageStore } from '../../src/image/store.js';
import { ringlab, ROOT, useCli } from '../cli/helpers.js';

const cli = useCli();
const DOC = readFileSync(join(ROOT, 'docs/images.md'), 'utf8');

describe('docs/images.md', () => {
  it('traces the image examples/images/trace builds: its Ringfile, build output, layers, IDs, config, manifest and tag', () => {
    const ringfile = readFileSync(join(ROOT, 'examples/images/trace/Ringfile'), 'utf8');
    expect(DOC).toContain(`\`\`\`\n${ringfile}\`\`\``);
    const store = join(cli.dir(), 'store');
    const built = ringlab(['image', 'build', '-t', 'trace:1', '--store', store, 'examples/images/trace']);
    expect(built.status, built.stderr).toBe(0);
    expect(DOC).toContain(`$ npx ringlab image build -t trace:1 examples/images/trace\n${built.stdout}\`\`\``);
    const s = ImageStore.open(store);
    const image = loadImage(s, 'trace:1');
    const diffIds = image.config.rootfs.diff_ids;
    for (const [i, layer] of image.manifest.layers.entries()) {
      const listing = execFileSync('tar', ['tvf', s.blobPath(layer.digest)], { encoding: 'utf8' });
      expect(DOC).toContain(`\`\`\`\n${listing}\`\`\``);
      expect(DOC).toContain(`DiffID(L${i}) = ${diffIds[i]}`);
      expect(layer.size).toBe(2560);
    }
    expect(DOC).toContain('Each is 2,560 bytes');
    const chain = chainIds(diffIds)[1]!;
    const sum = execFileSync('sh', ['-c', `printf '%s %s' ${diffIds[0]} ${diffIds[1]} | sha256sum`], { encoding: 'utf8' });
    expect(`sha256:${sum.slice(0, 64)}`).toBe(chain);
    expect(DOC).toContain(`$ printf '%s %s' ${diffIds[0]} ${diffIds[1]} | sha256sum\n${sum}\`\`\``);
    expect(DOC).toContain(`So the stack L0|L1 is \`${chain}\``);
    expect(DOC).toContain(`**The config** (${image.configBytes.length} bytes); its digest is the image ID,\n\`${image.id}\``);
    expect(DOC).toContain(`\`\`\`json\n${image.configBytes.toString()}\n\`\`\``);
    const manifest = readFileSync(s.blobPath(image.manifestDescriptor.digest), 'utf8');
    expect(DOC).toContain(`**The manifest** (${manifest.length} bytes), digest\n\`${image.manifestDescriptor.digest}\``);
    expect(DOC).toContain(`\`\`\`json\n${manifest}\n\`\`\``);
    expect(DOC).toContain(`\`\`\`json\n${readFileSync(join(store, 'index.json'), 'utf8')}\n\`\`\``);
  });

  it('traces the build of examples/images/book: its RUN step on the guest, the bundle, the layer it made and the run', () => {
    const ringfile = readFileSync(join(ROOT, 'examples/images/book/Ringfile'), 'utf8');
    expect(DOC).toContain(`\`\`\`\n${ringfile}\`\`\``);
    const store = join(cli.dir(), 'book-store');
    expect(ringlab(['image', 'build', '-q', '-t', 'base:1', '--store', store, 'examples/images/base']).status).toBe(0);
    const built = ringlab(['image', 'build', '-t', 'book:1', '--store', store, 'examples/images/book']);
    expect(built.status, built.stderr).toBe(0);
    const steps = built.stdout.slice(0, built.stdout.indexOf('Built book:1'));
    expect(DOC).toContain(`$ npx ringlab image build -t book:1 examples/images/book\n${steps}Built book:1: image ID sha256:...\n\`\`\``);
    const s = ImageStore.open(store);
    const image = loadImage(s, 'book:1');
    const run = image.manifest.layers.at(-1)!;
    const listing = execFileSync('tar', ['tvf', s.blobPath(run.digest)], { encoding: 'utf8' });
    expect(DOC).toContain(`\`\`\`\n${listing}\`\`\`\n\n${run.size.toLocaleString('en-US')} bytes; its digest, and DiffID, is\n\`${run.digest}\`.`);
    const text = image.config.history!.find((h) => h.created_by?.startsWith('RUN '))!.created_by!.slice(4);
    expect(DOC).toContain(`\`\`\`\n${bundleConfig({ command: ['/bin/sh', '-c', text], layerCount: 2, cwd: '/srv', upper: 'disk' })}\`\`\``);
    const ran = ringlab(['container', 'run', '--store', store, 'book:1']);
    expect(ran.status).toBe(0);
    expect(DOC).toContain(`$ npx ringlab container run book:1\n${ran.stdout}\`\`\``);
  });
});
