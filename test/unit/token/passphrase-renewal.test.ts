// get-credential with a passphrase-encrypted token, against the in-process fake API: the passphrase is
// asked only when a person is there (spec.interactive and a terminal), never in the background;
// past the deadline without one the valid certificate is served; expired without one is one clear
// error; wrong passphrases are counted and back off longer each time.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { KclError } from '../../../src/errors.js';
import { sealToken } from '../../../src/token/sealed-token.js';
import { tokenSha256 } from '../../../src/token/token-source.js';
import type { FakeApi } from '../../helpers/fake-api.js';
import { type Harness, startFakeApiHarness, lastCredential } from '../../helpers/credential-harness.js';

const token = 'test-token-value-0123456789';
const passphrase = 'correct horse battery';
const interactive = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: true } });
let api: FakeApi;
let h: Harness;
let close: () => Promise<void>;
let asked: string[];

beforeEach(async () => {
  ({ api, h, close } = await startFakeApiHarness(token)); // the server's clock stands still at testEpoch
  const sealed = path.join(h.configDir, 'test.token.enc');
  await writeFile(sealed, await sealToken(token, passphrase, { N: 1024, r: 8, p: 1 }), { mode: 0o600 });
  await mkdir(path.join(h.configDir, 'profiles'), { recursive: true });
  const profile = { version: 1, tokenStore: { storage: 'passphrase', file: sealed, sha256: tokenSha256(token) } };
  await writeFile(path.join(h.configDir, 'profiles', 'test.json'), JSON.stringify(profile));
  asked = [];
});
afterEach(() => close());

/** The person at the terminal types these answers, one per prompt. */
function typing(...answers: string[]): void {
  h.execInfoRaw = interactive;
  h.tokens.askPassphrase = async (prompt) => {
    asked.push(prompt);
    return answers.shift() ?? '';
  };
}

const run = (mode?: Parameters<Harness['run']>[1]) => h.run({ tokenFile: undefined }, mode);
const failure = (promise: Promise<void>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

test('nobody to ask: one error naming a terminal and kube-csr-login login; nothing asked, nothing printed', async () => {
  h.tokens.askPassphrase = async () => {
    throw new Error('must not ask');
  };
  const error = await failure(run()); // no KUBERNETES_EXEC_INFO: not interactive
  expect(error).toBeInstanceOf(KclError);
  expect(error).toMatchObject({
    code: 'passphraseRequired',
    message: expect.stringContaining('run any kubectl command in a terminal, or kube-csr-login login --profile test'),
  });
  expect(h.stdout).toEqual([]);
  expect(api.created).toBe(0);
});

test('interactive: a wrong passphrase is asked again, the right one renews; default lifetime 8 h', async () => {
  typing('wrong one', passphrase);
  await run();
  expect(asked).toHaveLength(2);
  expect(asked[0]).toBe('kube-csr-login: passphrase for the token of profile "test" (empty to skip): ');
  expect(h.stderr).toEqual(['kube-csr-login: wrong passphrase']);
  expect(api.created).toBe(1);
  expect(api.csrs.get('user=jean.doe')?.object.spec.expirationSeconds).toBe(28800);
  expect(lastCredential(h).status.clientCertificateData).toContain('BEGIN CERTIFICATE');
});

test('past the deadline: served without asking when not interactive (no background renewal); asked when interactive, skip keeps it', async () => {
  typing(passphrase);
  await run();
  const deadline = new Date(lastCredential(h).status.expirationTimestamp ?? '');
  h.clock.set(new Date(deadline.getTime() + 1000));
  h.execInfoRaw = undefined;
  await run();
  expect(h.backgroundStarts).toBe(0);
  expect(api.created).toBe(1);
  expect(h.stdout).toHaveLength(2);

  typing(''); // Enter: skip
  await run();
  expect(api.created).toBe(1);
  expect(h.stdout).toHaveLength(3);
  expect(h.stderr.at(-1)).toMatch(/no passphrase given .*; the current certificate is valid until /);

  typing(passphrase);
  await run();
  expect(api.created).toBe(2);
  // a background renewal never asks and never hangs: it fails at once (into background.log)
  h.clock.advance(3600_000);
  await expect(run({ background: true })).rejects.toMatchObject({ code: 'passphraseRequired' });
  expect(asked).toHaveLength(3);
});

test('three wrong passphrases fail and back off, doubling each time; the right one clears it', async () => {
  typing('a', 'b', 'c');
  const first = await failure(run());
  expect(first).toMatchObject({
    code: 'wrongPassphrase',
    exitCode: 17,
    message: 'wrong passphrase for the token of profile "test" (3 tries)',
  });
  const backoffFile = path.join(h.cacheDir, 'test', 'backoff.json');
  const record = () => readFile(backoffFile, 'utf8').then((text) => JSON.parse(text));
  const one = await record();
  expect(one.failures).toBe(1);
  expect(new Date(one.until).getTime() - h.clock.now().getTime()).toBeGreaterThan(25_000);

  typing(passphrase);
  const blocked = await failure(run());
  expect(blocked).toMatchObject({ code: 'wrongPassphrase', message: expect.stringContaining('not retrying before') });
  expect(asked).toHaveLength(3); // not asked while backing off

  h.clock.advance(31_000);
  typing('d', 'e', 'f');
  await failure(run());
  const two = await record();
  expect(two.failures).toBe(2);
  expect(new Date(two.until).getTime() - h.clock.now().getTime()).toBeGreaterThan(55_000);

  h.clock.advance(61_000);
  typing(passphrase);
  await run();
  expect(api.created).toBe(1);
  await expect(readFile(backoffFile)).rejects.toThrow();
});

test('login (renewNow) renews a fresh certificate, asking once', async () => {
  typing(passphrase);
  await run();
  typing(passphrase);
  await run({ background: false, renewNow: true, interactive: true });
  expect(api.created).toBe(2);
});

test('a token replaced behind the profile (other SHA-256) is refused', async () => {
  const sealed = path.join(h.configDir, 'test.token.enc');
  await writeFile(sealed, await sealToken('another-token', passphrase, { N: 1024, r: 8, p: 1 }));
  typing(passphrase);
  await expect(run()).rejects.toMatchObject({
    code: 'config',
    message: expect.stringContaining('not the one profile "test" was set up with'),
  });
});
