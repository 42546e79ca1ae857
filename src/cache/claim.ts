// The Node side of the launcher's renewal claim (bin/kube-csr-login): the first of many concurrent
// calls with no usable credential claims <cache>/<profile>/renew.claim and the others wait for its
// answer in sh, their pids listed in renew.waiters. The claimer removes the claim when it is done,
// whatever the outcome (only its own), then wakes the waiters with SIGURG: ignored by default, so a
// pid reused by an unrelated process is not harmed.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { profileCacheFiles } from './layout.js';

/** file: the claim the launcher passed in KUBE_CSR_LOGIN_CLAIM; anything else is ignored. */
export async function releaseClaim(file: string | undefined, pid: number): Promise<void> {
  if (!file) return;
  const claim = path.resolve(file); // the launcher's path may hold "//" or be relative
  const profileDir = path.dirname(claim);
  const files = profileCacheFiles(path.dirname(profileDir), path.basename(profileDir));
  if (claim !== files.claim) return;
  const owner = await fs.readFile(claim, 'utf8').catch(() => '');
  if (owner.trim() !== String(pid)) return;
  await fs.rm(claim, { force: true });
  await wakeWaiters(files.waiters, pid);
}

async function wakeWaiters(file: string, pid: number): Promise<void> {
  const taken = `${file}.${pid}`;
  if (
    !(await fs.rename(file, taken).then(
      () => true,
      () => false,
    ))
  )
    return;
  const text = await fs.readFile(taken, 'utf8').catch(() => '');
  await fs.rm(taken, { force: true });
  for (const line of text.split('\n')) {
    const waiter = Number(line);
    if (!Number.isSafeInteger(waiter) || waiter <= 1) continue;
    try {
      process.kill(waiter, 'SIGURG');
    } catch {
      // gone already
    }
  }
}
