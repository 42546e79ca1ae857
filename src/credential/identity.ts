// The identity a cached certificate belongs to: the recorded cluster (server, CA, TLS name; never
// the one kubectl names), user, groups, key type and the token's SHA-256 (token-source.ts). Any
// change in these is a cache miss, so switching cluster, account or token never reuses the wrong
// certificate; moving the same token to another storage keeps it.
import { createHash } from 'node:crypto';
import type { Settings } from './settings.js';

export function identityDigest(settings: Settings, certificateAuthorityPem: string | undefined, tokenSha256: string): string {
  const { connection } = settings;
  const parts = [
    connection.server,
    certificateAuthorityPem ?? '',
    connection.tlsServerName ?? '',
    settings.user,
    settings.groups.join(','),
    settings.keyAlgorithm,
    tokenSha256,
  ];
  return sha256(JSON.stringify(parts));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
