// `admin trace` output: a block per credential id for people, one JSON document for scripts. Text
// from the inputs (user names, URIs) is made printable: an audit log is not trusted input.
import { escapeControl } from '../approver/escape.js';
import { rfc3339Seconds } from '../util/time.js';
import type { AuditRequest } from './audit-event.js';
import type { IssuanceRecord } from './issuance-records.js';
import type { CredentialTrace, TraceReport } from './trace.js';

export function renderTraceJson(report: TraceReport): string {
  const doc = {
    auditEvents: report.auditEvents,
    withoutCredentialId: report.withoutCredentialId,
    records: report.records,
    credentials: report.credentials.map((c) => ({
      credentialId: c.credentialId,
      user: c.username,
      groups: c.groups,
      issued: c.record ? recordJson(c.record) : null,
      requestCount: c.requestCount,
      firstRequest: c.firstRequest ? rfc3339Seconds(c.firstRequest) : null,
      lastRequest: c.lastRequest ? rfc3339Seconds(c.lastRequest) : null,
      outsideValidity: c.outsideValidity,
      requests: c.requests.map(requestJson),
    })),
    mismatches: report.mismatches,
    problems: report.problems,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function renderTraceText(report: TraceReport): string {
  const lines = [
    `${report.auditEvents} requests in the audit log (${report.withoutCredentialId} without a credential id), ${report.records} issuance records`,
  ];
  for (const c of report.credentials) lines.push('', ...credentialBlock(c));
  if (report.mismatches.length > 0) lines.push('', 'mismatches:', ...report.mismatches.map((m) => `  ${m.message}`));
  if (report.problems.length > 0)
    lines.push('', 'skipped lines:', ...report.problems.map((p) => `  ${p.source} line ${p.line}: ${p.problem}`));
  return `${lines.map(escapeControl).join('\n')}\n`;
}

function credentialBlock(c: CredentialTrace): string[] {
  const groups = c.groups.length > 0 ? c.groups.join(',') : '-';
  const lines = [c.credentialId, `  user            ${c.username} (groups ${groups})`];
  const r = c.record;
  if (r) {
    lines.push(`  ServiceAccount  ${r.serviceAccountNamespace}/${r.serviceAccount} uid ${r.serviceAccountUid}`);
    lines.push(`  valid           ${rfc3339Seconds(r.notBefore)} to ${rfc3339Seconds(r.notAfter)}`);
    lines.push(`  CSR             ${r.csr} uid ${r.csrUid}`);
  } else lines.push('  issued          no issuance record for this credential id');
  const span = c.firstRequest && c.lastRequest ? ` from ${rfc3339Seconds(c.firstRequest)} to ${rfc3339Seconds(c.lastRequest)}` : '';
  lines.push(`  requests        ${c.requestCount}${span}`);
  for (const q of c.requests) lines.push(`    ${rfc3339Seconds(q.time)} ${q.verb} ${q.uri} ${q.code ?? '-'} ${q.sourceIp ?? '-'}`);
  if (c.requests.length < c.requestCount) lines.push(`    ... ${c.requestCount - c.requests.length} more (raise --requests)`);
  return lines;
}

function recordJson(r: IssuanceRecord) {
  return {
    serviceAccount: { namespace: r.serviceAccountNamespace, name: r.serviceAccount, uid: r.serviceAccountUid },
    notBefore: rfc3339Seconds(r.notBefore),
    notAfter: rfc3339Seconds(r.notAfter),
    csr: { name: r.csr, uid: r.csrUid },
  };
}

function requestJson(q: AuditRequest) {
  return { auditId: q.auditId, time: q.time.toISOString(), verb: q.verb, uri: q.uri, code: q.code ?? null, sourceIp: q.sourceIp ?? null };
}
