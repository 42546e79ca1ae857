// An audit.k8s.io/v1 Event line, reduced to what a trace reports. Only the fields used are read and
// each is checked; an event without a credential id (anonymous, or a token the apiserver gives none)
// is counted but not traced.
import { type Json, isRecord } from '../util/validate.js';
import { credentialIdExtra } from './credential-id.js';

export interface AuditRequest {
  auditId: string;
  credentialId: string | undefined;
  username: string;
  /** user.uid: for a ServiceAccount token, the ServiceAccount's UID. */
  uid: string | undefined;
  groups: string[];
  time: Date;
  verb: string;
  uri: string;
  code: number | undefined;
  sourceIp: string | undefined;
}

/** undefined: not an audit event at all (kind/apiVersion wrong, or no user/time). */
export function parseAuditEvent(object: Json): AuditRequest | undefined {
  if (object.kind !== 'Event' || typeof object.apiVersion !== 'string' || !object.apiVersion.startsWith('audit.k8s.io/')) return undefined;
  const user = isRecord(object.user) ? object.user : undefined;
  const time = new Date(text(object.requestReceivedTimestamp) ?? '');
  if (!user || typeof user.username !== 'string' || Number.isNaN(time.getTime())) return undefined;
  const extra = isRecord(user.extra) ? user.extra[credentialIdExtra] : undefined;
  const ids: unknown[] = Array.isArray(extra) ? extra : [];
  const status = isRecord(object.responseStatus) ? object.responseStatus : {};
  const sourceIps: unknown[] = Array.isArray(object.sourceIPs) ? object.sourceIPs : [];
  const groups: unknown[] = Array.isArray(user.groups) ? user.groups : [];
  return {
    auditId: text(object.auditID) ?? '',
    credentialId: typeof ids[0] === 'string' ? ids[0] : undefined,
    username: user.username,
    uid: text(user.uid),
    groups: groups.filter((group) => typeof group === 'string'),
    time,
    verb: text(object.verb) ?? '',
    uri: text(object.requestURI) ?? '',
    code: typeof status.code === 'number' ? status.code : undefined,
    sourceIp: text(sourceIps[0]),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
