// `ringlab registry serve`, `ringlab push`, `ringlab pull`: the OCI distribution API's server and
// its client (src/registry, docs/images.md "The registry").

import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageError } from '../../image/errors.js';
import { DEFAULT_REGISTRY, RegistryClient } from '../../registry/client.js';
import { startRegistry } from '../../registry/server.js';
import { pull, push, type TransferReport } from '../../registry/transfer.js';
import { CliError, ExitCode } from '../errors.js';
import { io } from '../io.js';
import { parseCount } from '../options.js';
import { imageCli, openStore, type StoreOptions } from './image.js';

export interface ServeOptions {
  port?: string;
  host?: string;
  root?: string;
  quiet?: boolean;
}

export function defaultRegistryRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['RINGLAB_REGISTRY_ROOT'] || join(homedir(), '.ringlab', 'registry');
}

/** Serve until SIGINT or SIGTERM; exit 0 then. */
export function serveCommand(opts: ServeOptions): Promise<number> {
  const out = io;
  const port = opts.port === undefined ? 5000 : parseCount('--port', opts.port);
  if (port > 65535) throw new CliError('--port: at most 65535', ExitCode.USAGE);
  const root = opts.root ?? defaultRegistryRoot();
  return imageCli(async () => {
    let registry;
    try {
      registry = await startRegistry({ root, port, host: opts.host ?? '127.0.0.1', ...(!opts.quiet && { log: (line: string) => out.stderr.write(`${line}\n`) }) });
    } catch (e) {
      throw new ImageError(`cannot serve on ${opts.host ?? '127.0.0.1'}:${port}: ${(e as Error).message}`, 'usage');
    }
    out.stdout.write(`ringlab registry: serving the OCI distribution API at ${registry.url}/v2/, blobs under ${root}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await registry.close();
    return ExitCode.OK;
  });
}

export interface TransferOptions extends StoreOptions {
  registry?: string;
  json?: boolean;
}

function registryUrl(opts: TransferOptions): string {
  return opts.registry ?? (process.env['RINGLAB_REGISTRY'] || DEFAULT_REGISTRY);
}

function report(out: typeof io, verb: string, r: TransferReport, url: string, json: boolean | undefined): number {
  if (json) out.stdout.write(`${JSON.stringify({ ...r, registry: url })}\n`);
  else out.stdout.write(`${verb} ${r.ref} (${r.manifest}): ${r.blobsMoved} blob${r.blobsMoved === 1 ? '' : 's'} moved, ${r.bytesMoved} bytes; ${r.blobsSkipped} already there\n`);
  return ExitCode.OK;
}

export function pushCommand(ref: string, opts: TransferOptions): Promise<number> {
  return transfer(ref, opts, 'pushed to', push);
}

export function pullCommand(ref: string, opts: TransferOptions): Promise<number> {
  return transfer(ref, opts, 'pulled from', pull);
}

/** push or pull `ref` between the store and the registry the options name, and report it. */
function transfer(ref: string, opts: TransferOptions, verb: string, move: typeof push | typeof pull): Promise<number> {
  const out = io;
  return imageCli(async () => {
    const client = new RegistryClient(registryUrl(opts));
    return report(out, `${verb} ${client.base}:`, await move(openStore(opts), client, ref), client.base, opts.json);
  });
}
