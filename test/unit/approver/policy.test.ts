// The approver's policy against a table of CSRs built here: every rule both ways.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { describe, expect, test } from '@jest/globals';
import { tryReadCsrFacts } from '../../../src/approver/csr-facts.js';
import { type PolicyConfig, decide } from '../../../src/approver/policy.js';
import type { ServiceAccountInfo } from '../../../src/kube/service-account.js';
import type { CsrObject } from '../../../src/kube/csr-object.js';
import { type RequestOptions, csrObject, requestPem, tamper } from './csr-builder.js';
import {
  type RawRequest,
  atv,
  attribute,
  attributeOids,
  extensionRequestOid,
  oid,
  rawRequestPem,
  rdn,
  sanExtension,
  seq,
  set,
  str,
} from '../../helpers/hostile-csr.js';

const config: PolicyConfig = { usersNamespace: 'users', maxExpirationSeconds: 86_400 };
const account: ServiceAccountInfo = { name: 'jean.doe', uid: 'sa-uid', groups: ['devs', 'ops'] };
const me = 'jean.doe';

interface Row {
  request?: RequestOptions;
  pem?: (pem: string) => string;
  csr?: Partial<CsrObject>;
  serviceAccount?: ServiceAccountInfo | null;
  requesterUid?: string | null;
  want: string; // 'approve', 'ignore' or a deny reason
}

async function judge(row: Row) {
  const built = await requestPem(me, row.request);
  const pem = row.pem ? row.pem(built) : built;
  const csr = csrObject(pem, row.csr);
  const facts = tryReadCsrFacts(pem);
  const serviceAccount = row.serviceAccount === null ? undefined : (row.serviceAccount ?? account);
  return decide(
    { csr, facts, serviceAccount, requesterUid: row.requesterUid === null ? undefined : (row.requesterUid ?? 'sa-uid') },
    config,
  );
}

const plainSubject = [rdn(atv(attributeOids.CN, str('UTF8String', me))), rdn(atv(attributeOids.O, str('UTF8String', 'devs')))];
const raw = (subject: Buffer[], attributes: Buffer[] = [], more: Partial<RawRequest> = {}) =>
  rawRequestPem({ subject, attributes, ...more });
const san = (type: 'dns' | 'ip' | 'url' | 'email', value: string) => [new x509.SubjectAlternativeNameExtension([{ type, value }])];
const rsaUsages = ['client auth', 'digital signature', 'key encipherment'];

