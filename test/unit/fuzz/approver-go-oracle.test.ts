// Hand-built hostile PKCS#10 requests (fixed seed) judged by the approver's policy and by the Go
// oracle, which runs Kubernetes v1.37's own code (the pinned modules): the API server's create validation and the
// kube-apiserver-client signer's CertificateAuthority.Sign, then reads the issued certificate as the
// x509 authenticator does. Invariant: whenever the approver approves, the API server accepts the
// request and the certificate says exactly CN=<user>, O=<the groups the approver checked>, with no
// SAN, no other subject attribute and no extension beyond the signer's own.
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { tryReadCsrFacts } from '../../../src/approver/csr-facts.js';
import { decide } from '../../../src/approver/policy.js';
import { type GoVerdict, buildGoOracle, signerExtensions } from '../../helpers/go-oracle.js';
import { type Random, pick, seeded } from '../../helpers/fuzz.js';
import {
  type Length,
  type RawRequest,
  type StringType,
  atv,
  attribute,
  attributeOids,
  extension,
  extensionRequestOid,
  oid,
  rawRequestPem,
  rdn,
  sanExtension,
  seq,
  set,
  str,
  stringTypes,
  tlv,
} from '../../helpers/hostile-csr.js';
import { csrObject } from '../approver/csr-builder.js';

jest.setTimeout(15 * 60_000); // a cold Go build of the oracle; about 10 s once Go's cache is warm

const user = 'jean.doe';
const allowed = ['devs', 'ops'];
const config = { usersNamespace: 'users', maxExpirationSeconds: 86_400 };
const account = { name: user, uid: 'sa-uid', groups: allowed };
let oracle: (requests: string[]) => GoVerdict[];

beforeAll(async () => {
  oracle = await buildGoOracle();
});

const allStringTypes = Object.keys(stringTypes) as StringType[];
const often = <T>(random: Random, good: T, pool: readonly T[], p = 0.85): T => (random() < p ? good : pick(random, pool));

const extensionPool: Array<[string, () => Buffer]> = [
  ['DNS SAN', () => sanExtension([[2, Buffer.from('kubernetes.default.svc')]])],
  ['IP SAN', () => sanExtension([[7, Buffer.of(10, 0, 0, 1)]])],
  ['URI SAN', () => sanExtension([[6, Buffer.from('spiffe://cluster.local/ns/users/sa/admin')]])],
  ['email SAN', () => sanExtension([[1, Buffer.from('admin@example.com')]])],
  [
    'every SAN',
    () =>
      sanExtension([
        [2, Buffer.from('a.example')],
        [7, Buffer.of(127, 0, 0, 1)],
        [6, Buffer.from('https://x')],
        [1, Buffer.from('a@b.c')],
      ]),
  ],
  ['basicConstraints CA', () => extension('2.5.29.19', seq([Buffer.of(1, 1, 0xff)]), true)],
  ['EKU serverAuth', () => extension('2.5.29.37', seq([oid('1.3.6.1.5.5.7.3.1')]))],
  ['keyUsage', () => extension('2.5.29.15', tlv(0x03, Buffer.of(7, 0x80)))],
  ['unknown extension', () => extension('1.2.3.4.5', tlv(0x04, Buffer.from('x')))],
];

interface Case {
  pem: string;
  label: string;
  /** Built in the good shape with no twist: the approver must approve it. */
  plain: boolean;
}

function subject(random: Random, twists: string[]): Buffer[] {
  const pairs: Buffer[] = [];
  const value = (type: string, text: string) => {
    const encoding = often<StringType>(random, pick(random, ['UTF8String', 'PrintableString'] as StringType[]), allStringTypes, 0.8);
    if (encoding !== 'UTF8String' && encoding !== 'PrintableString')
      twists.push(`${type === attributeOids.CN ? 'CN' : 'O'} as ${encoding}`);
    pairs.push(atv(type, str(encoding, text)));
  };
  const cns = often(
    random,
    [user],
    [[], [user, user], ['someone.else', user], [user, 'someone.else'], ['system:admin'], [`${user}\u0000`], ['JEAN.DOE']],
  );
  if (cns.length !== 1 || cns[0] !== user) twists.push(`CN ${JSON.stringify(cns)}`);
  for (const cn of cns) value(attributeOids.CN, cn);
  const groups = often(
    random,
    allowed.filter(() => random() < 0.5),
    [['admins'], ['system:masters'], ['devs', 'admins'], [''], ['devs', 'devs']],
  );
  if (!groups.every((g) => allowed.includes(g))) twists.push(`O ${JSON.stringify(groups)}`);
  for (const group of groups) value(attributeOids.O, group);
  if (random() < 0.15) {
    const type = pick(random, [
      attributeOids.OU,
      attributeOids.UID,
      attributeOids.kubernetesUid,
      attributeOids.email,
      attributeOids.serialNumber,
    ]);
    twists.push(`extra attribute ${type}`);
    pairs.splice(Math.floor(random() * (pairs.length + 1)), 0, atv(type, str('UTF8String', pick(random, ['sa-uid', 'x', 'admin']))));
  }
  if (random() < 0.2) pairs.reverse(); // order is not a rule
  const rdns: Buffer[] = [];
  for (let i = 0; i < pairs.length; i += 1) {
    // A multi-valued RDN (several attributes in one SET) now and then: allowed if the values are.
    if (random() < 0.15 && i + 1 < pairs.length) rdns.push(rdn(pairs[i] as Buffer, pairs[(i += 1)] as Buffer));
    else rdns.push(rdn(pairs[i] as Buffer));
  }
  if (random() < 0.03) {
    twists.push('empty RDN');
    rdns.push(set([]));
  }
  return rdns;
}

