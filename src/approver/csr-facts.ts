// What the policy needs to know about a PKCS#10 request, read strictly (der.ts) so that it is what the
// API server's Go code will read and the signer copy into the certificate: Go's crypto/x509 merges
// the extensions of every extensionRequest attribute, keeps the last CN, and drops subject values it
// cannot decode, so anything a lenient reader could see differently is reported here for a denial.
import { createPublicKey, verify } from 'node:crypto';
import { type DerNode, oidOf, readDer, typed, universal } from './der.js';
import { type SubjectAttribute, readSubject } from './csr-subject.js';
import { inputBounds } from '../util/bounded-read.js';

export interface CsrFacts {
  /** Every subject value in order: its type name, ASN.1 string type and text. */
  subject: SubjectAttribute[];
  commonNames: string[];
  organizations: string[];
  /** Subject attribute types other than CN and O. */
  otherSubjectAttributes: string[];
  /** CN or O values in a string type other than UTF8String / PrintableString (Go drops or rewrites them). */
  badEncodings: string[];
  /** Requested extensions, from every extensionRequest value (as Go merges them). */
  extensions: string[];
  /** The names the subjectAltName extensions ask for (DNS:, IP:, URI:, email:, other). */
  subjectAltNames: string[];
  /** PKCS#10 attributes beyond one single-valued extensionRequest. */
  attributes: string[];
  key: { type: string; bits?: number; curve?: string };
  signatureValid: boolean;
}

