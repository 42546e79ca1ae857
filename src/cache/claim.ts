// The Node side of the launcher's renewal claim (bin/kube-csr-login): the first of many concurrent
// calls with no usable credential claims <cache>/<profile>/renew.claim and the others wait for its
// answer in sh, listed in renew.waiters. Each line names a process by pid and start time (field 22
// of /proc/<pid>/stat, which sh reads with builtins; no start time without /proc): a pid alone may
// have been reused by an unrelated process. The claimer removes the claim when it is done,
// whatever the outcome (only its own), then wakes with SIGURG the waiters that are still the
// processes they were; a line without a start time is never signalled (the waiter naps instead).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { profileCacheFiles } from './layout.js';

/** When process pid started (clock ticks since boot), or undefined (no /proc, no such process). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // the command name (field 2) may hold spaces and parentheses: count from after its last ") "
  const start = stat?.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** A line of renew.claim or renew.waiters, as the launcher writes it. */
function processLine(pid: number, start: string | undefined): string {
  return start === undefined ? String(pid) : `${pid} ${start}`;
}

/** file: the claim the launcher passed in KUBE_CSR_LOGIN_CLAIM; anything else is ignored. */
export async function releaseClaim(file: string | undefined, pid: number): Promise<void> {
  if (!file) return;
  const claim = path.resolve(file); // the launcher's path may hold "//" or be relative
  const profileDir = path.dirname(claim);
  const files = profileCacheFiles(path.dirname(profileDir), path.basename(profileDir));
  if (claim !== files.claim) return;
  const owner = await fs.readFile(claim, 'utf8').catch(() => '');
  if (owner.trim() !== processLine(pid, await processStartTime(pid))) return;
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
    const [waiter, start] = line.split(' ').map(Number);
    if (!Number.isSafeInteger(waiter) || waiter === undefined || waiter <= 1 || !Number.isSafeInteger(start)) continue;
    if ((await processStartTime(waiter)) !== String(start)) continue; // gone, or its pid reused
    try {
      process.kill(waiter, 'SIGURG');
    } catch {
      // gone already
    }
  }
}
