// `ringlab`: the command line, as a function of its arguments and io (main.ts is the executable).
// A command's module is loaded only when that command runs: loading all of them (the machine,
// the configurations, the debugger, the benchmark harness) took more time than `ringlab asm`.
// Every failure ends in one clear message on stderr and a documented exit code (see
// errors.ts), never a stack trace.

import { Command, CommanderError, Option } from 'commander';
import { defaultEngine, ENGINES, setDefaultEngine, type EngineName } from '../machine/engine.js';
import { err } from './colour.js';
import { CliError, ExitCode } from './errors.js';
import { processIo, setIo, type CliIo } from './io.js';
import { DEFAULT_DEBUG_WORKLOAD, DEFAULT_MAX_CYCLES } from './options.js';
import { COST_PRESETS } from '../machine/costs.js';

/** Each command's module, loaded on demand. */
export const COMMAND_MODULES = {
  run: () => import('./commands/run.js'),
  boot: () => import('./commands/boot.js'),
  bench: () => import('./commands/bench.js'),
  debug: () => import('./commands/debug.js'),
  asm: () => import('./commands/asm.js'),
  disasm: () => import('./commands/disasm.js'),
  isa: () => import('./commands/isa.js'),
  fuzz: () => import('./commands/fuzz.js'),
  fs: () => import('./commands/fs.js'),
  image: () => import('./commands/image.js'),
  container: () => import('./commands/container.js'),
  compose: () => import('./commands/compose.js'),
  registry: () => import('./commands/registry.js'),
  push: () => import('./commands/registry.js'),
  pull: () => import('./commands/registry.js'),
};

type CommandName = keyof typeof COMMAND_MODULES;

/** The command modules at hand: main loads the one the command line names. */
export type Commands = { [K in CommandName]?: Awaited<ReturnType<(typeof COMMAND_MODULES)[K]>> };

/** An exit code; `debug` and an interactive `boot --shell` give a promise of one (they need the
 *  event loop). */
export type Exit = number | Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** One definition per option: every command that takes an option adds the same one, so its
 *  name, value syntax, default and help read alike everywhere (what differs is passed in). */
const OPTIONS = {
  maxCycles: (what = 'stop after this many cycles') => new Option('--max-cycles <n>', `${what} (default ${DEFAULT_MAX_CYCLES.toExponential()})`),
  stats: () => new Option('--stats', 'print cycles, instructions, traps and TLB figures to stderr'),
  json: (what: string) => new Option('--json', what),
  input: (what = "console input bytes ('-' for stdin)") => new Option('--input <file>', what),
  disk: () => new Option('--disk <file>', 'a disk image (a multiple of 4096 bytes, at most 256 MiB); written back when the run ends if the guest wrote to it (docs/disk.md)'),
  memory: () => new Option('--memory <size>', 'physical memory, e.g. 64K or 16M (default 16M)'),
  preset: () => new Option('--preset <name>', 'cost model preset').choices(Object.keys(COST_PRESETS)).default('default'),
  presets: () => new Option('--preset <list>', `comma-separated cost presets (default: all: ${Object.keys(COST_PRESETS).join(', ')})`),
  extensions: (what = 'comma-separated ISA extensions to switch on') => new Option('--extensions <list>', what),
  define: (what: string) => new Option('-D, --define <NAME[=VALUE]>', what).argParser(collect),
  kernelDefine: () => OPTIONS.define('build the guest kernel with this option (repeatable; e.g. -D LEGACY; docs/kernel.md)'),
  includeRoot: () => new Option('--include-root <dir>', ".include may read only files inside this directory (default: the source file's directory) and ringlab's programs/lib"),
  config: () => new Option('--config <name>', 'boot configuration (default native)'),
  configs: (what: string) => new Option('--config <list>', what),
  workload: (what = 'comma-separated workloads, one or more processes each') => new Option('--workload <list>', what),
  iterations: () => new Option('--iterations <n>', "iteration count for every process (default: each workload's own)"),
  quantum: () => new Option('--quantum <cycles>', 'timer quantum in cycles (default: the kernel default, 100000)'),
  run: () => new Option('--run <path>', 'an executable already on the --disk (e.g. /bin/prog) as one more process; repeatable').argParser(collect),
  program: () =>
    new Option('--program <file[:n]>', 'a user program of your own (source or image, linked at USER_BASE: include user.inc first) as one more process, installed in /bin of the root disk; :N gives it its own iteration count (a0); repeatable').argParser(collect),
  engine: () => new Option('--engine <name>', 'execution engine: translate (the default: hot blocks compiled to JavaScript) or interp (the generated interpreter); both give the same results bit for bit (docs/architecture.md)').choices([...ENGINES]),
  store: () => new Option('--store <dir>', 'the image store, an OCI image layout directory (default: $RINGLAB_STORE, else ~/.ringlab/images; docs/images.md)'),
} as const;

