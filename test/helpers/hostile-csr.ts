// Builds CSRs a hostile user might submit with their own token: each breaks one approver rule.
import 'reflect-metadata';
import { type KeyPairKeyObjectResult, generateKeyPairSync, sign, webcrypto } from 'node:crypto';
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
  /** A hand-built request (below) instead of one from @peculiar/x509. */
  raw?: (user: string) => RawRequest;
}

async function request(user: string, variant: Variant): Promise<string> {
  if (variant.raw) return rawRequestPem(variant.raw(user));
  const rsa = variant.rsaBits !== undefined;
  const algorithm = rsa
    ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: variant.rsaBits, publicExponent: new Uint8Array([1, 0, 1]) }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm as webcrypto.EcKeyGenParams, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: variant.subject ?? [{ CN: [user] }, { O: ['devs'] }],
      keys: keys,
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
  // Read differently by a lenient parser and by Go (issue 11): Go merges every extensionRequest.
  'smuggled-sans': {
    raw: (u) => ({
      subject: plainSubject(u),
      attributes: [attribute(extensionRequestOid, [seq([])]), attribute(extensionRequestOid, [seq([smuggledSans()])])],
    }),
  },
  'smuggled-sans-no-value': {
    raw: (u) => ({
      subject: plainSubject(u),
      attributes: [seq([oid(extensionRequestOid), set([])]), attribute(extensionRequestOid, [seq([smuggledSans()])])],
    }),
  },
  'universal-string-cn': { raw: (u) => ({ subject: [rdn(atv(attributeOids.CN, str('UniversalString', u)))] }) },
  'uid-rdn': { raw: (u) => ({ subject: [...plainSubject(u), rdn(atv(attributeOids.kubernetesUid, str('UTF8String', 'another-uid')))] }) },
});

const plainSubject = (user: string) => [
  rdn(atv(attributeOids.CN, str('UTF8String', user))),
  rdn(atv(attributeOids.O, str('UTF8String', 'devs'))),
];
const smuggledSans = () =>
  sanExtension([
    [2, Buffer.from('kubernetes.default.svc')],
    [6, Buffer.from('spiffe://cluster.local/ns/users/sa/admin')],
  ]);

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

// ---- hand-built requests ---------------------------------------------------------------------
// DER written byte by byte (libraries refuse to write most of what a hostile user can send), so a
// test can build any structure, string type or encoding, signed so that Go's CheckSignature passes.

/** How one element is encoded: DER by default, else BER's long-form or indefinite length. */
export type Length = 'der' | 'long' | 'indefinite';

export function tlv(identifier: number, content: Buffer | Buffer[], length: Length = 'der'): Buffer {
  const body = Buffer.isBuffer(content) ? content : Buffer.concat(content);
  if (length === 'indefinite') return Buffer.concat([Buffer.of(identifier, 0x80), body, Buffer.of(0, 0)]);
  const size: number[] = [];
  for (let rest = body.length; rest > 0; rest = Math.floor(rest / 256)) size.unshift(rest % 256);
  let header: number[];
  if (length === 'long')
    header = body.length < 0x80 ? [0x81, body.length] : [0x80 | (size.length + 1), 0, ...size]; // not minimal
  else header = body.length < 0x80 ? [body.length] : [0x80 | size.length, ...size];
  return Buffer.concat([Buffer.of(identifier, ...header), body]);
}

export const seq = (items: Buffer[], length?: Length) => tlv(0x30, items, length);
export const set = (items: Buffer[], length?: Length) => tlv(0x31, items, length);

export function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) chunk.unshift(0x80 | (value & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

export const stringTypes = {
  UTF8String: 12,
  PrintableString: 19,
  T61String: 20,
  IA5String: 22,
  UniversalString: 28,
  BMPString: 30,
} as const;
export type StringType = keyof typeof stringTypes;

export function str(type: StringType, text: string): Buffer {
  const units = [...text];
  let bytes: Buffer;
  if (type === 'UTF8String') bytes = Buffer.from(text, 'utf8');
  else if (type === 'BMPString') bytes = Buffer.from(text, 'utf16le').swap16();
  else if (type === 'UniversalString')
    bytes = Buffer.concat(units.map((c) => Buffer.from([0, 0, 0, 0].map((_, i) => ((c.codePointAt(0) ?? 0) >> (8 * (3 - i))) & 0xff))));
  else bytes = Buffer.from(text, 'latin1');
  return tlv(stringTypes[type], bytes);
}

export const attributeOids = {
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  UID: '0.9.2342.19200300.100.1.1',
  kubernetesUid: '1.3.6.1.4.1.57683.2',
  email: '1.2.840.113549.1.9.1',
  serialNumber: '2.5.4.5',
};
export const atv = (type: string, value: Buffer) => seq([oid(type), value]);
export const rdn = (...pairs: Buffer[]) => set(pairs);

export const extensionRequestOid = '1.2.840.113549.1.9.14';
export const extension = (id: string, value: Buffer, critical = false) =>
  seq([oid(id), ...(critical ? [Buffer.from([1, 1, 0xff])] : []), tlv(0x04, value)]);
/** subjectAltName with GeneralNames of the given context tags ([1] email, [2] DNS, [6] URI, [7] IP). */
export const sanExtension = (names: Array<[number, Buffer]>) =>
  extension('2.5.29.17', seq(names.map(([tag, value]) => tlv(0x80 | tag, value))));
export const attribute = (id: string, values: Buffer[]) => seq([oid(id), set(values)]);

type KeyName = 'p256' | 'rsa2048';
const keyPairs = new Map<KeyName, KeyPairKeyObjectResult>();
function keyPair(name: KeyName): KeyPairKeyObjectResult {
  let pair = keyPairs.get(name);
  if (!pair) {
    pair = name === 'p256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyPairs.set(name, pair);
  }
  return pair;
}

export interface RawRequest {
  /** Each RDN: a SET of AttributeTypeAndValue (atv()). */
  subject: Buffer[];
  attributes?: Buffer[];
  key?: KeyName;
  version?: Buffer;
  /** The lengths used for the request, the info and the subject SEQUENCEs. */
  lengths?: { request?: Length; info?: Length; subject?: Length; attributes?: Length };
  /** Bytes after the request's DER, or after the info's last field (inside it). */
  trailing?: { request?: Buffer; info?: Buffer };
}

function rawRequestDer(request: RawRequest): Buffer {
  const pair = keyPair(request.key ?? 'p256');
  const lengths = request.lengths ?? {};
  const info = seq(
    [
      request.version ?? tlv(0x02, Buffer.of(0)),
      seq(request.subject, lengths.subject),
      pair.publicKey.export({ format: 'der', type: 'spki' }),
      tlv(0xa0, request.attributes ?? [], lengths.attributes),
      request.trailing?.info ?? Buffer.alloc(0),
    ],
    lengths.info,
  );
  const rsa = request.key === 'rsa2048';
  const algorithm = rsa ? seq([oid('1.2.840.113549.1.1.11'), tlv(0x05, Buffer.alloc(0))]) : seq([oid('1.2.840.10045.4.3.2')]);
  const signature = sign('sha256', info, pair.privateKey);
  return Buffer.concat([
    seq([info, algorithm, tlv(0x03, Buffer.concat([Buffer.of(0), signature]))], lengths.request),
    request.trailing?.request ?? Buffer.alloc(0),
  ]);
}

export function rawRequestPem(request: RawRequest): string {
  const lines =
    rawRequestDer(request)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}
