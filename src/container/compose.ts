// `ringlab compose FILE`: several containers from several images in one boot (docs/images.md,
// "Compose: several containers in one boot"). The file is JSON, parsed here with the line and
// column of every value so that each error names where it is. Each service becomes a container
// exactly as `container run` makes one (src/container/run.ts, imageContainer: the same layers,
// command and limits), written onto the one root disk in directories of its own
// (src/configs/container.ts, placeContainer), and a small launcher per service, one boot record
// each, so that each service is a job whose output and exit code the boot reports apart (as
// docker compose prefixes each container's lines). Every launcher runs `crun run ID BUNDLE` in
// the foreground; the launcher of the service whose exit ends the run then stops the others
// (`crun stop ID`: SIGTERM, then SIGKILL, as docker compose stops them), so the machine powers
// off when it has ended.

import { join } from 'node:path';
import { assemble } from '../asm/index.js';
import { CGROUPS, NETWORK } from '../abi/index.js';
import { openFs as openFsOf } from '../fs/image.js';
import { placeContainer, type ContainerSpec } from '../configs/container.js';
import { USER_DIR } from '../configs/images.js';
import { rootDisk } from '../configs/rootfs.js';
import { systemPrograms } from '../configs/system.js';
import { BootError, type BootResult, type ProcessReport, type UserProgram } from '../configs/types.js';
import { isaWith, type Isa } from '../isa/index.js';
import { checkImageAgainstMachine, imageContainer, type ImageRun, type MachineChoice } from './run.js';

/** Where compose puts service NAME on the root disk: COMPOSE_DIR/NAME/layers/N and
 *  COMPOSE_DIR/NAME/bundle/config. */
export const COMPOSE_DIR = '/var/lib/crun/compose';
/** The most services of one file: one boot record each, and crun's state per container. */
export const MAX_SERVICES = 8;

/** A bad compose file: the message starts with FILE:LINE:COL. */
export class ComposeError extends Error {}

/** Where a value starts in the file (1-based). */
export interface Where {
  readonly line: number;
  readonly col: number;
}

/** A JSON value with the place it starts. */
type Node =
  | { kind: 'object'; at: Where; entries: { key: string; keyAt: Where; value: Node }[] }
  | { kind: 'array'; at: Where; items: Node[] }
  | { kind: 'string'; at: Where; value: string }
  | { kind: 'number'; at: Where; value: number }
  | { kind: 'boolean'; at: Where; value: boolean }
  | { kind: 'null'; at: Where };

/** JSON (RFC 8259) with positions: a small recursive-descent parser, since JSON.parse tells no
 *  line of a value. `fail` gets the message and the place. Nesting deeper than 64 is refused. */
function parseJson(text: string, fail: (at: Where, message: string) => never): Node {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Where => ({ line, col: i - lineStart + 1 });
  const ws = (): void => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') {
        line++;
        lineStart = i + 1;
      } else if (c !== ' ' && c !== '\t' && c !== '\r') break;
      i++;
    }
  };
  const what = (): string => (i >= text.length ? 'the end of the file' : `'${text[i]}'`);
  const string = (): string => {
    const start = here();
    i++; // the opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail(start, 'a string that does not end');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\n' || c < ' ') fail(here(), 'a control character or a newline inside a string');
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail(here(), 'a bad escape in a string');
      } else {
        out += c;
        i++;
      }
    }
  };
  const value = (depth: number): Node => {
    ws();
    const at = here();
    if (depth > 64) fail(at, 'values nested more than 64 deep');
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: { key: string; keyAt: Where; value: Node }[] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', at, entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(here(), `expected a key in quotes, found ${what()}`);
        const keyAt = here();
        const key = string();
        ws();
        if (text[i] !== ':') fail(here(), `expected ':' after the key "${key}", found ${what()}`);
        i++;
        entries.push({ key, keyAt, value: value(depth + 1) });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { kind: 'object', at, entries };
        }
        fail(here(), `expected ',' or '}', found ${what()}`);
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', at, items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { kind: 'array', at, items };
        }
        fail(here(), `expected ',' or ']', found ${what()}`);
      }
    }
    if (c === '"') return { kind: 'string', at, value: string() };
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m && m[0] !== '' && m[0] !== '-') {
      i += m[0].length;
      return { kind: 'number', at, value: Number(m[0]) };
    }
    for (const [word, node] of [['true', { kind: 'boolean', at, value: true }], ['false', { kind: 'boolean', at, value: false }], ['null', { kind: 'null', at }]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    fail(at, `expected a value, found ${what()}`);
  };
  const root = value(0);
  ws();
  if (i < text.length) fail(here(), `more after the end of the JSON value: ${what()}`);
  return root;
}

