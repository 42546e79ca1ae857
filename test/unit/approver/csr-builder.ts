// Builds PKCS#10 requests and CSR objects for the approver's tests, with @peculiar/x509 and Node's
// WebCrypto: a valid client CSR by default, each option breaking one thing.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CsrObject } from '../../../src/kube/csr-object.js';

type Create = typeof x509.Pkcs10CertificateRequestGenerator.create;
const provider = webcrypto as unknown as Parameters<Create>[1];

export type KeySpec = 'p256' | 'p384' | 'p521' | 'rsa1024' | 'rsa2048' | 'rsa4096' | 'ed25519';

const keyAlgorithms: Record<KeySpec, { generate: object; sign: object }> = {
  p256: { generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  p384: { generate: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } },
  p521: { generate: { name: 'ECDSA', namedCurve: 'P-521' }, sign: { name: 'ECDSA', hash: 'SHA-512' } },
  rsa1024: {
    generate: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  rsa2048: {
    generate: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  rsa4096: {
    generate: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]) },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  ed25519: { generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
};

export interface RequestOptions {
  subject?: x509.JsonName;
  key?: KeySpec;
  extensions?: x509.Extension[];
  attributes?: x509.Attribute[];
}

const keyCache = new Map<KeySpec, Promise<webcrypto.CryptoKeyPair>>();

function keysFor(spec: KeySpec): Promise<webcrypto.CryptoKeyPair> {
  let keys = keyCache.get(spec);
  if (!keys) {
    const algorithm = keyAlgorithms[spec].generate as webcrypto.EcKeyGenParams;
    keys = webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    keyCache.set(spec, keys);
  }
  return keys;
}

export async function requestPem(user: string, options: RequestOptions = {}): Promise<string> {
  const spec = options.key ?? 'p256';
  const keys = await keysFor(spec);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: options.subject ?? [{ CN: [user] }, { O: ['devs'] }],
      keys: keys,
      signingAlgorithm: keyAlgorithms[spec].sign as Parameters<Create>[0]['signingAlgorithm'],
      ...(options.extensions ? { extensions: options.extensions } : {}),
      ...(options.attributes ? { attributes: options.attributes } : {}),
    },
    provider,
  );
  return csr.toString('pem');
}

/** The same request with one byte of its signature flipped. */
export function tamper(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 3] = (der[der.length - 3] ?? 0) ^ 0x01;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

export function csrObject(requestPemText: string, overrides: Partial<CsrObject> = {}): CsrObject {
  return {
    name: 'user=jean.doe',
    uid: 'csr-uid',
    resourceVersion: '1',
    creationTimestamp: new Date('2026-01-01T00:00:00Z'),
    signerName: 'kubernetes.io/kube-apiserver-client',
    requestPem: requestPemText,
    usages: ['client auth', 'digital signature'],
    username: 'system:serviceaccount:users:jean.doe',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:users', 'system:authenticated'],
    expirationSeconds: 3600,
    conditions: [],
    ...overrides,
  };
}
