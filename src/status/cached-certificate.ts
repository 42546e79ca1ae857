// status: what the cached credential of a profile holds, read forgivingly. Anything unexpected (a
// missing, corrupt or foreign entry) is "no valid certificate" with a reason, never an error. Only
// dates and the subject leave this file: never the key, the token or the certificate PEM.
import type { X509Certificate } from 'node:crypto';
import { describe } from '../errors.js';
import { freshness } from '../credential/renewal-policy.js';
import { certificateMatchesKey, describeCertificate, parseCertificateChain, sameIdentity } from '../pki/certificate.js';
import { errorCode, readTextIfExists } from '../util/files.js';
import { parseJsonObject, string } from '../util/validate.js';

/** valid: before the renewal point; renewing: past it, still usable; expired: get-credential must wait. */
export type CertificateState = 'valid' | 'renewing' | 'expired';

export interface CertificateStatus {
  subject: { user: string | undefined; groups: string[] };
  notBefore: Date;
  notAfter: Date;
  renewAt: Date;
  state: CertificateState;
}

export type CachedCertificate = { kind: 'certificate'; certificate: CertificateStatus } | { kind: 'none'; reason: string };

/** The identity the profile expects; undefined when there is no readable profile to compare with. */
export interface ProfileIdentity {
  user: string;
  groups: readonly string[];
}

export async function readCachedCertificate(file: string, expected: ProfileIdentity | undefined, now: Date): Promise<CachedCertificate> {
  let text: string | undefined;
  try {
    text = await readTextIfExists(file);
  } catch (error) {
    return { kind: 'none', reason: `cache entry unreadable: ${errorCode(error) ?? describe(error)}` };
  }
  if (text === undefined) return { kind: 'none', reason: 'none cached' };
  try {
    return inspectEntry(text, expected, now);
  } catch (error) {
    return { kind: 'none', reason: `cache entry unreadable: ${error instanceof Error ? error.message : 'invalid'}` };
  }
}

function inspectEntry(text: string, expected: ProfileIdentity | undefined, now: Date): CachedCertificate {
  const doc = parseJsonObject(text, 'cache entry');
  if (doc.version !== 1) throw new Error('unknown cache version');
  string(doc, 'identity', 'entry');
  const renewAt = new Date(string(doc, 'renewAt', 'entry'));
  if (Number.isNaN(renewAt.getTime())) throw new Error('renewAt is not a date');
  const chain = parseCertificateChain(string(doc, 'certificateChainPem', 'entry'));
  const leaf = chain[0] as X509Certificate; // parseCertificateChain returns at least one certificate
  const info = describeCertificate(leaf);
  if (expected !== undefined && !sameIdentity(info.subject, expected.user, [...new Set(expected.groups)])) {
    return { kind: 'none', reason: 'cached certificate names another user or groups' };
  }
  if (!certificateMatchesKey(leaf, string(doc, 'privateKeyPem', 'entry'))) {
    return { kind: 'none', reason: 'cached key does not match the certificate' };
  }
  if (renewAt < info.notBefore || renewAt > info.notAfter) {
    return { kind: 'none', reason: 'cached renewal deadline is outside the validity period' };
  }
  const state = { fresh: 'valid', 'renew-in-background': 'renewing', expired: 'expired' } as const;
  return {
    kind: 'certificate',
    certificate: {
      subject: { user: info.subject.commonName, groups: info.subject.organizations },
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      renewAt,
      state: state[freshness(renewAt, info.notAfter, now)],
    },
  };
}
