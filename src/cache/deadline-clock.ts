// Lets the POSIX launcher compare "now" with the fast path's deadline without forking date(1),
// which was 40 % of a cache hit. Two empty files in the profile directory:
//   clock             the launcher truncates it (POSIX: that sets its mtime to now) and compares;
//   deadline.<epoch>  its mtime is that epoch, the deadline written on line 2 of the fast path file.
// `[ deadline.<epoch> -nt clock ]` is then "now < deadline", as `date +%s` -lt deadline is. The
// launcher falls back to date(1) when either file is missing, so stale or absent markers cost
// only the fork, never a wrong answer.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProfileCacheFiles } from './layout.js';
import { isNotFound, privateFileMode } from '../util/files.js';

const markerPrefix = 'deadline.';

/** Makes deadline.<epoch> (and the clock) exist with the right mtime; removes older markers. */
export async function keepDeadlineMarker(files: Pick<ProfileCacheFiles, 'dir' | 'clock'>, deadlineSeconds: number): Promise<void> {
  const marker = path.join(files.dir, `${markerPrefix}${deadlineSeconds}`);
  const current = await fs.stat(marker).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (current?.mtimeMs !== deadlineSeconds * 1000) {
    await (await fs.open(marker, 'w', privateFileMode)).close();
    await fs.utimes(marker, deadlineSeconds, deadlineSeconds);
  }
  await (await fs.open(files.clock, 'a', privateFileMode)).close();
  const stale = (await deadlineMarkers(files.dir)).filter((name) => name !== path.basename(marker));
  await Promise.all(stale.map((name) => fs.rm(path.join(files.dir, name), { force: true })));
}

/** Names of the deadline markers in a profile directory (for cleanup and logout). */
export async function deadlineMarkers(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => []);
  return names.filter((name) => name.startsWith(markerPrefix) && /^\d+$/.test(name.slice(markerPrefix.length)));
}
