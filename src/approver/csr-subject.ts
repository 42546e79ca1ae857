// The subject of a PKCS#10 request as a flat list of (type, string type, text). Only UTF8String and
// PrintableString are trusted for CN and O: Go's parser drops a UniversalString value (the signer
// then issues an empty CN) and rewrites the others, so their text is shown but never approved.
import { type DerNode, oidOf, typed, universal } from './der.js';

export interface SubjectAttribute {
  /** CN, O, another short name, or the dotted OID. */
  type: string;
  encoding: string;
  value: string;
}

const attributeNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.17': 'postalCode',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.3.6.1.4.1.57683.2': 'kubernetes UID', // the 1.33+ x509 authenticator reads the user's uid from it
};

const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET SIZE (1..MAX) OF AttributeTypeAndValue). */
export function readSubject(name: DerNode): SubjectAttribute[] {
  const attributes: SubjectAttribute[] = [];
  for (const rdn of name.children) {
    const set = typed(rdn, universal.set, 'a subject RDN');
    if (set.children.length === 0) throw new Error('the subject has an empty RDN');
    for (const pair of set.children) {
      const [type, value, ...rest] = typed(pair, universal.sequence, 'a subject attribute').children;
      if (!value || rest.length > 0) throw new Error('a subject attribute is not a (type, value) pair');
      const oid = oidOf(type as DerNode, 'a subject attribute type');
      attributes.push({ type: attributeNames[oid] ?? oid, ...text(value) });
    }
  }
  return attributes;
}

function text(value: DerNode): { encoding: string; value: string } {
  const bytes = Buffer.from(value.content);
  if (value.tagClass !== 'universal') return { encoding: `${value.tagClass} tag ${value.tag}`, value: bytes.toString('hex') };
  switch (value.tag) {
    case universal.utf8String:
      try {
        return { encoding: 'UTF8String', value: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
      } catch {
        throw new Error('a subject value is not valid UTF-8');
      }
    case universal.printableString: {
      const ascii = bytes.toString('latin1');
      if (!printable.test(ascii)) throw new Error('a subject PrintableString holds characters it may not');
      return { encoding: 'PrintableString', value: ascii };
    }
    case universal.ia5String:
      return { encoding: 'IA5String', value: bytes.toString('latin1') };
    case universal.t61String:
      return { encoding: 'T61String', value: bytes.toString('latin1') };
    case universal.bmpString:
      return {
        encoding: 'BMPString',
        value: bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : bytes.toString('hex'),
      };
    case universal.universalString:
      return {
        encoding: 'UniversalString',
        value:
          bytes.length % 4 === 0
            ? chunks(bytes)
                .map((point) => String.fromCodePoint(point))
                .join('')
            : bytes.toString('hex'),
      };
    default:
      return { encoding: `universal tag ${value.tag}`, value: bytes.toString('hex') };
  }
}

function chunks(bytes: Buffer): number[] {
  const points: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const point = bytes.readUInt32BE(i);
    points.push(point <= 0x10ffff ? point : 0xfffd);
  }
  return points;
}
