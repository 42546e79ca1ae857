// A cache entry whose PEM text carries what our block finder tolerates but OpenSSL and Go's PEM
// readers reject is served re-encoded from the certificate and key it checked, never verbatim
// (the corrupted-cache fuzz once printed a certificate kubectl could not read).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { readCredentialEntry } from '../../../src/cache/credential-entry.js';
import { buildCsrPem, generatePrivateKeyPem } from '../../../src/pki/csr.js';
import { createCa, signCsr } from '../../helpers/pki.js';

let dir: string;
let keyPem: string;
let leafPem: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kcl-entry-'));
  keyPem = await generatePrivateKeyPem('ecdsa-p256');
  const validity = { notBefore: new Date('2031-03-14T09:00:00Z'), notAfter: new Date('2031-03-14T10:00:00Z') };
  leafPem = await signCsr(await createCa(), await buildCsrPem(keyPem, 'ecdsa-p256', 'jean.doe', ['devs']), validity);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('text before BEGIN on its line: a hit whose chain and key every PEM reader parses', async () => {
  const file = path.join(dir, 'credential.json');
  const entry = {
    version: 1,
    identity: 'digest',
    renewAt: '2031-03-14T09:40:00.000Z',
    certificateChainPem: `x${leafPem}`,
    privateKeyPem: keyPem.replaceAll('\n', '\r\n'),
  };
  expect(() => new X509Certificate(entry.certificateChainPem)).toThrow(); // OpenSSL rejects the stored text
  await writeFile(file, JSON.stringify(entry));
  const read = await readCredentialEntry(file, { digest: 'digest', user: 'jean.doe', groups: ['devs'] });
  if (read.kind !== 'hit') throw new Error(`expected a hit: ${read.reason}`);
  expect(read.entry.certificateChainPem).toBe(leafPem.endsWith('\n') ? leafPem : `${leafPem}\n`);
  expect(read.entry.privateKeyPem).toBe(keyPem);
});

test('an entry cached by an older version, its ECDSA key as PKCS#8, is served as SEC1', async () => {
  const file = path.join(dir, 'pkcs8.json');
  const pkcs8 = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
  expect(pkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  const entry = { version: 1, identity: 'digest', renewAt: '2031-03-14T09:40:00.000Z', certificateChainPem: leafPem, privateKeyPem: pkcs8 };
  await writeFile(file, JSON.stringify(entry));
  const read = await readCredentialEntry(file, { digest: 'digest', user: 'jean.doe', groups: ['devs'] });
  if (read.kind !== 'hit') throw new Error(`expected a hit: ${read.reason}`);
  expect(read.entry.privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
  expect(read.entry.privateKeyPem).toBe(keyPem);
});
