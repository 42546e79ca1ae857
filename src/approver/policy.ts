// The approver's decision, pure: a table of named rules over the CSR object, the facts read from
// its PEM and the requester's ServiceAccount. evaluate() runs every rule and says what each looked
// at (for `approver explain`); decide() takes the first broken one as the denial. CSRs that are not
// ours to judge (other signers, other requesters, already decided) are left alone.
import { type CsrObject, apiServerClientSigner, condition } from '../kube/csr-object.js';
import type { CsrFacts } from './csr-facts.js';
import type { ServiceAccountInfo } from '../kube/service-account.js';
import { inputBounds } from '../util/bounded-read.js';

export interface PolicyConfig {
  usersNamespace: string;
  maxExpirationSeconds: number;
}

export interface PolicyInput {
  csr: CsrObject;
  /** spec.uid of the CSR: the requester's uid as authenticated by the API server. */
  requesterUid?: string | undefined;
  /** The facts, or why the request PEM could not be read. */
  facts: CsrFacts | { unreadable: string };
  /** The requester's ServiceAccount; undefined if it does not exist. */
  serviceAccount: ServiceAccountInfo | undefined;
}

export type Decision =
  | { action: 'ignore'; why: string }
  | { action: 'approve'; reason: 'KubeCsrLoginApproved'; message: string }
  | { action: 'deny'; reason: string; message: string };

interface Base {
  csr: CsrObject;
  requesterUid: string | undefined;
  user: string;
  config: PolicyConfig;
  account?: ServiceAccountInfo | undefined;
  unreadable?: string | undefined;
}
interface WithFacts extends Base {
  facts: CsrFacts;
}
interface WithAccount extends WithFacts {
  account: ServiceAccountInfo;
}

type Check = { looked: string; problem?: string };

/** A named rule: what it requires, what it needs, and the value it looked at with any problem. */
export type Rule = { reason: string; requirement: string } & (
  | { needs: 'nothing'; check: (context: Base) => Check }
  | { needs: 'facts'; check: (context: WithFacts) => Check }
  | { needs: 'facts and account'; check: (context: WithAccount) => Check }
);

/** One rule's outcome; `skipped` when what it needs is missing (an earlier rule already failed). */
export type RuleResult = { reason: string; requirement: string } & (
  { result: 'pass' | 'fail'; looked: string; problem?: string } | { result: 'skipped' }
);

const clientUsages = ['client auth', 'digital signature'];
const allowedCurves = ['prime256v1', 'secp384r1'];
const list = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
const when = (looked: string, problem: string | false): Check => (problem ? { looked, problem } : { looked });

