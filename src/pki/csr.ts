// Key generation and PKCS#10 CSRs. Loaded only when renewing: @peculiar/x509 is slow to import.
// Keys come from Node's built-in WebCrypto (native, maintained with Node itself).
import 'reflect-metadata'; // @peculiar/x509 2.x needs it before import (tsyringe)
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KeyAlgorithm } from './key-algorithm.js';

type Keys = { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey };

interface AlgorithmSpec {
  generate: webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;
  sign: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

function spec(algorithm: KeyAlgorithm): AlgorithmSpec {
  switch (algorithm) {
    case 'ecdsa-p256':
      return { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams };
    case 'ecdsa-p384':
      return { generate: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams };
    default: {
      const modulusLength = Number(algorithm.slice('rsa-'.length));
      const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      return { generate: { ...rsa, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) }, sign: rsa };
    }
  }
}

export async function generatePrivateKeyPem(algorithm: KeyAlgorithm): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(spec(algorithm).generate, true, ['sign', 'verify'])) as Keys;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Subject CN = user, one O per group; no extensions, no SANs: exactly what the approver accepts. */
export async function buildCsrPem(privateKeyPem: string, algorithm: KeyAlgorithm, user: string, groups: readonly string[]): Promise<string> {
  const { generate, sign } = spec(algorithm);
  const privateObject = createPrivateKey(privateKeyPem);
  const pkcs8 = privateObject.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateObject).export({ format: 'der', type: 'spki' });
  const keys: Keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, generate, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, generate, true, ['verify']),
  };
  const name: x509.JsonName = [{ CN: [user] }, ...groups.map((group) => ({ O: [group] }))];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: sign }, webcrypto as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1]);
  return csr.toString('pem');
}

/** DER SubjectPublicKeyInfo of the key inside a CSR, to tell whether an existing CSR is ours. */
export function csrPublicKeyDer(csrPem: string): Buffer {
  const request = new x509.Pkcs10CertificateRequest(csrPem);
  return Buffer.from(request.publicKey.rawData);
}

export function publicKeyDer(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'der', type: 'spki' });
}
