// The approver's issuance records (src/approver/issuance-record.ts) read back from its JSON log: the
// lines whose `record` is certificate-issued, each checked field by field. Other log lines are not
// records and are passed over; a record line with a bad field is a problem with its line number.
import type { Json } from '../util/validate.js';
import { isCredentialId } from './credential-id.js';

export interface IssuanceRecord {
  credentialId: string;
  user: string;
  groups: string[];
  serviceAccount: string;
  serviceAccountNamespace: string;
  serviceAccountUid: string;
  notBefore: Date;
  notAfter: Date;
  csr: string;
  csrUid: string;
  /** When the approver saw the certificate: the renewal's time. */
  issuedAt: Date | undefined;
}

export const issuanceRecordKind = 'certificate-issued';

/** undefined: another log line; a string: why this record line is unusable. */
export function parseIssuanceRecord(object: Json): IssuanceRecord | string | undefined {
  if (object.record !== issuanceRecordKind) return undefined;
  if (!isCredentialId(object.credentialId)) return 'issuance record without a valid credentialId';
  const fields = ['user', 'groups', 'serviceAccount', 'serviceAccountNamespace', 'serviceAccountUid', 'csr', 'csrUid'] as const;
  const missing = fields.find((field) => typeof object[field] !== 'string');
  if (missing !== undefined) return `issuance record without ${missing}`;
  const notBefore = new Date(String(object.notBefore));
  const notAfter = new Date(String(object.notAfter));
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) return 'issuance record with an unreadable validity window';
  const issuedAt = new Date(String(object.issuedAt));
  const value = (field: (typeof fields)[number]) => String(object[field]);
  return {
    credentialId: object.credentialId,
    user: value('user'),
    groups: value('groups') === '' ? [] : value('groups').split(','),
    serviceAccount: value('serviceAccount'),
    serviceAccountNamespace: value('serviceAccountNamespace'),
    serviceAccountUid: value('serviceAccountUid'),
    notBefore,
    notAfter,
    csr: value('csr'),
    csrUid: value('csrUid'),
    issuedAt: Number.isNaN(issuedAt.getTime()) ? undefined : issuedAt,
  };
}