function buildProgram(commands: Commands, io: CliIo, setExit: (code: Exit) => void): Command {
  const need = <K extends CommandName>(name: K): NonNullable<Commands[K]> => {
    const loaded = commands[name];
    if (!loaded) throw new Error(`the module of '${name}' is not loaded`);
    return loaded;
  };
  const program = new Command().enablePositionalOptions(); // container run IMAGE CMD -x: -x is CMD's
  program
    .name('ringlab')
    .description('An instruction-level machine emulator for teaching and measuring virtualization.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(err.red(text)),
    })
    .addOption(OPTIONS.engine())
    // --engine before the command (ringlab --engine interp image build ...) or, on the commands
    // that run a machine, after it: it sets the engine of every machine the command makes.
    .hook('preAction', (root, action) => {
      const engine = (action.opts()['engine'] ?? root.opts()['engine']) as EngineName | undefined;
      if (engine !== undefined) setDefaultEngine(engine);
    });

  program
    .command('run')
    .description('run a program on bare metal: ring 0, paging off, console on stdout')
    .argument('<file>', 'assembly source (.s) or image (.rli)')
    .addOption(OPTIONS.engine())
    .addOption(OPTIONS.maxCycles())
    .addOption(OPTIONS.stats())
    .addOption(OPTIONS.json('print one JSON object with the console output and statistics'))
    .addOption(OPTIONS.input())
    .addOption(OPTIONS.disk())
    .addOption(OPTIONS.memory())
    .addOption(OPTIONS.preset())
    .addOption(OPTIONS.extensions())
    .addOption(OPTIONS.includeRoot())
    .action((file: string, opts) => setExit(need('run').runCommand(file, opts)));

  program
    .command('boot')
    .description('boot the guest kernel with workloads (or programs of your own) as its processes (see --list)')
    .addOption(OPTIONS.engine())
    .addOption(OPTIONS.config().default('native'))
    .addOption(OPTIONS.workload())
    .addOption(OPTIONS.program())
    .addOption(OPTIONS.run())
    .addOption(OPTIONS.iterations())
    .addOption(OPTIONS.maxCycles())
    .addOption(OPTIONS.stats())
    .addOption(OPTIONS.json('print one JSON object with the console output, statistics and processes'))
    .addOption(OPTIONS.quantum())
    .addOption(OPTIONS.input("console input bytes for the processes' read(0) ('-' for stdin)"))
    .addOption(OPTIONS.disk())
    .option('--host-workload <list>', 'with --config hosted: comma-separated workloads the host runs beside the VMM process (docs/vmm-hosted.md)')
    .option('--vhost-console', "with --config hosted: the host kernel's driver writes the guest's console output itself instead of returning to the VMM process (vhost; docs/vmm-hosted.md)")
    .option('--read-only', 'mount the root filesystem read-only: calls that would change it give EROFS')
    .option('--tty', 'the console is a terminal (BOOT_TTY): the kernel echoes --input, edits lines, CR is NL, Ctrl-C is SIGINT, Ctrl-D ends input')
    .addOption(OPTIONS.memory())
    .addOption(OPTIONS.preset())
    .addOption(OPTIONS.extensions("comma-separated ISA extensions the machine has besides the base ISA (e.g. legacy; default none): the guest kernel reads them from EXTENSIONS and exec refuses programs that need others (ENOEXEC)"))
    .option('--list', 'list configurations and workloads')
    .option('--shell', 'run /bin/sh as the only process: on a terminal an interactive session (Ctrl-\\ ends it), else a scripted one reading --input or stdin (docs/shell.md)')
    .option('--container <dir>', 'a layer of a container run by /bin/crun, the guest\'s runtime (repeatable: the first at the bottom); the command follows --: boot --container DIR -- CMD [ARGS] (docs/containers.md)', collect)
    .argument('[command...]', 'with --container: the command the container runs, after --')
    .addOption(OPTIONS.kernelDefine())
    .addOption(OPTIONS.includeRoot())
    .action((command: string[], opts) => setExit(opts.shell && !opts.list && opts.container === undefined ? need('boot').shellCommand(opts) : need('boot').bootCommand(opts, command)));

  program
    .command('bench')
    .description('run a benchmark suite and write its report (see docs/benchmarks.md)')
    .argument('[suite]', 'overhead (default), nano, sweep, speed or isolation (containers against VMs: docs/isolation.md)')
    .addOption(OPTIONS.engine())
    .addOption(OPTIONS.presets())
    .addOption(OPTIONS.workload("comma-separated workloads (default: the suite's own)"))
    .addOption(OPTIONS.configs('comma-separated configs (default: all; native always runs, as the baseline)'))
    .option('--out <dir>', 'directory for results.json, results.csv, report.md, report.html and the SVG charts (default bench/results; isolation: bench/results/isolation)')
    .option('--no-files', 'write no report files')
    .addOption(OPTIONS.json('print results.json to stdout instead of the terminal report'))
    .option('--samples <n>', 'speed suite: timed boots per config (default 5)')
    .action((suite: string | undefined, opts) => setExit(need('bench').benchCommand(suite, opts)));

  program
    .command('fuzz')
    .description('the equivalence tester: random programs under every config and preset, compared with native per process (docs/equivalence.md)')
    .option('--programs <n>', 'about how many random programs to run (4 to 8 per boot set; default 60)')
    .option('--seed <n>', 'seed of the run: the same seed runs the same programs (default 1)')
    .option('--boot-seed <n>', 'run just this boot set (a divergence report names it)')
    .addOption(OPTIONS.engine())
    .addOption(OPTIONS.configs('comma-separated configs compared with native (default: all)'))
    .addOption(OPTIONS.presets())
    .option('--save <dir>', "write each boot set's program sources under DIR/<boot seed>/")
    .addOption(OPTIONS.json('print one JSON object with the divergences'))
    .action((opts) => setExit(need('fuzz').fuzzCommand(opts)));

  program
    .command('debug')
    .description('debug a program or a boot configuration: step, break, watch, go backwards (see docs/debugger.md)')
    .argument('[file]', 'assembly source (.s) or image (.rli); without it, a boot configuration')
    .addOption(OPTIONS.engine())
    .addOption(OPTIONS.config())
    .addOption(OPTIONS.workload(`comma-separated workloads (default ${DEFAULT_DEBUG_WORKLOAD})`))
    .addOption(OPTIONS.iterations())
    .addOption(OPTIONS.program())
    .addOption(OPTIONS.quantum())
    .option('--script <file>', 'run the debugger commands in this file first')
    .option('--batch', 'print a transcript (each command after the prompt) and exit when the commands end')
    .addOption(OPTIONS.maxCycles('cycle budget of one continue, nexti or finish'))
    .addOption(OPTIONS.memory())
    .addOption(OPTIONS.preset())
    .addOption(OPTIONS.input('with FILE: console input bytes (as for run; commands still come from stdin)'))
    .addOption(OPTIONS.extensions('with FILE: comma-separated ISA extensions to switch on (as for run)'))
    .addOption(OPTIONS.kernelDefine())
    .addOption(OPTIONS.includeRoot())
    .action((file: string | undefined, opts) => setExit(need('debug').debugCommand(file, opts)));

  program
    .command('asm')
    .description('assemble a source file into an image')
    .argument('<file>', 'assembly source')
    .option('-o, --output <image>', 'image file to write (default: FILE with .rli; with --exec, FILE without .s)')
    .option('--exec', 'write an executable for the guest kernel (docs/fs.md, "Executables") instead of an image: a user program (include user.inc first), to put in /bin with ringlab fs put')
    .option('--listing', 'print the listing (address, words, source) to stdout')
    .addOption(OPTIONS.define('define a symbol before the first line (repeatable; VALUE defaults to 1)'))
    .addOption(OPTIONS.extensions())
    .addOption(OPTIONS.includeRoot())
    .action((file: string, opts) => setExit(need('asm').asmCommand(file, opts)));

  program
    .command('disasm')
    .description('disassemble an image (or a source file, after assembling it)')
    .argument('<file>', 'image (.rli) or assembly source')
    .addOption(OPTIONS.extensions())
    .addOption(OPTIONS.includeRoot())
    .action((file: string, opts) => setExit(need('disasm').disasmCommand(file, opts)));

  program
    .command('isa')
    .description('list the instruction set (derived from the instruction table)')
    .option('--markdown', 'print the full reference as Markdown (docs/ISA.md)')
    .option('--check', 'classify every instruction by running it (Popek-Goldberg) and say whether a trap-and-emulate VMM can be built; exit 10 if not')
    .addOption(OPTIONS.json('with --check: print one JSON object with the classification and its evidence'))
    .addOption(OPTIONS.extensions())
    .action((opts) => setExit(need('isa').isaCommand(opts)));

  const fs = program
    .command('fs')
    .description('build and inspect disk images in the filesystem format the kernel uses (docs/fs.md)');
  fs.command('mkfs')
    .description('write a fresh filesystem with an empty root directory to DISK')
    .argument('<disk>', 'disk image file to write')
    .option('--size <size>', 'image size, a multiple of 4K, e.g. 1M (default 4M)')
    .option('--inodes <n>', 'number of inodes (default: one per four blocks)')
    .action((disk: string, opts) => setExit(need('fs').mkfsCommand(disk, opts)));
  fs.command('ls')
    .description('list a directory: type, links, size, name')
    .argument('<disk>', 'disk image')
    .argument('[path]', 'directory or file (default /)')
    .action((disk: string, path: string | undefined) => setExit(need('fs').lsCommand(disk, path)));
  fs.command('tree')
    .description('draw the directory tree')
    .argument('<disk>', 'disk image')
    .argument('[path]', 'directory (default /)')
    .action((disk: string, path: string | undefined) => setExit(need('fs').treeCommand(disk, path)));
  fs.command('cat')
    .description("print a file's bytes")
    .argument('<disk>', 'disk image')
    .argument('<path>', 'file in the image')
    .action((disk: string, path: string) => setExit(need('fs').catCommand(disk, path)));
  fs.command('get')
    .description('copy a file out of the image')
    .argument('<disk>', 'disk image')
    .argument('<path>', 'file in the image')
    .argument('[hostfile]', "file to write (default, or '-': stdout)")
    .action((disk: string, path: string, host: string | undefined) => setExit(need('fs').getCommand(disk, path, host)));
  fs.command('put')
    .description('copy a host file into the image, replacing a file of that name')
    .argument('<disk>', 'disk image')
    .argument('<hostfile>', "file to copy ('-': stdin)")
    .argument('<path>', 'its path in the image (the directory must exist)')
    .action((disk: string, host: string, path: string) => setExit(need('fs').putCommand(disk, host, path)));
  fs.command('rm')
    .description('remove a file or an empty directory')
    .argument('<disk>', 'disk image')
    .argument('<path>', 'path in the image')
    .action((disk: string, path: string) => setExit(need('fs').rmCommand(disk, path)));
  fs.command('mkdir')
    .description('make a directory')
    .argument('<disk>', 'disk image')
    .argument('<path>', 'path in the image (its parent must exist)')
    .action((disk: string, path: string) => setExit(need('fs').mkdirCommand(disk, path)));
  fs.command('fsck')
    .description('check the image and name each problem; exit 0 when clean, 12 when not')
    .argument('<disk>', 'disk image')
    .addOption(OPTIONS.json('print one JSON object with the problems and the counts'))
    .action((disk: string, opts) => setExit(need('fs').fsckCommand(disk, opts)));

  const image = program
    .command('image')
    .description('the image store: OCI images built, pulled or imported (docs/images.md)');
  image.command('build')
    .description('build an image from a Ringfile and a build context directory, like docker build (docs/images.md)')
    .argument('<dir>', 'the build context: COPY sources are read from it')
    .requiredOption('-t, --tag <name:tag>', 'the NAME[:TAG] of the image')
    .option('-f, --file <ringfile>', 'the Ringfile (default: DIR/Ringfile)')
    .option('--no-cache', 'run every step, hits or not')
    .option('-q, --quiet', 'print only the image ID')
    .addOption(OPTIONS.store())
    .action((dir: string, opts) => setExit(need('image').buildCommand(dir, opts)));
  image.command('ls')
    .description('list the images: name, tag, image ID, layers, size')
    .addOption(OPTIONS.store())
    .addOption(OPTIONS.json('print one JSON array'))
    .action((opts) => setExit(need('image').lsCommand(opts)));
  image.command('inspect')
    .description("print an image's IDs, config and layers (DiffID and ChainID of each) as JSON")
    .argument('<image...>', 'NAME[:TAG] or NAME@DIGEST')
    .addOption(OPTIONS.store())
    .action((refs: string[], opts) => setExit(need('image').inspectCommand(refs, opts)));
  image.command('history')
    .description("list an image's steps, newest first, with the layer each made")
    .argument('<image>', 'NAME[:TAG] or NAME@DIGEST')
    .addOption(OPTIONS.store())
    .addOption(OPTIONS.json('print one JSON array, oldest step first'))
    .action((ref: string, opts) => setExit(need('image').historyCommand(ref, opts)));
  image.command('rm')
    .description('remove tags, then the blobs no image refers to any more')
    .argument('<image...>', 'NAME[:TAG]')
    .addOption(OPTIONS.store())
    .action((refs: string[], opts) => setExit(need('image').rmCommand(refs, opts)));
  image.command('tag')
    .description('give an image another NAME:TAG')
    .argument('<source>', 'NAME[:TAG] or NAME@DIGEST')
    .argument('<target>', 'NAME[:TAG]')
    .addOption(OPTIONS.store())
    .action((source: string, target: string, opts) => setExit(need('image').tagCommand(source, target, opts)));
  image.command('export')
    .description('write images as a new OCI image layout directory')
    .argument('<image...>', 'NAME[:TAG]')
    .requiredOption('-o, --output <dir>', 'the layout directory to write (must not exist, or be empty)')
    .addOption(OPTIONS.store())
    .action((refs: string[], opts) => setExit(need('image').exportCommand(refs, opts)));
  image.command('import')
    .description("check an OCI image layout directory's structure and import its tagged images")
    .argument('<dir>', 'an OCI image layout directory')
    .addOption(OPTIONS.store())
    .action((dir: string, opts) => setExit(need('image').importCommand(dir, opts)));

  const container = program
    .command('container')
    .description('containers from images, run by the guest\'s runtime /bin/crun (docs/images.md, "Running an image")')
    .enablePositionalOptions();
  container
    .command('run')
    .description('run IMAGE\'s command (or CMD) in a container on the emulated machine, like docker run: its output, and its exit code as ringlab\'s')
    .argument('<image>', 'NAME[:TAG] or NAME@DIGEST in the store')
    .argument('[cmd...]', "the command and its arguments, in place of the image's CMD (after its ENTRYPOINT)")
    .addOption(OPTIONS.config())
    .addOption(OPTIONS.preset())
    .option('--cpus <n>', "the container's CPU budget, e.g. 0.5 (cpu.max: n x 100000 of each 100000 cycles)")
    .option('--memory <size>', "the container's memory limit, e.g. 512K (memory.max)")
    .option('--pids <n>', 'the most processes the container may have at once (pids.max)')
    .option('--hostname <name>', "the container's hostname (default: its id, ctr)")
    .addOption(OPTIONS.extensions("comma-separated ISA extensions the machine has besides the base ISA (e.g. legacy): an image that needs others is refused before the boot"))
    .option('-i, --interactive', "the container's input is stdin (read to its end first, unless -t)")
    .option('-t, --tty', 'with -i, on a terminal: an interactive session in the container (docker run -it)')
    .option('--rm', 'remove the container when it exits (always so: a container lives for one boot)')
    .option('--commit <name:tag>', "when the container has exited, make its writable layer a new image NAME:TAG (ringlab's docker commit)")
    .addOption(OPTIONS.store())
    .addOption(OPTIONS.maxCycles())
    .addOption(OPTIONS.stats())
    .addOption(OPTIONS.json('print one JSON object as boot --json does, with the image and its ID'))
    .passThroughOptions()
    .action((imageRef: string, cmd: string[], opts) => setExit(need('container').runCommand(imageRef, cmd, opts)));

  program
    .command('compose')
    .description('run the services of a compose FILE (JSON: images, commands, hostnames, addresses, limits) as containers in one boot, like docker compose up: each line of output after its service\'s name (docs/images.md, "Compose: several containers in one boot")')
    .argument('<file>', 'the compose file')
    .addOption(OPTIONS.config())
    .addOption(OPTIONS.preset())
    .addOption(OPTIONS.extensions("comma-separated ISA extensions the machine has besides the base ISA: an image that needs others is refused before the boot"))
    .addOption(OPTIONS.store())
    .addOption(OPTIONS.maxCycles())
    .action((file: string, opts) => setExit(need('compose').composeCommand(file, opts)));

  program
    .command('registry')
    .description('an OCI distribution registry (docs/images.md, "The registry")')
    .command('serve')
    .description('serve the OCI distribution API (pull and push) over HTTP until interrupted')
    .option('--port <n>', 'TCP port (default 5000; 0 picks a free one)')
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--root <dir>', 'where blobs and repositories are stored (default: $RINGLAB_REGISTRY_ROOT, else ~/.ringlab/registry)')
    .option('--quiet', 'do not log each request to stderr')
    .action((opts) => setExit(need('registry').serveCommand(opts)));
  for (const [verb, what] of [['push', 'send an image to a registry, only the blobs it lacks'], ['pull', 'fetch an image from a registry into the store, only the blobs it lacks']] as const) {
    program
      .command(verb)
      .description(`${what}; report the bytes moved`)
      .argument('<image>', 'NAME[:TAG]')
      .option('--registry <url>', 'the registry (default: $RINGLAB_REGISTRY, else http://localhost:5000)')
      .addOption(OPTIONS.store())
      .addOption(OPTIONS.json('print one JSON object with the blobs and bytes moved'))
      .action((ref: string, opts) => setExit(verb === 'push' ? need('push').pushCommand(ref, opts) : need('pull').pullCommand(ref, opts)));
  }

  return program;
}

