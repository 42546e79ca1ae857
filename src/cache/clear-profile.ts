// logout: forget a profile's cached credentials. The launcher's pre-rendered answer goes first, so
// no call can be served from it once its certificate is gone.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deadlineMarkers } from './deadline-clock.js';
import { profileCacheFiles } from './layout.js';
import { removeIfExists } from '../util/files.js';

/** Returns the names of the profiles whose cache was removed. */
export async function clearProfiles(cacheDir: string, profiles: string[] | 'all'): Promise<string[]> {
  const names = profiles === 'all' ? await listProfiles(cacheDir) : profiles;
  const cleared: string[] = [];
  for (const name of names) {
    const files = profileCacheFiles(cacheDir, name);
    const removed = await removeIfExists(files.fastPath);
    const markers = (await deadlineMarkers(files.dir)).map((name) => path.join(files.dir, name));
    for (const file of [files.credential, files.pending, files.backoff, files.backgroundLog, files.waiters, files.clock, ...markers])
      await removeIfExists(file);
    if ((await removeIfExists(files.dir)) || removed) cleared.push(name);
  }
  return cleared;
}

async function listProfiles(cacheDir: string): Promise<string[]> {
  try {
    return (await fs.readdir(cacheDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
