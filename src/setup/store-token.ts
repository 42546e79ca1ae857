// Where setup puts the long-term token (--token-storage, default: where the profile already keeps
// it, else a plain file), and the profile fields that say so. Switching storage removes the old
// copy once the new one is in place and the profile points at it. Only copies setup itself made are
// removed: a token file named by hand in a profile is the user's.
import { describe } from '../errors.js';
import type { Profile } from '../profile/profile.js';
import { jwtExpiry } from '../token/jwt-expiry.js';
import { type TokenSource, type TokenStorage, resolveTokenSource, tokenSha256 } from '../token/token-source.js';
import { type TokenDeps, tokenStore } from '../token/token-store.js';
import { ensurePrivateDir } from '../util/files.js';
import path from 'node:path';
import type { ProfileFiles } from '../profile/save-profile.js';

export function chooseTokenSource(storage: TokenStorage, files: ProfileFiles, token: string): TokenSource {
  if (storage === 'file') return { storage, file: files.token };
  const expiresAt = jwtExpiry(token);
  const recorded = { sha256: tokenSha256(token), ...(expiresAt === undefined ? {} : { expiresAt }) };
  // the keyring account is the profile file's path: unique per config dir and profile
  return storage === 'keyring' ? { storage, account: files.profile, ...recorded } : { storage, file: files.sealedToken, ...recorded };
}

export async function storeToken(source: TokenSource, profile: string, token: string, deps: TokenDeps): Promise<void> {
  if (source.storage !== 'keyring') await ensurePrivateDir(path.dirname(source.file));
  const store = tokenStore(source, profile, deps);
  await store.write(token);
  // a keyring that accepts a secret but cannot give it back (locked again, a broken agent) is
  // found now rather than at the first renewal
  if (source.storage === 'keyring') await store.read();
}

/** The profile's token fields for this source: exactly one of tokenFile and tokenStore. */
export function tokenFields(source: TokenSource): Pick<Profile, 'tokenFile' | 'tokenStore'> {
  return source.storage === 'file' ? { tokenFile: source.file } : { tokenStore: source };
}

/**
 * After a switch of storage: removes the copy setup made before. Returns a warning when that
 * failed (the new setup stands; the user must know an old copy is left).
 */
export async function removeOldToken(
  existing: Profile | undefined,
  current: TokenSource,
  files: ProfileFiles,
  profile: string,
  deps: TokenDeps,
): Promise<string | undefined> {
  const old = existing && resolveTokenSource(undefined, existing);
  if (!old || old.storage === current.storage) return undefined;
  const ours = old.storage === 'keyring' || old.file === files.token || old.file === files.sealedToken;
  if (!ours) return undefined;
  try {
    await tokenStore(old, profile, deps).remove();
    return undefined;
  } catch (error) {
    return `warning: the token is now in the ${current.storage} store, but its old copy (${old.storage}) could not be removed: ${describe(error)}`;
  }
}
