// Turns a cache entry into one whose certificate expired a minute ago (same key, same subject), so
// the suite can prove a blocking renewal without waiting out a real certificate.
import 'reflect-metadata';
import { X509Certificate as NodeCertificate, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export async function expiredCopy(entry: { certificateChainPem: string; privateKeyPem: string; renewAt: string }) {
  const subject = new NodeCertificate(entry.certificateChainPem).subject.split('\n').join(', ');
  const key = createPrivateKey(entry.privateKeyPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), alg, false, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', createPublicKey(key).export({ format: 'der', type: 'spki' }), alg, true, [
    'verify',
  ]);
  const notAfter = new Date(Date.now() - 60_000);
  const notBefore = new Date(notAfter.getTime() - 600_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '0a', name: subject, notBefore, notAfter, keys: { privateKey, publicKey }, signingAlgorithm: alg },
    webcrypto,
  );
  return { ...entry, certificateChainPem: certificate.toString('pem'), renewAt: new Date(notAfter.getTime() - 120_000).toISOString() };
}
