// `ringlab compose FILE`: docker compose up on the emulated machine (docs/images.md,
// "Compose: several containers in one boot"). The file (JSON, src/container/compose.ts) names services,
// each an image of the store with its own command, hostname, network address and limits; one
// boot of configuration C runs them all through the guest's /bin/crun. Each service's output is
// printed with its name in front of each line, as docker compose prints it, and ringlab's exit
// code is the `exit` service's (or, without one, the first non-zero one).

import { readFileSync } from 'node:fs';
import { describeStop } from '../../configs/report.js';
import { ComposeError, parseCompose, runCompose, type ComposeRequest, type ComposeRun } from '../../container/compose.js';
import { ImageError } from '../../image/errors.js';
import { loadImage } from '../../image/image.js';
import { containerArgv } from '../../image/run.js';
import { err } from '../colour.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { DEFAULT_MAX_CYCLES, parseCount, parsePreset } from '../options.js';
import type { Exit } from '../program.js';
import { bootFailure, configNamed, parseExtensions } from './boot.js';
import { limitsOf } from './container.js';
import { imageCli, openStore, type StoreOptions } from './image.js';

export interface ComposeOptions extends StoreOptions {
  config?: string;
  preset?: string;
  maxCycles?: string;
  extensions?: string;
}

/** Each line of `text` with `prefix` in front (a last line without a newline gets one). */
export function prefixed(prefix: string, text: string): string {
  if (text === '') return '';
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.map((l) => `${prefix}${l}\n`).join('');
}

/** The services' output, grouped by service in the file's order, as docker compose prefixes it:
 *  "NAME | line" with the names padded to one width. */
export function composeOutput(run: ComposeRun): string {
  const width = Math.max(...run.services.map((s) => s.name.length));
  return run.services.map((s) => prefixed(`${s.name.padEnd(width)} | `, s.job?.output ?? '')).join('');
}

export function composeCommand(file: string, opts: ComposeOptions): Exit {
  return imageCli((): Exit => {
    const config = configNamed(opts.config ?? 'native');
    const extensions = parseExtensions(opts.extensions);
    const maxCycles = opts.maxCycles === undefined ? DEFAULT_MAX_CYCLES : parseCount('--max-cycles', opts.maxCycles);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`${file}: cannot read the compose file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, ExitCode.USAGE);
    }
    let compose;
    try {
      compose = parseCompose(text, file);
    } catch (e) {
      if (e instanceof ComposeError) throw new CliError(e.message, ExitCode.USAGE);
      throw e;
    }
    const store = openStore(opts);
    const requests: ComposeRequest[] = compose.services.map((s) => {
      const where = (key: string): string => {
        const at = s.at[key] ?? s.at.service!;
        return `${file}:${at.line}:${at.col}: service "${s.name}"`;
      };
      let limits;
      try {
        limits = limitsOf(s);
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        const key = /^--(cpus|memory|pids)/.exec(e.message)?.[1] ?? 'service';
        throw new CliError(`${where(key)}: ${e.message.replace(/^--(cpus|memory|pids)/, '"$1"')}`, ExitCode.USAGE);
      }
      let loaded;
      try {
        loaded = loadImage(store, s.image);
      } catch (e) {
        if (e instanceof ImageError) throw new ImageError(`${where('image')}: ${e.message}`, e.kind);
        throw e;
      }
      const argv = containerArgv(loaded.config, s.command ?? [], s.image);
      return {
        name: s.name,
        run: { store, config: loaded.config, layers: loaded.manifest.layers, argv, ...(s.hostname !== undefined && { hostname: s.hostname }), limits },
        ...(s.address !== undefined && { address: s.address }),
      };
    });
    let run: ComposeRun;
    try {
      run = runCompose(requests, compose.exit, { config, boot: { costs: parsePreset(opts.preset), maxCycles, ...(extensions.length > 0 && { extensions }) } });
    } catch (e) {
      if (e instanceof ImageError) throw e;
      throw bootFailure(e);
    }
    io.stdout.write(composeOutput(run));
    const { result } = run;
    if (result.stop.kind !== 'halt') io.stderr.write(`${err.red('ringlab:')} ${describeStop(result.stop)}\n`);
    return run.exitCode ?? ExitCode.GUEST;
  });
}