/** One service of a compose file, checked. Limits stay as written (the CLI turns them into
 *  cgroup values with `container run`'s rules, limitsOf); `at` holds where each field is. */
export interface ComposeService {
  readonly name: string;
  readonly image: string;
  /** In place of the image's CMD (after its ENTRYPOINT), as `container run IMAGE CMD...`. */
  readonly command?: readonly string[];
  readonly hostname?: string;
  readonly address?: string;
  readonly cpus?: string;
  readonly memory?: string;
  readonly pids?: string;
  readonly at: Readonly<Record<string, Where>>;
}

export interface ComposeFile {
  readonly services: readonly ComposeService[];
  /** The service whose exit ends the run (and gives its exit code), or undefined: all of them. */
  readonly exit?: string;
}

const SERVICE_KEYS = ['image', 'command', 'hostname', 'address', 'cpus', 'memory', 'pids'] as const;
const NAME = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${CGROUPS.CGROUP_NAME_MAX.value - 1}}$`);

/** An IPv4 address "a.b.c.d" as a number, or undefined. */
export function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

const dotted = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** Parse and check a compose file's text; `file` names it in errors (FILE:LINE:COL: ...). */
export function parseCompose(text: string, file: string): ComposeFile {
  const fail = (at: Where, message: string): never => {
    throw new ComposeError(`${file}:${at.line}:${at.col}: ${message}`);
  };
  const root = parseJson(text, fail);
  if (root.kind !== 'object') fail(root.at, 'a compose file is a JSON object: { "services": { ... } }');
  const top = root as Extract<Node, { kind: 'object' }>;
  let servicesNode: Node | undefined;
  let exitNode: Node | undefined;
  const seenTop = new Set<string>();
  for (const e of top.entries) {
    if (seenTop.has(e.key)) fail(e.keyAt, `"${e.key}" is given twice`);
    seenTop.add(e.key);
    if (e.key === 'services') servicesNode = e.value;
    else if (e.key === 'exit') exitNode = e.value;
    else fail(e.keyAt, `unknown key "${e.key}": a compose file has "services" and "exit"`);
  }
  if (servicesNode === undefined) fail(top.at, 'no "services": a compose file names its services: { "services": { "NAME": { "image": "NAME:TAG" } } }');
  const sn = servicesNode as Node;
  if (sn.kind !== 'object') fail(sn.at, '"services" is an object of services by name');
  const entries = (sn as Extract<Node, { kind: 'object' }>).entries;
  if (entries.length === 0) fail(sn.at, '"services" is empty: give at least one');
  if (entries.length > MAX_SERVICES) fail(entries[MAX_SERVICES]!.keyAt, `more than ${MAX_SERVICES} services`);
  const services: ComposeService[] = [];
  const names = new Set<string>();
  const ends = new Map<number, string>(); // every address in use (a container's and its host end)
  let addressed = 0;
  for (const { key: name, keyAt, value } of entries) {
    if (names.has(name)) fail(keyAt, `service "${name}" is given twice`);
    names.add(name);
    if (!NAME.test(name)) fail(keyAt, `service name "${name.slice(0, 40)}": 1 to ${CGROUPS.CGROUP_NAME_MAX.value} of a-z, 0-9, '_' and '-', starting with a letter or digit (it names the container and its control group)`);
    if (value.kind !== 'object') fail(value.at, `service "${name}" is an object: { "image": "NAME:TAG", ... }`);
    const fields = new Map<string, Node>();
    const at: Record<string, Where> = { service: keyAt };
    for (const f of (value as Extract<Node, { kind: 'object' }>).entries) {
      if (!(SERVICE_KEYS as readonly string[]).includes(f.key)) fail(f.keyAt, `service "${name}": unknown key "${f.key.slice(0, 40)}" (a service has ${SERVICE_KEYS.map((k) => `"${k}"`).join(', ')})`);
      if (fields.has(f.key)) fail(f.keyAt, `service "${name}": "${f.key}" is given twice`);
      fields.set(f.key, f.value);
      at[f.key] = f.value.at;
    }
    const str = (key: string, rule: (s: string) => string | undefined): string | undefined => {
      const n = fields.get(key);
      if (n === undefined) return undefined;
      if (n.kind !== 'string') fail(n.at, `service "${name}": "${key}" is a string`);
      const s = (n as { value: string }).value;
      const problem = rule(s);
      if (problem !== undefined) fail(n.at, `service "${name}": "${key}" ${problem}`);
      return s;
    };
    const image = str('image', (s) => (s === '' ? 'is empty' : undefined));
    if (image === undefined) fail(keyAt, `service "${name}" has no "image"`);
    const hostname = str('hostname', (s) => (s === '' || Buffer.byteLength(s) > 64 || /[\n\r\0]/.test(s) ? 'is 1 to 64 bytes without a newline' : undefined));
    const address = str('address', (s) => {
      const a = ipv4(s);
      if (a === undefined) return `"${s.slice(0, 40)}" is not an IPv4 address a.b.c.d`;
      if (a >>> 24 === 127 || a >>> 24 === 0 || (a & 255) < 2) return `${s}: an address is not 0.x or 127.x and ends in .2 to .255 (the host's end of the link is the address minus one)`;
      return undefined;
    });
    if (address !== undefined) {
      const a = ipv4(address)!;
      for (const [n, role] of [[a, `the address of "${name}"`], [a - 1, `the host's end of "${name}"'s link`]] as const) {
        const other = ends.get(n);
        if (other !== undefined) fail(fields.get('address')!.at, `service "${name}": ${role}, ${dotted(n)}, is already ${other}: give each service a network of its own, e.g. 10.0.1.2, 10.0.2.2`);
        ends.set(n, role);
      }
      if (++addressed > NETWORK.NVETH.value) fail(fields.get('address')!.at, `more than ${NETWORK.NVETH.value} services with an address (the kernel's veth pairs)`);
    }
    let command: string[] | undefined;
    const cmd = fields.get('command');
    if (cmd !== undefined) {
      if (cmd.kind !== 'array' || cmd.items.length === 0 || cmd.items.some((w) => w.kind !== 'string')) fail(cmd.at, `service "${name}": "command" is a non-empty array of strings, e.g. ["/bin/server", "80"]`);
      command = (cmd as Extract<Node, { kind: 'array' }>).items.map((w) => (w as { value: string }).value);
    }
    const limit = (key: 'cpus' | 'memory' | 'pids'): string | undefined => {
      const n = fields.get(key);
      if (n === undefined) return undefined;
      if (n.kind === 'number') return String(n.value);
      if (n.kind === 'string') return n.value;
      return fail(n.at, `service "${name}": "${key}" is a number or a string`);
    };
    const cpus = limit('cpus');
    const memory = limit('memory');
    const pids = limit('pids');
    services.push({
      name,
      image: image as string,
      ...(command && { command }),
      ...(hostname !== undefined && { hostname }),
      ...(address !== undefined && { address }),
      ...(cpus !== undefined && { cpus }),
      ...(memory !== undefined && { memory }),
      ...(pids !== undefined && { pids }),
      at,
    });
  }
  let exit: string | undefined;
  if (exitNode !== undefined) {
    const en = exitNode as Node;
    if (en.kind !== 'string') fail(en.at, '"exit" is the name of a service, or "all"');
    const v = (en as { value: string }).value;
    if (v !== 'all') {
      if (!names.has(v)) fail(en.at, `"exit": no service "${v.slice(0, 40)}" (services: ${[...names].join(', ')})`);
      exit = v;
    }
  }
  return { services, ...(exit !== undefined && { exit }) };
}

