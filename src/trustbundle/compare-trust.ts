// What the published serving CAs mean for a profile that trusts `current`:
// - current: the same set of CAs;
// - changed: another set, and the certificate the server presents (on a connection the current CA
//   verified) chains to one of the published CAs: safe to trust the published set (setup --refresh-ca);
// - broken: another set that the server's own certificate does not chain to: never adopted (trusting
//   it alone would break the connection; it is a mistake or an attack, not a rotation).
import { X509Certificate } from 'node:crypto';
import type { PublishedCas } from './published-cas.js';

export type TrustVerdict =
  { state: 'current' } | { state: 'changed'; added: X509Certificate[]; removed: X509Certificate[] } | { state: 'broken'; reason: string };

export function compareTrust(currentPem: string, published: PublishedCas): TrustVerdict {
  const current = parseCas(currentPem);
  const have = new Set(current.map((ca) => ca.fingerprint256));
  const want = new Set(published.cas.map((ca) => ca.fingerprint256));
  const added = published.cas.filter((ca) => !have.has(ca.fingerprint256));
  const removed = current.filter((ca) => !want.has(ca.fingerprint256));
  if (added.length === 0 && removed.length === 0) return { state: 'current' };
  if (!chainsTo(published.servingChain, published.cas)) {
    return {
      state: 'broken',
      reason: `the API server's certificate (${subjectOf(published.servingChain[0])}) does not chain to any published CA (${published.cas.map(subjectOf).join('; ')})`,
    };
  }
  return { state: 'changed', added, removed };
}

/** The bundle as PEM, in the order published: what the profile and kubeconfig will trust. */
export function bundlePem(published: PublishedCas): string {
  return published.cas.map((ca) => ca.toString()).join('');
}

export function subjectOf(certificate: X509Certificate | undefined): string {
  return (certificate?.subject ?? 'none').replace(/\n/g, ', ');
}

/** Some certificate of the presented chain is signed by (or is) one of the CAs, and is valid by it. */
function chainsTo(chain: readonly X509Certificate[], cas: readonly X509Certificate[]): boolean {
  return chain.some((cert) =>
    cas.some((ca) => cert.fingerprint256 === ca.fingerprint256 || (cert.checkIssued(ca) && cert.verify(ca.publicKey))),
  );
}

function parseCas(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}
