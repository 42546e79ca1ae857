// Reading issued certificates with node:crypto only: this runs on the cache-hit path, where
// @peculiar/x509 (hundreds of milliseconds to import) must not be loaded.
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';

export interface Subject {
  commonName: string | undefined;
  organizations: string[];
  /** Attribute types other than CN and O, e.g. OU or the user-UID OID. */
  otherAttributes: string[];
}

export interface CertificateInfo {
  notBefore: Date;
  notAfter: Date;
  subject: Subject;
}

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Splits a PEM bundle into certificate blocks; throws if there is none or one does not parse. */
export function parseCertificateChain(pem: string): X509Certificate[] {
  const blocks = pem.match(pemBlock) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate found');
  return blocks.map((block) => new X509Certificate(block));
}

export function describeCertificate(leaf: X509Certificate): CertificateInfo {
  return {
    notBefore: new Date(leaf.validFromDate ?? leaf.validFrom),
    notAfter: new Date(leaf.validToDate ?? leaf.validTo),
    subject: parseSubject(leaf.subject),
  };
}

/**
 * The PEM handed to clients is re-encoded from what was parsed and checked: text around or inside
 * the blocks that one PEM reader tolerates and another rejects (OpenSSL, Go's encoding/pem) is never
 * passed on.
 */
export function encodeChain(chain: readonly X509Certificate[]): string {
  return chain.map((certificate) => certificate.toString()).join('');
}

/** The private key in its served form when it is the one the certificate was issued for, else undefined. */
export function keyPemFor(leaf: X509Certificate, privateKeyPem: string): string | undefined {
  try {
    const key = createPrivateKey(privateKeyPem);
    return leaf.checkPrivateKey(key) ? servedKeyPem(key) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The PEM form every client reads: ECDSA as SEC1 `EC PRIVATE KEY`, as client-go writes it
 * (keyutil.MarshalPrivateKeyToPEM); fabric8 takes a PKCS#8 key from an exec plugin for RSA and
 * fails. RSA stays PKCS#8 `PRIVATE KEY`, which every client in docs/clients.md reads. Entries
 * cached before this form are re-encoded here on every read, so they are served the same way.
 */
export function servedKeyPem(key: KeyObject): string {
  return key.export({ type: key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8', format: 'pem' }).toString();
}

/**
 * node:crypto renders the subject one RDN per line, the values of a multi-valued RDN joined by
 * " + " (Go's signer puts all groups in one RDN), with backslash escapes.
 */
export function parseSubject(text: string): Subject {
  const subject: Subject = { commonName: undefined, organizations: [], otherAttributes: [] };
  for (const line of text.split('\n').flatMap((rdn) => rdn.split(/(?<!\\) \+ /))) {
    if (line === '') continue;
    const at = line.indexOf('=');
    const type = at < 0 ? line : line.slice(0, at);
    const value = at < 0 ? '' : line.slice(at + 1).replace(/\\(.)/g, '$1');
    if (type === 'CN' && subject.commonName === undefined) subject.commonName = value;
    else if (type === 'O') subject.organizations.push(value);
    else subject.otherAttributes.push(type);
  }
  return subject;
}

export function sameIdentity(subject: Subject, user: string, groups: readonly string[]): boolean {
  if (subject.commonName !== user || subject.otherAttributes.length > 0) return false;
  const have = [...subject.organizations].sort();
  const want = [...groups].sort();
  return have.length === want.length && have.every((group, index) => group === want[index]);
}
