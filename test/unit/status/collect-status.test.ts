import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isKclError } from '../../../src/errors.js';
import { collectStatus } from '../../../src/status/collect-status.js';
import { renderStatusJson, renderStatusText } from '../../../src/status/render-status.js';
import { type Fixture, createFixture, jean, minute, t0 } from './status-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await createFixture();
});
afterEach(() => f.cleanup());

const at = (minutes: number) => new Date(t0.getTime() + minutes * minute);

async function statusAt(minutes: number, profile?: string) {
  return collectStatus(f.deps(at(minutes)), profile === undefined ? {} : { profile });
}

test.each([
  {
    name: 'valid before the renewal point',
    minutes: 18,
    state: 'valid',
    lines: ['certificate  valid', 'not after    2030-01-01T11:00:00Z (expires in 42m)', 'renew at     2030-01-01T10:42:00Z (in 24m)'],
  },
  {
    name: 'renewing soon past it',
    minutes: 50,
    state: 'renewing',
    lines: ['certificate  renewing soon (past its renewal point)', '(expires in 10m)', '(due since 8m ago)'],
  },
  { name: 'expired after NotAfter', minutes: 240, state: 'expired', lines: ['certificate  expired', '(expired 3h ago)'] },
])('a cached certificate is $name', async ({ minutes, state, lines }) => {
  await f.writeProfile('default', jean);
  await f.writeEntry('default');
  const [status, ...rest] = await statusAt(minutes);
  expect(rest).toEqual([]);
  expect(status?.certificate?.state).toBe(state);
  const text = renderStatusText(await statusAt(minutes), at(minutes));
  expect(text).toContain(
    'default\n  server       https://127.0.0.1:6443\n  context      jean.doe@local\n  user         jean.doe\n  groups       devs, ops\n',
  );
  expect(text).toContain('subject      CN=jean.doe, O=devs, O=ops\n');
  expect(text).toContain('not before   2030-01-01T10:00:00Z\n');
  for (const line of lines) expect(text).toContain(line);
  expect(text).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|digest-of-the-identity/);
});

test('the JSON document has one entry per profile with the documented shape', async () => {
  await f.writeProfile('default', jean);
  await f.writeEntry('default');
  await f.writeProfile('other', { server: 'https://other:6443' });
  const doc: unknown = JSON.parse(renderStatusJson(await statusAt(18)));
  expect(doc).toEqual({
    profiles: [
      {
        name: 'default',
        server: 'https://127.0.0.1:6443',
        context: 'jean.doe@local',
        user: 'jean.doe',
        groups: ['devs', 'ops'],
        token: { storage: 'file', expiresAt: null, expiresSoon: false },
        plainTextCopies: [],
        certificate: {
          subject: { user: 'jean.doe', groups: ['devs', 'ops'] },
          credentialId: expect.stringMatching(/^X509SHA256=[0-9a-f]{64}$/),
          notBefore: '2030-01-01T10:00:00Z',
          notAfter: '2030-01-01T11:00:00Z',
          renewAt: '2030-01-01T10:42:00Z',
          state: 'valid',
        },
      },
      {
        name: 'other',
        server: 'https://other:6443',
        context: null,
        user: null,
        groups: [],
        token: null,
        plainTextCopies: [],
        certificate: null,
        reason: 'none cached',
      },
    ],
  });
});

test('a profile without a cached certificate shows none', async () => {
  await f.writeProfile('default', jean);
  const [status] = await statusAt(0);
  expect(status?.certificate).toBeUndefined();
  expect(renderStatusText(await statusAt(0), at(0))).toContain('  certificate  no valid certificate (none cached)\n');
});