export const rules: readonly Rule[] = [
  {
    reason: 'RequesterNotServiceAccount',
    requirement:
      'authenticated by a ServiceAccount token: spec.uid set, groups system:serviceaccounts and system:serviceaccounts:<users namespace>',
    needs: 'nothing',
    check: ({ csr, requesterUid, config }) => {
      const required = ['system:serviceaccounts', `system:serviceaccounts:${config.usersNamespace}`];
      const missing = required.filter((group) => !csr.groups.includes(group));
      const looked = `uid ${requesterUid ? JSON.stringify(requesterUid) : '(none)'}, groups ${list(csr.groups)}`;
      return when(
        looked,
        (!requesterUid || missing.length > 0) &&
          `the requester was not authenticated as a ServiceAccount of ${config.usersNamespace} (${!requesterUid ? 'no spec.uid' : `missing groups ${missing.join(', ')}`})`,
      );
    },
  },
  {
    reason: 'UnknownServiceAccount',
    requirement: 'the ServiceAccount exists and is the requester (same uid)',
    needs: 'nothing',
    check: ({ account, user, requesterUid, config }) => {
      if (!account || account.name !== user) return { looked: 'none', problem: `no ServiceAccount ${user} in ${config.usersNamespace}` };
      return when(
        `ServiceAccount ${config.usersNamespace}/${user} uid ${account.uid}`,
        account.uid !== requesterUid && `the requester is an earlier ServiceAccount ${user} (uid differs)`,
      );
    },
  },
  {
    reason: 'RequestTooLarge',
    requirement: `spec.request at most ${inputBounds.csrRequest} bytes (ours are ~400; RSA-4096 with 30 groups ~3,200)`,
    needs: 'nothing',
    check: ({ csr }) => {
      const bytes = Buffer.byteLength(csr.requestPem);
      return when(
        `${bytes} bytes`,
        bytes > inputBounds.csrRequest && `the request is ${bytes} bytes, more than the ${inputBounds.csrRequest} allowed`,
      );
    },
  },
  {
    reason: 'InvalidRequest',
    requirement: 'one PEM block holding a strict DER PKCS#10 request',
    needs: 'nothing',
    check: ({ unreadable }) =>
      unreadable ? { looked: unreadable, problem: `the request is not a readable PKCS#10 CSR: ${unreadable}` } : { looked: 'PKCS#10, DER' },
  },
  {
    reason: 'WeakKey',
    requirement: 'RSA >= 2048 or ECDSA P-256 / P-384',
    needs: 'facts',
    check: ({ facts: { key } }) => {
      const looked = `${key.type}${key.bits ? `-${key.bits}` : ''}${key.curve ? ` ${key.curve}` : ''}`;
      const strong = (key.type === 'rsa' && (key.bits ?? 0) >= 2048) || (key.type === 'ec' && allowedCurves.includes(key.curve ?? ''));
      return when(looked, !strong && `key ${looked} is not allowed (RSA >= 2048, ECDSA P-256 or P-384)`);
    },
  },
  {
    reason: 'BadSignature',
    requirement: 'the self-signature verifies',
    needs: 'facts',
    check: ({ facts }) =>
      when(facts.signatureValid ? 'valid' : 'invalid', !facts.signatureValid && 'the request signature does not verify'),
  },
  {
    reason: 'SubjectEncoding',
    requirement: 'CN and O values are UTF8String or PrintableString (what the signer copies unchanged)',
    needs: 'facts',
    check: ({ facts }) =>
      when(
        facts.subject.map((n) => `${n.type}:${n.encoding}`).join(', ') || '(empty subject)',
        facts.badEncodings.length > 0 && `CN and O must be UTF8String or PrintableString (found ${facts.badEncodings.join(', ')})`,
      ),
  },
  {
    reason: 'SubjectMismatch',
    requirement: 'exactly one CN, equal to the requester',
    needs: 'facts',
    check: ({ facts, user }) =>
      when(
        `CN ${list(facts.commonNames)}`,
        !(facts.commonNames.length === 1 && facts.commonNames[0] === user) && `the subject CN must be exactly "${user}", the requester`,
      ),
  },
  {
    reason: 'ExtraSubjectAttributes',
    requirement: 'only CN and O in the subject',
    needs: 'facts',
    check: ({ facts }) =>
      when(
        list(facts.otherSubjectAttributes),
        facts.otherSubjectAttributes.length > 0 &&
          `only CN and O are allowed in the subject (found ${facts.otherSubjectAttributes.join(', ')})`,
      ),
  },
  {
    reason: 'ForbiddenGroup',
    requirement: 'no system: group',
    needs: 'facts',
    check: ({ facts }) => {
      const reserved = facts.organizations.filter((group) => group.startsWith('system:'));
      return when(`O ${list(facts.organizations)}`, reserved.length > 0 && `system: groups are never granted (${reserved.join(', ')})`);
    },
  },
  {
    reason: 'GroupNotAllowed',
    requirement: 'every O is in the ServiceAccount annotation kube-csr-login.io/groups',
    needs: 'facts and account',
    check: ({ facts, account }) => {
      const extra = facts.organizations.filter((group) => !account.groups.includes(group));
      return when(
        `O ${list(facts.organizations)}, allowed ${list(account.groups)}`,
        extra.length > 0 && `groups not allowed for this user: ${extra.join(', ')} (allowed: ${account.groups.join(', ') || 'none'})`,
      );
    },
  },
  {
    reason: 'SubjectAlternativeNames',
    requirement: 'no subject alternative names',
    needs: 'facts',
    check: ({ facts }) =>
      when(
        list(facts.subjectAltNames),
        facts.extensions.includes('subjectAltName') &&
          `subject alternative names (DNS, IP, URI, email) are not allowed (found ${facts.subjectAltNames.join(', ')})`,
      ),
  },
  {
    reason: 'ExtraExtensions',
    requirement: 'no extensions; no attributes beyond one single-valued extensionRequest',
    needs: 'facts',
    check: ({ facts }) => {
      const extra = [...facts.extensions, ...facts.attributes];
      return when(
        `extensions ${list(facts.extensions)}, attributes ${list(facts.attributes)}`,
        extra.length > 0 && `no extensions or attributes are allowed (found ${extra.join(', ')})`,
      );
    },
  },
  {
    reason: 'UsagesNotAllowed',
    requirement: 'client auth + digital signature (+ key encipherment for RSA)',
    needs: 'facts',
    check: ({ csr, facts }) => {
      const allowed = facts.key.type === 'rsa' ? [...clientUsages, 'key encipherment'] : clientUsages;
      const valid = clientUsages.every((u) => csr.usages.includes(u)) && csr.usages.every((u) => allowed.includes(u));
      return when(
        list(csr.usages),
        !valid &&
          `usages must be ${clientUsages.join(' + ')}${allowed.length > 2 ? ' (+ key encipherment)' : ''}, got ${csr.usages.join(', ')}`,
      );
    },
  },
  {
    reason: 'ExpirationMissing',
    requirement: 'spec.expirationSeconds set',
    needs: 'nothing',
    check: ({ csr }) =>
      when(String(csr.expirationSeconds ?? '(none)'), csr.expirationSeconds === undefined && 'spec.expirationSeconds must be set'),
  },
  {
    reason: 'ExpirationTooLong',
    requirement: 'spec.expirationSeconds <= --max-expiration',
    needs: 'nothing',
    check: ({ csr, config }) =>
      when(
        `${csr.expirationSeconds ?? '(none)'} (max ${config.maxExpirationSeconds})`,
        !((csr.expirationSeconds ?? 0) <= config.maxExpirationSeconds) &&
          `expirationSeconds must be at most ${config.maxExpirationSeconds}`,
      ),
  },
];