/** The command the arguments name: the first one that is not an option (of the program's own
 *  options only --engine takes a value). */
function commandName(argv: readonly string[]): CommandName | undefined {
  const word = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '--engine');
  return word !== undefined && Object.hasOwn(COMMAND_MODULES, word) ? (word as CommandName) : undefined;
}

/** The one message and exit code for an error out of a command. */
function reportError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors were already printed.
    return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  }
  if (e instanceof CliError) {
    io.stderr.write(`${err.red('ringlab:')} ${e.message}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`${err.red('ringlab: internal error:')} ${message}\n(this is a bug in ringlab; please report it with the command you ran)\n`);
  return ExitCode.INTERNAL;
}

/** Run one command line with the command modules it needs already loaded. Synchronous, so
 *  tests can run the CLI in-process with captured io, except `debug`, which gives a promise. */
export function runCli(argv: readonly string[], io: CliIo, commands: Commands): Exit {
  let exit: Exit = ExitCode.OK;
  const previous = setIo(io);
  const previousEngine = defaultEngine();
  try {
    // The setter returns nothing: an action that returned a command's promise would have
    // commander chain it, and a rejection would surface twice (once unhandled).
    buildProgram(commands, io, (code) => {
      exit = code;
    }).parse([...argv], { from: 'user' });
  } catch (e) {
    return reportError(e, io);
  } finally {
    setIo(previous);
    if (typeof exit === 'number') setDefaultEngine(previousEngine);
  }
  const done = exit as Exit; // set by the action, which TypeScript does not see
  return typeof done === 'number' ? done : done.catch((e: unknown) => reportError(e, io));
}

/** Load the module of the command the arguments name, then run it. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const name = commandName(argv);
  const commands: Commands = {};
  if (name) Object.assign(commands, { [name]: await COMMAND_MODULES[name]() });
  return runCli(argv, io, commands);
}