/** One service ready to run: its image's container request (ImageRun, as `container run`'s). */
export interface ComposeRequest {
  readonly name: string;
  readonly run: ImageRun;
  readonly address?: string;
}

export interface ServiceResult {
  readonly name: string;
  /** Its job: the launcher, crun and the container's processes. */
  readonly job: ProcessReport | undefined;
  readonly exitCode: number | null;
}

export interface ComposeRun {
  readonly result: BootResult;
  readonly services: readonly ServiceResult[];
  /** The run's exit code: the `exit` service's, or with none, the first non-zero one in the
   *  file's order (0 if all are 0); null if the machine stopped before. */
  readonly exitCode: number | null;
}

/** The launcher of one service: fork and exec `crun run ID BUNDLE` and wait for it; then `crun
 *  stop` each of `stops` (with its output closed: a container that has already ended is no
 *  error here), and exit with the container's code (128 + signal if crun was killed). */
export function composeLauncher(isa: Isa, index: number, id: string, bundle: string, stops: readonly string[]): UserProgram {
  const name = `compose${index}`;
  const strings = ['/bin/crun', 'crun', 'run', id, bundle, 'stop', ...stops];
  const label = (k: number) => `str${k}`;
  const stopBlocks = stops
    .map(
      (_, k) => `        call fork
        blt  a0, zero, .skip${k}
        bnez a0, .waits${k}
        li   a0, 1
        call close
        li   a0, 2
        call close
        la   a0, ${label(0)}
        la   a1, stopargv${k}
        call exec
        li   a0, 127
        call exit
.waits${k}:
        li   a0, -1
        li   a1, 0
        li   a2, 0
        call wait
.skip${k}:
`,
    )
    .join('');
  const source = `        .include "user.inc"
_start: call fork
        blt  a0, zero, .nofork
        bnez a0, .parent
        la   a0, ${label(0)}
        la   a1, runargv
        call exec
        li   a0, 127
        call exit
.nofork:
        li   a0, 125
        call exit
.parent:
        li   a0, -1
        la   a1, status
        li   a2, 0
        call wait
        la   t0, status
        lw   t0, 0(t0)
        andi s0, t0, W_SIGMASK
        beqz s0, .code
        addi s0, s0, 128
        j    .stops
.code:  srli s0, t0, W_EXITCODE_SHIFT
.stops:
${stopBlocks}        mv   a0, s0
        call exit
${strings.map((s, k) => `${label(k)}:   .asciz "${s}"`).join('\n')}
        .align 4
status: .word 0
runargv: .word ${label(1)}, ${label(2)}, ${label(3)}, ${label(4)}, 0
${stops.map((_, k) => `stopargv${k}: .word ${label(1)}, ${label(5)}, ${label(6 + k)}, 0`).join('\n')}
        .include "lib.s"
`;
  const r = assemble(source, { fileName: join(USER_DIR, `${name}.s`), isa });
  if (!r.ok) throw new Error(`compose's launcher does not assemble: ${JSON.stringify(r.errors[0])}`);
  return { name, image: r.image };
}