test.each([
  {
    name: 'not JSON',
    write: (g: Fixture) => g.writeRaw('default', 'credential.json', '{"version": 1, "privateKeyPem": "-----BEGIN'),
    reason: 'cache entry unreadable (cache entry is not valid JSON)',
  },
  {
    name: 'another version',
    write: (g: Fixture) => g.writeRaw('default', 'credential.json', '{"version": 2}'),
    reason: 'cache entry unreadable (unknown cache version)',
  },
  {
    name: 'a JSON array',
    write: (g: Fixture) => g.writeRaw('default', 'credential.json', '[1]'),
    reason: 'cache entry unreadable (cache entry is not a JSON object)',
  },
  {
    name: 'without a certificate',
    write: (g: Fixture) =>
      g.writeRaw(
        'default',
        'credential.json',
        JSON.stringify({ version: 1, identity: 'x', renewAt: t0.toISOString(), certificateChainPem: 'garbage', privateKeyPem: 'k' }),
      ),
    reason: 'cache entry unreadable (no PEM certificate found)',
  },
  {
    name: 'for another user',
    write: (g: Fixture) => g.writeEntry('default', { user: 'someone.else' }),
    reason: 'cached certificate names another user or groups',
  },
  {
    name: 'for other groups',
    write: (g: Fixture) => g.writeEntry('default', { groups: ['devs'] }),
    reason: 'cached certificate names another user or groups',
  },
  {
    name: 'with a foreign key',
    write: (g: Fixture) => g.writeEntry('default', { otherKey: true }),
    reason: 'cached key does not match the certificate',
  },
  {
    name: 'with a renewal point after NotAfter',
    write: (g: Fixture) => g.writeEntry('default', { renewAtMinutes: 61 }),
    reason: 'cached renewal deadline is outside the validity period',
  },
])('an entry $name is no valid certificate, with the reason', async ({ write, reason }) => {
  await f.writeProfile('default', jean);
  await write(f);
  const statuses = await statusAt(18);
  expect(statuses[0]?.certificate).toBeUndefined();
  expect(statuses[0]?.reason).toBe(reason);
  const text = renderStatusText(statuses, at(18));
  expect(text).toContain(`  certificate  no valid certificate (${reason})\n`);
  expect(text).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
});

test('a back-off in force is shown; one that has ended is not', async () => {
  await f.writeProfile('default', jean);
  await f.writeEntry('default');
  await f.writeBackoff('default', at(55), 'the CSR user=jean.doe was denied: not allowed');
  const text = renderStatusText(await statusAt(50), at(50));
  expect(text).toContain(
    '  back-off     last renewal failed: the CSR user=jean.doe was denied: not allowed, next try after 2030-01-01T10:55:00Z (in 5m)\n',
  );
  const doc: unknown = JSON.parse(renderStatusJson(await statusAt(50)));
  expect(doc).toMatchObject({
    profiles: [{ backoff: { code: 'denied', message: 'the CSR user=jean.doe was denied: not allowed', until: '2030-01-01T10:55:00Z' } }],
  });
  expect((await statusAt(56))[0]?.backoff).toBeUndefined();
  await f.writeRaw('default', 'backoff.json', '{"version": 1, "identity": 5}');
  expect((await statusAt(50))[0]?.backoff).toBeUndefined();
});

test('profiles known only to the cache are listed; other cache dirs are not', async () => {
  await f.writeProfile('work', jean);
  await f.writeEntry('laptop');
  await f.writeRaw('pending-only', 'pending.json', '{}');
  await f.writeRaw('Not_A_Profile', 'credential.json', '{}');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(`${f.cacheDir}/control-plane/bin`, { recursive: true }); // e.g. tools kept in the cache dir
  const statuses = await statusAt(18);
  expect(statuses.map((s) => s.name)).toEqual(['laptop', 'pending-only', 'work']);
  expect(statuses[1]?.reason).toBe('none cached');
  const laptop = statuses.find((s) => s.name === 'laptop');
  expect(laptop?.certificate?.state).toBe('valid'); // no profile to compare the subject with
  expect(renderStatusText(statuses, at(18))).toContain('laptop\n  profile      none (cached state only)\n  server       -\n');
});

test('an unreadable profile file is reported in its block, the others still show', async () => {
  await f.writeProfile('default', jean);
  await f.writeProfile('broken', { server: 42 });
  const statuses = await statusAt(0);
  expect(statuses.map((s) => s.name)).toEqual(['broken', 'default']);
  expect(renderStatusText(statuses, at(0))).toMatch(
    /^broken\n {2}profile {6}unreadable: could not read profile .*broken\.json: profile\.server must be a string\n/,
  );
});

