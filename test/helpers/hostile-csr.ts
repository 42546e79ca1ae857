// Builds CSRs a hostile user might submit with their own token: each breaks one approver rule.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type Provider = Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1];
const provider = webcrypto as unknown as Provider;

export interface CsrSpec {
  name: string;
  requestPem: string;
  signerName: string;
  usages: string[];
  expirationSeconds?: number;
}

interface Variant {
  subject?: x509.JsonName;
  extensions?: x509.Extension[];
  rsaBits?: number;
  signerName?: string;
  usages?: string[];
  expirationSeconds?: number | null;
}

async function request(user: string, variant: Variant): Promise<string> {
  const rsa = variant.rsaBits !== undefined;
  const algorithm = rsa
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: variant.rsaBits, publicExponent: new Uint8Array([1, 0, 1]) }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm as webcrypto.EcKeyGenParams, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: variant.subject ?? [{ CN: [user] }, { O: ['devs'] }],
      keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
      signingAlgorithm: algorithm,
      ...(variant.extensions ? { extensions: variant.extensions } : {}),
    },
    provider,
  );
  return csr.toString('pem');
}

const san = (type: 'dns' | 'ip' | 'url' | 'email', value: string) => [new x509.SubjectAlternativeNameExtension([{ type, value }])];

/** name -> what is wrong with it; every one must end denied or ignored, never signed. */
export const hostileVariants = (user: string): Record<string, Variant> => ({
  'other-user-cn': { subject: [{ CN: ['someone.else'] }, { O: ['devs'] }] },
  'extra-group': { subject: [{ CN: [user] }, { O: ['devs'] }, { O: ['admins'] }] },
  'system-masters': { subject: [{ CN: [user] }, { O: ['system:masters'] }] },
  'system-group': { subject: [{ CN: [user] }, { O: ['system:nodes'] }] },
  'extra-attribute': { subject: [{ CN: [user] }, { O: ['devs'] }, { OU: ['x'] }] },
  'dns-san': { extensions: san('dns', 'kubernetes.default') },
  'ip-san': { extensions: san('ip', '10.0.0.1') },
  'uri-san': { extensions: san('url', 'spiffe://cluster/x') },
  'email-san': { extensions: san('email', 'admin@example.com') },
  'server-auth': { usages: ['client auth', 'digital signature', 'server auth'] },
  'one-year': { expirationSeconds: 365 * 24 * 3600 },
  'no-expiration': { expirationSeconds: null },
  'rsa-1024': { rsaBits: 1024, usages: ['client auth', 'digital signature', 'key encipherment'] },
  'other-signer': { signerName: 'example.com/other-signer' },
});

export async function hostileCsr(user: string, key: string, variant: Variant): Promise<CsrSpec> {
  const spec: CsrSpec = {
    name: `hostile-${key}-${user}`,
    requestPem: await request(user, variant),
    signerName: variant.signerName ?? 'kubernetes.io/kube-apiserver-client',
    usages: variant.usages ?? ['client auth', 'digital signature'],
  };
  if (variant.expirationSeconds !== null) spec.expirationSeconds = variant.expirationSeconds ?? 3600;
  return spec;
}
