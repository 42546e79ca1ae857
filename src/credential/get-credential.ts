// get-credential: the command kubectl runs before every request. A fresh cached certificate is
// printed at once (no lock, no API client, no x509 library). Past the renewal deadline the still
// valid certificate is printed and a detached process renews it. Only a missing or expired
// certificate makes kubectl wait for a renewal.
import { describe } from '../errors.js';
import { type CacheRead, readCredentialEntry } from '../cache/credential-entry.js';
import { renderFastPath } from '../cache/fast-path.js';
import { refreshFastPath } from '../cache/fast-path-store.js';
import { profileCacheFiles } from '../cache/layout.js';
import { renderExecCredential } from '../exec/credential.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { profileFile, readProfile } from '../profile/profile.js';
import type { CredentialDeps } from './deps.js';
import { identityDigest, readCertificateAuthority, readToken } from './identity.js';
import { credentialExpiry, freshness } from './renewal-policy.js';
import { type CredentialFlags, resolveSettings } from './settings.js';

export interface GetCredentialInput {
  flags: CredentialFlags;
  /** The command line as kubectl passed it, recorded for the POSIX fast path. */
  args: readonly string[];
  /** Set in the detached child that renews in the background: never prints a credential. */
  background: boolean;
}

export async function getCredential(deps: CredentialDeps, input: GetCredentialInput): Promise<void> {
  const execInfo = parseExecInfo(deps.execInfoRaw);
  const profile = await readProfile(deps.configDir, input.flags.profile);
  const settings = resolveSettings(input.flags, profile, execInfo);
  const { connection } = settings;
  const caFile = connection.certificateAuthorityPem ? undefined : connection.certificateAuthorityFile;
  if (caFile) connection.certificateAuthorityPem = await readCertificateAuthority(caFile);
  const token = await readToken(settings.tokenFile);
  const identity = identityDigest(settings, connection.certificateAuthorityPem, token);
  const files = profileCacheFiles(deps.cacheDir, settings.profile);
  const expected = { digest: identity, user: settings.user, groups: settings.groups };
  const context = { settings, identity, files, token, expected };

  // The renewal machinery is imported only when needed: a cache hit must stay cheap to start.
  const renewal = () => import('./renew-under-lock.js');
  if (input.background) {
    await (await renewal()).renewUnderLock(deps, context, { wait: false });
    return;
  }
  let cached: CacheRead = await readCredentialEntry(files.credential, expected);
  if (cached.kind === 'miss') deps.log.verbose(`renewing: ${cached.reason}`);
  const now = deps.now();
  const state = cached.kind === 'hit' ? freshness(cached.entry.renewAt, cached.entry.certificate.notAfter, now) : 'expired';
  if (state === 'renew-in-background') {
    const { readBackoff } = await import('../cache/backoff.js');
    if (!(await readBackoff(files.backoff, identity, now))) await deps.startBackgroundRenewal();
  }
  if (cached.kind === 'miss' || state === 'expired') {
    cached = { kind: 'hit', entry: await (await renewal()).renewUnderLock(deps, context, { wait: true }) };
  }
  const { entry } = cached;
  const output = renderExecCredential(
    settings.apiVersion,
    entry,
    credentialExpiry(entry.renewAt, entry.certificate.notAfter, deps.now()),
  );
  deps.stdout(output);
  if (deps.now() < entry.renewAt) {
    const inputs = {
      args: input.args,
      execInfoRaw: deps.execInfoRaw,
      tokenFile: settings.tokenFile,
      profileFile: profileFile(deps.configDir, settings.profile),
      profileExists: profile !== undefined,
      caFile,
    };
    await refreshFastPath(files, renderFastPath(inputs, entry.renewAt, output), inputs, entry.renewAt).catch((error: unknown) =>
      deps.log.verbose(`fast path not refreshed: ${describe(error)}`),
    );
  }
}