test('--profile selects one profile; an unknown one is notFound, a malformed name a usage error', async () => {
  await f.writeProfile('default', jean);
  await f.writeProfile('work', jean);
  expect((await statusAt(0, 'work')).map((s) => s.name)).toEqual(['work']);
  const unknown = await statusAt(0, 'nope').catch((error: unknown) => error);
  expect(isKclError(unknown, 'notFound')).toBe(true);
  expect(unknown).toHaveProperty('message', 'no profile "nope" (set it up with: kube-csr-login setup --profile nope)');
  expect(isKclError(await statusAt(0, '../etc').catch((error: unknown) => error), 'usage')).toBe(true);
});

test('no profiles at all', async () => {
  expect(await statusAt(0)).toEqual([]);
  expect(renderStatusText([], t0)).toBe('no profiles: run kube-csr-login setup\n');
  expect(renderStatusJson([])).toBe('{\n  "profiles": []\n}\n');
});

test('text read from files cannot put escape sequences on the terminal', async () => {
  await f.writeProfile('default', { ...jean, user: 'jean\u001b[2J.doe', server: 'https://x\r\n:6443' });
  const text = renderStatusText(await statusAt(0), t0);
  expect(text).toContain('  user         jean?[2J.doe\n');
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
});

test('the token: where it is kept and when it expires, with a warning within 7 days', async () => {
  const jwt = (exp: Date) => `h.${Buffer.from(JSON.stringify({ exp: exp.getTime() / 1000 })).toString('base64url')}.s`;
  const tokenFile = path.join(f.root, 'jean.token');
  await writeFile(tokenFile, `${jwt(new Date(at(0).getTime() + 3 * 86_400_000))}\n`);
  await f.writeProfile('default', { ...jean, tokenFile });
  const sha256 = 'a'.repeat(64);
  await f.writeProfile('kr', {
    ...jean,
    tokenFile: undefined,
    tokenStore: { storage: 'keyring', account: 'x', sha256, expiresAt: '2030-03-01T00:00:00Z' },
  });
  await f.writeProfile('pp', { ...jean, tokenFile: undefined, tokenStore: { storage: 'passphrase', file: '/nonexistent', sha256 } });
  const text = renderStatusText(await statusAt(0), at(0));
  expect(text).toContain(
    '  token        file (plain text, 0600), expires 2030-01-04T10:00:00Z (in 3d) WARNING: ask your admin for a new login bundle\n',
  );
  expect(text).toContain('  token        OS keyring, expires 2030-03-01T00:00:00Z (in 58d 14h)\n');
  expect(text).toContain('  token        encrypted with a passphrase, no expiry\n');
  const doc = JSON.parse(renderStatusJson(await statusAt(0)));
  expect(doc.profiles.map((p: { token: unknown }) => p.token)).toEqual([
    { storage: 'file', expiresAt: '2030-01-04T10:00:00Z', expiresSoon: true },
    { storage: 'keyring', expiresAt: '2030-03-01T00:00:00Z', expiresSoon: false },
    { storage: 'passphrase', expiresAt: null, expiresSoon: false },
  ]);
});

test('a Node.js recorded in the exec entry that is gone is a warning, before kubectl fails at the next renewal', async () => {
  const kubeconfig = path.join(f.root, 'kubeconfig');
  const entryWith = (node: string) =>
    `apiVersion: v1\nkind: Config\nusers:\n- name: jean.doe@local\n  user:\n    exec:\n      command: /prefix/bin/kube-csr-login\n      env:\n      - {name: KUBE_CSR_LOGIN_NODE, value: ${node}}\n`;
  await f.writeProfile('default', { ...jean, kubeconfig: { ...jean.kubeconfig, files: [kubeconfig] } });
  await writeFile(kubeconfig, entryWith(process.execPath));
  expect((await statusAt(0))[0]?.runtimeProblem).toBeUndefined();
  for (const gone of [path.join(f.root, 'node-v24.1.0', 'bin', 'node'), kubeconfig /* a file, not executable */]) {
    await writeFile(kubeconfig, entryWith(gone));
    const problem = `the Node.js setup recorded (${gone}) is gone or not executable: kubectl fails at the next renewal; run kube-csr-login setup --profile default again`;
    expect((await statusAt(0))[0]?.runtimeProblem).toBe(problem);
    expect(renderStatusText(await statusAt(0), at(0))).toContain(`  runtime      WARNING: ${problem}\n`);
    expect(JSON.parse(renderStatusJson(await statusAt(0))).profiles[0].runtimeProblem).toBe(problem);
  }
});
