// Images on the emulated machine: the layer above src/image and src/configs that joins them
// (docs/images.md, "Running an image"). `container run`, `container run --commit` and a
// Ringfile's RUN all come here: an image's layers and config (src/image/run.ts) become one
// container for the guest's runtime (src/configs/container.ts, the path `boot --container`
// takes too), the machine boots, and the container's upper directory is read back from the
// guest's disk.

import { CRUN_MAX_LAYERS, diskFree, runContainer, UPPER_DIR, type ContainerLimits, type ContainerRun, type ContainerSpec } from '../configs/container.js';
import { findConfig, guestExtensions } from '../configs/index.js';
import { ROOT_DISK_BYTES } from '../configs/rootfs.js';
import type { BootConfig, BootOptions } from '../configs/types.js';
import { openFs } from '../fs/image.js';
import type { RunStep } from '../image/build.js';
import type { ImageConfig } from '../image/config.js';
import { clip } from '../image/digest.js';
import { treeFromDisk } from '../image/disk.js';
import { ImageError } from '../image/errors.js';
import { checkRequirements } from '../image/features.js';
import type { Descriptor } from '../image/manifest.js';
import { layerFiles, layerTrees, rootfsOf, StepExitError, upperLayer, withWorkdir } from '../image/run.js';
import type { ImageStore } from '../image/store.js';
import type { FileTree } from '../image/tree.js';
import { EXTENSIONS, isaWith } from '../isa/index.js';

/** What runs: the machine's configuration and the boot's options. */
export interface MachineChoice {
  readonly config: BootConfig;
  readonly boot?: Omit<BootOptions, 'workloads' | 'programs' | 'disk'>;
}

/** A container from an image (or from the state of a build so far). */
export interface ImageRun {
  readonly store: ImageStore;
  readonly config: ImageConfig;
  readonly layers: readonly Descriptor[];
  /** The full argv (containerArgv has applied docker's rules). */
  readonly argv: readonly string[];
  readonly hostname?: string;
  readonly limits?: ContainerLimits;
  /** On a terminal (-it): see ContainerSpec.interactive. */
  readonly interactive?: boolean;
}

export interface ImageRunResult extends ContainerRun {
  /** The root filesystem the container started from. */
  readonly lower: FileTree;
  /** Free blocks of the guest's disk before and after. */
  readonly freeBefore: number;
  readonly freeAfter: number;
}

/** The architecture check, the one place every container of an image passes through before
 *  anything boots (`container run`, with or without -it, and RUN): the image's requirements (its
 *  platform, ISA extensions and kernel features) against the machine this boot makes, as its
 *  guest kernel will see it (the configuration's VMM may hide extensions): checkRequirements,
 *  src/image/features.ts. A mismatch is a usage error naming everything missing. */
export function checkImageAgainstMachine(config: ImageConfig, machine: MachineChoice): void {
  const extensions = guestExtensions(machine.config, machine.boot ?? {});
  const problem = checkRequirements(config, { extensions, name: `--config ${machine.config.name}` });
  if (problem !== undefined) throw new ImageError(problem, 'usage');
}

/** The container an image run is: crun's spec, and the root filesystem it starts from. */
export function imageContainer(request: ImageRun): { spec: ContainerSpec; lower: FileTree } {
  const trees = layerTrees(request.store, request.layers, CRUN_MAX_LAYERS);
  const lower = rootfsOf(trees);
  const workdir = request.config.config?.WorkingDir;
  const spec: ContainerSpec = {
    layers: withWorkdir(trees, lower, workdir).map(layerFiles),
    command: request.argv,
    ...(request.hostname !== undefined && { hostname: request.hostname }),
    ...(workdir !== undefined && workdir !== '' && { cwd: workdir }),
    ...(request.limits && { limits: request.limits }),
    upper: 'disk',
    // The container lives for one boot and the disk is dropped at power-off (docker's --rm),
    // so crun never needs to delete it: --keep saves the rm, and keeps the upper for a commit.
    keep: true,
    ...(request.interactive && { interactive: true }),
  };
  return { spec, lower };
}

/** Boot the machine and run the image's container. */
export function runImage(request: ImageRun, machine: MachineChoice): ImageRunResult {
  checkImageAgainstMachine(request.config, machine);
  const { spec, lower } = imageContainer(request);
  const run = runContainer(machine.config, spec, isaWith([]), machine.boot ?? {});
  const after = run.result.machine.disk.contents();
  return { ...run, lower, freeBefore: run.freeBlocksBefore, freeAfter: diskFree(after).free };
}

/** The container's upper directory as crun left it on the disk, made a layer over the root
 *  filesystem it started from (src/image/run.ts, upperLayer). */
export function containerLayer(run: ImageRunResult): ReturnType<typeof upperLayer> {
  const opened = openFs(run.result.machine.disk.contents());
  if (!opened.ok) throw new ImageError(`the guest's disk after the run: ${opened.detail ?? opened.error}`, 'guest');
  const st = opened.value.stat(UPPER_DIR);
  if (!st.ok || st.value.type !== 'dir') throw new ImageError(`the container's upper layer ${UPPER_DIR} is not on the guest's disk after the run (crun could not make it)`, 'guest');
  return upperLayer(run.lower, treeFromDisk(opened.value, UPPER_DIR));
}

/** Whether a failure looks like the guest's disk filling up: almost no block left after. */
export function diskFilled(run: ImageRunResult): boolean {
  return run.freeAfter < 16;
}

const DISK_MIB = ROOT_DISK_BYTES >> 20;

/** The machine a build's RUN steps use: native, the default costs, every ISA extension (the
 *  builder's machine, as COPY assembles as a cross-assembler: an image that needs `legacy` can
 *  run its RUN steps; the same image whatever the host's choice, since every configuration
 *  gives the same output). */
export function buildMachine(): MachineChoice {
  return { config: findConfig('native')!, boot: { extensions: [...EXTENSIONS.keys()] } };
}

/** `image build`'s RUN on the emulated machine (build.ts takes it as BuildOptions.runStep): the
 *  step's layer, or a StepExitError with the command's exit code and output and the step's
 *  line:column. Env is not passed: the guest has no environment (docs/images.md). */
export function guestRunStep(machine: MachineChoice = buildMachine()): RunStep {
  return ({ store, config, layers, argv, at, text, log }) => {
    log(` ---> Running in a container on the emulated machine (${machine.config.name})`);
    const run = runImage({ store, config, layers, argv }, machine);
    const output = run.job?.output ?? '';
    if (output !== '') log(output.replace(/\n$/, ''));
    const what = `${at}: RUN ${clip(text)}`;
    if (run.result.stop.kind !== 'halt' || run.exitCode === null) {
      throw new StepExitError(`${what}: the machine stopped before the command ended (${run.result.stop.kind})`, 3, output);
    }
    if (run.exitCode !== 0) {
      const full = diskFilled(run) ? `; the guest's disk is full: its ${DISK_MIB} MiB root disk had ${run.freeBefore * 4} KiB free for the container's files when it started and ${run.freeAfter * 4} KiB at its end` : '';
      throw new StepExitError(`${what}: the command returned a non-zero code: ${run.exitCode}${full}`, run.exitCode, output);
    }
    const { tar, entries } = containerLayer(run);
    return { tar, entries };
  };
}
