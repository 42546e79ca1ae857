// get-credential: the command kubectl runs before every request. A fresh cached certificate is
// printed at once (no lock, no API client, no x509 library). Past the renewal deadline the still
// valid certificate is printed and a detached process renews it. Only a missing or expired
// certificate makes kubectl wait for a renewal. A token behind a passphrase cannot be renewed
// unattended: past the deadline it is renewed (asking) only when kubectl lends the terminal.
import { KclError, describe } from '../errors.js';
import { type CacheRead, readCredentialEntry } from '../cache/credential-entry.js';
import { renderFastPath } from '../cache/fast-path.js';
import { refreshFastPath } from '../cache/fast-path-store.js';
import { profileCacheFiles } from '../cache/layout.js';
import { secureProfileDir } from '../cache/secure-profile-dir.js';
import { renderExecCredential } from '../exec/credential.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { profileFile, readProfile } from '../profile/profile.js';
import { tokenSha256 } from '../token/token-source.js';
import { tokenStore } from '../token/token-store.js';
import type { CredentialDeps } from './deps.js';
import { identityDigest, readCertificateAuthority } from './identity.js';
import type { RenewContext } from './renew-under-lock.js';
import { credentialExpiry, freshness } from './renewal-policy.js';
import { type CredentialFlags, type Settings, resolveSettings, sameServer } from './settings.js';

export interface GetCredentialInput {
  flags: CredentialFlags;
  /** The command line as kubectl passed it, recorded for the POSIX fast path. */
  args: readonly string[];
  /** Set in the detached child that renews in the background: never prints a credential. */
  background: boolean;
  /** `kube-csr-login login`: renew now, even when the cached certificate is fresh. */
  renewNow?: boolean;
  /** A person runs this (login, setup): a passphrase may be asked without KUBERNETES_EXEC_INFO. */
  interactive?: boolean;
}

export async function getCredential(deps: CredentialDeps, input: GetCredentialInput): Promise<void> {
  const execInfo = parseExecInfo(deps.execInfoRaw);
  const profile = await readProfile(deps.configDir, input.flags.profile);
  const settings = resolveSettings(input.flags, profile, execInfo);
  const { connection } = settings;
  if (execInfo?.cluster && !sameServer(execInfo.cluster.server, connection.server)) {
    deps.log.verbose(`kubectl targets ${execInfo.cluster.server}; the token and certificates are for ${connection.server} only`);
  }
  const caFile = connection.certificateAuthorityFile;
  if (caFile) connection.certificateAuthorityPem = await readCertificateAuthority(caFile);
  const token = await tokenAccess(settings, deps, !input.background && (settings.interactive || input.interactive === true));
  const identity = identityDigest(settings, connection.certificateAuthorityPem, token.sha256);
  const files = profileCacheFiles(deps.cacheDir, settings.profile);
  const expected = { digest: identity, user: settings.user, groups: settings.groups };
  const context: RenewContext = { settings, identity, files, token: token.read, expected };
  // before anything is read from or written to the cache: it must be ours alone
  await secureProfileDir(deps.cacheDir, files, { uid: deps.uid, warn: deps.log.warn, verbose: deps.log.verbose });

  // The renewal machinery is imported only when needed: a cache hit must stay cheap to start.
  const renewal = () => import('./renew-under-lock.js');
  if (input.background) {
    const renewed = await (await renewal()).renewUnderLock(deps, context, { wait: false });
    if (renewed && deps.dailyCaCheck) {
      const check = { connection, token: token.read, file: files.caCheck, profile: settings.profile };
      await deps.dailyCaCheck(check).catch((error: unknown) => deps.log.verbose(`serving CA not checked: ${describe(error)}`));
    }
    return;
  }
  let cached: CacheRead = await readCredentialEntry(files.credential, expected);
  if (cached.kind === 'miss') deps.log.verbose(`renewing: ${cached.reason}`);
  const now = deps.now();
  const state = cached.kind === 'hit' ? freshness(cached.entry.renewAt, cached.entry.certificate.notAfter, now) : 'expired';
  if (input.renewNow || cached.kind === 'miss' || state === 'expired') {
    cached = { kind: 'hit', entry: await (await renewal()).renewUnderLock(deps, context, { wait: true, force: input.renewNow === true }) };
  } else if (state === 'renew-in-background' && settings.token.storage !== 'passphrase') {
    const { readBackoff } = await import('../cache/backoff.js');
    if (!(await readBackoff(files.backoff, identity, now))) await deps.startBackgroundRenewal();
  } else if (state === 'renew-in-background' && token.mayAsk) {
    // A person is at the terminal: ask now rather than fail later in a script. Skipped or failed,
    // the still-valid certificate is served.
    try {
      cached = { kind: 'hit', entry: await (await renewal()).renewUnderLock(deps, context, { wait: true }) };
    } catch (error) {
      if (!(error instanceof KclError)) throw error;
      deps.log.warn(
        `kube-csr-login: ${error.message}; the current certificate is valid until ${cached.entry.certificate.notAfter.toISOString()}`,
      );
    }
  }
  const { entry } = cached;
  const output = renderExecCredential(
    settings.apiVersion,
    entry,
    credentialExpiry(entry.renewAt, entry.certificate.notAfter, deps.now(), settings.recheckMs),
  );
  deps.stdout(output);
  if (deps.now() < entry.renewAt) {
    const inputs = {
      args: input.args,
      execInfoRaw: deps.execInfoRaw,
      tokenFile: watchedTokenFile(settings, deps.configDir),
      profileFile: profileFile(deps.configDir, settings.profile),
      profileExists: profile !== undefined,
      caFile,
    };
    await refreshFastPath(files, renderFastPath(inputs, entry.renewAt, output), inputs, entry.renewAt).catch((error: unknown) =>
      deps.log.verbose(`fast path not refreshed: ${describe(error)}`),
    );
  }
}

/**
 * The token's SHA-256 for the cache identity, and how to read the token when a renewal needs it.
 * Only a plain file is read up front (cheap, and a replaced file is a new identity at once); a
 * keyring or an encrypted token is read only by a renewal, using the SHA-256 the profile recorded.
 */
async function tokenAccess(settings: Settings, deps: CredentialDeps, mayAsk: boolean) {
  const { askPassphrase, ...rest } = deps.tokens;
  const store = tokenStore(settings.token, settings.profile, mayAsk && askPassphrase ? { ...rest, askPassphrase } : rest);
  if (settings.token.storage !== 'file')
    return { sha256: settings.token.sha256, read: store.read, mayAsk: mayAsk && askPassphrase !== undefined };
  const token = await store.read();
  return { sha256: tokenSha256(token), read: async () => token, mayAsk: false };
}

/** The file whose change must send the launcher to Node: the token's, or the profile that records it. */
function watchedTokenFile(settings: Settings, configDir: string): string {
  const { token } = settings;
  if (token.storage === 'keyring') return profileFile(configDir, settings.profile);
  return token.file;
}
