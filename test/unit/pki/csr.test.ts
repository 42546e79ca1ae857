// The PKCS#10 encoder (src/pki/csr.ts, on asn1js) checked against independent readers:
// @peculiar/asn1-csr (the encoder it replaced: same bytes), @peculiar/x509 (signature, subject),
// openssl, and the approver's own reader; and its CSR key reader against foreign CSRs.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, DirectoryString, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { readCsrFacts } from '../../../src/approver/csr-facts.js';
import { buildCsrPem, csrPublicKeyDer, generatePrivateKeyPem, publicKeyDer } from '../../../src/pki/csr.js';
import type { KeyAlgorithm } from '../../../src/pki/key-algorithm.js';
import { requestPem } from '../approver/csr-builder.js';

const provider = webcrypto as unknown as Parameters<x509.Pkcs10CertificateRequest['verify']>[0];
const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const keys = new Map<KeyAlgorithm, Promise<string>>();
const keyFor = (algorithm: KeyAlgorithm) => {
  if (!keys.has(algorithm)) keys.set(algorithm, generatePrivateKeyPem(algorithm));
  return keys.get(algorithm)!;
};

/** The CertificationRequestInfo as the previous encoder (@peculiar/asn1-csr) wrote it. */
function referenceInfo(privateKeyPem: string, user: string, groups: string[]): Buffer {
  const attribute = (type: string, value: string) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new DirectoryString({ utf8String: value }) })]);
  const info = new CertificationRequestInfo({
    subject: new Name([attribute('2.5.4.3', user), ...groups.map((group) => attribute('2.5.4.10', group))]),
    subjectPKInfo: AsnConvert.parse(publicKeyDer(privateKeyPem), SubjectPublicKeyInfo),
  });
  return Buffer.from(AsnConvert.serialize(info));
}

const subjects: Array<{ what: string; user: string; groups: string[] }> = [
  { what: 'one group', user: 'jean.doe', groups: ['devs'] },
  { what: 'no group', user: 'solo', groups: [] },
  { what: 'several groups, in order', user: 'a', groups: ['ops', 'devs', 'qa'] },
  { what: 'non-ASCII values', user: 'jérôme.ñandú-用户', groups: ['équipe', 'グループ'] },
  {
    what: 'long values (two-byte DER lengths)',
    user: 'u'.repeat(200),
    groups: Array.from({ length: 12 }, (_, i) => `group-${i}-${'g'.repeat(40)}`),
  },
  { what: 'a 128-byte value (long-form length boundary)', user: 'x'.repeat(128), groups: ['y'.repeat(127)] },
];

