// Lets the POSIX launcher compare "now" with the fast path's deadline without forking date(1),
// which was 40 % of a cache hit. Two empty files in the profile directory:
//   clock             the launcher truncates it (POSIX: that sets its mtime to now) and compares;
//   deadline.<epoch>  its mtime is that epoch, the deadline written on line 2 of the fast path file.
// `[ deadline.<epoch> -nt clock ]` is then "now < deadline", as `date +%s` -lt deadline is. The
// launcher falls back to date(1) when either file is missing, so stale or absent markers cost
// only the fork, never a wrong answer. Both are opened with O_NOFOLLOW: a link planted in their
// place must not make us create, truncate or re-date a file elsewhere.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { type ProfileCacheFiles, deadlineMarkerName, isDeadlineMarker } from './layout.js';
import { isNotFound, privateFileMode } from '../util/files.js';

const { O_WRONLY, O_CREAT, O_NOFOLLOW } = constants;

/** Makes deadline.<epoch> (and the clock) exist with the right mtime; removes older markers. */
export async function keepDeadlineMarker(files: Pick<ProfileCacheFiles, 'dir' | 'clock'>, deadlineSeconds: number): Promise<void> {
  const marker = path.join(files.dir, deadlineMarkerName(deadlineSeconds));
  const current = await fs.lstat(marker).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!current?.isFile() || current.mtimeMs !== deadlineSeconds * 1000) {
    const handle = await fs.open(marker, O_WRONLY | O_CREAT | O_NOFOLLOW, privateFileMode);
    try {
      await handle.utimes(deadlineSeconds, deadlineSeconds);
    } finally {
      await handle.close();
    }
  }
  await (await fs.open(files.clock, O_WRONLY | O_CREAT | O_NOFOLLOW, privateFileMode)).close();
  const stale = (await deadlineMarkers(files.dir)).filter((name) => name !== path.basename(marker));
  await Promise.all(stale.map((name) => fs.rm(path.join(files.dir, name), { force: true })));
}

async function deadlineMarkers(dir: string): Promise<string[]> {
  return (await fs.readdir(dir).catch(() => [])).filter(isDeadlineMarker);
}
