// Where one profile's cached state lives: <cache dir>/<profile>/...
// The POSIX launcher (bin/kube-csr-login) derives the same directory; keep both in step. These are
// the only names kube-csr-login creates there: logout removes these and nothing else.
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
  /** CACHEDIR.TAG (bford.info/cachedir): marks the directory as ours, and keeps keys out of backups. */
  tag: string;
  /** Credential ids and validity of the certificates obtained (src/trace/issued-certificates.ts). */
  issued: string;
  /** The last comparison of the profile's CA with the cluster's published serving CA (src/trustbundle/). */
  caCheck: string;
}

const cacheDirTagName = 'CACHEDIR.TAG';
export const cacheDirTag = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by kube-csr-login.\n';

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
    tag: path.join(dir, cacheDirTagName),
    issued: path.join(dir, 'issued.json'),
    caCheck: path.join(dir, 'ca-check.json'),
  };
}

const { dir: _dir, ...named } = profileCacheFiles('/', 'profile');
const fixedNames = new Set(Object.values(named).map((file) => path.basename(file)));

/** deadline.<epoch seconds>: see src/cache/deadline-clock.ts. */
export function deadlineMarkerName(epochSeconds: number): string {
  return `deadline.${epochSeconds}`;
}

export function isDeadlineMarker(name: string): boolean {
  return /^deadline\.\d+$/.test(name);
}

/**
 * True for a name kube-csr-login creates in a profile directory: the files above, the deadline
 * markers (deadline.<epoch>), a waiters list being answered (renew.waiters.<pid>) and the temp
 * files of atomic writes (.<name>.<12 hex>.tmp, left by a killed process).
 */
export function isProfileCacheEntry(name: string): boolean {
  if (fixedNames.has(name)) return true;
  if (isDeadlineMarker(name) || /^renew\.waiters\.\d+$/.test(name)) return true;
  const temp = /^\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name);
  return temp?.[1] !== undefined && fixedNames.has(temp[1]);
}