/** The ServiceAccount name of a requester (spec.username) from the users namespace; undefined for anyone else. */
export function userOf(username: string | undefined, config: PolicyConfig): string | undefined {
  const prefix = `system:serviceaccount:${config.usersNamespace}:`;
  return username?.startsWith(prefix) ? username.slice(prefix.length) : undefined;
}

/** The user name if this CSR is ours to judge (pending, our signer, from a ServiceAccount of the users namespace). */
export function requester(csr: CsrObject, config: PolicyConfig): { user: string } | { ignore: string } {
  if (csr.signerName !== apiServerClientSigner) return { ignore: 'another signer' };
  if (csr.certificatePem || condition(csr, 'Approved') || condition(csr, 'Denied') || condition(csr, 'Failed'))
    return { ignore: 'already decided' };
  const user = userOf(csr.username, config);
  return user === undefined ? { ignore: 'not a user of this namespace' } : { user };
}

/** Every rule's outcome for one CSR of ours. */
export function evaluate(input: PolicyInput, config: PolicyConfig, user: string): RuleResult[] {
  const account = input.serviceAccount?.name === user ? input.serviceAccount : undefined;
  const base: Base = { csr: input.csr, requesterUid: input.requesterUid, user, config, account };
  const facts = 'unreadable' in input.facts ? undefined : input.facts;
  if (!facts && 'unreadable' in input.facts) base.unreadable = input.facts.unreadable;
  return rules.map((rule) => {
    const { reason, requirement } = rule;
    let checked: Check | undefined;
    if (rule.needs === 'nothing') checked = rule.check(base);
    else if (rule.needs === 'facts' && facts) checked = rule.check({ ...base, facts });
    else if (rule.needs === 'facts and account' && facts && account) checked = rule.check({ ...base, facts, account });
    if (!checked) return { reason, requirement, result: 'skipped' };
    return checked.problem === undefined
      ? { reason, requirement, result: 'pass', looked: checked.looked }
      : { reason, requirement, result: 'fail', looked: checked.looked, problem: checked.problem };
  });
}

export function decide(input: PolicyInput, config: PolicyConfig): Decision {
  const who = requester(input.csr, config);
  if ('ignore' in who) return { action: 'ignore', why: who.ignore };
  const failed = evaluate(input, config, who.user).find((result) => result.result === 'fail');
  if (failed?.result === 'fail') return { action: 'deny', reason: failed.reason, message: failed.problem ?? failed.requirement };
  const groups = 'unreadable' in input.facts ? [] : input.facts.organizations;
  return {
    action: 'approve',
    reason: 'KubeCsrLoginApproved',
    message: `CN=${who.user} with groups [${groups.join(', ')}] checked by kube-csr-login`,
  };
}