function extensions(random: Random, names: string[]): Buffer {
  const chosen = Array.from({ length: Math.floor(random() * 3) }, () => pick(random, extensionPool));
  names.push(...chosen.map(([name]) => name));
  return seq(chosen.map(([, make]) => make()));
}

function attributes(random: Random, twists: string[]): Buffer[] {
  const roll = random();
  if (roll < 0.55) return [];
  const names: string[] = [];
  let result: Buffer[];
  if (roll < 0.7) result = [attribute(extensionRequestOid, [extensions(random, names)])];
  else if (roll < 0.78) result = [attribute(extensionRequestOid, [seq([])]), attribute(extensionRequestOid, [extensions(random, names)])];
  else if (roll < 0.84) result = [seq([oid(extensionRequestOid), set([])]), attribute(extensionRequestOid, [extensions(random, names)])];
  else if (roll < 0.9) result = [attribute(extensionRequestOid, [extensions(random, names), extensions(random, names)])];
  else if (roll < 0.95) result = [attribute('1.2.840.113549.1.9.7', [str('UTF8String', 'secret')])];
  else result = [attribute(extensionRequestOid, [seq([])]), attribute('1.2.3.4', [tlv(0x05, Buffer.alloc(0))])];
  if (roll >= 0.7 || names.length > 0) twists.push(`attributes ${roll.toFixed(2)} [${names.join(', ')}]`);
  return result;
}

function encodingTwist(random: Random, request: RawRequest, twists: string[]): void {
  if (random() > 0.12) return;
  const length = pick<Length>(random, ['long', 'indefinite']);
  const where = pick(random, [
    'request',
    'info',
    'subject',
    'attributes',
    'trailing request',
    'trailing info',
    'version 1',
    'version non-minimal',
  ]);
  twists.push(`${where} ${where.includes(' ') ? '' : length}`);
  if (where === 'trailing request') request.trailing = { request: Buffer.from(pick(random, [[0], [0, 0], [0x30, 0], [5, 0]])) };
  else if (where === 'trailing info') request.trailing = { info: tlv(0x05, Buffer.alloc(0)) };
  else if (where === 'version 1') request.version = tlv(0x02, Buffer.of(1));
  else if (where === 'version non-minimal') request.version = tlv(0x02, Buffer.of(0, 0));
  else request.lengths = { [where]: length };
}

function generate(random: Random): Case {
  const twists: string[] = [];
  const request: RawRequest = {
    subject: subject(random, twists),
    attributes: attributes(random, twists),
    key: often(random, 'p256', ['rsa2048'], 0.9),
  };
  encodingTwist(random, request, twists);
  return { pem: rawRequestPem(request), label: twists.join('; ') || 'plain', plain: twists.length === 0 };
}

function judge(pem: string) {
  const facts = tryReadCsrFacts(pem);
  return { decision: decide({ csr: csrObject(pem), requesterUid: 'sa-uid', facts, serviceAccount: account }, config), facts };
}

/** Why Go's certificate breaks the approval; undefined when it says exactly what the approver checked. */
function violation(verdict: GoVerdict, organizations: string[]): string | undefined {
  const cert = verdict.certificate;
  if (!verdict.apiServerAccepts) return `the API server would refuse it (${verdict.apiServerErrors.join('; ')})`;
  if (!cert) return `the signer would fail (${verdict.signError})`;
  const sans = [...cert.dnsNames, ...cert.ipAddresses, ...cert.uris, ...cert.emailAddresses];
  const sorted = (values: string[]) => JSON.stringify([...values].sort());
  if (JSON.stringify(cert.commonNames) !== JSON.stringify([user])) return `Go issues CN ${JSON.stringify(cert.commonNames)}`;
  if (sorted(cert.organizations) !== sorted(organizations))
    return `Go issues O ${JSON.stringify(cert.organizations)}, the approver read ${JSON.stringify(organizations)}`;
  if (!cert.organizations.every((o) => allowed.includes(o))) return `Go issues groups ${JSON.stringify(cert.organizations)}`;
  if (cert.otherSubject.length > 0) return `Go issues subject attributes ${JSON.stringify(cert.otherSubject)}`;
  if (sans.length > 0) return `Go issues SANs ${sans.join(', ')}`;
  const extra = cert.extensions.filter((id) => !signerExtensions.includes(id));
  if (extra.length > 0) return `Go issues extensions ${extra.join(', ')}`;
  if (JSON.stringify(cert.user) !== JSON.stringify({ name: user, uid: '', groups: cert.organizations }))
    return `Go authenticates ${JSON.stringify(cert.user)}`;
  return undefined;
}

