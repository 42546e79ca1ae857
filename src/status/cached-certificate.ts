// status: what the cached credential of a profile holds, read forgivingly. Anything unexpected (a
// missing, corrupt or foreign entry) is "no valid certificate" with a reason, never an error. Only
// dates and the subject leave this file: never the key, the token or the certificate PEM.
import { describe } from '../errors.js';
import { type CacheRead, readCredentialEntry } from '../cache/credential-entry.js';
import { freshness } from '../credential/renewal-policy.js';
import { credentialIdOfPem } from '../trace/credential-id.js';
import { errorCode } from '../util/files.js';

/** valid: before the renewal point; renewing: past it, still usable; expired: get-credential must wait. */
export type CertificateState = 'valid' | 'renewing' | 'expired';

export interface CertificateStatus {
  subject: { user: string | undefined; groups: string[] };
  /** X509SHA256=<hex>, as kube-apiserver reports it in user.extra and audit events. */
  credentialId: string | undefined;
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
  let read: CacheRead;
  try {
    read = await readCredentialEntry(file, expected === undefined ? {} : { user: expected.user, groups: [...new Set(expected.groups)] });
  } catch (error) {
    return { kind: 'none', reason: `cache entry unreadable: ${errorCode(error) ?? describe(error)}` };
  }
  if (read.kind === 'miss') return { kind: 'none', reason: read.reason === 'no cached certificate' ? 'none cached' : read.reason };
  const { certificate, renewAt } = read.entry;
  const state = { fresh: 'valid', 'renew-in-background': 'renewing', expired: 'expired' } as const;
  return {
    kind: 'certificate',
    certificate: {
      subject: { user: certificate.subject.commonName, groups: certificate.subject.organizations },
      credentialId: credentialIdOfPem(read.entry.certificateChainPem),
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      renewAt,
      state: state[freshness(renewAt, certificate.notAfter, now)],
    },
  };
}
