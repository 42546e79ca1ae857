// The per-profile renewal lock (proper-lockfile: a lock directory whose mtime the holder refreshes,
// so a lock left by a killed process goes stale and is taken over). Cache hits never take it.
import { KclError } from '../errors.js';

export type Release = () => Promise<void>;

// A killed holder's lock is taken over after 10 s; shorter, and a live holder starved of CPU (dozens
// of kubectl calls at once on 2 cores) missed its refresh and lost the lock.
const staleMs = 10_000;
const pollMs = 100;

/** Waits up to waitMs for the lock; with waitMs 0, returns undefined at once if it is held. */
export async function acquireLock(dir: string, lockPath: string, waitMs: number): Promise<Release | undefined> {
  const lockfile = await import('proper-lockfile');
  try {
    const release = await lockfile.lock(dir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: staleMs,
      update: 2_000,
      retries: waitMs <= 0 ? 0 : { retries: Math.ceil(waitMs / pollMs), factor: 1, minTimeout: pollMs, maxTimeout: pollMs },
      onCompromised: () => {
        // Another process took over a lock we held too long; our atomic writes stay consistent.
      },
    });
    // If the lock was taken over meanwhile (compromised), releasing fails: nothing left to release,
    // and the cache stays consistent because every write is atomic.
    return () => release().catch(() => undefined);
  } catch (error) {
    if (waitMs <= 0 && error instanceof Error && 'code' in error && error.code === 'ELOCKED') return undefined;
    throw new KclError('lock', `another kube-csr-login is renewing this profile and did not finish within ${Math.round(waitMs / 1000)} s`);
  }
}