describe('approver vs the Go signer', () => {
  test('regression: two extensionRequest attributes (the first empty) are denied; Go would issue their SANs', () => {
    // Before the strict reader, @peculiar/x509 read only the first extensionRequest and the approver
    // approved "no extensions", while Go merged both and signed DNS and URI SANs.
    const plain = [rdn(atv(attributeOids.CN, str('UTF8String', user))), rdn(atv(attributeOids.O, str('UTF8String', 'devs')))];
    const sans = sanExtension([
      [2, Buffer.from('kubernetes.default.svc')],
      [6, Buffer.from('spiffe://cluster.local/ns/users/sa/admin')],
    ]);
    const smuggled = [
      rawRequestPem({
        subject: plain,
        attributes: [attribute(extensionRequestOid, [seq([])]), attribute(extensionRequestOid, [seq([sans])])],
      }),
      rawRequestPem({
        subject: plain,
        attributes: [seq([oid(extensionRequestOid), set([])]), attribute(extensionRequestOid, [seq([sans])])],
      }),
      rawRequestPem({ subject: plain, attributes: [attribute(extensionRequestOid, [seq([sans]), seq([])])] }),
    ];
    const verdicts = oracle(smuggled);
    for (const [i, pem] of smuggled.entries()) {
      expect(verdicts[i]?.certificate?.dnsNames).toEqual(['kubernetes.default.svc']); // what a user would get
      expect(judge(pem).decision).toMatchObject({ action: 'deny', reason: 'SubjectAlternativeNames' });
    }
  });

  test('regression: a UniversalString CN is denied; Go would issue an empty CN', () => {
    const pem = rawRequestPem({ subject: [rdn(atv(attributeOids.CN, str('UniversalString', user)))] });
    expect(oracle([pem])[0]?.certificate?.commonNames).toEqual([]);
    expect(judge(pem).decision).toMatchObject({ action: 'deny', reason: 'SubjectEncoding' });
  });

  test('1000 generated hostile requests: every approval is exactly what Go signs, every plain request is approved', () => {
    const random = seeded(1111);
    const cases = Array.from({ length: 1000 }, () => generate(random));
    const verdicts = oracle(cases.map((c) => c.pem));
    const problems: string[] = [];
    const tally = { approved: 0, denied: 0, goIssuedSans: 0, goIssuedOtherCn: 0, apiServerRefused: 0 };
    for (const [i, c] of cases.entries()) {
      const verdict = verdicts[i] as GoVerdict;
      const { decision, facts } = judge(c.pem);
      if (!verdict.apiServerAccepts) tally.apiServerRefused += 1;
      if (
        verdict.certificate &&
        verdict.certificate.dnsNames.length +
          verdict.certificate.uris.length +
          verdict.certificate.ipAddresses.length +
          verdict.certificate.emailAddresses.length >
          0
      )
        tally.goIssuedSans += 1;
      if (verdict.certificate && JSON.stringify(verdict.certificate.commonNames) !== JSON.stringify([user])) tally.goIssuedOtherCn += 1;
      if (decision.action === 'approve') {
        tally.approved += 1;
        const why = violation(verdict, 'unreadable' in facts ? [] : facts.organizations);
        if (why) problems.push(`approved although ${why}: ${c.label}`);
      } else tally.denied += 1;
      if (c.plain && decision.action !== 'approve') problems.push(`plain request not approved (${JSON.stringify(decision)})`);
      if (c.plain && violation(verdict, 'unreadable' in facts ? [] : facts.organizations))
        problems.push(`plain request: ${violation(verdict, [])}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // The generator reaches both sides and the smuggling cases.
    expect(tally.approved).toBeGreaterThan(150);
    expect(tally.denied).toBeGreaterThan(400);
    expect(tally.goIssuedSans).toBeGreaterThan(100);
    expect(tally.goIssuedOtherCn).toBeGreaterThan(50);
    expect(tally.apiServerRefused).toBeGreaterThan(30);
  });
});
