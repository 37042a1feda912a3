// `ringlab container run [options] IMAGE [CMD...]`: docker run on the emulated machine. The image
// comes from the store (--store, RINGLAB_STORE), its layers and config become one container that
// the guest's runtime, /bin/crun, runs in a boot of configuration C (src/container/run.ts, over
// src/configs/container.ts: the path `boot --container` and a Ringfile's RUN take too). The
// container's output is printed and its exit code is ringlab's, as docker run's; ringlab's own
// failures have the codes of README's "Exit codes". `--commit NAME:TAG` is ringlab's
// `docker commit`: the container's writable layer becomes a new image when it has exited.

import type { ContainerLimits } from '../../configs/container.js';
import { storeImage, storeLayer, loadImage } from '../../image/image.js';
import { ImageError } from '../../image/errors.js';
import { formatReference, parseReference } from '../../image/reference.js';
import { containerArgv } from '../../image/run.js';
import { checkImageAgainstMachine, containerLayer, imageContainer, runImage, type ImageRunResult } from '../../container/run.js';
import { containerDisk } from '../../configs/container.js';
import { isaWith } from '../../isa/index.js';
import { readInput } from '../machine.js';
import type { Exit } from '../program.js';
import { parsePreset, parseCount, parseSize, DEFAULT_MAX_CYCLES } from '../options.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { bootFailure, configNamed, interactiveShell, parseExtensions, reportContainer } from './boot.js';
import { imageCli, openStore, type StoreOptions } from './image.js';

export interface ContainerRunOptions extends StoreOptions {
  config?: string;
  preset?: string;
  cpus?: string;
  memory?: string;
  pids?: string;
  hostname?: string;
  rm?: boolean;
  json?: boolean;
  stats?: boolean;
  maxCycles?: string;
  commit?: string;
  /** --extensions LIST: the machine's ISA extensions (as boot's). */
  extensions?: string;
  /** -i: the container's console input is this process's stdin (read to its end first unless -t). */
  interactive?: boolean;
  /** -t: the console is a terminal, this process's (with -i: an interactive session). */
  tty?: boolean;
}

/** The period of --cpus's cpu.max, as docker's (100 ms in Linux; 100,000 here, the kernel's
 *  default period: docs/containers.md, "The controllers"). */
export const CPU_PERIOD = 100_000;

/** The container's cgroup limits from docker's flags: --cpus F (cpu.max "F*PERIOD PERIOD"),
 *  --memory SIZE (memory.max in bytes), --pids N (pids.max). */
export function limitsOf(opts: Pick<ContainerRunOptions, 'cpus' | 'memory' | 'pids'>): ContainerLimits {
  const limits: { -readonly [K in keyof ContainerLimits]: string } = {};
  if (opts.cpus !== undefined) {
    const f = Number(opts.cpus.trim());
    if (opts.cpus.trim() === '' || !Number.isFinite(f) || f <= 0 || f > 1024) throw new CliError(`--cpus expects a number of CPUs above 0, such as 0.5 or 2, not '${opts.cpus}'`, ExitCode.USAGE);
    const quota = Math.round(f * CPU_PERIOD);
    if (quota < 1) throw new CliError(`--cpus ${opts.cpus}: less than one cycle in each period of ${CPU_PERIOD}`, ExitCode.USAGE);
    limits['cpu.max'] = `${quota} ${CPU_PERIOD}`;
  }
  if (opts.memory !== undefined) {
    const bytes = parseSize('--memory', opts.memory);
    if (bytes === 0) throw new CliError('--memory 0 leaves the container nothing to start with', ExitCode.USAGE);
    limits['memory.max'] = String(bytes);
  }
  if (opts.pids !== undefined) {
    const n = parseCount('--pids', opts.pids);
    if (n === 0) throw new CliError('--pids 0 leaves the container nothing to start with', ExitCode.USAGE);
    limits['pids.max'] = String(n);
  }
  return limits;
}

