// Test PKI built with @peculiar/x509 on Node's WebCrypto: a CA, a TLS server certificate for
// 127.0.0.1, and a signer that issues client certificates from CSRs like kube-controller-manager.
import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type Provider = Parameters<typeof x509.X509CertificateGenerator.create>[1];
const provider = webcrypto as unknown as Provider;
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface TestCa {
  certificatePem: string;
  keys: webcrypto.CryptoKeyPair;
  certificate: x509.X509Certificate;
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
}

export async function createCa(name = 'test-ca'): Promise<TestCa> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: `CN=${name}`,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      keys,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ],
    },
    provider,
  );
  return { certificatePem: certificate.toString('pem'), keys, certificate };
}

async function privateKeyPem(keys: webcrypto.CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

export async function serverCertificate(ca: TestCa): Promise<{ certificatePem: string; keyPem: string }> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '02',
      subject: 'CN=127.0.0.1',
      issuer: ca.certificate.subject,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: alg,
      // kcl-api.test resolves nowhere: tests reach it only through a proxy (test/helpers/proxies.ts)
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: 'ip', value: '127.0.0.1' },
          { type: 'dns', value: 'localhost' },
          { type: 'dns', value: 'kcl-api.test' },
        ]),
      ],
    },
    provider,
  );
  return { certificatePem: certificate.toString('pem'), keyPem: await privateKeyPem(keys) };
}

/** Issues a certificate with the CSR's subject and key, as the kube-apiserver-client signer does. */
export async function signCsr(ca: TestCa, csrPem: string, validity: { notBefore: Date; notAfter: Date }): Promise<string> {
  const request = new x509.Pkcs10CertificateRequest(csrPem);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: Math.floor(Math.random() * 1e9).toString(16),
      subject: request.subject,
      issuer: ca.certificate.subject,
      ...validity,
      publicKey: await request.publicKey.export(provider),
      signingKey: ca.keys.privateKey,
      signingAlgorithm: alg,
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
    },
    provider,
  );
  return certificate.toString('pem');
}
