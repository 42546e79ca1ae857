// A cache hit never touches a keyring or an encrypted token: the identity uses the SHA-256 the
// profile recorded, so moving the same token from a file to the keyring keeps the cached
// certificate, and serving it needs no keyring at all (none is reachable in this test).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { tokenSha256 } from '../../../src/token/token-source.js';
import type { FakeApi } from '../../helpers/fake-api.js';
import { type Harness, startFakeApiHarness } from '../../helpers/credential-harness.js';

const token = 'test-token-value-0123456789';
let api: FakeApi;
let h: Harness;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ api, h, close } = await startFakeApiHarness(token));
});
afterEach(() => close());

test('keyring or passphrase storage: the cached certificate is served without reading the token', async () => {
  await h.run();
  expect(api.created).toBe(1);
  await mkdir(path.join(h.configDir, 'profiles'), { recursive: true });
  for (const tokenStore of [
    { storage: 'keyring', account: '/nowhere/profiles/test.json', sha256: tokenSha256(token) },
    { storage: 'passphrase', file: '/nowhere/test.token.enc', sha256: tokenSha256(token) },
  ]) {
    await writeFile(path.join(h.configDir, 'profiles', 'test.json'), JSON.stringify({ version: 1, tokenStore }));
    h.tokens.askPassphrase = async () => {
      throw new Error('must not ask');
    };
    await h.run({ tokenFile: undefined });
    expect(h.stdout.at(-1)).toBe(h.stdout[0]);
  }
  expect(api.created).toBe(1);
  expect(h.stderr).toEqual([]);
});