export function runCommand(image: string, args: readonly string[], opts: ContainerRunOptions): Exit {
  return imageCli((): Exit => {
    const config = configNamed(opts.config ?? 'native');
    if (opts.rm && opts.commit !== undefined) throw new CliError('--rm and --commit cannot be combined: --commit keeps the container to make an image of it', ExitCode.USAGE);
    if (opts.commit !== undefined && parseReference(opts.commit).digest) throw new CliError(`--commit takes NAME:TAG, not a digest: ${opts.commit}`, ExitCode.USAGE);
    const limits = limitsOf(opts);
    const extensions = parseExtensions(opts.extensions);
    if (opts.hostname !== undefined && (opts.hostname === '' || Buffer.byteLength(opts.hostname) > 64 || /[\n\r\0]/.test(opts.hostname))) {
      throw new CliError(`--hostname expects 1 to 64 bytes without a newline, not '${opts.hostname.slice(0, 70)}'`, ExitCode.USAGE);
    }
    const store = openStore(opts);
    const loaded = loadImage(store, image);
    const argv = containerArgv(loaded.config, args, image);
    if (opts.tty) {
      if (!opts.interactive) throw new CliError('-t needs -i: docker run -it gives the container a terminal and its input', ExitCode.USAGE);
      if (io.stdinIsTTY?.() !== true) throw new CliError('the input device is not a TTY: -it needs a terminal (leave out -t to give the container its input through a pipe with -i)', ExitCode.USAGE);
      if (opts.json) throw new CliError('--json needs the input given up front: leave out -t', ExitCode.USAGE);
      if (opts.commit !== undefined) throw new CliError('--commit with -it is not supported: commit a scripted run (-i with a pipe)', ExitCode.USAGE);
      const machine = { config, boot: { costs: parsePreset(opts.preset), ...(extensions.length > 0 && { extensions }) } };
      checkImageAgainstMachine(loaded.config, machine);
      const request = { store, config: loaded.config, layers: loaded.manifest.layers, argv, ...(opts.hostname !== undefined && { hostname: opts.hostname }), limits, interactive: true };
      let prepared: ReturnType<typeof containerDisk>;
      try {
        prepared = containerDisk(imageContainer(request).spec, isaWith([]));
      } catch (e) {
        throw bootFailure(e);
      }
      return interactiveShell(config, { ...(opts.maxCycles !== undefined && { maxCycles: opts.maxCycles }), ...(opts.stats && { stats: true }) }, { workloads: [] }, { ...prepared, boot: machine.boot });
    }
    const input = opts.interactive ? readInput('-') : undefined;
    const maxCycles = opts.maxCycles === undefined ? DEFAULT_MAX_CYCLES : parseCount('--max-cycles', opts.maxCycles);
    let run: ImageRunResult;
    try {
      run = runImage(
        {
          store,
          config: loaded.config,
          layers: loaded.manifest.layers,
          argv,
          ...(opts.hostname !== undefined && { hostname: opts.hostname }),
          limits,
        },
        { config, boot: { costs: parsePreset(opts.preset), maxCycles, ...(input && { input }), ...(extensions.length > 0 && { extensions }) } },
      );
    } catch (e) {
      if (e instanceof ImageError) throw e;
      throw bootFailure(e);
    }
    const code = reportContainer(run, opts, { image: loaded.ref ?? image, imageId: loaded.id });
    if (opts.commit !== undefined) commit(run, store, loaded, opts.commit, argv);
    return code;
  });
}

/** `--commit NAME:TAG`: the container's upper layer as a new layer on top of the image's, the
 *  image's config kept (as docker commit keeps it) with one more history entry. */
function commit(run: ImageRunResult, store: ReturnType<typeof openStore>, image: ReturnType<typeof loadImage>, target: string, argv: readonly string[]): void {
  if (run.result.stop.kind !== 'halt') throw new CliError('--commit: the machine stopped before the container ended; nothing was committed', ExitCode.GUEST);
  const { tar } = containerLayer(run);
  const layer = storeLayer(store, tar);
  const config = structuredClone(image.config);
  config.rootfs = { type: 'layers', diff_ids: [...config.rootfs.diff_ids, layer.diffId] };
  config.history = [...(config.history ?? []), { created_by: `ringlab container run ${argv.join(' ')}`, comment: 'ringlab container commit' }];
  const committed = storeImage(store, config, [...image.manifest.layers, layer.descriptor]);
  const name = formatReference(parseReference(target));
  store.setTag(name, committed.manifestDescriptor);
  io.stderr.write(`Committed ${name}: image ID ${committed.id} (a layer of ${tar.length} bytes)\n`);
}
