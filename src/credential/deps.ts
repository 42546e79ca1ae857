// What the credential use cases need from the outside world, built once in src/cli/.
import type { Connection } from '../kube/connection.js';
import type { CsrApi } from '../kube/csr-api.js';
import type { Release } from '../cache/lock.js';
import type { TokenDeps } from '../token/token-store.js';
import type { DailyCheckInput } from '../trustbundle/daily-check.js';

interface Logger {
  /** Only with --verbose: never on a silent cache hit otherwise. */
  verbose: (message: string) => void;
  warn: (message: string) => void;
}

export interface CredentialDeps {
  now: () => Date;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  cacheDir: string;
  configDir: string;
  /** This process's uid: the cache is trusted only when it is this user's alone (undefined: no uids). */
  uid: number | undefined;
  execInfoRaw: string | undefined;
  /** True when a person can see stderr (a terminal); spec.interactive must also be true. */
  stderrIsTerminal: boolean;
  stdout: (text: string) => void;
  log: Logger;
  /** remainingMs: what is left of the renewal's time budget, which bounds every call. The client
   * reaches connection.server through its proxy-url, else as HTTPS_PROXY/NO_PROXY say. */
  openCsrApi: (connection: Connection, token: string, remainingMs: () => number) => Promise<CsrApi>;
  lock: (dir: string, lockPath: string, waitMs: number) => Promise<Release | undefined>;
  /** For reading the long-term token; askPassphrase is there only when a person can answer. */
  tokens: TokenDeps;
  /** After a background renewal: the daily comparison of the CA with the published one (src/trustbundle/). */
  dailyCaCheck?: (input: DailyCheckInput) => Promise<unknown>;
  /** Starts a detached copy of this command that renews under the lock, then returns at once. */
  startBackgroundRenewal: () => Promise<void>;
}
