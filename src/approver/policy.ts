// The approver's decision, pure: a table of named rules over the CSR object, the facts read from
// its PEM and the requester's ServiceAccount. The first broken rule denies with its reason; CSRs
// that are not ours to judge (other signers, other requesters, already decided) are left alone.
import { type CsrObject, apiServerClientSigner, condition } from '../kube/csr-object.js';
import type { CsrFacts } from './csr-facts.js';
import type { ServiceAccountInfo } from '../kube/service-account.js';

export interface PolicyConfig {
  usersNamespace: string;
  maxExpirationSeconds: number;
}

export interface PolicyInput {
  csr: CsrObject;
  /** spec.uid of the CSR: the requester's uid as authenticated by the API server. */
  requesterUid?: string | undefined;
  /** undefined when the request PEM does not parse. */
  facts: CsrFacts | undefined;
  /** The requester's ServiceAccount; undefined if it does not exist. */
  serviceAccount: ServiceAccountInfo | undefined;
}

export type Decision =
  | { action: 'ignore'; why: string }
  | { action: 'approve'; reason: 'KubeCsrLoginApproved'; message: string }
  | { action: 'deny'; reason: string; message: string };

interface Context {
  csr: CsrObject;
  facts: CsrFacts;
  groups: string[];
  user: string;
  config: PolicyConfig;
}

/** A named rule: returns why the CSR breaks it, or undefined when it holds. */
export interface Rule {
  reason: string;
  check: (context: Context) => string | undefined;
}

const clientUsages = ['client auth', 'digital signature'];
const allowedCurves = ['prime256v1', 'secp384r1'];
const ok = undefined;

export const rules: readonly Rule[] = [
  {
    reason: 'WeakKey',
    check: ({ facts: { key } }) => {
      if (key.type === 'rsa' && (key.bits ?? 0) >= 2048) return ok;
      if (key.type === 'ec' && allowedCurves.includes(key.curve ?? '')) return ok;
      return `key ${key.type}${key.bits ? `-${key.bits}` : ''}${key.curve ? ` ${key.curve}` : ''} is not allowed (RSA >= 2048, ECDSA P-256 or P-384)`;
    },
  },
  { reason: 'BadSignature', check: ({ facts }) => (facts.signatureValid ? ok : 'the request signature does not verify') },
  {
    reason: 'SubjectMismatch',
    check: ({ facts, user }) => (facts.commonNames.length === 1 && facts.commonNames[0] === user ? ok : `the subject CN must be exactly "${user}", the requester`),
  },
  {
    reason: 'ExtraSubjectAttributes',
    check: ({ facts }) => (facts.otherSubjectAttributes.length === 0 ? ok : `only CN and O are allowed in the subject (found ${facts.otherSubjectAttributes.join(', ')})`),
  },
  {
    reason: 'ForbiddenGroup',
    check: ({ facts }) => {
      const reserved = facts.organizations.filter((group) => group.startsWith('system:'));
      return reserved.length === 0 ? ok : `system: groups are never granted (${reserved.join(', ')})`;
    },
  },
  {
    reason: 'GroupNotAllowed',
    check: ({ facts, groups }) => {
      const extra = facts.organizations.filter((group) => !groups.includes(group));
      return extra.length === 0 ? ok : `groups not allowed for this user: ${extra.join(', ')} (allowed: ${groups.join(', ') || 'none'})`;
    },
  },
  {
    reason: 'SubjectAlternativeNames',
    check: ({ facts }) => (facts.extensions.includes('subjectAltName') ? 'subject alternative names (DNS, IP, URI, email) are not allowed' : ok),
  },
  {
    reason: 'ExtraExtensions',
    check: ({ facts }) => {
      const extra = [...facts.extensions, ...facts.attributes];
      return extra.length === 0 ? ok : `no extensions or attributes are allowed (found ${extra.join(', ')})`;
    },
  },
  {
    reason: 'UsagesNotAllowed',
    check: ({ csr, facts }) => {
      const allowed = facts.key.type === 'rsa' ? [...clientUsages, 'key encipherment'] : clientUsages;
      const valid = clientUsages.every((u) => csr.usages.includes(u)) && csr.usages.every((u) => allowed.includes(u));
      return valid ? ok : `usages must be ${clientUsages.join(' + ')}${allowed.length > 2 ? ' (+ key encipherment)' : ''}, got ${csr.usages.join(', ')}`;
    },
  },
  { reason: 'ExpirationMissing', check: ({ csr }) => (csr.expirationSeconds === undefined ? 'spec.expirationSeconds must be set' : ok) },
  {
    reason: 'ExpirationTooLong',
    check: ({ csr, config }) => ((csr.expirationSeconds ?? 0) <= config.maxExpirationSeconds ? ok : `expirationSeconds must be at most ${config.maxExpirationSeconds}`),
  },
];

/** The user name if this CSR is ours to judge (pending, our signer, from a ServiceAccount of the users namespace). */
export function requester(csr: CsrObject, config: PolicyConfig): { user: string } | { ignore: string } {
  if (csr.signerName !== apiServerClientSigner) return { ignore: 'another signer' };
  if (csr.certificatePem || condition(csr, 'Approved') || condition(csr, 'Denied') || condition(csr, 'Failed')) return { ignore: 'already decided' };
  const prefix = `system:serviceaccount:${config.usersNamespace}:`;
  if (!csr.username?.startsWith(prefix)) return { ignore: 'not a user of this namespace' };
  return { user: csr.username.slice(prefix.length) };
}

export function decide(input: PolicyInput, config: PolicyConfig): Decision {
  const who = requester(input.csr, config);
  if ('ignore' in who) return { action: 'ignore', why: who.ignore };
  const { user } = who;
  const account = input.serviceAccount;
  if (!account || account.name !== user) return { action: 'deny', reason: 'UnknownServiceAccount', message: `no ServiceAccount ${user} in ${config.usersNamespace}` };
  if (input.requesterUid !== undefined && input.requesterUid !== account.uid) {
    return { action: 'deny', reason: 'UnknownServiceAccount', message: `the requester is an earlier ServiceAccount ${user} (uid differs)` };
  }
  if (!input.facts) return { action: 'deny', reason: 'InvalidRequest', message: 'the request is not a readable PKCS#10 CSR' };
  const context: Context = { csr: input.csr, facts: input.facts, groups: account.groups, user, config };
  for (const rule of rules) {
    const message = rule.check(context);
    if (message !== undefined) return { action: 'deny', reason: rule.reason, message };
  }
  return { action: 'approve', reason: 'KubeCsrLoginApproved', message: `CN=${user} with groups [${input.facts.organizations.join(', ')}] checked by kube-csr-login` };
}
