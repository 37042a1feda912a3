// `ringlab boot --container DIR [--container DIR2 ...] -- CMD [ARGS]`: a container run by the
// guest's own runtime, /bin/crun (programs/user/crun.s;
// docs/containers.md, "A container runtime"). The host does what an image builder and `docker run` do before the runtime takes
// over: it copies each DIR onto the root disk as a layer, /var/lib/crun/layers/N (N from 0, the
// first DIR at the bottom), assembling every `.s` file in it into an executable of the same
// name without `.s` (as boot does for programs); writes a bundle, /var/lib/crun/bundle/config;
// and starts one process, /bin/container, a launcher that execs `crun run ctr BUNDLE`. So the
// boot's one job is crun's: its output is the container's, its exit code the container's.
// Until the images issue (18) gives real OCI images and bundles, a layer is a directory of the
// host and the bundle is crun's flat key=value config.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assemble, type Image } from '../asm/index.js';
import { formatAsmError } from '../asm/errors.js';
import { ExecFormatError, toExecutable } from '../fs/exec.js';
import type { Isa } from '../isa/index.js';
import { USER_DIR } from './images.js';
import { BootError, type UserProgram } from './types.js';
import type { DiskFile } from './workloads.js';

/** Where the layers go on the root disk: LAYER_DIR/0, LAYER_DIR/1, ... */
export const LAYER_DIR = '/var/lib/crun/layers';
/** The bundle crun runs. */
export const BUNDLE_DIR = '/var/lib/crun/bundle';
/** The container's id (and, since the bundle gives no hostname, its hostname). */
export const CONTAINER_ID = 'ctr';
/** The launcher's name: its process is the boot's one job. */
export const LAUNCHER = 'container';

/** A `.s` file of a layer that does not assemble: `message` names the file and the line. */
export class LayerAssemblyError extends Error {}

/** A host directory's files as one layer's DiskFiles under `root` (a `.s` file assembled into
 *  an executable without the suffix). Throws BootError for a missing DIR or one that is not a
 *  directory, LayerAssemblyError for a source that does not assemble. */
export function layerFiles(dir: string, root: string, isa: Isa): DiskFile[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new BootError(`--container ${dir}: no such directory`);
  }
  if (!st.isDirectory()) throw new BootError(`--container ${dir}: not a directory`);
  const out: DiskFile[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(at, entry.name);
      const inside = relative(dir, path).split('\\').join('/');
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!entry.isFile()) continue;
      if (entry.name.endsWith('.s')) {
        out.push({ path: `${root}/${inside.slice(0, -2)}`, bytes: executable(assembleLayerSource(path, isa), path) });
      } else {
        out.push({ path: `${root}/${inside}`, bytes: new Uint8Array(readFileSync(path)) });
      }
    }
  };
  walk(dir);
  // An empty directory still has to exist on the disk: crun checks that every layer is one.
  if (out.length === 0) out.push({ path: `${root}/.keep`, bytes: new Uint8Array() });
  return out;
}

function assembleLayerSource(path: string, isa: Isa): Image {
  const r = assemble(readFileSync(path, 'utf8'), { fileName: path, isa, includePath: [USER_DIR] });
  if (!r.ok) {
    const n = r.errors.length;
    throw new LayerAssemblyError(`${r.errors.map(formatAsmError).join('\n')}\n${n} error${n === 1 ? '' : 's'} in ${path} (a layer of --container)`);
  }
  return r.image;
}

function executable(image: Image, path: string): Uint8Array {
  try {
    return toExecutable(image, path);
  } catch (e) {
    if (e instanceof ExecFormatError) throw new LayerAssemblyError(`--container: ${e.message}`);
    throw e;
  }
}

/** The bundle's config for these layers and this command (words joined by spaces: crun's
 *  `cmd=` splits at spaces, so a word must not hold one), plus `extra` lines as they are. */
export function bundleConfig(layerCount: number, command: readonly string[], extra: readonly string[] = []): string {
  if (command.length === 0) throw new BootError('--container needs a command: ringlab boot --container DIR -- CMD [ARGS]');
  for (const word of command) {
    if (word === '' || /[\s]/.test(word)) throw new BootError(`--container: the command's word '${word}' is empty or holds a space or a newline (crun's cmd= splits words at spaces)`);
  }
  const layers = Array.from({ length: layerCount }, (_, i) => `${LAYER_DIR}/${i}`).join(':');
  return [`layers=${layers}`, `cmd=${command.join(' ')}`, ...extra].join('\n') + '\n';
}

/** The launcher: exec /bin/crun run ctr BUNDLE (it returns only if /bin/crun cannot run). */
export function launcher(isa: Isa): UserProgram {
  const args = ['crun', 'run', CONTAINER_ID, BUNDLE_DIR];
  const source = `        .include "user.inc"
_start: la   a0, path
        la   a1, argv
        call exec
        li   a0, 127
        call exit
path:   .asciz "/bin/crun"
${args.map((a, i) => `arg${i}:   .asciz "${a}"`).join('\n')}
        .align 4
argv:   .word ${args.map((_, i) => `arg${i}`).join(', ')}, 0
        .include "lib.s"
`;
  const r = assemble(source, { fileName: join(USER_DIR, `${LAUNCHER}.s`), isa });
  if (!r.ok) throw new Error(`the container launcher does not assemble: ${JSON.stringify(r.errors[0])}`);
  return { name: LAUNCHER, image: r.image };
}

/** Everything a container boot puts on the disk: each directory as a layer, the bundle. */
export function containerFiles(dirs: readonly string[], command: readonly string[], isa: Isa, extra: readonly string[] = []): DiskFile[] {
  if (dirs.length === 0) throw new BootError('--container DIR is required');
  const config = bundleConfig(dirs.length, command, extra);
  const files = dirs.flatMap((dir, i) => layerFiles(dir, `${LAYER_DIR}/${i}`, isa));
  files.push({ path: `${BUNDLE_DIR}/config`, bytes: new TextEncoder().encode(config) });
  return files;
}
