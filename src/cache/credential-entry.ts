// The cached credential: forgiving on read (anything unexpected is a miss with a reason), strict on
// write (atomic, 0600). The entry names the identity it was issued for, so a cache that belongs to
// another cluster, account or token is never served.
import type { X509Certificate } from 'node:crypto';
import {
  type CertificateInfo,
  describeCertificate,
  encodeChain,
  keyPemFor,
  parseCertificateChain,
  sameIdentity,
} from '../pki/certificate.js';
import { KclError } from '../errors.js';
import { readTextIfExists, writeFileAtomic } from '../util/files.js';
import { parseJsonObject, string } from '../util/validate.js';

export interface CredentialEntry {
  identity: string;
  certificateChainPem: string;
  privateKeyPem: string;
  renewAt: Date;
}

export interface VerifiedEntry extends CredentialEntry {
  certificate: CertificateInfo;
}

export type CacheRead = { kind: 'hit'; entry: VerifiedEntry } | { kind: 'miss'; reason: string };

export interface ExpectedIdentity {
  digest: string;
  user: string;
  groups: readonly string[];
}

/** What `status` checks: no digest (it does not read the token), the subject only with a profile. */
export type LooseIdentity = Partial<ExpectedIdentity>;

export async function readCredentialEntry(file: string, expected: ExpectedIdentity | LooseIdentity): Promise<CacheRead> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(file);
  } catch (error) {
    if (!(error instanceof KclError)) throw error;
    return { kind: 'miss', reason: `cache entry unreadable (${error.message})` }; // past the bound: foreign, never parsed
  }
  if (text === undefined) return { kind: 'miss', reason: 'no cached certificate' };
  try {
    return verifyEntry(parseEntry(text), expected);
  } catch (error) {
    return { kind: 'miss', reason: `cache entry unreadable (${error instanceof Error ? error.message : 'invalid'})` };
  }
}

function parseEntry(text: string): CredentialEntry {
  const doc = parseJsonObject(text, 'cache entry');
  if (doc.version !== 1) throw new Error('unknown cache version');
  const renewAt = new Date(string(doc, 'renewAt', 'entry'));
  if (Number.isNaN(renewAt.getTime())) throw new Error('renewAt is not a date');
  return {
    identity: string(doc, 'identity', 'entry'),
    certificateChainPem: string(doc, 'certificateChainPem', 'entry'),
    privateKeyPem: string(doc, 'privateKeyPem', 'entry'),
    renewAt,
  };
}

function verifyEntry(entry: CredentialEntry, expected: LooseIdentity): CacheRead {
  if (expected.digest !== undefined && entry.identity !== expected.digest)
    return { kind: 'miss', reason: 'cached certificate is for another identity' };
  const chain = parseCertificateChain(entry.certificateChainPem);
  const leaf = chain[0] as X509Certificate;
  const certificate = describeCertificate(leaf);
  if (expected.user !== undefined && !sameIdentity(certificate.subject, expected.user, expected.groups ?? [])) {
    return { kind: 'miss', reason: 'cached certificate names another user or groups' };
  }
  const privateKeyPem = keyPemFor(leaf, entry.privateKeyPem);
  if (privateKeyPem === undefined) {
    return { kind: 'miss', reason: 'cached key does not match the certificate' };
  }
  if (entry.renewAt < certificate.notBefore || entry.renewAt > certificate.notAfter) {
    return { kind: 'miss', reason: 'cached renewal deadline is outside the validity period' };
  }
  return { kind: 'hit', entry: { ...entry, certificateChainPem: encodeChain(chain), privateKeyPem, certificate } };
}

export async function writeCredentialEntry(file: string, entry: CredentialEntry): Promise<void> {
  const doc = {
    version: 1,
    identity: entry.identity,
    renewAt: entry.renewAt.toISOString(),
    certificateChainPem: entry.certificateChainPem,
    privateKeyPem: entry.privateKeyPem,
  };
  await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`);
}
