// The image configuration (OCI image spec, config.md): application/vnd.oci.image.config.v1+json.
//
// architecture "ringlab" and os "ringlab": an image's executables run only on the ringlab ISA
// and only under the ringlab guest kernel (its system-call ABI, its executable format), so
// naming a real GOARCH/GOOS pair would let other tools try to run them. What the executables
// need beyond the base ISA is recorded too: ISA extensions in the label
// `org.ringlab.isa.extensions` (comma-separated; the config has no field for CPU features) and
// kernel features in `os.features`, the spec's "mandatory OS features". `created` is left out
// (it is optional): a timestamp would make every build a new image ID.

import { canonicalBytes, checkDigest, clip, parseJson, type Digest } from './digest.js';
import { ImageError } from './errors.js';

export const ARCHITECTURE = 'ringlab';
export const OS = 'ringlab';
export const ISA_LABEL = 'org.ringlab.isa.extensions';

export interface ExecConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

export interface HistoryEntry {
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  'os.features'?: string[];
  config?: ExecConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}

export function emptyConfig(): ImageConfig {
  return { architecture: ARCHITECTURE, os: OS, config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
}

export function serializeConfig(config: ImageConfig): Buffer {
  return canonicalBytes(config);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function strings(v: unknown, field: string, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ImageError(`${where}: ${field} must be an array of strings`);
  return v as string[];
}

/** A config blob's JSON, checked field by field (errors name the field and `where`). */
export function parseConfig(bytes: Uint8Array, where: string): ImageConfig {
  const v = parseJson(bytes, where);
  if (!isObject(v)) throw new ImageError(`${where}: the image config is not a JSON object`);
  for (const field of ['architecture', 'os'] as const) if (typeof v[field] !== 'string') throw new ImageError(`${where}: ${field} must be a string`);
  strings(v['os.features'], 'os.features', where);
  if (v['config'] !== undefined && v['config'] !== null) {
    const c = v['config'];
    if (!isObject(c)) throw new ImageError(`${where}: config must be an object`);
    for (const f of ['Env', 'Cmd', 'Entrypoint'] as const) strings(c[f], `config.${f}`, where);
    if (c['WorkingDir'] !== undefined && typeof c['WorkingDir'] !== 'string') throw new ImageError(`${where}: config.WorkingDir must be a string`);
    if (c['Labels'] !== undefined && c['Labels'] !== null && (!isObject(c['Labels']) || !Object.values(c['Labels']).every((s) => typeof s === 'string'))) throw new ImageError(`${where}: config.Labels must map strings to strings`);
  }
  const rootfs = v['rootfs'];
  if (!isObject(rootfs)) throw new ImageError(`${where}: rootfs is missing`);
  if (rootfs['type'] !== 'layers') throw new ImageError(`${where}: rootfs.type must be "layers", not ${clip(JSON.stringify(rootfs['type']) ?? 'nothing')}`);
  if (!Array.isArray(rootfs['diff_ids'])) throw new ImageError(`${where}: rootfs.diff_ids must be an array`);
  rootfs['diff_ids'].forEach((d, i) => checkDigest(d, `${where}: rootfs.diff_ids[${i}]`));
  if (v['history'] !== undefined) {
    if (!Array.isArray(v['history'])) throw new ImageError(`${where}: history must be an array`);
    v['history'].forEach((h, i) => {
      if (!isObject(h)) throw new ImageError(`${where}: history[${i}] must be an object`);
      if (h['empty_layer'] !== undefined && typeof h['empty_layer'] !== 'boolean') throw new ImageError(`${where}: history[${i}].empty_layer must be a boolean`);
      for (const f of ['created_by', 'comment', 'created', 'author'] as const) if (h[f] !== undefined && typeof h[f] !== 'string') throw new ImageError(`${where}: history[${i}].${f} must be a string`);
    });
    const layers = v['history'].filter((h) => !(h as HistoryEntry).empty_layer).length;
    if (layers !== rootfs['diff_ids'].length) throw new ImageError(`${where}: history has ${layers} non-empty entries but rootfs.diff_ids has ${rootfs['diff_ids'].length} layers`);
  }
  return v as ImageConfig;
}

/** The ISA extensions an image's config says its executables need. */
export function requiredExtensions(config: ImageConfig): string[] {
  const label = config.config?.Labels?.[ISA_LABEL];
  return label ? label.split(',').filter((s) => s !== '') : [];
}
