// The approver's policy against a table of CSRs built here: every rule both ways.
import { describe, expect, test } from '@jest/globals';
import { readCsrFacts } from '../../../src/approver/csr-facts.js';
import { type PolicyConfig, decide } from '../../../src/approver/policy.js';
import type { CsrObject } from '../../../src/kube/csr-object.js';
import { hostileCsr, hostileVariants } from '../../helpers/hostile-csr.js';

const config: PolicyConfig = { usersNamespace: 'users', maxExpirationSeconds: 86_400 };
const serviceAccount = { groups: ['devs', 'ops'] };

function csrObject(spec: { name: string; requestPem: string; signerName: string; usages: string[]; expirationSeconds?: number }, overrides: Partial<CsrObject> = {}): CsrObject {
  return {
    name: spec.name,
    uid: 'uid',
    resourceVersion: '1',
    creationTimestamp: new Date(),
    signerName: spec.signerName,
    requestPem: spec.requestPem,
    usages: spec.usages,
    username: 'system:serviceaccount:users:jean.doe',
    groups: [],
    conditions: [],
    ...(spec.expirationSeconds !== undefined ? { expirationSeconds: spec.expirationSeconds } : {}),
    ...overrides,
  };
}

async function judge(key: string, variant: Parameters<typeof hostileCsr>[2], overrides: Partial<CsrObject> = {}, sa: { groups: string[] } | null = serviceAccount) {
  const spec = await hostileCsr('jean.doe', key, variant);
  const csr = csrObject(spec, overrides);
  return decide({ csr, facts: await readCsrFacts(csr.requestPem), serviceAccount: sa ?? undefined }, config);
}

describe('approver policy', () => {
  test('a plain client CSR for the requester, with allowed groups, is approved', async () => {
    expect((await judge('ok', {})).action).toBe('approve');
    expect((await judge('ok-two-groups', { subject: [{ CN: ['jean.doe'] }, { O: ['devs'] }, { O: ['ops'] }] })).action).toBe('approve');
    expect((await judge('ok-no-group', { subject: [{ CN: ['jean.doe'] }] })).action).toBe('approve');
    expect((await judge('ok-rsa', { rsaBits: 2048, usages: ['client auth', 'digital signature', 'key encipherment'] })).action).toBe('approve');
  });

  const expected: Record<string, string | 'ignore'> = {
    'other-user-cn': 'SubjectMismatch',
    'extra-group': 'GroupNotAllowed',
    'system-masters': 'ForbiddenGroup',
    'system-group': 'ForbiddenGroup',
    'extra-attribute': 'ExtraSubjectAttributes',
    'dns-san': 'SubjectAlternativeNames',
    'ip-san': 'SubjectAlternativeNames',
    'uri-san': 'SubjectAlternativeNames',
    'email-san': 'SubjectAlternativeNames',
    'server-auth': 'UsagesNotAllowed',
    'one-year': 'ExpirationTooLong',
    'no-expiration': 'ExpirationMissing',
    'rsa-1024': 'WeakKey',
    'other-signer': 'ignore',
  };
  test.each(Object.entries(expected))('%s -> %s', async (key, outcome) => {
    const variant = hostileVariants('jean.doe')[key];
    const decision = await judge(key, variant ?? {});
    if (outcome === 'ignore') expect(decision.action).toBe('ignore');
    else expect([decision.action, decision.action === 'deny' ? decision.reason : '']).toEqual(['deny', outcome]);
  });

  test('key encipherment is refused for an ECDSA key', async () => {
    const decision = await judge('ec-ke', { usages: ['client auth', 'digital signature', 'key encipherment'] });
    expect(decision).toMatchObject({ action: 'deny', reason: 'UsagesNotAllowed' });
  });

  test('a missing ServiceAccount is denied; other requesters and decided CSRs are left alone', async () => {
    expect(await judge('no-sa', {}, {}, null)).toMatchObject({ action: 'deny', reason: 'UnknownServiceAccount' });
    expect((await judge('node', {}, { username: 'system:node:worker-1' })).action).toBe('ignore');
    expect((await judge('other-ns', {}, { username: 'system:serviceaccount:kube-system:x' })).action).toBe('ignore');
    expect((await judge('decided', {}, { conditions: [{ type: 'Approved', status: 'True' }] })).action).toBe('ignore');
  });

  test('a request whose signature does not verify is denied', async () => {
    const spec = await hostileCsr('jean.doe', 'tampered', {});
    const der = Buffer.from(spec.requestPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 0xff; // flip a signature byte
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const csr = csrObject({ ...spec, requestPem: pem });
    const facts = await readCsrFacts(pem).catch(() => undefined);
    const decision = decide({ csr, facts, serviceAccount }, config);
    expect(decision.action).toBe('deny');
    expect(['BadSignature', 'InvalidRequest']).toContain(decision.action === 'deny' ? decision.reason : '');
  });
});
