// One credential as a trace reports it: what the audit log shows it did, and its issuance record.
// Its own file: the trace (trace.ts) builds these and the mismatch checks (mismatch.ts) read them.
import type { AuditRequest } from './audit-event.js';
import type { IssuanceRecord } from './issuance-records.js';

export interface CredentialTrace {
  credentialId: string;
  username: string;
  groups: string[];
  record: IssuanceRecord | undefined;
  requestCount: number;
  requests: AuditRequest[];
  firstRequest: Date | undefined;
  lastRequest: Date | undefined;
  /** Requests the audit log dates outside the record's validity window (impossible for one cluster). */
  outsideValidity: number;
}
