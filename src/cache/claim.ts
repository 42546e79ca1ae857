// The Node side of the launcher's renewal claim (bin/kube-csr-login): the first of many concurrent
// calls with no usable credential claims <cache>/<profile>/renew.claim and the others wait for its
// answer in sh, their pids listed in renew.waiters. The claimer removes the claim when it is done,
// whatever the outcome (only its own), then wakes the waiters with SIGURG: ignored by default, so a
// pid reused by an unrelated process is not harmed.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function releaseClaim(file: string | undefined, pid: number): Promise<void> {
  if (!file || !file.endsWith('/renew.claim')) return;
  const owner = await fs.readFile(file, 'utf8').catch(() => '');
  if (owner.trim() !== String(pid)) return;
  await fs.rm(file, { force: true });
  await wakeWaiters(path.join(path.dirname(file), 'renew.waiters'), pid);
}

async function wakeWaiters(file: string, pid: number): Promise<void> {
  const taken = `${file}.${pid}`;
  if (!(await fs.rename(file, taken).then(() => true, () => false))) return;
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
