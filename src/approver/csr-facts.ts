// What the policy needs to know about a PKCS#10 request, read with @peculiar/x509 (subject,
// attributes, extensions, signature) and node:crypto (key type and size).
import 'reflect-metadata'; // @peculiar/x509 2.x needs it before import (tsyringe)
import { createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface CsrFacts {
  commonNames: string[];
  organizations: string[];
  /** Subject attribute types other than CN and O. */
  otherSubjectAttributes: string[];
  /** Extension OIDs requested (SANs included) and other PKCS#10 attributes. */
  extensions: string[];
  attributes: string[];
  key: { type: string; bits?: number; curve?: string };
  signatureValid: boolean;
}

const subjectAltName = '2.5.29.17';
/**
 * Exactly one canonical PEM block, as the API server's signer will read it. @peculiar/x509 would take
 * the first block its own pattern matches (any label), while Go takes the first block it can decode
 * (spaces and tabs allowed): with two blocks the approver would judge one request and the signer sign
 * another.
 */
const singleRequestBlock = /^-----BEGIN CERTIFICATE REQUEST-----\r?\n((?:[A-Za-z0-9+/=]+\r?\n)+)-----END CERTIFICATE REQUEST-----(?:\r?\n)?$/;

export async function readCsrFacts(pem: string): Promise<CsrFacts> {
  const block = singleRequestBlock.exec(pem)?.[1];
  if (block === undefined) throw new Error('the request is not exactly one PEM CERTIFICATE REQUEST block');
  const request = new x509.Pkcs10CertificateRequest(Buffer.from(block.replace(/\s/g, ''), 'base64'));
  const facts: CsrFacts = { commonNames: [], organizations: [], otherSubjectAttributes: [], extensions: [], attributes: [], key: { type: 'unknown' }, signatureValid: false };
  for (const rdn of request.subjectName.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      if (type === 'CN') facts.commonNames.push(...values);
      else if (type === 'O') facts.organizations.push(...values);
      else facts.otherSubjectAttributes.push(type);
    }
  }
  facts.extensions = request.extensions.map((extension) => (extension.type === subjectAltName ? 'subjectAltName' : extension.type));
  // The extension request attribute is reported through `extensions`; anything else is extra.
  facts.attributes = request.attributes.map((attribute) => attribute.type).filter((type) => type !== '1.2.840.113549.1.9.14');
  const key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
  const details = key.asymmetricKeyDetails ?? {};
  facts.key = {
    type: key.asymmetricKeyType ?? 'unknown',
    ...(details.modulusLength !== undefined ? { bits: details.modulusLength } : {}),
    ...(details.namedCurve !== undefined ? { curve: details.namedCurve } : {}),
  };
  try {
    facts.signatureValid = await request.verify(webcrypto as unknown as Parameters<typeof request.verify>[0]);
  } catch {
    facts.signatureValid = false;
  }
  return facts;
}
