// The registry's storage on disk, content-addressed like the image store:
//
//   ROOT/blobs/sha256/HEX                                  every blob once, whatever repository
//   ROOT/repositories/NAME/_layers/sha256/HEX              (empty) the blob belongs to NAME: pushed
//                                                          or mounted there, so NAME may serve it
//   ROOT/repositories/NAME/_manifests/revisions/sha256/HEX (empty) the manifest belongs to NAME
//   ROOT/repositories/NAME/_manifests/tags/TAG             the digest TAG names
//   ROOT/_uploads/UUID                                     an upload in progress
//
// (the shape of the CNCF distribution registry's own storage). Repository name components
// cannot start with '_', so a name never collides with the '_' directories.

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hexOf, isDigest, type Digest } from '../image/digest.js';
import { writeAtomic } from '../image/store.js';

export class RegistryStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    for (const d of ['blobs/sha256', 'repositories', '_uploads']) mkdirSync(join(this.root, d), { recursive: true });
    // Uploads do not survive a restart: their hash state lived in the server's memory.
    for (const f of readdirSync(join(this.root, '_uploads'))) rmSync(join(this.root, '_uploads', f), { force: true });
  }

  blobPath(digest: Digest): string {
    return join(this.root, 'blobs', 'sha256', hexOf(digest));
  }

  uploadPath(uuid: string): string {
    return join(this.root, '_uploads', uuid);
  }

  private repo(name: string, ...parts: string[]): string {
    return join(this.root, 'repositories', ...name.split('/'), ...parts);
  }

  hasBlob(digest: Digest): boolean {
    return isFile(this.blobPath(digest));
  }

  blobSize(digest: Digest): number {
    return statSync(this.blobPath(digest)).size;
  }

  /** Whether NAME may serve the blob (it was pushed or mounted there). */
  repoHasBlob(name: string, digest: Digest): boolean {
    return this.hasBlob(digest) && isFile(this.repo(name, '_layers', 'sha256', hexOf(digest)));
  }

  linkBlob(name: string, digest: Digest): void {
    touch(this.repo(name, '_layers', 'sha256', hexOf(digest)));
  }

  unlinkBlob(name: string, digest: Digest): boolean {
    const path = this.repo(name, '_layers', 'sha256', hexOf(digest));
    if (!isFile(path)) return false;
    rmSync(path);
    return true;
  }

  /** Move a verified upload into the blobs. */
  commitUpload(uuid: string, digest: Digest): void {
    if (this.hasBlob(digest)) rmSync(this.uploadPath(uuid), { force: true });
    else renameSync(this.uploadPath(uuid), this.blobPath(digest));
  }

  putBlobBytes(bytes: Uint8Array, digest: Digest): void {
    if (!this.hasBlob(digest)) writeAtomic(this.blobPath(digest), bytes);
  }

  repoExists(name: string): boolean {
    return existsSync(this.repo(name, '_manifests')) || existsSync(this.repo(name, '_layers'));
  }

  repoHasManifest(name: string, digest: Digest): boolean {
    return this.hasBlob(digest) && isFile(this.repo(name, '_manifests', 'revisions', 'sha256', hexOf(digest)));
  }

  linkManifest(name: string, digest: Digest): void {
    touch(this.repo(name, '_manifests', 'revisions', 'sha256', hexOf(digest)));
  }

  unlinkManifest(name: string, digest: Digest): boolean {
    const path = this.repo(name, '_manifests', 'revisions', 'sha256', hexOf(digest));
    if (!isFile(path)) return false;
    rmSync(path);
    for (const tag of this.tags(name)) if (this.tag(name, tag) === digest) this.removeTag(name, tag);
    return true;
  }

  tag(name: string, tag: string): Digest | undefined {
    const path = this.repo(name, '_manifests', 'tags', tag);
    if (!isFile(path)) return undefined;
    const text = readFileSync(path, 'utf8').trim();
    return isDigest(text) ? text : undefined;
  }

  setTag(name: string, tag: string, digest: Digest): void {
    const dir = this.repo(name, '_manifests', 'tags');
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, tag), digest);
  }

  removeTag(name: string, tag: string): boolean {
    const path = this.repo(name, '_manifests', 'tags', tag);
    if (!isFile(path)) return false;
    rmSync(path);
    return true;
  }

  tags(name: string): string[] {
    try {
      return readdirSync(this.repo(name, '_manifests', 'tags')).filter((t) => !t.endsWith('.tmp')).sort();
    } catch {
      return [];
    }
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function touch(path: string): void {
  mkdirSync(resolve(path, '..'), { recursive: true });
  if (!isFile(path)) writeFileSync(path, '');
}
