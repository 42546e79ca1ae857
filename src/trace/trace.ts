// `admin trace`: joins an API server audit log with the approver's issuance records by credential id.
// Per credential id: who held it (the record's user, groups and ServiceAccount name + UID, else the
// audit log's user), its validity window and CSR, and the requests made with it. Both inputs are
// streams of JSON lines read once with a line bound; bad lines are reported by number. Signs that
// the two inputs do not belong together (another cluster, or records from another time) are named.
import type { AuditRequest } from './audit-event.js';
import { parseAuditEvent } from './audit-event.js';
import { type IssuanceRecord, parseIssuanceRecord } from './issuance-records.js';
import { type LineProblem, readJsonLines } from './json-lines.js';
import { type Mismatch, mismatches } from './mismatch.js';

export interface TraceInput {
  audit: AsyncIterable<Uint8Array>;
  records?: AsyncIterable<Uint8Array>;
  /** Only this credential id, or only credentials of this user. */
  credentialId?: string;
  user?: string;
  /** Requests kept per credential id (the rest are counted). */
  maxRequests: number;
}

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

export interface TraceReport {
  credentials: CredentialTrace[];
  problems: (LineProblem & { source: 'audit log' | 'records' })[];
  auditEvents: number;
  /** Events whose user has no credential id (anonymous, or not given one by the authenticator). */
  withoutCredentialId: number;
  records: number;
  mismatches: Mismatch[];
}

const maxProblems = 100;

export async function trace(input: TraceInput): Promise<TraceReport> {
  const report: TraceReport = { credentials: [], problems: [], auditEvents: 0, withoutCredentialId: 0, records: 0, mismatches: [] };
  const problem = (source: 'audit log' | 'records') => (p: LineProblem) => {
    if (report.problems.length < maxProblems) report.problems.push({ source, ...p });
  };
  const records = input.records ? await readIssuanceRecords(input.records, problem('records')) : new Map<string, IssuanceRecord>();
  report.records = records.size;
  const byId = new Map<string, CredentialTrace>();
  const tokenUsers: AuditRequest[] = [];
  await readJsonLines(
    input.audit,
    (object, line) => {
      const request = parseAuditEvent(object);
      if (!request) return problem('audit log')({ line, problem: 'not an audit.k8s.io Event with a user and requestReceivedTimestamp' });
      if (object.stage !== undefined && object.stage !== 'ResponseComplete' && object.stage !== 'Panic') return; // one event per request
      report.auditEvents += 1;
      if (request.uid !== undefined && request.username.startsWith('system:serviceaccount:') && tokenUsers.length < 10_000)
        tokenUsers.push(request);
      if (request.credentialId === undefined) {
        report.withoutCredentialId += 1;
        return;
      }
      const record = records.get(request.credentialId);
      if (!wanted(input, request, record)) return;
      const entry = byId.get(request.credentialId) ?? newTrace(request, record);
      byId.set(request.credentialId, entry);
      entry.requestCount += 1;
      if (entry.requests.length < input.maxRequests) entry.requests.push(request);
      if (!entry.firstRequest || request.time < entry.firstRequest) entry.firstRequest = request.time;
      if (!entry.lastRequest || request.time > entry.lastRequest) entry.lastRequest = request.time;
      if (record && (request.time < record.notBefore || request.time > record.notAfter)) entry.outsideValidity += 1;
    },
    problem('audit log'),
  );
  report.credentials = [...byId.values()].sort((a, b) => (a.firstRequest?.getTime() ?? 0) - (b.firstRequest?.getTime() ?? 0));
  report.mismatches = mismatches(report.credentials, records, tokenUsers);
  return report;
}

/** The records of an approver log, by credential id (a record repeated after a restart counts once). */
export async function readIssuanceRecords(
  chunks: AsyncIterable<Uint8Array>,
  onProblem: (problem: LineProblem) => void,
): Promise<Map<string, IssuanceRecord>> {
  const records = new Map<string, IssuanceRecord>();
  await readJsonLines(
    chunks,
    (object, line) => {
      const record = parseIssuanceRecord(object);
      if (typeof record === 'string') onProblem({ line, problem: record });
      else if (record) records.set(record.credentialId, record);
    },
    onProblem,
  );
  return records;
}

function wanted(input: TraceInput, request: AuditRequest, record: IssuanceRecord | undefined): boolean {
  if (input.credentialId !== undefined && request.credentialId !== input.credentialId) return false;
  return input.user === undefined || (record?.user ?? request.username) === input.user;
}

function newTrace(request: AuditRequest, record: IssuanceRecord | undefined): CredentialTrace {
  return {
    credentialId: request.credentialId ?? '',
    username: record?.user ?? request.username,
    groups: record?.groups ?? request.groups.filter((group) => group !== 'system:authenticated'),
    record,
    requestCount: 0,
    requests: [],
    firstRequest: undefined,
    lastRequest: undefined,
    outsideValidity: 0,
  };
}
