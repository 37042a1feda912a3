// Image references: NAME[:TAG] or NAME@DIGEST, with the grammar of the OCI distribution spec
// (spec.md, "Pulling manifests"): a repository name is path components of lowercase letters and
// digits joined by `.`, `_`, `__` or dashes, separated by `/`; a tag is at most 128 word
// characters, dots and dashes, not starting with a dot or a dash. ringlab names no registry host
// in a reference: push and pull take --registry.

import { checkDigest, clip, type Digest } from './digest.js';
import { ImageError } from './errors.js';

export const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
export const NAME_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$/;
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Names longer than this are refused (docker's limit for a whole reference). */
export const MAX_NAME_LENGTH = 255;
export const DEFAULT_TAG = 'latest';

export interface Reference {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

/** Why a repository name is not one, or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.length > MAX_NAME_LENGTH) return `the name is longer than ${MAX_NAME_LENGTH} characters`;
  if (NAME_PATTERN.test(name)) return undefined;
  const bad = name.split('/').find((c) => !NAME_COMPONENT.test(c));
  return `'${clip(bad ?? name)}' is not a name component: lowercase letters and digits, joined by '.', '_', '__' or '-', components separated by '/'`;
}

export function tagProblem(tag: string): string | undefined {
  if (TAG_PATTERN.test(tag)) return undefined;
  return `'${clip(tag)}' is not a tag: 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`;
}

/** NAME[:TAG] or NAME@sha256:HEX; the tag defaults to latest. Errors are usage errors. */
export function parseReference(text: string): Reference {
  const at = text.indexOf('@');
  if (at >= 0) {
    const name = text.slice(0, at);
    const problem = nameProblem(name);
    if (problem) throw new ImageError(`bad image reference '${clip(text)}': ${problem}`, 'usage');
    return { name, digest: checkDigest(text.slice(at + 1), `bad image reference '${clip(text)}'`, 'usage') };
  }
  const colon = text.lastIndexOf(':');
  const slash = text.lastIndexOf('/');
  const hasTag = colon > slash;
  const name = hasTag ? text.slice(0, colon) : text;
  const tag = hasTag ? text.slice(colon + 1) : DEFAULT_TAG;
  const problem = nameProblem(name) ?? tagProblem(tag);
  if (problem) throw new ImageError(`bad image reference '${clip(text)}': ${problem}`, 'usage');
  return { name, tag };
}

/** NAME:TAG (a reference with a tag), the form index.json's ref.name annotation holds. */
export function formatReference(ref: Reference): string {
  return ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? DEFAULT_TAG}`;
}
