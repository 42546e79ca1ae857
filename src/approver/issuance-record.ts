// One record per certificate the signer issued for a CSR this approver approved, written when the
// watch shows status.certificate filled in: kube-controller-manager deletes issued CSRs after an
// hour, and with them the only link from a certificate to the ServiceAccount (name and UID) that
// asked for it. The record is a log line (in JSON mode: the fields `admin trace --records` reads)
// and a counter. Cheap: the certificate is parsed once, only below a size bound, only for CSRs with
// this approver's Approved condition, once per CSR uid while the process runs (a restart that
// relists sees issued CSRs as list rows, not events, so it does not repeat them; a watch resumed from
// an old resourceVersion may: trace dedupes by credential id).
import type { X509Certificate } from 'node:crypto';
import { type CsrObject, condition, parseCsrObject } from '../kube/csr-object.js';
import { describeCertificate, parseCertificateChain } from '../pki/certificate.js';
import { credentialIdOf } from '../trace/credential-id.js';
import { issuanceRecordKind } from '../trace/issuance-records.js';
import { type Json, isRecord } from '../util/validate.js';
import type { Log } from './log.js';
import { type PolicyConfig, userOf } from './policy.js';

const approvedReason = 'KubeCsrLoginApproved';

/** A PEM chain from the in-tree signer is about 1 KiB; anything past this is not parsed. */
const maxCertificateBytes = 64 * 1024;
const rememberedCsrs = 10_000;

export interface IssuanceDeps {
  config: PolicyConfig;
  log: Log;
  now: () => Date;
  /** Counts each record written. */
  issued: () => void;
}

/** Returns the watch-event hook: call it with each ADDED/MODIFIED CSR object. */
export function issuanceRecorder(deps: IssuanceDeps): (object: Json) => void {
  const seen = new Set<string>();
  return (object) => {
    const status = isRecord(object.status) ? object.status : undefined;
    const encoded = status?.certificate;
    if (typeof encoded !== 'string' || encoded === '' || encoded.length > (maxCertificateBytes * 4) / 3 + 4) return;
    let csr: CsrObject;
    try {
      csr = parseCsrObject(object);
    } catch {
      return;
    }
    const account = userOf(csr.username, deps.config);
    if (account === undefined || condition(csr, 'Approved')?.reason !== approvedReason || seen.has(csr.uid)) return;
    const leaf = firstCertificate(csr.certificatePem ?? '');
    if (!leaf) return;
    seen.add(csr.uid);
    if (seen.size > rememberedCsrs) seen.delete(seen.values().next().value ?? '');
    const info = describeCertificate(leaf);
    const spec = isRecord(object.spec) ? object.spec : {};
    const fields = {
      record: issuanceRecordKind,
      credentialId: credentialIdOf(leaf),
      user: info.subject.commonName ?? '',
      groups: info.subject.organizations.join(','),
      serviceAccount: account,
      serviceAccountNamespace: deps.config.usersNamespace,
      serviceAccountUid: typeof spec.uid === 'string' ? spec.uid : '',
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      csr: csr.name,
      csrUid: csr.uid,
      issuedAt: deps.now().toISOString(),
    };
    deps.issued();
    deps.log(
      `issued certificate ${fields.credentialId} to ${fields.user} (ServiceAccount ${fields.serviceAccountNamespace}/${account} uid ${fields.serviceAccountUid}) for CSR ${csr.name}, valid ${fields.notBefore} to ${fields.notAfter}`,
      fields,
    );
  };
}

function firstCertificate(pem: string): X509Certificate | undefined {
  try {
    return parseCertificateChain(pem)[0];
  } catch {
    return undefined;
  }
}
