// The ExecCredential we print on stdout. client-go checks: same apiVersion as configured, a status,
// certificate and key together, both parseable as a TLS key pair.
import type { ExecApiVersion } from './exec-info.js';
import { rfc3339Seconds } from '../util/time.js';

export interface IssuedCredential {
  /** Leaf certificate first, then any intermediates, PEM. */
  certificateChainPem: string;
  privateKeyPem: string;
}

export function renderExecCredential(apiVersion: ExecApiVersion, credential: IssuedCredential, expiration: Date): string {
  return `${JSON.stringify({
    apiVersion,
    kind: 'ExecCredential',
    status: {
      // RFC 3339 without fractional seconds, as Go's metav1.Time marshals it.
      expirationTimestamp: rfc3339Seconds(expiration),
      clientCertificateData: credential.certificateChainPem,
      clientKeyData: credential.privateKeyPem,
    },
  })}\n`;
}
