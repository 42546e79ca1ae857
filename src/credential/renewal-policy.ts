// When to renew. Like client-go's certificate manager: a deadline at a jittered 70-90 % of the
// certificate's real lifetime (read from the issued certificate, never assumed from the request),
// so many users do not renew at the same moment.
import type { CertificateInfo } from '../pki/certificate.js';

export type Freshness = 'fresh' | 'renew-in-background' | 'expired';

/** Deadline floored to the second: the POSIX fast path compares whole epoch seconds. */
export function renewalDeadline(certificate: CertificateInfo, window: readonly [number, number], random: () => number): Date {
  const start = certificate.notBefore.getTime();
  const lifetime = certificate.notAfter.getTime() - start;
  const fraction = window[0] + (window[1] - window[0]) * random();
  return new Date(Math.floor((start + lifetime * fraction) / 1000) * 1000);
}

/** A certificate this close to NotAfter is treated as expired: kubectl would race the clock. */
const expiryMarginMs = 30_000;

export function freshness(renewAt: Date, notAfter: Date, now: Date): Freshness {
  if (now.getTime() >= notAfter.getTime() - expiryMarginMs) return 'expired';
  return now < renewAt ? 'fresh' : 'renew-in-background';
}

/**
 * The expirationTimestamp we hand to client-go. Before the deadline it is the deadline itself, so
 * long-running clients (k9s, controllers) call us again in time. Past it, while a background renewal
 * runs, ask again within recheckMs (a minute by default) but never past NotAfter. client-go keeps
 * the certificate it has until then; re-handing the same one does not close its connections.
 */
export function credentialExpiry(renewAt: Date, notAfter: Date, now: Date, recheckMs: number): Date {
  if (now < renewAt) return renewAt;
  const soon = Math.floor(now.getTime() / 1000) * 1000 + recheckMs;
  return new Date(Math.min(soon, notAfter.getTime() - expiryMarginMs));
}
