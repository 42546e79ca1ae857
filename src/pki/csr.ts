// Key generation and PKCS#10 CSRs, loaded only when renewing. Keys come from node:crypto; the CSR
// structure is encoded with asn1js (the maintained DER layer under @peculiar/x509), which loads in
// ~7 ms where @peculiar/asn1-csr and asn1-x509 take ~50 ms: kubectl is waiting on this renewal.
import { generateKeyPair, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { BitString, Constructed, Integer, Null, ObjectIdentifier, Sequence, Set as Asn1Set, Utf8String, fromBER } from 'asn1js';
import { KclError } from '../errors.js';
import { servedKeyPem } from './certificate.js';
import type { KeyAlgorithm } from './key-algorithm.js';

const generate = promisify(generateKeyPair);
const oid = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  rsaSha256: '1.2.840.113549.1.1.11',
};

export async function generatePrivateKeyPem(algorithm: KeyAlgorithm): Promise<string> {
  const { privateKey } = algorithm.startsWith('rsa-')
    ? await generate('rsa', { modulusLength: Number(algorithm.slice('rsa-'.length)) })
    : await generate('ec', { namedCurve: algorithm === 'ecdsa-p384' ? 'P-384' : 'P-256' });
  return servedKeyPem(privateKey);
}

function signatureAlgorithm(algorithm: KeyAlgorithm): { hash: string; identifier: Sequence } {
  const identifier = (id: string, ...parameters: Null[]) => new Sequence({ value: [new ObjectIdentifier({ value: id }), ...parameters] });
  if (algorithm === 'ecdsa-p384') return { hash: 'sha384', identifier: identifier(oid.ecdsaSha384) };
  if (algorithm === 'ecdsa-p256') return { hash: 'sha256', identifier: identifier(oid.ecdsaSha256) };
  return { hash: 'sha256', identifier: identifier(oid.rsaSha256, new Null()) }; // RSA identifiers carry a NULL
}

function attribute(type: string, value: string): Asn1Set {
  return new Asn1Set({ value: [new Sequence({ value: [new ObjectIdentifier({ value: type }), new Utf8String({ value })] })] });
}

/** Subject CN = user, one O per group; no extensions, no SANs: exactly what the approver accepts. */
export async function buildCsrPem(
  privateKeyPem: string,
  algorithm: KeyAlgorithm,
  user: string,
  groups: readonly string[],
): Promise<string> {
  const privateKey = createPrivateKey(privateKeyPem);
  const spki = fromBER(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  const info = new Sequence({
    value: [
      new Integer({ value: 0 }), // version 1
      new Sequence({ value: [attribute(oid.commonName, user), ...groups.map((group) => attribute(oid.organization, group))] }),
      spki.result,
      new Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [] }), // attributes [0]: none
    ],
  });
  const { hash, identifier } = signatureAlgorithm(algorithm);
  const signature = sign(hash, Buffer.from(info.toBER()), privateKey); // ECDSA: DER-encoded (r, s)
  const request = new Sequence({ value: [info, identifier, new BitString({ valueHex: signature })] });
  const base64 = Buffer.from(request.toBER()).toString('base64');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE REQUEST-----\n`;
}

/** DER SubjectPublicKeyInfo of the key inside a CSR, to tell whether an existing CSR is ours. */
export function csrPublicKeyDer(csrPem: string): Buffer {
  const bytes = Buffer.from(csrPem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const parsed = fromBER(bytes);
  const info = parsed.offset === bytes.length && parsed.result instanceof Sequence ? parsed.result.valueBlock.value[0] : undefined;
  const spki = info instanceof Sequence ? info.valueBlock.value[2] : undefined;
  const [algorithm, key] = spki instanceof Sequence ? spki.valueBlock.value : [];
  if (!(spki instanceof Sequence) || !(algorithm instanceof Sequence) || !(key instanceof BitString)) {
    throw new KclError('server', 'the CSR from the API server is not a PKCS#10 request with a public key');
  }
  return Buffer.from(spki.valueBeforeDecodeView);
}

export function publicKeyDer(privateKeyPem: string): Buffer {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'der', type: 'spki' });
}
