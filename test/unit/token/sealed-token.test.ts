// The passphrase-encrypted token format: round trip, wrong passphrase, and files that are altered,
// hostile or from another version are refused before any expensive work.
import { describe, expect, test } from '@jest/globals';
import { WrongPassphraseError, openToken, sealToken } from '../../../src/token/sealed-token.js';
import { expiresSoon, jwtExpiry } from '../../../src/token/jwt-expiry.js';

const cheap = { N: 1024, r: 8, p: 1 };
const token = 'eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl';

describe('sealed token', () => {
  test('opens with the passphrase; the file holds neither the token nor the passphrase', async () => {
    const text = await sealToken(token, 'correct horse', cheap);
    expect(text).not.toContain(token);
    expect(text).not.toContain('correct horse');
    expect(JSON.parse(text)).toMatchObject({
      format: 'kube-csr-login-sealed-token',
      version: 1,
      kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 },
      cipher: { name: 'aes-256-gcm' },
    });
    expect(await openToken(text, 'correct horse')).toBe(token);
    // a fresh salt and IV each time
    expect(await sealToken(token, 'correct horse', cheap)).not.toBe(text);
  });

  test('a wrong passphrase, or an altered ciphertext, tag or salt, is a WrongPassphraseError', async () => {
    const text = await sealToken(token, 'correct horse', cheap);
    await expect(openToken(text, 'correct horsE')).rejects.toBeInstanceOf(WrongPassphraseError);
    const doc = JSON.parse(text);
    for (const change of [
      (d: typeof doc) =>
        (d.data = Buffer.from(Buffer.from(d.data, 'base64').map((b: number, i: number) => (i === 0 ? b ^ 1 : b))).toString('base64')),
      (d: typeof doc) => (d.cipher.tag = Buffer.alloc(16).toString('base64')),
      (d: typeof doc) => (d.kdf.salt = Buffer.alloc(16, 7).toString('base64')),
      (d: typeof doc) => (d.kdf.N = 2048),
    ]) {
      const copy = structuredClone(doc);
      change(copy);
      await expect(openToken(JSON.stringify(copy), 'correct horse')).rejects.toBeInstanceOf(WrongPassphraseError);
    }
  });

  test.each([
    ['not JSON', () => 'nope', /^sealed token is not valid JSON/],
    ['another version', (d: Record<string, unknown>) => ({ ...d, version: 2 }), /^not a version 1 kube-csr-login encrypted token$/],
    ['another KDF', (d: Record<string, any>) => ({ ...d, kdf: { ...d.kdf, name: 'pbkdf2' } }), /^kdf.name must be scrypt$/],
    ['N not a power of two', (d: Record<string, any>) => ({ ...d, kdf: { ...d.kdf, N: 1000 } }), /^kdf.N must be a power of two/],
    // ours, not Node's own scrypt guard (which also refuses these, from another realm)
    ['N too large (memory)', (d: Record<string, any>) => ({ ...d, kdf: { ...d.kdf, N: 2 ** 30 } }), /^kdf.N must be a power of two/],
    ['r too large', (d: Record<string, any>) => ({ ...d, kdf: { ...d.kdf, r: 4096 } }), /^kdf.r and kdf.p must be 1 to 32$/],
    ['short IV', (d: Record<string, any>) => ({ ...d, cipher: { ...d.cipher, iv: 'AAAA' } }), /^iv has a wrong length$/],
    ['non-base64 data', (d: Record<string, any>) => ({ ...d, data: '!!' }), /^data is not base64$/],
  ])('%s is refused as malformed, quickly', async (_name, change, refusal) => {
    const doc = JSON.parse(await sealToken(token, 'correct horse', cheap));
    const changed = change(doc);
    const text = typeof changed === 'string' ? changed : JSON.stringify(changed);
    const started = Date.now();
    const error = await openToken(text, 'correct horse').catch((e: unknown) => e);
    expect(error).toMatchObject({ message: expect.stringMatching(refusal) }); // first: the reason it names
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WrongPassphraseError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('JWT expiry', () => {
  test('reads exp from the payload; anything else has none', () => {
    expect(jwtExpiry(token)).toEqual(new Date(1_900_000_000_000));
    const payload = (claims: unknown) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
    for (const bad of [
      'opaque-token',
      'a.b',
      'a.!!.c',
      payload({ exp: 'soon' }),
      payload({ exp: -1 }),
      payload({ exp: 1e300 }),
      payload([1]),
      'h.bm90IGpzb24.s',
    ]) {
      expect(jwtExpiry(bad)).toBeUndefined();
    }
  });

  test('warns within 7 days', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(expiresSoon(new Date('2030-01-07T23:00:00Z'), now)).toBe(true);
    expect(expiresSoon(new Date('2029-12-31T00:00:00Z'), now)).toBe(true);
    expect(expiresSoon(new Date('2030-01-08T01:00:00Z'), now)).toBe(false);
    expect(expiresSoon(undefined, now)).toBe(false);
  });
});
