// The token encrypted with a passphrase: scrypt derives a 256-bit key, AES-256-GCM encrypts and
// authenticates. The file is versioned JSON carrying every parameter needed to decrypt it, and each
// one is checked on read (bounds, lengths) before any work, so a corrupt or hostile file is refused
// instead of making scrypt allocate gigabytes.
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { type Json, number, parseJsonObject, record, string } from '../util/validate.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt recommendation: 128 MiB, about half a second here. */
const defaultScrypt: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const format = 'kube-csr-login-sealed-token';
const aad = Buffer.from(`${format}-v1`);
const maxMemory = 512 * 1024 * 1024;

/** The passphrase did not open the file (or the file was altered: GCM cannot tell them apart). */
export class WrongPassphraseError extends Error {}

export async function sealToken(token: string, passphrase: string, params: ScryptParams = defaultScrypt): Promise<string> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, params);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  const doc = {
    format,
    version: 1,
    kdf: { name: 'scrypt', ...params, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    data: data.toString('base64'),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Throws WrongPassphraseError, or a plain Error saying what is malformed. */
export async function openToken(text: string, passphrase: string): Promise<string> {
  const sealed = parseSealed(text);
  const key = await deriveKey(passphrase, sealed.salt, sealed.params);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv).setAAD(aad).setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.data), decipher.final()]).toString('utf8');
  } catch {
    throw new WrongPassphraseError('wrong passphrase');
  }
}

interface Sealed {
  params: ScryptParams;
  salt: Buffer;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

function parseSealed(text: string): Sealed {
  const doc = parseJsonObject(text, 'sealed token');
  if (doc.format !== format || doc.version !== 1) throw new Error('not a version 1 kube-csr-login encrypted token');
  const kdf = section(doc, 'kdf', 'scrypt');
  const cipher = section(doc, 'cipher', 'aes-256-gcm');
  const params = { N: number(kdf, 'N', 'kdf'), r: number(kdf, 'r', 'kdf'), p: number(kdf, 'p', 'kdf') };
  const powerOfTwo = Number.isInteger(Math.log2(params.N));
  if (!powerOfTwo || params.N < 2 ** 10 || params.N > 2 ** 20) throw new Error('kdf.N must be a power of two from 2^10 to 2^20');
  if (![params.r, params.p].every((v) => Number.isInteger(v) && v >= 1 && v <= 32)) throw new Error('kdf.r and kdf.p must be 1 to 32');
  if (memoryOf(params) > maxMemory) throw new Error('kdf parameters need too much memory');
  return {
    params,
    salt: bytes(kdf, 'salt', 16, 64),
    iv: bytes(cipher, 'iv', 12, 12),
    tag: bytes(cipher, 'tag', 16, 16),
    data: bytes(doc, 'data', 1, 16_384),
  };
}

function section(doc: Json, key: string, name: string): Json {
  const value = record(doc, key, 'sealed token');
  if (value.name !== name) throw new Error(`${key}.name must be ${name}`);
  return value;
}

function bytes(doc: Json, key: string, min: number, max: number): Buffer {
  const text = string(doc, key, 'sealed token');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error(`${key} is not base64`);
  const value = Buffer.from(text, 'base64');
  if (value.length < min || value.length > max) throw new Error(`${key} has a wrong length`);
  return value;
}

function memoryOf({ N, r, p }: ScryptParams): number {
  return 128 * N * r * (p + 2);
}

function deriveKey(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem: maxMemory + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
