// The approver's decision, pure: a table of named rules over the CSR object, the facts read from
// its PEM and the requester's ServiceAccount. The first broken rule denies with its reason; CSRs
// that are not ours to judge (other signers, other requesters, already decided) are ignored.
import { type CsrObject, apiServerClientSigner, condition } from '../kube/csr-object.js';
import type { CsrFacts } from './csr-facts.js';

export interface PolicyConfig {
  usersNamespace: string;
  maxExpirationSeconds: number;
}

export interface PolicyInput {
  csr: CsrObject;
  /** undefined when the request PEM does not parse. */
  facts: CsrFacts | undefined;
  /** The requester's ServiceAccount and the groups its annotation allows; undefined if missing. */
  serviceAccount: { groups: string[] } | undefined;
}

export type Decision =
  | { action: 'ignore'; why: string }
  | { action: 'approve'; reason: 'KubeCsrLoginApproved'; message: string }
  | { action: 'deny'; reason: string; message: string };

interface Rule {
  reason: string;
  /** A message when the rule is broken, else undefined. */
  check: (input: Required<Pick<PolicyInput, 'csr'>> & { facts: CsrFacts; groups: string[]; user: string }, config: PolicyConfig) => string | undefined;
}

const clientUsages = ['client auth', 'digital signature'];
const allowedCurves = ['prime256v1', 'secp384r1'];

const rules: Rule[] = [
  { reason: 'BadSignature', check: ({ facts }) => (facts.signatureValid ? undefined : 'the request signature does not verify') },
  {
    reason: 'SubjectMismatch',
    check: ({ facts, user }) =>
      facts.commonNames.length === 1 && facts.commonNames[0] === user ? undefined : `the subject CN must be exactly "${user}", the requester`,
  },
  {
    reason: 'ExtraSubjectAttributes',
    check: ({ facts }) => (facts.otherSubjectAttributes.length === 0 ? undefined : `only CN and O are allowed in the subject (found ${facts.otherSubjectAttributes.join(', ')})`),
  },
  {
    reason: 'ForbiddenGroup',
    check: ({ facts }) => {
      const reserved = facts.organizations.filter((group) => group.startsWith('system:'));
      return reserved.length === 0 ? undefined : `system: groups are never granted (${reserved.join(', ')})`;
    },
  },
  {
    reason: 'GroupNotAllowed',
    check: ({ facts, groups }) => {
      const extra = facts.organizations.filter((group) => !groups.includes(group));
      return extra.length === 0 ? undefined : `groups not allowed for this user: ${extra.join(', ')} (allowed: ${groups.join(', ') || 'none'})`;
    },
  },
  {
    reason: 'SubjectAlternativeNames',
    check: ({ facts }) => (facts.extensions.includes('subjectAltName') ? 'subject alternative names (DNS, IP, URI, email) are not allowed' : undefined),
  },
  {
    reason: 'ExtraExtensions',
    check: ({ facts }) => {
      const extra = [...facts.extensions, ...facts.attributes];
      return extra.length === 0 ? undefined : `no extensions or attributes are allowed (found ${extra.join(', ')})`;
    },
  },
  {
    reason: 'WeakKey',
    check: ({ facts: { key } }) => {
      if (key.type === 'rsa' && (key.bits ?? 0) >= 2048) return undefined;
      if (key.type === 'ec' && allowedCurves.includes(key.curve ?? '')) return undefined;
      return `key ${key.type}${key.bits ? `-${key.bits}` : ''}${key.curve ? ` ${key.curve}` : ''} is not allowed (RSA >= 2048, ECDSA P-256 or P-384)`;
    },
  },
  {
    reason: 'UsagesNotAllowed',
    check: ({ csr, facts }) => {
      const allowed = facts.key.type === 'rsa' ? [...clientUsages, 'key encipherment'] : clientUsages;
      const ok = clientUsages.every((u) => csr.usages.includes(u)) && csr.usages.every((u) => allowed.includes(u));
      return ok ? undefined : `usages must be ${allowed.join(', ')} (got ${csr.usages.join(', ')})`;
    },
  },
  {
    reason: 'ExpirationMissing',
    check: ({ csr }) => (csr.expirationSeconds === undefined ? 'spec.expirationSeconds must be set' : undefined),
  },
  {
    reason: 'ExpirationTooLong',
    check: ({ csr }, config) =>
      (csr.expirationSeconds ?? 0) <= config.maxExpirationSeconds ? undefined : `expirationSeconds must be at most ${config.maxExpirationSeconds}`,
  },
];

export function decide(input: PolicyInput, config: PolicyConfig): Decision {
  const { csr } = input;
  if (csr.signerName !== apiServerClientSigner) return { action: 'ignore', why: 'another signer' };
  if (csr.certificatePem || condition(csr, 'Approved') || condition(csr, 'Denied') || condition(csr, 'Failed')) {
    return { action: 'ignore', why: 'already decided' };
  }
  const prefix = `system:serviceaccount:${config.usersNamespace}:`;
  if (!csr.username?.startsWith(prefix)) return { action: 'ignore', why: 'not a user of this namespace' };
  const user = csr.username.slice(prefix.length);
  if (!input.serviceAccount) return { action: 'deny', reason: 'UnknownServiceAccount', message: `no ServiceAccount ${user} in ${config.usersNamespace}` };
  if (!input.facts) return { action: 'deny', reason: 'InvalidRequest', message: 'the request is not a readable PKCS#10 CSR' };
  const context = { csr, facts: input.facts, groups: input.serviceAccount.groups, user };
  for (const rule of rules) {
    const message = rule.check(context, config);
    if (message !== undefined) return { action: 'deny', reason: rule.reason, message };
  }
  return { action: 'approve', reason: 'KubeCsrLoginApproved', message: `CN=${user} with groups [${input.facts.organizations.join(', ')}] checked by kube-csr-login` };
}
