// The form of the private key handed to clients: ECDSA as SEC1 `EC PRIVATE KEY` (fabric8 reads an
// exec plugin's PKCS#8 key as RSA and fails), RSA as PKCS#8. Fresh keys and keys cached by older
// versions (PKCS#8 EC) come out the same way, re-encoded from the key that was checked.
import { createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { keyPemFor, parseCertificateChain } from '../../../src/pki/certificate.js';
import { buildCsrPem, generatePrivateKeyPem } from '../../../src/pki/csr.js';
import type { KeyAlgorithm } from '../../../src/pki/key-algorithm.js';
import { type TestCa, createCa, signCsr } from '../../helpers/pki.js';

const validity = { notBefore: new Date('2031-03-14T09:00:00Z'), notAfter: new Date('2031-03-14T10:00:00Z') };
let ca: TestCa;
beforeAll(async () => {
  ca = await createCa();
});

async function issued(algorithm: KeyAlgorithm) {
  const keyPem = await generatePrivateKeyPem(algorithm);
  const [leaf] = parseCertificateChain(await signCsr(ca, await buildCsrPem(keyPem, algorithm, 'jean.doe', ['devs']), validity));
  if (!leaf) throw new Error('no leaf');
  return { keyPem, leaf };
}

/** The PEM label and the DER of the key as PKCS#8, to compare keys whatever their encoding. */
function described(pem: string) {
  const label = /^-----BEGIN ([A-Z ]+)-----\n/.exec(pem)?.[1];
  return { label, pkcs8: createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }).toString('base64') };
}

describe.each<[KeyAlgorithm, string]>([
  ['ecdsa-p256', 'EC PRIVATE KEY'],
  ['ecdsa-p384', 'EC PRIVATE KEY'],
  ['rsa-2048', 'PRIVATE KEY'],
])('%s', (algorithm, label) => {
  test(`a fresh key is generated and served as ${label}`, async () => {
    const { keyPem, leaf } = await issued(algorithm);
    expect(described(keyPem).label).toBe(label);
    expect(keyPemFor(leaf, keyPem)).toBe(keyPem);
  });

  test(`a key cached in another encoding (PKCS#8, PKCS#1) is served as ${label}, the same key`, async () => {
    const { keyPem, leaf } = await issued(algorithm);
    const key = createPrivateKey(keyPem);
    const others = [key.export({ type: 'pkcs8', format: 'pem' }).toString()];
    others.push(key.export({ type: algorithm.startsWith('rsa') ? 'pkcs1' : 'sec1', format: 'pem' }).toString());
    for (const stored of others) {
      const served = keyPemFor(leaf, stored);
      expect(served && described(served)).toEqual({ label, pkcs8: described(keyPem).pkcs8 });
      expect(served?.endsWith(`-----END ${label}-----\n`)).toBe(true);
    }
  });
});
