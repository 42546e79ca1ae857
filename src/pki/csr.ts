// Key generation and PKCS#10 CSRs, loaded only when renewing. Keys come from node:crypto; the CSR is
// encoded with @peculiar/asn1-csr (the ASN.1 layer under @peculiar/x509): a blocking renewal loads
// it in about a third of the time @peculiar/x509 takes, and kubectl is waiting on that renewal.
import { generateKeyPair, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, AttributeTypeAndValue, DirectoryString, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type { KeyAlgorithm } from './key-algorithm.js';

const generate = promisify(generateKeyPair);
const oid = { commonName: '2.5.4.3', organization: '2.5.4.10', ecdsaSha256: '1.2.840.10045.4.3.2', ecdsaSha384: '1.2.840.10045.4.3.3', rsaSha256: '1.2.840.113549.1.1.11' };
/** DER NULL: RSA signature algorithm identifiers carry it as their parameters. */
const derNull = new Uint8Array([5, 0]).buffer;

export async function generatePrivateKeyPem(algorithm: KeyAlgorithm): Promise<string> {
  const { privateKey } = algorithm.startsWith('rsa-')
    ? await generate('rsa', { modulusLength: Number(algorithm.slice('rsa-'.length)) })
    : await generate('ec', { namedCurve: algorithm === 'ecdsa-p384' ? 'P-384' : 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function signatureAlgorithm(algorithm: KeyAlgorithm): { hash: string; identifier: AlgorithmIdentifier } {
  if (algorithm === 'ecdsa-p384') return { hash: 'sha384', identifier: new AlgorithmIdentifier({ algorithm: oid.ecdsaSha384 }) };
  if (algorithm === 'ecdsa-p256') return { hash: 'sha256', identifier: new AlgorithmIdentifier({ algorithm: oid.ecdsaSha256 }) };
  return { hash: 'sha256', identifier: new AlgorithmIdentifier({ algorithm: oid.rsaSha256, parameters: derNull }) };
}

function attribute(type: string, value: string): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new DirectoryString({ utf8String: value }) })]);
}

/** Subject CN = user, one O per group; no extensions, no SANs: exactly what the approver accepts. */
export async function buildCsrPem(privateKeyPem: string, algorithm: KeyAlgorithm, user: string, groups: readonly string[]): Promise<string> {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const info = new CertificationRequestInfo({
    subject: new Name([attribute(oid.commonName, user), ...groups.map((group) => attribute(oid.organization, group))]),
    subjectPKInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
  });
  const { hash, identifier } = signatureAlgorithm(algorithm);
  const signature = sign(hash, Buffer.from(AsnConvert.serialize(info)), privateKey); // ECDSA: DER-encoded (r, s)
  const request = new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: identifier, signature: new Uint8Array(signature).buffer });
  const base64 = Buffer.from(AsnConvert.serialize(request)).toString('base64');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE REQUEST-----\n`;
}

/** DER SubjectPublicKeyInfo of the key inside a CSR, to tell whether an existing CSR is ours. */
export function csrPublicKeyDer(csrPem: string): Buffer {
  const base64 = csrPem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
  const request = AsnConvert.parse(Buffer.from(base64, 'base64'), CertificationRequest);
  return Buffer.from(AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo));
}

export function publicKeyDer(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'der', type: 'spki' });
}
