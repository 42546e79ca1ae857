// Keeps the fast path file in step with the verified cache entry (format: fast-path.ts).
import { promises as fs } from 'node:fs';
import { readTextIfExists, writeFileAtomic } from '../util/files.js';
import { keepDeadlineMarker } from './deadline-clock.js';
import { type FastPathInputs, deadlineSeconds } from './fast-path.js';
import type { ProfileCacheFiles } from './layout.js';

/**
 * Rewrites the file when its content changed or a watched file is newer (the launcher would keep
 * missing), so a warm cache hit normally does not write.
 */
export async function refreshFastPath(
  files: Pick<ProfileCacheFiles, 'dir' | 'clock' | 'fastPath'>,
  content: string | undefined,
  inputs: FastPathInputs,
  deadline: Date,
): Promise<void> {
  if (content === undefined) return;
  // before the file: a launcher reading the new deadline finds its marker (or falls back to date)
  await keepDeadlineMarker(files, deadlineSeconds(deadline));
  const file = files.fastPath;
  if ((await readTextIfExists(file)) === content && !(await anyNewer(file, watchedFiles(inputs)))) return;
  await writeFileAtomic(file, content);
}

function watchedFiles(inputs: FastPathInputs): string[] {
  const profile = inputs.profileExists ? inputs.profileFile : undefined;
  return [inputs.tokenFile, profile, inputs.caFile].filter((f): f is string => Boolean(f));
}

async function anyNewer(file: string, others: string[]): Promise<boolean> {
  const mtime = async (f: string) => (await fs.stat(f, { bigint: true })).mtimeNs;
  const own = await mtime(file);
  for (const other of others) {
    try {
      if ((await mtime(other)) >= own) return true;
    } catch {
      // a missing watched file sends the launcher to Node anyway
    }
  }
  return false;
}