const rows: Record<string, Row> = {
  'plain P-256 with one allowed group': { want: 'approve' },
  'two allowed groups': { request: { subject: [{ CN: [me] }, { O: ['devs'] }, { O: ['ops'] }] }, want: 'approve' },
  'two groups in one multi-valued RDN': { request: { subject: [{ CN: [me], O: ['devs', 'ops'] }] }, want: 'approve' },
  'no group at all': { request: { subject: [{ CN: [me] }] }, want: 'approve' },
  'P-384': { request: { key: 'p384' }, want: 'approve' },
  'RSA 2048 with key encipherment': { request: { key: 'rsa2048' }, csr: { usages: rsaUsages }, want: 'approve' },
  'RSA 2048 without key encipherment': { request: { key: 'rsa2048' }, want: 'approve' },
  'expiration exactly the maximum': { csr: { expirationSeconds: 86_400 }, want: 'approve' },
  "other user's CN": { request: { subject: [{ CN: ['someone.else'] }, { O: ['devs'] }] }, want: 'SubjectMismatch' },
  'two CNs': { request: { subject: [{ CN: [me] }, { CN: [me] }] }, want: 'SubjectMismatch' },
  'no CN': { request: { subject: [{ O: ['devs'] }] }, want: 'SubjectMismatch' },
  'extra group': { request: { subject: [{ CN: [me] }, { O: ['devs'] }, { O: ['admins'] }] }, want: 'GroupNotAllowed' },
  'system:masters': { request: { subject: [{ CN: [me] }, { O: ['system:masters'] }] }, want: 'ForbiddenGroup' },
  'a system: group even if annotated': {
    request: { subject: [{ CN: [me] }, { O: ['system:nodes'] }] },
    serviceAccount: { ...account, groups: ['system:nodes'] },
    want: 'ForbiddenGroup',
  },
  'OU in the subject': { request: { subject: [{ CN: [me] }, { O: ['devs'] }, { OU: ['x'] }] }, want: 'ExtraSubjectAttributes' },
  'DNS SAN': { request: { extensions: san('dns', 'kubernetes.default') }, want: 'SubjectAlternativeNames' },
  'IP SAN': { request: { extensions: san('ip', '10.0.0.1') }, want: 'SubjectAlternativeNames' },
  'URI SAN': { request: { extensions: san('url', 'spiffe://cluster/x') }, want: 'SubjectAlternativeNames' },
  'email SAN': { request: { extensions: san('email', 'admin@example.com') }, want: 'SubjectAlternativeNames' },
  'basicConstraints CA extension': {
    request: { extensions: [new x509.BasicConstraintsExtension(true, 0, true)] },
    want: 'ExtraExtensions',
  },
  'extended key usage extension': {
    request: { extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])] },
    want: 'ExtraExtensions',
  },
  'challengePassword attribute': { request: { attributes: [new x509.ChallengePasswordAttribute('secret')] }, want: 'ExtraExtensions' },
  'server auth usage': { csr: { usages: ['client auth', 'digital signature', 'server auth'] }, want: 'UsagesNotAllowed' },
  'missing client auth': { csr: { usages: ['digital signature'] }, want: 'UsagesNotAllowed' },
  'key encipherment with ECDSA': { csr: { usages: rsaUsages }, want: 'UsagesNotAllowed' },
  'no expiration': { csr: { expirationSeconds: undefined }, want: 'ExpirationMissing' },
  'expiration one year': { csr: { expirationSeconds: 365 * 86_400 }, want: 'ExpirationTooLong' },
  'RSA 1024': { request: { key: 'rsa1024' }, csr: { usages: rsaUsages }, want: 'WeakKey' },
  'ECDSA P-521': { request: { key: 'p521' }, want: 'WeakKey' },
  Ed25519: { request: { key: 'ed25519' }, want: 'WeakKey' },
  'signature does not verify': { pem: tamper, want: 'BadSignature' },
  'not a CSR at all': {
    pem: () => '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    want: 'InvalidRequest',
  },
  'ServiceAccount missing': { serviceAccount: null, want: 'UnknownServiceAccount' },
  'ServiceAccount recreated since (uid differs)': { requesterUid: 'old-uid', want: 'UnknownServiceAccount' },
  // Regression (issue 11.2): without spec.uid and the ServiceAccount groups, the name may come from
  // another authenticator (a client certificate or OIDC user named system:serviceaccount:users:X).
  'no spec.uid (another authenticator)': { requesterUid: null, want: 'RequesterNotServiceAccount' },
  'no ServiceAccount groups (another authenticator)': { csr: { groups: ['system:authenticated'] }, want: 'RequesterNotServiceAccount' },
  'groups of another namespace only': {
    csr: { groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
    want: 'RequesterNotServiceAccount',
  },
  // Regression (issue 11.1): read strictly, as the Go signer will (hand-built requests).
  'UniversalString CN (Go issues an empty CN)': {
    pem: () => raw([rdn(atv(attributeOids.CN, str('UniversalString', me)))]),
    want: 'SubjectEncoding',
  },
  'BMPString O': {
    pem: () => raw([rdn(atv(attributeOids.CN, str('UTF8String', me))), rdn(atv(attributeOids.O, str('BMPString', 'devs')))]),
    want: 'SubjectEncoding',
  },
  'PrintableString CN and O': {
    pem: () => raw([rdn(atv(attributeOids.CN, str('PrintableString', me))), rdn(atv(attributeOids.O, str('PrintableString', 'devs')))]),
    want: 'approve',
  },
  'kubernetes UID RDN': {
    pem: () => raw([rdn(atv(attributeOids.CN, str('UTF8String', me))), rdn(atv(attributeOids.kubernetesUid, str('UTF8String', 'sa-uid')))]),
    want: 'ExtraSubjectAttributes',
  },
  'two extensionRequests, the first an empty set (Go merges them)': {
    pem: () =>
      raw(plainSubject, [
        attribute(extensionRequestOid, [seq([])]),
        attribute(extensionRequestOid, [seq([sanExtension([[2, Buffer.from('kubernetes.default')]])])]),
      ]),
    want: 'SubjectAlternativeNames',
  },
  'an extensionRequest with no value, then one with a DNS SAN': {
    pem: () =>
      raw(plainSubject, [
        seq([oid(extensionRequestOid), set([])]),
        attribute(extensionRequestOid, [seq([sanExtension([[2, Buffer.from('kubernetes.default')]])])]),
      ]),
    want: 'SubjectAlternativeNames',
  },
  'an extensionRequest with two values (Go reads the first)': {
    pem: () =>
      raw(plainSubject, [attribute(extensionRequestOid, [seq([sanExtension([[6, Buffer.from('spiffe://cluster/sa/admin')]])]), seq([])])]),
    want: 'SubjectAlternativeNames',
  },
  'one empty extensionRequest': { pem: () => raw(plainSubject, [attribute(extensionRequestOid, [seq([])])]), want: 'approve' },
  'two empty extensionRequests': {
    pem: () => raw(plainSubject, [attribute(extensionRequestOid, [seq([])]), attribute(extensionRequestOid, [seq([])])]),
    want: 'ExtraExtensions',
  },
  'trailing bytes after the DER': { pem: () => raw(plainSubject, [], { trailing: { request: Buffer.of(0) } }), want: 'InvalidRequest' },
  'a long-form length': { pem: () => raw(plainSubject, [], { lengths: { subject: 'long' } }), want: 'InvalidRequest' },
  'an indefinite length': { pem: () => raw(plainSubject, [], { lengths: { request: 'indefinite' } }), want: 'InvalidRequest' },
  'another signer': { csr: { signerName: 'example.com/signer' }, want: 'ignore' },
  'a node requester': { csr: { username: 'system:node:worker-1' }, want: 'ignore' },
  'a ServiceAccount of another namespace': { csr: { username: 'system:serviceaccount:kube-system:jean.doe' }, want: 'ignore' },
  'a human user': { csr: { username: 'jean.doe' }, want: 'ignore' },
  'already approved': { csr: { conditions: [{ type: 'Approved', status: 'True' }] }, want: 'ignore' },
  'already denied': { csr: { conditions: [{ type: 'Denied', status: 'True' }] }, want: 'ignore' },
  'already issued': { csr: { certificatePem: 'x' }, want: 'ignore' },
};

describe('approver policy', () => {
  test.each(Object.entries(rows))('%s', async (_name, row) => {
    const decision = await judge(row);
    const got = decision.action === 'deny' ? decision.reason : decision.action;
    expect(got).toBe(row.want);
    if (decision.action !== 'ignore') expect(decision.message).not.toBe('');
  });

  test('a denial message names the problem and carries no key material', async () => {
    const decision = await judge({ request: { subject: [{ CN: [me] }, { O: ['admins'] }] }, want: 'GroupNotAllowed' });
    expect(decision).toMatchObject({ action: 'deny', message: expect.stringContaining('admins') });
    expect(JSON.stringify(decision)).not.toMatch(/BEGIN|MII/);
  });
});
