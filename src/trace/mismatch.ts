// Signs that an audit log and a set of issuance records do not describe the same certificates:
// audit logs carry no cluster name, so "from another cluster" shows as ids and UIDs that do not meet.
// - no client-certificate credential id of the audit log is in the records (at all);
// - a user the records know used a certificate they do not (another approver, cluster or time);
// - a request dated outside its certificate's recorded validity window;
// - a ServiceAccount token request whose ServiceAccount UID the records never saw for that name
//   (the user was removed and re-added, or the records are from another cluster).
import type { AuditRequest } from './audit-event.js';
import type { IssuanceRecord } from './issuance-records.js';
import type { CredentialTrace } from './trace.js';

export interface Mismatch {
  kind: 'no-overlap' | 'unrecorded-certificate' | 'outside-validity' | 'serviceaccount-uid';
  message: string;
}

const x509Prefix = 'X509SHA256=';

export function mismatches(
  credentials: readonly CredentialTrace[],
  records: ReadonlyMap<string, IssuanceRecord>,
  tokenRequests: readonly AuditRequest[],
): Mismatch[] {
  if (records.size === 0) return [];
  const found: Mismatch[] = [];
  const certificates = credentials.filter((c) => c.credentialId.startsWith(x509Prefix));
  const recordedUsers = new Set([...records.values()].map((r) => r.user));
  if (certificates.length > 0 && certificates.every((c) => c.record === undefined)) {
    found.push({
      kind: 'no-overlap',
      message: `none of the ${certificates.length} client-certificate credential ids in the audit log is among the ${records.size} issuance records: are they from the same cluster?`,
    });
  } else {
    for (const c of certificates.filter((c) => c.record === undefined && recordedUsers.has(c.username)))
      found.push({
        kind: 'unrecorded-certificate',
        message: `${c.username} used ${c.credentialId}, which no issuance record names (issued by another approver or cluster, or before the records begin)`,
      });
  }
  for (const c of credentials.filter((c) => c.outsideValidity > 0))
    found.push({
      kind: 'outside-validity',
      message: `${c.outsideValidity} requests with ${c.credentialId} are dated outside its recorded validity window (clock skew, or records from another cluster)`,
    });
  found.push(...uidMismatches(records, tokenRequests));
  return found;
}

function uidMismatches(records: ReadonlyMap<string, IssuanceRecord>, tokenRequests: readonly AuditRequest[]): Mismatch[] {
  const known = new Map<string, Set<string>>();
  for (const r of records.values()) {
    const key = `system:serviceaccount:${r.serviceAccountNamespace}:${r.serviceAccount}`;
    known.set(key, (known.get(key) ?? new Set()).add(r.serviceAccountUid));
  }
  const reported = new Set<string>();
  const found: Mismatch[] = [];
  for (const request of tokenRequests) {
    const uids = known.get(request.username);
    const key = `${request.username} ${request.uid}`;
    if (!uids || request.uid === undefined || uids.has(request.uid) || reported.has(key)) continue;
    reported.add(key);
    found.push({
      kind: 'serviceaccount-uid',
      message: `${request.username} made requests as uid ${request.uid}; the records know it as ${[...uids].join(', ')} (removed and re-added, or another cluster)`,
    });
  }
  return found;
}
