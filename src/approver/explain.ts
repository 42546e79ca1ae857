// `approver explain`: the live policy evaluated against one CSR, read-only. Every rule with pass,
// fail or skipped and the value it looked at, the request as the Go signer will read it, the
// requester and the groups its ServiceAccount allows, and what the approver would decide now.
import { type CsrObject, apiServerClientSigner, condition } from '../kube/csr-object.js';
import type { ServiceAccountInfo } from '../kube/service-account.js';
import type { Json } from '../util/validate.js';
import type { CsrFacts } from './csr-facts.js';
import { escapeControl } from './escape.js';
import { type Decision, type PolicyConfig, type RuleResult, decide, evaluate, userOf } from './policy.js';
import { policyInput } from './process-csr.js';

export interface Explanation {
  csr: string;
  /** Pending, Approved, Denied, Failed or Issued. */
  state: string;
  signerName: string;
  requester: { username: string | null; uid: string | null; groups: string[] };
  serviceAccount: { namespace: string; name: string; uid: string; allowedGroups: string[] } | null;
  request: Omit<CsrFacts, 'commonNames' | 'organizations'> | { unreadable: string };
  usages: string[];
  expirationSeconds: number | null;
  /** Every rule; empty when the CSR is not ours to judge (another signer or requester). */
  rules: RuleResult[];
  /** What the approver does with it now (an already decided CSR is left alone). */
  decision: Decision;
}

export function explain(raw: Json, csr: CsrObject, account: ServiceAccountInfo | undefined, config: PolicyConfig): Explanation {
  const input = policyInput(raw, csr, account);
  const user = userOf(csr.username, config);
  const ours = csr.signerName === apiServerClientSigner && user !== undefined;
  const { facts } = input;
  return {
    csr: csr.name,
    state: csr.certificatePem ? 'Issued' : ((['Failed', 'Denied', 'Approved'] as const).find((type) => condition(csr, type)) ?? 'Pending'),
    signerName: csr.signerName,
    requester: { username: csr.username ?? null, uid: input.requesterUid ?? null, groups: csr.groups },
    serviceAccount: account
      ? { namespace: config.usersNamespace, name: account.name, uid: account.uid, allowedGroups: account.groups }
      : null,
    request: 'unreadable' in facts ? facts : requestFacts(facts),
    usages: csr.usages,
    expirationSeconds: csr.expirationSeconds ?? null,
    rules: ours ? evaluate(input, config, user) : [],
    decision: decide(input, config),
  };
}

function requestFacts(facts: CsrFacts): Explanation['request'] {
  const { subject, otherSubjectAttributes, badEncodings, extensions, subjectAltNames, attributes, key, signatureValid } = facts;
  return { subject, otherSubjectAttributes, badEncodings, extensions, subjectAltNames, attributes, key, signatureValid };
}

const list = (values: readonly string[]) => (values.length ? values.join(', ') : 'none');

/** The text form; every value passes through escapeControl (a CSR is user-chosen text). */
export function renderExplanation(e: Explanation): string {
  const request = e.request;
  const lines: Array<[string, string]> = [
    ['CSR', `${e.csr} (${e.state}), signer ${e.signerName}`],
    ['requester', `${e.requester.username ?? '(none)'}, uid ${e.requester.uid ?? '(none)'}, groups ${list(e.requester.groups)}`],
    [
      'ServiceAccount',
      e.serviceAccount
        ? `${e.serviceAccount.namespace}/${e.serviceAccount.name}, uid ${e.serviceAccount.uid}, allowed groups ${list(e.serviceAccount.allowedGroups)}`
        : 'none',
    ],
  ];
  if ('unreadable' in request) lines.push(['request', `unreadable: ${request.unreadable}`]);
  else {
    lines.push(
      ['subject', request.subject.map((n) => `${n.type}=${JSON.stringify(n.value)} (${n.encoding})`).join(', ') || '(empty)'],
      ['SANs', list(request.subjectAltNames)],
      ['extensions', list([...request.extensions, ...request.attributes])],
      [
        'key',
        `${request.key.type}${request.key.bits ? ` ${request.key.bits} bits` : ''}${request.key.curve ? ` ${request.key.curve}` : ''}, signature ${request.signatureValid ? 'valid' : 'INVALID'}`,
      ],
    );
  }
  lines.push(['usages', list(e.usages)], ['expiration', e.expirationSeconds === null ? '(none)' : `${e.expirationSeconds} s`]);
  const width = Math.max(...e.rules.map((r) => r.reason.length), 4);
  const rules = e.rules.flatMap((r) => [
    `  ${r.reason.padEnd(width)}  ${r.result.toUpperCase().padEnd(7)}  ${r.result === 'skipped' ? '(not evaluated: an earlier rule failed)' : r.looked}`,
    ...(r.result === 'fail' && r.problem ? [`  ${''.padEnd(width)}           ${r.problem}`] : []),
  ]);
  const d = e.decision;
  const verdict =
    d.action === 'ignore' ? `left alone (${d.why})` : d.action === 'approve' ? `approve: ${d.message}` : `deny ${d.reason}: ${d.message}`;
  const text = [
    ...lines.map(([key, value]) => `${key.padEnd(15)}${value}`),
    '',
    ...(rules.length ? [`rules (as the Go signer will read the request):`, ...rules, ''] : []),
    `decision       ${verdict}`,
  ];
  return `${text.map(escapeControl).join('\n')}\n`;
}
