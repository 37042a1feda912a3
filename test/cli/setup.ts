// Builds dist/ once for the CLI tests, only when it is missing or older than the sources.
//
// `npm test` runs the build (tsc -b) before vitest, so normally there is nothing to do here. When
// a test file is run on its own (`npx vitest run test/cli`), the first CLI test file to get
// here builds; vitest runs test files in parallel workers, so a lock directory makes the others
// wait for that one build instead of starting their own.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_ENTRY = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return path.endsWith('.ts') || path.endsWith('.json') ? st.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isStale(): boolean {
  if (!existsSync(CLI_ENTRY)) return true;
  const sources = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'tsconfig.json')));
  return sources > statSync(CLI_ENTRY).mtimeMs;
}

const LOCK = join(tmpdir(), `ringlab-cli-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
const STALE_LOCK_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Make sure dist/ holds a build of the current sources (runs `tsc -p .` at most once at a time). */
export async function ensureBuilt(): Promise<void> {
  for (;;) {
    if (!isStale()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      // Someone else is building; wait for them (or take over a lock left by a killed run).
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmdirSync(LOCK);
      } catch {
        /* it went away: try again */
      }
      await sleep(200);
      continue;
    }
    try {
      if (!isStale()) return;
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`the build failed (tsc -p .):\n${r.stdout}${r.stderr}`);
      return;
    } finally {
      rmdirSync(LOCK);
    }
  }
}
