// Where a profile's long-term token lives: a plain file (0600), the OS keyring, or a file encrypted
// with a passphrase. For the last two the profile also records the token's SHA-256 (the cache
// identity) and its expiry, so a cache hit and `status` never touch the secret itself.
import { createHash } from 'node:crypto';
import { type Json, optionalString, string } from '../util/validate.js';

const tokenStorages = ['file', 'keyring', 'passphrase'] as const;
export type TokenStorage = (typeof tokenStorages)[number];

export function isTokenStorage(value: string): value is TokenStorage {
  return (tokenStorages as readonly string[]).includes(value);
}

interface Recorded {
  /** Hex SHA-256 of the token. */
  sha256: string;
  /** The JWT `exp` of the token, when it has one. */
  expiresAt?: Date;
}

/** Kept in the profile as `tokenStore`. account names the keyring entry (service kube-csr-login). */
export type StoredToken = ({ storage: 'keyring'; account: string } | { storage: 'passphrase'; file: string }) & Recorded;

export type TokenSource = { storage: 'file'; file: string } | StoredToken;

/** --token-file wins; then the profile's keyring or encrypted file; then the profile's token file. */
export function resolveTokenSource(
  flagFile: string | undefined,
  profile: { tokenFile?: string; tokenStore?: StoredToken },
): TokenSource | undefined {
  if (flagFile !== undefined) return { storage: 'file', file: flagFile };
  if (profile.tokenStore !== undefined) return profile.tokenStore;
  return profile.tokenFile === undefined ? undefined : { storage: 'file', file: profile.tokenFile };
}

const passphraseExpirationSeconds = 8 * 3600;

/** With a passphrase, a certificate lasts a working day, so the passphrase is typed about once a day. */
export function defaultExpirationSeconds(source: TokenSource, otherwise: number): number {
  return source.storage === 'passphrase' ? passphraseExpirationSeconds : otherwise;
}

/**
 * A plain-text copy of the token outside the profile's store that setup read and left in place (a
 * login bundle, a --token-file): status warns while the file still holds that token.
 */
export interface PlainTextCopy {
  file: string;
  kind: 'bundle' | 'token-file';
  tokenSha256: string;
}

export function parsePlainTextCopy(doc: Json): PlainTextCopy {
  const kind = string(doc, 'kind', 'profile.plainTextCopies');
  if (kind !== 'bundle' && kind !== 'token-file') throw new Error('profile.plainTextCopies kind must be bundle or token-file');
  const tokenSha256 = string(doc, 'tokenSha256', 'profile.plainTextCopies');
  if (!/^[0-9a-f]{64}$/.test(tokenSha256)) throw new Error('profile.plainTextCopies tokenSha256 must be a hex SHA-256');
  return { file: string(doc, 'file', 'profile.plainTextCopies'), kind, tokenSha256 };
}

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function parseStoredToken(doc: Json): StoredToken {
  const sha256 = string(doc, 'sha256', 'profile.tokenStore');
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('profile.tokenStore.sha256 must be a hex SHA-256');
  const recorded: Recorded = { sha256 };
  const expiresAt = optionalString(doc, 'expiresAt', 'profile.tokenStore');
  if (expiresAt !== undefined) {
    const date = new Date(expiresAt);
    if (Number.isNaN(date.getTime())) throw new Error('profile.tokenStore.expiresAt must be a timestamp');
    recorded.expiresAt = date;
  }
  const storage = string(doc, 'storage', 'profile.tokenStore');
  if (storage === 'keyring') return { storage, account: string(doc, 'account', 'profile.tokenStore'), ...recorded };
  if (storage === 'passphrase') return { storage, file: string(doc, 'file', 'profile.tokenStore'), ...recorded };
  throw new Error('profile.tokenStore.storage must be keyring or passphrase');
}
