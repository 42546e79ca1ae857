// The identity a cached certificate belongs to: the recorded cluster (server, CA, TLS name; never
// the one kubectl names), user, groups, key type and the token's SHA-256 (token-source.ts). Any
// change in these is a cache miss, so switching cluster, account or token never reuses the wrong
// certificate; moving the same token to another storage keeps it.
import { createHash } from 'node:crypto';
import { KclError } from '../errors.js';
import { inputBounds, readNamedFile } from '../util/bounded-read.js';
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

export async function readToken(file: string): Promise<string> {
  const what = `the token file ${file}`;
  return checkToken((await readNamedFile(file, inputBounds.token, what)).text, what);
}

/** A bearer token is visible ASCII (RFC 6750); anything else cannot go in a header. */
export function checkToken(text: string, source: string): string {
  const token = text.trim();
  if (!/^[\x21-\x7e]+$/.test(token)) throw new KclError('config', `${source} does not hold a single token`);
  return token;
}

export async function readCertificateAuthority(file: string): Promise<string> {
  const { text: pem } = await readNamedFile(file, inputBounds.certificateAuthority, `the certificate authority file ${file}`);
  return checkCertificateAuthority(pem, file);
}

export function checkCertificateAuthority(pem: string, source: string): string {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new KclError('config', `${source} holds no PEM certificate`);
  return pem;
}
