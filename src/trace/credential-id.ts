// The credential id kube-apiserver (1.32+) gives a request authenticated by a client certificate:
// the user.extra authentication.kubernetes.io/credential-id, "X509SHA256=" + lowercase hex SHA-256 of
// the leaf's DER (apiserver pkg/authentication/request/x509/x509.go). The same id in the plugin's
// records, the approver's issuance records and the audit log ties them together.
import { X509Certificate, createHash } from 'node:crypto';

export const credentialIdExtra = 'authentication.kubernetes.io/credential-id';

const credentialIdPattern = /^X509SHA256=[0-9a-f]{64}$/;

export function credentialIdOf(leaf: X509Certificate): string {
  return `X509SHA256=${createHash('sha256').update(leaf.raw).digest('hex')}`;
}

/** The id of the first certificate of a PEM bundle; undefined when it does not parse. */
export function credentialIdOfPem(pem: string): string | undefined {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (block === undefined) return undefined;
  try {
    return credentialIdOf(new X509Certificate(block));
  } catch {
    return undefined;
  }
}

export function isCredentialId(value: unknown): value is string {
  return typeof value === 'string' && credentialIdPattern.test(value);
}
