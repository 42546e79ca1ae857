// Where one profile's cached state lives: <cache dir>/<profile>/...
// The POSIX launcher (bin/kube-csr-login) derives the same directory; keep both in step.
import path from 'node:path';

export interface ProfileCacheFiles {
  dir: string;
  /** Verified key + certificate chain + renewal deadline (JSON, 0600). */
  credential: string;
  /** Pre-rendered ExecCredential for the POSIX launcher's fast path. */
  fastPath: string;
  /** Key generated for a CSR not yet issued: lets an interrupted renewal resume on the same CSR. */
  pending: string;
  /** Why the last renewal failed and until when not to retry. */
  backoff: string;
  /** proper-lockfile's lock directory guarding a renewal. */
  lock: string;
  /** stderr of the last background renewal. */
  backgroundLog: string;
  /** The launcher's renewal claim (holding the claimer's pid) and the pids of the launchers
   * waiting in sh for its answer (src/cache/claim.ts). */
  claim: string;
  waiters: string;
  /** Empty; the launcher truncates it to read "now" as its mtime (src/cache/deadline-clock.ts). */
  clock: string;
}

export function profileCacheFiles(cacheDir: string, profile: string): ProfileCacheFiles {
  const dir = path.join(cacheDir, profile);
  return {
    dir,
    credential: path.join(dir, 'credential.json'),
    fastPath: path.join(dir, 'exec-credential'),
    pending: path.join(dir, 'pending.json'),
    backoff: path.join(dir, 'backoff.json'),
    lock: path.join(dir, 'renew.lock'),
    backgroundLog: path.join(dir, 'background.log'),
    claim: path.join(dir, 'renew.claim'),
    waiters: path.join(dir, 'renew.waiters'),
    clock: path.join(dir, 'clock'),
  };
}