/** Boot the machine once with every service: each image's layers and bundle on the disk, a
 *  launcher per service. Every image passes `container run`'s architecture check first. */
export function runCompose(requests: readonly ComposeRequest[], exit: string | undefined, machine: MachineChoice): ComposeRun {
  for (const r of requests) checkImageAgainstMachine(r.run.config, machine);
  const isa = isaWith([]);
  const specs: ContainerSpec[] = requests.map((r) => ({ ...imageContainer(r.run).spec, ...(r.address !== undefined && { address: r.address }) }));
  const launchers = requests.map((r, i) =>
    composeLauncher(isa, i, r.name, `${COMPOSE_DIR}/${r.name}/bundle`, r.name === exit ? requests.filter((o) => o.name !== exit).map((o) => o.name) : []),
  );
  const disk = new Uint8Array(rootDisk(launchers, undefined, [], systemPrograms(isa)));
  const opened = (() => {
    const o = openFsOf(disk);
    if (!o.ok) throw new BootError(`the root disk: ${o.detail ?? o.error}`);
    return o.value;
  })();
  requests.forEach((r, i) => placeContainer(opened, specs[i]!, `${COMPOSE_DIR}/${r.name}/layers`, `${COMPOSE_DIR}/${r.name}/bundle`));
  const result = machine.config.boot({ ...(machine.boot ?? {}), disk, workloads: [], programs: launchers });
  const services = requests.map((r, i) => {
    const job = result.processes[i];
    return { name: r.name, job, exitCode: job?.exitCode ?? null };
  });
  let exitCode: number | null;
  if (result.stop.kind !== 'halt' || services.some((s) => s.exitCode === null)) exitCode = null;
  else if (exit !== undefined) exitCode = services.find((s) => s.name === exit)!.exitCode;
  else exitCode = services.find((s) => s.exitCode !== 0)?.exitCode ?? 0;
  return { result, services, exitCode };
}