describe('buildCsrPem', () => {
  const algorithms: KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'];
  for (const algorithm of algorithms) {
    for (const { what, user, groups } of subjects) {
      test(`${algorithm}, ${what}: same bytes as the ASN.1 library, valid signature, our key`, async () => {
        const key = await keyFor(algorithm);
        const pem = await buildCsrPem(key, algorithm, user, groups);
        expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE REQUEST-----\n$/);
        const bytes = der(pem);
        // DER as the schema library reads and writes it back, byte for byte
        const parsed = AsnConvert.parse(bytes, CertificationRequest);
        expect(Buffer.from(AsnConvert.serialize(parsed)).equals(bytes)).toBe(true);
        expect(Buffer.from(AsnConvert.serialize(parsed.certificationRequestInfo)).equals(referenceInfo(key, user, groups))).toBe(true);
        expect(parsed.certificationRequestInfo.attributes).toHaveLength(0);

        const request = new x509.Pkcs10CertificateRequest(bytes);
        expect(await request.verify(provider)).toBe(true);
        expect(request.subjectName.toJSON()).toEqual([{ CN: [user] }, ...groups.map((group) => ({ O: [group] }))]);
        expect(request.extensions).toHaveLength(0);
        expect(request.signatureAlgorithm.hash.name).toBe(algorithm === 'ecdsa-p384' ? 'SHA-384' : 'SHA-256');
        expect(csrPublicKeyDer(pem).equals(publicKeyDer(key))).toBe(true);
      });
    }
  }

  test('RSA signature algorithm identifiers carry a NULL parameter, ECDSA ones none', async () => {
    const algorithmOf = async (algorithm: KeyAlgorithm) => {
      const request = AsnConvert.parse(der(await buildCsrPem(await keyFor(algorithm), algorithm, 'u', [])), CertificationRequest);
      return Buffer.from(AsnConvert.serialize(request.signatureAlgorithm)).toString('hex');
    };
    expect(await algorithmOf('rsa-2048')).toBe('300d06092a864886f70d01010b0500');
    expect(await algorithmOf('ecdsa-p256')).toBe('300a06082a8648ce3d040302');
    expect(await algorithmOf('ecdsa-p384')).toBe('300a06082a8648ce3d040303');
  });

  test('openssl verifies the request and reads the subject', async () => {
    const key = await keyFor('ecdsa-p256');
    const pem = await buildCsrPem(key, 'ecdsa-p256', 'jérôme', ['devs', 'ops']);
    const out = execFileSync('openssl', ['req', '-noout', '-verify', '-subject', '-nameopt', 'RFC2253,-esc_msb'], {
      input: pem,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    expect(out).toContain('O=ops,O=devs,CN=jérôme');
  });

  test("the approver's reader accepts it: signature, subject, key, nothing extra", async () => {
    const facts = readCsrFacts(await buildCsrPem(await keyFor('ecdsa-p256'), 'ecdsa-p256', 'jean.doe', ['devs', 'ops']));
    expect(facts).toEqual({
      subject: [
        { type: 'CN', encoding: 'UTF8String', value: 'jean.doe' },
        { type: 'O', encoding: 'UTF8String', value: 'devs' },
        { type: 'O', encoding: 'UTF8String', value: 'ops' },
      ],
      commonNames: ['jean.doe'],
      organizations: ['devs', 'ops'],
      otherSubjectAttributes: [],
      badEncodings: [],
      extensions: [],
      subjectAltNames: [],
      attributes: [],
      key: { type: 'ec', curve: 'prime256v1' },
      signatureValid: true,
    });
  });
});

describe('csrPublicKeyDer', () => {
  test('reads the key of requests written by other encoders', async () => {
    const fromX509 = await requestPem('jean.doe', {
      key: 'rsa2048',
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'a.example' }])],
    });
    const parsed = new x509.Pkcs10CertificateRequest(fromX509);
    expect(csrPublicKeyDer(fromX509).equals(Buffer.from(parsed.publicKey.rawData))).toBe(true);
    const key = await keyFor('rsa-2048');
    const dir = await mkdtemp(path.join(tmpdir(), 'kcl-csr-'));
    await writeFile(path.join(dir, 'key.pem'), key, { mode: 0o600 });
    const viaOpenssl = execFileSync('openssl', ['req', '-new', '-key', path.join(dir, 'key.pem'), '-subj', '/CN=x/O=y'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await rm(dir, { recursive: true, force: true });
    expect(csrPublicKeyDer(viaOpenssl).equals(publicKeyDer(key))).toBe(true);
  });

  test('throws on anything that is not a request', async () => {
    const good = der(await buildCsrPem(await keyFor('ecdsa-p256'), 'ecdsa-p256', 'u', ['g']));
    const pem = (bytes: Buffer) => `-----BEGIN CERTIFICATE REQUEST-----\n${bytes.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const bad = [
      '',
      'not pem at all',
      pem(Buffer.from([0x30, 0x00])),
      pem(good.subarray(0, good.length - 10)), // truncated
      pem(Buffer.concat([Buffer.from([0x31]), good.subarray(1)])), // a SET, not a SEQUENCE
      pem(Buffer.from('300b3009020100300030020500', 'hex')), // no key inside: SEQUENCE { SEQUENCE { 0, {}, SEQUENCE { NULL } } }
    ];
    for (const text of bad) expect(() => csrPublicKeyDer(text)).toThrow();
  });
});
