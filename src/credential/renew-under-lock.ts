// The miss path: take the profile lock, look at the cache again (another kubectl may have just
// renewed), respect a recent failure's back-off, renew, and record a failure worth backing off.
import { KclError } from '../errors.js';
import { rfc3339Seconds } from '../util/time.js';
import { backoffFor, clearBackoff, consecutiveFailures, readBackoff, writeBackoff } from '../cache/backoff.js';
import { type ExpectedIdentity, type VerifiedEntry, readCredentialEntry } from '../cache/credential-entry.js';
import type { ProfileCacheFiles } from '../cache/layout.js';
import type { CredentialDeps } from './deps.js';
import { renewCredential } from './renew.js';
import { freshness } from './renewal-policy.js';
import type { Settings } from './settings.js';

export interface RenewContext {
  settings: Settings;
  identity: string;
  /** Reads the long-term token: only a renewal does (a keyring round trip, or a prompt). */
  token: () => Promise<string>;
  files: ProfileCacheFiles;
  expected: ExpectedIdentity;
}

const lockGraceMs = 15_000;
const startupRetryMs = 2_000;

/**
 * Blocking (wait: true) returns a usable entry or throws. In the background (wait: false) it gives
 * up silently when another process holds the lock, and returns undefined. force: renew even when
 * the cache holds a fresh certificate (`kube-csr-login login`).
 */
export async function renewUnderLock(
  deps: CredentialDeps,
  context: RenewContext,
  mode: { wait: true; force?: boolean },
): Promise<VerifiedEntry>;
export async function renewUnderLock(
  deps: CredentialDeps,
  context: RenewContext,
  mode: { wait: false },
): Promise<VerifiedEntry | undefined>;
export async function renewUnderLock(
  deps: CredentialDeps,
  context: RenewContext,
  mode: { wait: boolean; force?: boolean },
): Promise<VerifiedEntry | undefined> {
  const { settings, identity, files } = context;
  const blocked = await readBackoff(files.backoff, identity, deps.now());
  if (blocked) {
    const retry = rfc3339Seconds(blocked.until);
    throw new KclError(
      blocked.code,
      `${blocked.message} (not retrying before ${retry}; run kube-csr-login logout --profile ${settings.profile} to retry now)`,
    );
  }
  const release = await deps.lock(files.dir, files.lock, mode.wait ? settings.waitTimeoutMs + lockGraceMs : 0);
  if (!release) return undefined;
  try {
    const again = await readCredentialEntry(files.credential, context.expected);
    if (!mode.force && again.kind === 'hit' && freshness(again.entry.renewAt, again.entry.certificate.notAfter, deps.now()) === 'fresh') {
      return again.entry;
    }
    const token = await context.token();
    const deadline = deps.now().getTime() + settings.waitTimeoutMs;
    const api = await deps.openCsrApi(settings.connection, token, () => deadline - deps.now().getTime());
    const notifyWaiting = (message: string) => {
      if (settings.interactive && deps.stderrIsTerminal && mode.wait) deps.log.warn(message);
    };
    const renew = () => renewCredential({ ...deps, notifyWaiting }, { settings, identity, files, api });
    const entry = await renew().catch(async (error: unknown) => {
      // An API server that has just (re)started answers 403 (or 401) until its RBAC and token caches
      // have synced (seen across a restart in the long-running e2e suite): ask once more before
      // believing it and backing off for a minute. The saved key makes the second try resume.
      if (!(error instanceof KclError && (error.code === 'forbidden' || error.code === 'unauthorized'))) throw error;
      await deps.sleep(startupRetryMs);
      return renew();
    });
    await clearBackoff(files.backoff);
    return entry;
  } catch (error) {
    if (error instanceof KclError && backoffFor(error.code) !== undefined) {
      const failures = (await consecutiveFailures(files.backoff, identity, error.code)) + 1;
      const until = new Date(deps.now().getTime() + (backoffFor(error.code, failures) ?? 0));
      await writeBackoff(files.backoff, { identity, until, code: error.code, message: error.message, failures });
    }
    throw error;
  } finally {
    await release();
  }
}