const oids = { extensionRequest: '1.2.840.113549.1.9.14', challengePassword: '1.2.840.113549.1.9.7', subjectAltName: '2.5.29.17' };
const extensionNames: Record<string, string> = {
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.15': 'keyUsage',
  '2.5.29.37': 'extKeyUsage',
};
/** Signature algorithms Go's CheckSignature accepts for these keys (no SHA-1). */
const signatureAlgorithms: Record<string, { key: string; hash: string }> = {
  '1.2.840.10045.4.3.2': { key: 'ec', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { key: 'ec', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { key: 'ec', hash: 'sha512' },
  '1.2.840.113549.1.1.11': { key: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { key: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { key: 'rsa', hash: 'sha512' },
};

/**
 * Exactly one canonical PEM block, as the API server's signer will read it. Go takes the first
 * block it can decode (spaces and tabs allowed, any label skipped): with two blocks the approver
 * would judge one request and the signer sign another.
 */
const singleRequestBlock =
  /^-----BEGIN CERTIFICATE REQUEST-----\r?\n((?:[A-Za-z0-9+/=]+\r?\n)+)-----END CERTIFICATE REQUEST-----(?:\r?\n)?$/;

/** Throws (a short reason) when the request is not a DER PKCS#10 request readable without doubt. */
export function readCsrFacts(pem: string): CsrFacts {
  const base64 = singleRequestBlock.exec(pem)?.[1]?.replace(/\s/g, '');
  if (base64 === undefined) throw new Error('the request is not exactly one PEM CERTIFICATE REQUEST block');
  const der = Buffer.from(base64, 'base64');
  if (der.toString('base64') !== base64) throw new Error('the PEM body is not canonical base64');
  const request = readDer(der, 'the request');
  const [info, algorithm, signature, ...extra] = typed(request, universal.sequence, 'the request').children;
  const [version, subject, spki, attributes, ...extraInfo] = typed(info, universal.sequence, 'the request info').children;
  if (extra.length > 0 || extraInfo.length > 0) throw new Error('the request has extra fields');
  if (Buffer.compare(Buffer.from(typed(version, universal.integer, 'the version').content), Buffer.of(0)) !== 0)
    throw new Error('the request version is not 1');
  const names = readSubject(typed(subject, universal.sequence, 'the subject'));
  const facts: CsrFacts = {
    subject: names,
    commonNames: names.filter((n) => n.type === 'CN').map((n) => n.value),
    organizations: names.filter((n) => n.type === 'O').map((n) => n.value),
    otherSubjectAttributes: names.filter((n) => n.type !== 'CN' && n.type !== 'O').map((n) => n.type),
    badEncodings: names
      .filter((n) => (n.type === 'CN' || n.type === 'O') && n.encoding !== 'UTF8String' && n.encoding !== 'PrintableString')
      .map((n) => `${n.type} as ${n.encoding}`),
    extensions: [],
    subjectAltNames: [],
    attributes: [],
    key: keyOf(typed(spki, universal.sequence, 'the public key')),
    signatureValid: false,
  };
  readAttributes(typed(attributes, 0, 'the attributes', 'context'), facts);
  facts.signatureValid = signatureValid(
    info as DerNode,
    spki as DerNode,
    typed(algorithm, universal.sequence, 'the signature algorithm'),
    typed(signature, universal.bitString, 'the signature'),
  );
  return facts;
}

/** The facts, or why there are none (the policy's InvalidRequest). */
export function tryReadCsrFacts(pem: string): CsrFacts | { unreadable: string } {
  // bounded before any parsing: reading a 900 KB request takes the approver's only thread ~0.6 s
  if (Buffer.byteLength(pem) > inputBounds.csrRequest) return { unreadable: `not read: larger than ${inputBounds.csrRequest} bytes` };
  try {
    return readCsrFacts(pem);
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
}

/** Allowed: no attribute, or one extensionRequest with one value. Go reads the first value of each. */
function readAttributes(attributes: DerNode, facts: CsrFacts): void {
  let requests = 0;
  for (const attribute of attributes.children) {
    const [type, values, ...rest] = typed(attribute, universal.sequence, 'an attribute').children;
    const id = oidOf(type as DerNode, 'an attribute type');
    const set = typed(values, universal.set, 'an attribute value set');
    if (rest.length > 0) throw new Error('an attribute has extra fields');
    if (id !== oids.extensionRequest) {
      facts.attributes.push(id === oids.challengePassword ? 'challengePassword' : id);
      continue;
    }
    requests += 1;
    if (requests === 2) facts.attributes.push('a second extensionRequest');
    if (set.children.length !== 1) facts.attributes.push(`an extensionRequest with ${set.children.length} values`);
    for (const value of set.children) readExtensions(value, facts);
  }
}

function readExtensions(value: DerNode, facts: CsrFacts): void {
  for (const extension of typed(value, universal.sequence, 'the extensions').children) {
    const [type, ...fields] = typed(extension, universal.sequence, 'an extension').children;
    const id = oidOf(type as DerNode, 'an extension type');
    facts.extensions.push(extensionNames[id] ?? id);
    const octets = fields.at(-1);
    if (id === oids.subjectAltName && octets?.tag === universal.octetString) facts.subjectAltNames.push(...generalNames(octets.content));
  }
}

/** GeneralNames, for the record: any subjectAltName is denied whatever it holds. */
function generalNames(bytes: Uint8Array): string[] {
  try {
    return typed(readDer(bytes, 'subjectAltName'), universal.sequence, 'subjectAltName').children.map((name) => {
      const text = Buffer.from(name.content).toString('latin1');
      if (name.tagClass !== 'context') return 'other';
      if (name.tag === 1) return `email:${text}`;
      if (name.tag === 2) return `DNS:${text}`;
      if (name.tag === 6) return `URI:${text}`;
      if (name.tag === 7) return `IP:${name.content.length === 4 ? name.content.join('.') : Buffer.from(name.content).toString('hex')}`;
      return `other name [${name.tag}]`;
    });
  } catch {
    return ['(unreadable)'];
  }
}

function keyOf(spki: DerNode): CsrFacts['key'] {
  const key = createPublicKey({ key: Buffer.from(spki.raw), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  return {
    type: key.asymmetricKeyType ?? 'unknown',
    ...(details.modulusLength !== undefined ? { bits: details.modulusLength } : {}),
    ...(details.namedCurve !== undefined ? { curve: details.namedCurve } : {}),
  };
}

function signatureValid(info: DerNode, spki: DerNode, algorithm: DerNode, signature: DerNode): boolean {
  const [id, parameters, ...rest] = algorithm.children;
  const known = signatureAlgorithms[oidOf(id as DerNode, 'the signature algorithm')];
  // RSA identifiers carry NULL parameters (or none); ECDSA ones none.
  const parametersOk =
    parameters === undefined || (known?.key === 'rsa' && parameters.tag === universal.null && parameters.content.length === 0);
  if (!known || !parametersOk || rest.length > 0 || signature.content[0] !== 0) return false;
  const key = createPublicKey({ key: Buffer.from(spki.raw), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== known.key) return false;
  try {
    return verify(known.hash, info.raw, key, signature.content.subarray(1));
  } catch {
    return false;
  }
}
