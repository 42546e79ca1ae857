// Reading issued certificates with node:crypto: subjects as Go's signer writes them, chains, the
// validity period and the key check that a cache entry must pass before it is served.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import {
  describeCertificate,
  encodeChain,
  keyPemFor,
  parseCertificateChain,
  parseSubject,
  sameIdentity,
} from '../../../src/pki/certificate.js';
import { buildCsrPem, generatePrivateKeyPem } from '../../../src/pki/csr.js';
import { type TestCa, createCa, signCsr } from '../../helpers/pki.js';

const notBefore = new Date('2031-03-14T09:00:00Z');
const notAfter = new Date('2031-03-14T10:00:00Z');
let ca: TestCa;
let keyPem: string;
let leafPem: string;

beforeAll(async () => {
  ca = await createCa();
  keyPem = await generatePrivateKeyPem('ecdsa-p256');
  leafPem = await signCsr(ca, await buildCsrPem(keyPem, 'ecdsa-p256', 'jean.doe', ['devs', 'ops']), { notBefore, notAfter });
});

describe('parseSubject', () => {
  test.each([
    ['one RDN per attribute', 'CN=jean.doe\nO=devs\nO=ops', 'jean.doe', ['devs', 'ops'], []],
    ["Go's signer: all groups in one multi-valued RDN", 'O=ops + O=devs\nCN=jean.doe', 'jean.doe', ['ops', 'devs'], []],
    ['an escaped plus is part of the value', 'CN=a\\+b', 'a+b', [], []],
    ['other attribute types are kept by type', 'CN=jean.doe\nOU=admins\n1.2.3.4=x', 'jean.doe', [], ['OU', '1.2.3.4']],
    ['the first CN counts, a second is another attribute', 'CN=jean.doe\nCN=root', 'jean.doe', [], ['CN']],
    ['no CN', 'O=devs', undefined, ['devs'], []],
  ])('%s', (_name, text, commonName, organizations, otherAttributes) => {
    expect(parseSubject(text)).toEqual({ commonName, organizations, otherAttributes });
  });
});

describe('sameIdentity', () => {
  const subject = parseSubject('O=ops + O=devs\nCN=jean.doe');
  test('groups match in any order', () => {
    expect(sameIdentity(subject, 'jean.doe', ['devs', 'ops'])).toBe(true);
  });
  test.each([
    ['another user', 'other.user', ['devs', 'ops']],
    ['a group missing', 'jean.doe', ['devs']],
    ['a group more', 'jean.doe', ['devs', 'ops', 'admins']],
    ['a group repeated instead of another', 'jean.doe', ['devs', 'devs']],
  ])('%s is not the same identity', (_name, user, groups) => {
    expect(sameIdentity(subject, user, groups)).toBe(false);
  });
  test('any attribute other than CN and O makes it another identity', () => {
    expect(sameIdentity(parseSubject('CN=jean.doe\nO=devs\nOU=x'), 'jean.doe', ['devs'])).toBe(false);
  });
});

describe('certificates', () => {
  test('a chain is split into its certificates, leaf first', () => {
    const chain = parseCertificateChain(`${leafPem}\n${ca.certificatePem}`);
    expect(chain.map((c) => c.subject)).toEqual(['CN=jean.doe\nO=devs\nO=ops', 'CN=test-ca']);
  });
  test.each([
    ['no PEM block', 'not a certificate'],
    ['a block that does not parse', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'],
  ])('%s is an error', (_name, text) => {
    expect(() => parseCertificateChain(text)).toThrow();
  });
  test('the validity period and subject are read from the leaf', () => {
    const [leaf] = parseCertificateChain(leafPem);
    expect(leaf && describeCertificate(leaf)).toEqual({
      notBefore,
      notAfter,
      subject: { commonName: 'jean.doe', organizations: ['devs', 'ops'], otherAttributes: [] },
    });
  });
  test('only the key the certificate was issued for matches it', async () => {
    const [leaf] = parseCertificateChain(leafPem);
    if (!leaf) throw new Error('no leaf');
    expect(keyPemFor(leaf, keyPem)).toBe(keyPem);
    expect(keyPemFor(leaf, await generatePrivateKeyPem('ecdsa-p256'))).toBeUndefined();
    expect(keyPemFor(leaf, 'not a key')).toBeUndefined();
  });
  // The regex that finds blocks, OpenSSL and Go's encoding/pem disagree on text around a block: what
  // is served must be what every reader parses the same way, so it is re-encoded from the DER.
  test.each([
    ['text before BEGIN on its line', (pem: string) => `x${pem}`],
    ['a sixth dash', (pem: string) => `-${pem}`],
    ['CRLF line ends', (pem: string) => pem.replaceAll('\n', '\r\n')],
    ['junk between and after blocks', (pem: string) => `${pem}junk\n${ca.certificatePem}trailing`],
    ['a PEM header line', (pem: string) => pem.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n')],
  ])('%s: the chain and key are served re-encoded', (_name, edit) => {
    let chain: X509Certificate[];
    try {
      chain = parseCertificateChain(edit(leafPem));
    } catch {
      return; // rejected is fine too; what must never happen is passing the odd text on
    }
    const served = encodeChain(chain);
    expect(served.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(new X509Certificate(served).raw).toEqual(chain[0]?.raw);
    const leaf = chain[0] as X509Certificate;
    const key = keyPemFor(leaf, `x${keyPem.replaceAll('\n', '\r\n')}`);
    expect(key === undefined || key === keyPem).toBe(true);
  });
});
