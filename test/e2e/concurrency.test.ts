// Many kubectl-like calls at once, across users and profiles, and two machines of one user renewing
// at the same moment: everyone ends with a valid certificate, no deadlock, no endless replace loop.
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { cluster, launcher, run, tempDir } from './cluster.js';
import { type ProvisionedUser, approveContinuously, provisionUser } from './provision.js';
import { pluginArgs } from '../helpers/plugin-args.js';

jest.setTimeout(300_000);
let dir: string;
let users: ProvisionedUser[];
let stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dir = await tempDir('concurrency');
  users = [];
  for (const name of ['para.one', 'para.two', 'para.three']) users.push(await provisionUser(dir, name, ['devs']));
  stops = users.map((u) => approveContinuously(u.name));
});
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
});

function call(user: ProvisionedUser, cacheDir: string, profile: string) {
  const target = { server: cluster.server, caFile: cluster.caFile, tokenFile: user.tokenFile, user: user.name, groups: 'devs' };
  const args = pluginArgs(target, '--profile', profile);
  return run(launcher, args, { env: { KUBE_CSR_LOGIN_CACHE_DIR: cacheDir }, timeoutMs: 120_000 });
}

function subjectOf(stdout: string): string {
  const lines = new X509Certificate(JSON.parse(stdout).status.clientCertificateData).subject.split('\n');
  return lines.sort().join(','); // the signer re-encodes the subject in its own attribute order
}

test('48 parallel calls over 3 users x 2 profiles on empty caches all succeed', async () => {
  const calls = users.flatMap((user) =>
    ['work', 'home'].flatMap((profile) =>
      Array.from({ length: 8 }, () => call(user, path.join(dir, `cache-${user.name}`), profile).then((r) => ({ user, r }))),
    ),
  );
  const results = await Promise.all(calls);
  for (const { user, r } of results) {
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(subjectOf(r.stdout)).toBe(`CN=${user.name},O=devs`);
  }
});

test('two machines of the same user renewing at the same moment take turns on the shared CSR name', async () => {
  const [user] = users;
  if (!user) throw new Error('no user');
  const [a, b] = await Promise.all([
    call(user, path.join(dir, 'machine-a'), 'default'),
    call(user, path.join(dir, 'machine-b'), 'default'),
  ]);
  expect([a.code, a.stderr]).toEqual([0, '']);
  expect([b.code, b.stderr]).toEqual([0, '']);
  expect(JSON.parse(a.stdout).status.clientKeyData).not.toBe(JSON.parse(b.stdout).status.clientKeyData);
});
