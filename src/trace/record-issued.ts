// After a renewal: note the new certificate's credential id in the profile's record. The credential
// is already cached; a failure to write the record must not fail the kubectl call that waits on it.
import type { VerifiedEntry } from '../cache/credential-entry.js';
import { parseCertificateChain } from '../pki/certificate.js';
import { credentialIdOf } from './credential-id.js';
import { recordIssuedCertificate } from './issued-certificates.js';

export async function recordIssued(file: string, entry: VerifiedEntry, csrName: string, now: Date): Promise<void> {
  const leaf = parseCertificateChain(entry.certificateChainPem)[0];
  if (!leaf) return;
  const { notBefore, notAfter } = entry.certificate;
  await recordIssuedCertificate(file, { credentialId: credentialIdOf(leaf), csrName, obtainedAt: now, notBefore, notAfter }).catch(
    () => undefined, // tracing metadata only; status falls back to the id of the cached certificate
  );
}
